import { closeSync, ftruncateSync, openSync, readSync, writeSync, fstatSync } from 'node:fs';
import { NvError } from '../../core/errors.js';

const PAGE = 4096;
/** memory.img covers guest physical addresses below 4 GiB (file offset = address). */
export const GUEST_LOW_LIMIT = 2 ** 32;

/**
 * Guest physical memory below 4 GiB as pages written so far (all else reads as zero), saved as a
 * sparse file whose offset is the guest physical address.
 */
export class GuestMemory {
  private readonly pages = new Map<number, Uint8Array>();
  private fd: number | undefined;

  /** Memory backed by `path` (created sparse at 4 GiB when missing): reads fall through to it, `flush` writes the pages changed. */
  static open(path: string): GuestMemory {
    const m = new GuestMemory();
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch {
      fd = openSync(path, 'w+');
      ftruncateSync(fd, GUEST_LOW_LIMIT);
    }
    if (fstatSync(fd).size !== GUEST_LOW_LIMIT) {
      closeSync(fd);
      throw new NvError('memory.img', '', undefined, `${path} is not a 4 GiB guest memory image`);
    }
    m.fd = fd;
    return m;
  }

  flush(): void {
    if (this.fd === undefined) throw new Error('GuestMemory.flush: not backed by a file');
    for (const [pn, page] of this.pages) writeSync(this.fd, page, 0, PAGE, pn * PAGE);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private page(pn: number): Uint8Array | undefined {
    let page = this.pages.get(pn);
    if (!page && this.fd !== undefined) {
      const b = new Uint8Array(PAGE);
      readSync(this.fd, b, 0, PAGE, pn * PAGE);
      if (b.some((x) => x !== 0)) this.pages.set(pn, (page = b));
    }
    return page;
  }

  read(addr: number, length: number): Uint8Array {
    this.check(addr, length);
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const a = addr + done;
      const pn = Math.floor(a / PAGE);
      const off = a - pn * PAGE;
      const n = Math.min(PAGE - off, length - done);
      const page = this.page(pn);
      if (page) out.set(page.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  write(addr: number, bytes: Uint8Array): void {
    this.check(addr, bytes.length);
    for (let done = 0; done < bytes.length; ) {
      const a = addr + done;
      const pn = Math.floor(a / PAGE);
      const off = a - pn * PAGE;
      const n = Math.min(PAGE - off, bytes.length - done);
      let page = this.page(pn);
      if (!page) this.pages.set(pn, (page = new Uint8Array(PAGE)));
      page.set(bytes.subarray(done, done + n), off);
      done += n;
    }
  }

  /** Zero `length` bytes (page by page: a hostile length allocates nothing). */
  fill(addr: number, length: number): void {
    this.check(addr, length);
    for (let done = 0; done < length; ) {
      const a = addr + done;
      const pn = Math.floor(a / PAGE);
      const off = a - pn * PAGE;
      const n = Math.min(PAGE - off, length - done);
      if (n === PAGE && this.fd === undefined) this.pages.delete(pn);
      else if (n === PAGE) this.pages.set(pn, new Uint8Array(PAGE));
      else this.page(pn)?.fill(0, off, off + n);
      done += n;
    }
  }

  /** Written page addresses, ascending. */
  writtenPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b).map((p) => p * PAGE);
  }

  /** A sparse file of 4 GiB: only written pages hold data. */
  save(path: string): void {
    const fd = openSync(path, 'w');
    try {
      ftruncateSync(fd, GUEST_LOW_LIMIT);
      for (const pn of [...this.pages.keys()].sort((a, b) => a - b)) writeSync(fd, this.pages.get(pn)!, 0, PAGE, pn * PAGE);
    } finally {
      closeSync(fd);
    }
  }

  /** A reader over a saved image (reads what is asked, never the whole file). */
  static reader(path: string): { read: (addr: number, length: number) => Uint8Array; close: () => void; size: number } {
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    return {
      size,
      read: (addr, length) => {
        if (addr < 0 || length < 0 || addr + length > size) throw new NvError('memory.img', '', addr, `read of ${length} bytes at 0x${addr.toString(16)} leaves the ${size}-byte image`);
        const out = new Uint8Array(length);
        readSync(fd, out, 0, length, addr);
        return out;
      },
      close: () => closeSync(fd),
    };
  }

  private check(addr: number, length: number): void {
    if (!Number.isInteger(addr) || addr < 0 || addr + length > GUEST_LOW_LIMIT) throw new NvError('guest-memory', '', addr, `${length} bytes at 0x${addr.toString(16)} leave guest memory below 4 GiB`);
  }
}

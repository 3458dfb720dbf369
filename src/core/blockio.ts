import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { NvError } from './errors.js';

/**
 * Byte-addressed random access to storage: an image file, a window of one, a namespace, a label
 * area, a namespace's block-device view. Every format that reads or writes media in place (BTT,
 * partition tables, the Xen super block, label areas) goes through this, a few sectors at a time,
 * so a sparse multi-terabyte image is never loaded whole. Offsets are JS numbers (exact up to 8 PiB).
 */
export interface BlockIO {
  /** Size in bytes. */
  readonly size: number;
  /** Exactly `length` bytes at `offset`; throws NvError if the range is outside the container. */
  read(offset: number, length: number): Uint8Array;
  /**
   * Optional: fill all of `out` from `offset`, into the caller's buffer (no allocation: a BTT sector
   * read into a preallocated buffer is then one pread). Use `readInto(io, ...)`, which falls back
   * to `read` for containers without it.
   */
  readInto?(offset: number, out: Uint8Array): void;
  /** `data` is copied or written before this returns: callers reuse their buffers. */
  write(offset: number, data: Uint8Array): void;
  /** Make the writes so far durable (fsync for files) before any later write. */
  flush(): void;
}

/** `out.length` bytes at `offset` into `out`, with one positioned read where the container allows. */
export function readInto(io: BlockIO, offset: number, out: Uint8Array): void {
  if (io.readInto) io.readInto(offset, out);
  else out.set(io.read(offset, out.length));
}

function checkRange(what: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new NvError(what, '', offset, `range of ${length} bytes at ${offset} is outside the ${size}-byte container`);
  }
}

/** A container held in memory (tests, fuzzing, an area read whole). */
export class MemoryBlockIO implements BlockIO {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange('block-io', this.size, offset, length);
    return this.bytes.slice(offset, offset + length);
  }
  readInto(offset: number, out: Uint8Array): void {
    checkRange('block-io', this.size, offset, out.length);
    out.set(this.bytes.subarray(offset, offset + out.length));
  }
  write(offset: number, data: Uint8Array): void {
    checkRange('block-io', this.size, offset, data.length);
    this.bytes.set(data, offset);
  }
  flush(): void {}
}

/**
 * `length` zeroed bytes of their own. Small reads (sectors, map pages) are cut from a shared
 * 1 MiB slab that is never handed out twice: allocating an ArrayBuffer per 4 KiB read costs about
 * as much as the read itself (a BTT sector read was 2.5x a plain pread because of it).
 */
let slab = new Uint8Array(0);
let slabUsed = 0;
const SLAB_SIZE = 1 << 20;
const SLAB_MAX_PIECE = 64 * 1024;
function freshBytes(length: number): Uint8Array {
  if (length > SLAB_MAX_PIECE) return new Uint8Array(length);
  if (slabUsed + length > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + length);
  slabUsed += (length + 7) & ~7;
  return out;
}

/** An open file (image or block device) accessed with positioned reads and writes. */
export class FileBlockIO implements BlockIO {
  private fd: number | undefined;
  readonly size: number;

  constructor(readonly path: string, writable: boolean, size?: number) {
    this.fd = openSync(path, writable ? 'r+' : 'r');
    this.size = size ?? fstatSync(this.fd).size;
  }

  static open(path: string, writable: boolean): FileBlockIO {
    return new FileBlockIO(path, writable);
  }

  /** Create (or extend) a sparse file of `size` bytes. */
  static create(path: string, size: number): FileBlockIO {
    const fd = openSync(path, 'a');
    if (fstatSync(fd).size < size) ftruncateSync(fd, size);
    closeSync(fd);
    return new FileBlockIO(path, true);
  }

  private get handle(): number {
    if (this.fd === undefined) throw new NvError('block-io', '', undefined, `${this.path} is closed`);
    return this.fd;
  }

  read(offset: number, length: number): Uint8Array {
    const out = freshBytes(length);
    this.readInto(offset, out);
    return out;
  }

  readInto(offset: number, out: Uint8Array): void {
    const length = out.length;
    checkRange(this.path, this.size, offset, length);
    const fd = this.handle;
    let done = readSync(fd, out, 0, length, offset);
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) {
        out.fill(0, done); // past EOF of a device that shrank: the rest reads as zeros
        return;
      }
      done += n;
    }
  }

  write(offset: number, data: Uint8Array): void {
    checkRange(this.path, this.size, offset, data.length);
    const fd = this.handle;
    let done = writeSync(fd, data, 0, data.length, offset);
    while (done < data.length) done += writeSync(fd, data, done, data.length - done, offset + done);
  }

  flush(): void {
    fsyncSync(this.handle);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** `[offset, offset + size)` of another container, seen as a container of its own. */
export class WindowBlockIO implements BlockIO {
  constructor(readonly inner: BlockIO, readonly offset: number, readonly size: number) {
    checkRange('block-io window', inner.size, offset, size);
  }
  read(offset: number, length: number): Uint8Array {
    checkRange('block-io window', this.size, offset, length);
    return this.inner.read(this.offset + offset, length);
  }
  readInto(offset: number, out: Uint8Array): void {
    checkRange('block-io window', this.size, offset, out.length);
    readInto(this.inner, this.offset + offset, out);
  }
  write(offset: number, data: Uint8Array): void {
    checkRange('block-io window', this.size, offset, data.length);
    this.inner.write(this.offset + offset, data);
  }
  flush(): void {
    this.inner.flush();
  }
}

/** A store whose writes stay in memory (Linux's flog recovery of the map), reads see them. */
export class OverlayBlockIO implements BlockIO {
  private readonly patches = new Map<number, Uint8Array>();
  constructor(readonly parent: BlockIO) {}
  get size(): number {
    return this.parent.size;
  }
  /** Number of byte ranges written (recovered map entries). */
  get patched(): number {
    return this.patches.size;
  }
  read(offset: number, length: number): Uint8Array {
    const out = this.parent.read(offset, length);
    for (const [at, data] of this.patches) {
      const s = Math.max(at, offset);
      const e = Math.min(at + data.length, offset + length);
      if (s < e) out.set(data.subarray(s - at, e - at), s - offset);
    }
    return out;
  }
  write(offset: number, data: Uint8Array): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + data.length > this.size) throw new NvError('block-io', '', offset, `overlay write of ${data.length} bytes at ${offset} is outside the store`);
    this.patches.set(offset, data.slice());
  }
  /** Nothing reaches the media. */
  flush(): void {}
}

/** Write `length` zero bytes in chunks (the way Linux zeroes the BTT map: 2 MiB at a time). */
export function zeroRange(io: BlockIO, offset: number, length: number, chunk = 2 * 1024 * 1024): void {
  const z = new Uint8Array(Math.min(chunk, length));
  let done = 0;
  while (done < length) {
    const n = Math.min(z.length, length - done);
    io.write(offset + done, n === z.length ? z : z.subarray(0, n));
    done += n;
  }
}

/** What a sector-addressed device offers (a BTT, or a byte view cut into sectors). */
export interface SectorDevice {
  readonly sectorSize: number;
  readonly nlba: number;
  read(lba: number): Uint8Array;
  /** Optional: the sector into the caller's `sectorSize`-byte buffer. */
  readInto?(lba: number, out: Uint8Array): void;
  write(lba: number, data: Uint8Array): void;
}

/**
 * Byte access to a sector-addressed device, as the block layer gives it to sgdisk: whole sectors
 * go straight through, partial ones are read, patched and written back. Every byte of a sector-mode
 * namespace's /dev/pmemNs goes through its BTT (map lookup, flog update, free-block rotation).
 */
export class SectorBlockIO implements BlockIO {
  readonly size: number;
  constructor(readonly device: SectorDevice, private readonly onFlush: () => void = () => {}) {
    this.size = device.nlba * device.sectorSize;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange('block-io sectors', this.size, offset, length);
    const ss = this.device.sectorSize;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const lba = Math.floor(at / ss);
      const within = at - lba * ss;
      const n = Math.min(ss - within, length - done);
      if (n === ss && this.device.readInto) this.device.readInto(lba, out.subarray(done, done + ss));
      else out.set(this.device.read(lba).subarray(within, within + n), done);
      done += n;
    }
    return out;
  }
  write(offset: number, data: Uint8Array): void {
    checkRange('block-io sectors', this.size, offset, data.length);
    const ss = this.device.sectorSize;
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const lba = Math.floor(at / ss);
      const within = at - lba * ss;
      const n = Math.min(ss - within, data.length - done);
      if (n === ss) this.device.write(lba, data.subarray(done, done + ss));
      else {
        const s = this.device.read(lba);
        s.set(data.subarray(done, done + n), within);
        this.device.write(lba, s);
      }
      done += n;
    }
  }
  flush(): void {
    this.onFlush();
  }
}

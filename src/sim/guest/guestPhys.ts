/**
 * A guest's accesses to its vNVDIMMs' persistent memory, as the hardware resolves them: guest
 * physical address -> the guest's pmem p2m (guests/<name>/mappings.json `mapped`, the `data` runs
 * Xen installed) -> host frame -> the host image that backs that frame (host/spa.ts, through
 * xen/physmem.ts). A page with no p2m entry is an EPT violation: Xen would crash the domain; here
 * the access is refused with an NvError naming the guest frame, and nothing is read or written.
 * Label pages are not in the p2m (libxl maps them with gfn 0, type label, for the device model).
 */
import type { BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';
import { hostMappings } from '../host/spa.js';
import type { SimDir } from '../runDir.js';
import { PhysMem } from '../xen/physmem.js';

const PAGE = 4096n;
const hex = (v: bigint) => `0x${v.toString(16)}`;

export interface P2mRun {
  gfn: bigint;
  mfn: bigint;
  nr: bigint;
}

export class GuestPhys {
  private readonly mem: PhysMem;
  /** Bytes written through this view (for the log). */
  written = 0n;

  constructor(dir: SimDir, readonly guest: string, readonly runs: readonly P2mRun[]) {
    this.mem = new PhysMem(dir.root, hostMappings(dir).map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset })));
  }

  static open(dir: SimDir, guest: string): GuestPhys {
    const m = dir.readJson<{ mapped?: { gfn: string; mfn: string; nr: string; type: string }[] }>(`guests/${guest}/mappings.json`);
    const runs = (m.mapped ?? []).filter((r) => r.type === 'data').map((r) => ({ gfn: BigInt(r.gfn), mfn: BigInt(r.mfn), nr: BigInt(r.nr) }));
    return new GuestPhys(dir, guest, runs);
  }

  /** The host frame behind guest frame `gfn`, or undefined when the p2m has none. */
  mfnOf(gfn: bigint): bigint | undefined {
    const r = this.runs.find((x) => gfn >= x.gfn && gfn < x.gfn + x.nr);
    return r ? r.mfn + (gfn - r.gfn) : undefined;
  }

  /** Visit [gpa, gpa + length) page piece by page piece, each with its host window. */
  private each(gpa: bigint, length: number, what: string, f: (w: BlockIO, at: number, done: number, n: number) => void): void {
    // Check every page first: a fault part-way must not leave a half-done write behind.
    const pieces: { spa: bigint; done: number; n: number }[] = [];
    for (let done = 0; done < length;) {
      const a = gpa + BigInt(done);
      const inPage = Number(PAGE - (a % PAGE));
      const n = Math.min(inPage, length - done);
      const mfn = this.mfnOf(a / PAGE);
      if (mfn === undefined) throw new NvError('sim.guest', this.guest, undefined, `${what} at guest physical ${hex(a)}: guest frame ${hex(a / PAGE)} has no p2m entry (an EPT violation: Xen crashes the domain)`);
      pieces.push({ spa: mfn * PAGE + (a % PAGE), done, n });
      done += n;
    }
    for (const p of pieces) {
      const w = this.mem.window(p.spa, BigInt(p.n));
      if (!w) throw new NvError('sim.guest', this.guest, undefined, `${what}: host frame ${hex(p.spa / PAGE)} is in no persistent-memory range of the host`);
      f(w.io, 0, p.done, p.n);
    }
  }

  read(gpa: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.each(gpa, length, 'read', (w, at, done, n) => out.set(w.read(at, n), done));
    return out;
  }

  write(gpa: bigint, data: Uint8Array): void {
    this.each(gpa, data.length, 'write', (w, at, done, n) => w.write(at, data.subarray(done, done + n)));
    this.written += BigInt(data.length);
  }

  /** [gpa, gpa + size) as a container (a vNVDIMM's persistent memory as the guest maps it). */
  blockIO(gpa: bigint, size: number): BlockIO {
    const check = (offset: number, length: number) => {
      if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > size) throw new NvError('sim.guest', this.guest, offset, `range of ${length} bytes at ${offset} is outside the ${size}-byte vNVDIMM`);
    };
    return {
      size,
      read: (offset, length) => (check(offset, length), this.read(gpa + BigInt(offset), length)),
      write: (offset, data) => (check(offset, data.length), this.write(gpa + BigInt(offset), data)),
      flush: () => this.mem.flush(),
    };
  }

  close(): void {
    this.mem.flush();
    this.mem.close();
  }
}

/**
 * Host physical memory as Xen touches it: a write to a machine address lands in the NVDIMM image
 * that backs it, through the NFIT's SPA → DIMM → image offset mapping (src/sim/host/spa.ts, the
 * one home of that mapping). Addresses no persistent-memory range covers are RAM, which the
 * simulation does not keep: writes there are counted, not stored.
 */
import { join } from 'node:path';
import { FileBlockIO, WindowBlockIO, type BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';

/** What the simulation needs of one PMEM mapping (a subset of host/spa.ts's SpaMapping). */
export interface PmemBacking {
  spa: bigint;
  length: bigint;
  /** Image path relative to `root`. */
  image: string;
  fileOffset: bigint;
}

export interface PhysWindow {
  io: BlockIO;
  image: string;
  /** Image offset of the window's first byte. */
  offset: bigint;
}

export class PhysMem {
  private files = new Map<string, FileBlockIO>();
  /** Bytes written to machine addresses no PMEM range backs (Xen's RAM). */
  ramBytes = 0n;

  constructor(readonly root: string, readonly backing: readonly PmemBacking[], private readonly writable = true) {}

  private file(image: string): FileBlockIO {
    let f = this.files.get(image);
    if (!f) {
      f = new FileBlockIO(join(this.root, image), this.writable);
      this.files.set(image, f);
    }
    return f;
  }

  /** The image window holding `[spa, spa + length)`, or undefined when it is not persistent memory. */
  window(spa: bigint, length: bigint): PhysWindow | undefined {
    const m = this.backing.find((b) => spa >= b.spa && spa < b.spa + b.length);
    if (!m) return undefined;
    if (spa + length > m.spa + m.length) throw new NvError('sim.xen', '', undefined, `machine range 0x${spa.toString(16)}+0x${length.toString(16)} runs past the end of the PMEM range backed by ${m.image}`);
    const offset = m.fileOffset + (spa - m.spa);
    return { io: new WindowBlockIO(this.file(m.image), Number(offset), Number(length)), image: m.image, offset };
  }

  /** Where a machine address is: `host/nv0.img+0x...` or `RAM`. */
  describe(spa: bigint): string {
    const m = this.backing.find((b) => spa >= b.spa && spa < b.spa + b.length);
    return m ? `${m.image}+0x${(m.fileOffset + spa - m.spa).toString(16)}` : 'RAM';
  }

  flush(): void {
    for (const f of this.files.values()) f.flush();
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }
}

/**
 * The guest's data path (specs/sim.md §7.11): a guest's CPU loads and stores to its vNVDIMM's
 * guest-physical range reach the host pmem frames through the p2m Xen built (EPT on hardware; no
 * hypercall, no device model), so into the host image at the frames' offsets — for a v1
 * file-backed vNVDIMM, the Dom0 file's extents inside the ext4 of the host namespace. Each vNVDIMM
 * is a `BlockIO` over `[addr, addr + pmemSize)` of guest-physical space: every access is translated
 * page run by page run (`gpaPieces`, the one home of the translation). A page with no p2m entry is
 * what Xen makes of it (guestMappings.ts UNCLAIMED_READ_BYTE): emulated MMIO no device model
 * claims, so reads give all ones and writes are dropped; the guest runs on. Every host write and
 * every unclaimed access is recorded.
 */
import { FileBlockIO, type BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';
import { UNCLAIMED_READ_BYTE, gpaPieces, guestMappingView, type GuestMappingView, type HostSegment, type UnclaimedSegment } from '../guestMappings.js';
import type { SimDir } from '../runDir.js';

/** One vNVDIMM's persistent memory as the guest addresses it (byte 0 = its guest address). */
export class GuestPmemIO implements BlockIO {
  /** Host writes made through this view, in order. */
  readonly writes: HostSegment[] = [];
  /** Stores to pages with no p2m entry (dropped by Xen), in order. */
  readonly dropped: UnclaimedSegment[] = [];
  /** Reads of pages with no p2m entry (all ones), in order. */
  readonly unclaimedReads: UnclaimedSegment[] = [];

  constructor(
    private readonly view: GuestMappingView,
    readonly addr: bigint,
    readonly size: number,
    private readonly image: (rel: string) => BlockIO,
  ) {}

  private check(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new NvError('sim.guest', '', offset, `range of ${length} bytes at ${offset} is outside the ${this.size}-byte vNVDIMM`);
    }
  }

  /** Reads the host bytes behind mapped pages; a page with no p2m entry reads as all ones. */
  read(offset: number, length: number): Uint8Array {
    this.check(offset, length);
    const out = new Uint8Array(length);
    let at = 0;
    for (const s of gpaPieces(this.view, this.addr + BigInt(offset), BigInt(length))) {
      if (s.kind === 'host') out.set(this.image(s.image).read(Number(s.imageOffset), Number(s.length)), at);
      else {
        out.fill(UNCLAIMED_READ_BYTE, at, at + Number(s.length));
        this.unclaimedReads.push({ gpa: s.gpa, length: s.length });
      }
      at += Number(s.length);
    }
    return out;
  }

  write(offset: number, data: Uint8Array): void {
    this.check(offset, data.length);
    this.storeAt(this.addr + BigInt(offset), data);
  }

  /**
   * Stores at guest-physical `gpa` (anywhere, not only this vNVDIMM): mapped bytes land in the host
   * frames, bytes of pages with no p2m entry are dropped (recorded in `dropped`). A GuestFault (a
   * page no host image backs) is thrown before anything is stored.
   */
  storeAt(gpa: bigint, data: Uint8Array): void {
    const pieces = gpaPieces(this.view, gpa, BigInt(data.length));
    let at = 0;
    const first = this.writes.length;
    for (const s of pieces) {
      if (s.kind === 'unclaimed') {
        this.dropped.push({ gpa: s.gpa, length: s.length });
        at += Number(s.length);
        continue;
      }
      this.image(s.image).write(Number(s.imageOffset), data.subarray(at, at + Number(s.length)));
      at += Number(s.length);
      const { kind: _k, ...seg } = s;
      const last = this.writes[this.writes.length - 1];
      if (this.writes.length > first && last && last.image === s.image && last.imageOffset + last.length === s.imageOffset && last.gpa + last.length === s.gpa) last.length += s.length;
      else this.writes.push(seg);
    }
  }

  flush(): void {}
}

export interface GuestVnvdimm {
  id: string;
  slot: number;
  /** Guest-physical address of the pmem's first byte. */
  addr: bigint;
  io: GuestPmemIO;
}

export interface GuestPmem {
  name: string;
  domid: number;
  view: GuestMappingView;
  /** In slot order. */
  vnvdimms: GuestVnvdimm[];
  /** Makes the host writes durable and closes the images. */
  close(): void;
}

interface LayoutJson {
  nvdimms: { id: string; slot: number; addr: string; pmemSize: string }[];
}

/**
 * Guest `name`'s vNVDIMMs as it addresses them. Refused (NvError) when the guest is not running:
 * never created, its mapping failed (Xen destroyed it), or destroyed since.
 */
export function openGuestPmem(dir: SimDir, name: string): GuestPmem {
  const f = (rel: string) => `guests/${name}/${rel}`;
  const view = guestMappingView(dir, name);
  if (!view) throw new NvError('sim.guest', name, undefined, `guest ${name} has no ${f('mappings.json')} (did the qemu stage run?)`);
  if (view.status !== 'running') throw new NvError('sim.guest', name, undefined, `guest ${name} is not running (mappings.json status "${view.status}"): a domain that does not exist runs nothing`);
  const { domid } = dir.readJson<{ domid: number }>(f('xl.json'));
  const layout = dir.readJson<LayoutJson>(f('layout.json'));
  const files = new Map<string, FileBlockIO>();
  const image = (rel: string) => {
    let io = files.get(rel);
    if (!io) files.set(rel, (io = new FileBlockIO(dir.path(rel), true)));
    return io;
  };
  const vnvdimms = [...layout.nvdimms].sort((a, b) => a.slot - b.slot).map((d) => {
    const addr = BigInt(d.addr);
    return { id: d.id, slot: d.slot, addr, io: new GuestPmemIO(view, addr, Number(BigInt(d.pmemSize)), image) };
  });
  return {
    name, domid, view, vnvdimms,
    close() {
      for (const io of files.values()) {
        io.flush();
        io.close();
      }
      files.clear();
    },
  };
}

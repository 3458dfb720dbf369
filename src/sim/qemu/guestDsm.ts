/**
 * A guest's AML region handlers as the simulation wires them (issue 14 item 2): SystemMemory -> the
 * guest's memory.img, SystemIO port 0x0A18 -> QEMU's DSM handler (dsm.ts) for the guest's vNVDIMMs,
 * whose label bytes go through XEN_DMOP_pmem_rw to Xen's handler on the host images. The label
 * area of a vNVDIMM is the last label-size bytes of its backend: label_host_addr = host-addr +
 * pmem_size (xen.md §4, QEMU commit cc7502e61b), pmem_size taken before QEMU aligns it down
 * (nvdimm_prepare_memory_region: label_data = ram + size - label_size), which is where libxl mapped
 * the type=label pages (mfn + nr_pages - nr_label_pages).
 */
import { decodeNfit, encodeFit } from '../../acpi/nfit/index.js';
import type { RegionHandler } from '../../aml/interp/index.js';
import { SPACE } from '../../aml/interp/index.js';
import { hostMappings } from '../host/spa.js';
import { GuestMemory } from '../hvmloader/memory.js';
import type { SimDir } from '../runDir.js';
import { loadPermissions } from '../xen/permissions.js';
import { PhysMem } from '../xen/physmem.js';
import { dmopPmemRw, NvdimmDsm, NVDIMM_DSM_MEMORY_SIZE } from './dsm.js';
import { GUEST_NFIT } from './stage.js';

/** SystemMemory over the guest's memory image (little-endian, as x86 loads and stores). */
export class GuestMemoryHandler implements RegionHandler {
  constructor(private readonly mem: GuestMemory) {}
  read(address: bigint, bits: number): bigint {
    const b = this.mem.read(Number(address), bits / 8);
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }
  write(address: bigint, bits: number, value: bigint): void {
    this.mem.write(Number(address), Uint8Array.from({ length: bits / 8 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn)));
  }
}

interface LayoutJson {
  ram: { below4g: string };
  nvdimms: { slot: number; backendSize: string; labelSize?: string; hostAddr?: string }[];
}

export interface GuestDsm {
  handlers: Record<number, RegionHandler>;
  dsm: NvdimmDsm;
  mem: GuestMemory;
  /** Writes the guest memory pages changed back to memory.img and closes it. */
  close(): void;
}

/**
 * Open guest `name` of a run whose qemu and hvmloader stages ran: `mema` is the DSM page the
 * guest's SSDT names (populated beside RAM: hvmloader allocated it outside QEMU's memory regions).
 */
export function openGuestDsm(dir: SimDir, name: string, mema: bigint): GuestDsm {
  const g = (rel: string) => `guests/${name}/${rel}`;
  const { domid } = dir.readJson<{ domid: number }>(g('xl.json'));
  const layout = dir.readJson<LayoutJson>(g('layout.json'));
  const maps = hostMappings(dir);
  const ctx = { perms: loadPermissions(dir).table, mem: new PhysMem(dir.root, maps.map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset }))) };
  const mem = GuestMemory.open(dir.file(g('memory.img')));
  const nvdimms = layout.nvdimms.map((d) => ({
    handle: d.slot + 1, // nvdimm_slot_to_handle
    labelSize: d.labelSize ? Number(BigInt(d.labelSize)) : 0,
    labelPaddr: BigInt(d.hostAddr ?? 0) + BigInt(d.backendSize) - BigInt(d.labelSize ?? 0),
  }));
  const fit = encodeFit(decodeNfit(dir.readBytes(g(GUEST_NFIT))).table);
  const dsm = new NvdimmDsm({ mem, populated: [{ start: 0n, end: BigInt(layout.ram.below4g) }, { start: mema, end: mema + BigInt(NVDIMM_DSM_MEMORY_SIZE) }] }, nvdimms, fit, dmopPmemRw(dir, ctx, domid));
  return {
    handlers: { [SPACE.SystemMemory]: new GuestMemoryHandler(mem), [SPACE.SystemIO]: dsm },
    dsm,
    mem,
    close() {
      mem.flush();
      mem.close();
    },
  };
}

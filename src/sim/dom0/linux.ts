/**
 * Dom0's Linux, enumerating persistent memory as Linux 6.1 does (specs/sim.md §5.1): the NFIT
 * (drivers/acpi/nfit) → DIMMs (nmemN, by device handle) and regions (regionN, by SPA range index)
 * → each DIMM's labels (drivers/nvdimm/label.c, through src/labels) → namespaces (namespaceR.N,
 * numbered in the order scan_labels sorts them: `cmpDpa`) → personalities (BTT, PFN/DAX info blocks,
 * through src/namespace) → block devices and their partitions (GPT, through src/disk).
 * Reads the host images only; writes nothing.
 */
import { SectorBlockIO, type BlockIO } from '../../core/blockio.js';
import { headerText } from '../../acpi/genericTable.js';
import { ACPI_HEADER_SIZE } from '../../acpi/header.js';
import { NFIT_TYPE, decodeNfit, structuresOfType, type Nfit } from '../../acpi/nfit/index.js';
import { dimmSetFor, freeExtents, interleaveSetsFromNfit, namespacesOf, readLabelArea, type InterleaveSet } from '../../labels/index.js';
import { atSpa, findLabelledNamespace, labellessNamespace, openNamespaceView, type NamespaceRef, type NamespaceView } from '../../namespace/index.js';
import { readGpt } from '../../disk/table.js';
import { pmemMappings, type SpaMapping } from '../host/spa.js';
import type { HostImage } from './setup.js';

/** Block devices of NVDIMMs get dynamic numbers on the extended major (BLOCK_EXT_MAJOR). */
export const BLOCK_EXT_MAJOR = 259;
/** Where the NFIT's bus sits in sysfs under QEMU's ACPI namespace (seen in the Linux 6.1 guest). */
export const NDBUS_SYSFS = 'devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0';

export interface LinuxDimm {
  dev: string;
  handle: number;
  physId: number;
  /** ndctl's dimm id: vendor-serial (big-endian, as ndctl prints them), with location-date when valid. */
  id: string;
  /** Memory device flags (NFIT type 1). */
  flags: number;
  image: HostImage;
}

export interface LinuxPartition {
  number: number;
  name: string;
  /** 512-byte sectors, as sysfs `start` and `size`. */
  start: bigint;
  sectors: bigint;
  dev: string;
  /** Byte offset in the disk. */
  offset: number;
}

export interface LinuxDisk {
  name: string;
  dev: string;
  /** The device the disk hangs under: namespaceR.N (raw), pfnR.N (fsdax), bttR.N (sector). */
  holder: string;
  /** `device/resource` (SPA of byte 0), absent for a BTT. */
  resource?: bigint;
  /** `device/size`. */
  deviceSize: bigint;
  /** Bytes of the disk. */
  bytes: bigint;
  logicalBlockSize: number;
  partitions: LinuxPartition[];
  /** Byte-addressed view (raw, fsdax) and where it starts in the host image. */
  io?: BlockIO;
  image?: HostImage;
  imageOffset?: number;
}

export interface LinuxNamespace {
  dev: string;
  region: number;
  index: number;
  view: NamespaceView;
  ref: NamespaceRef;
  labelled: boolean;
  name?: string;
  /** SPA of the namespace's first byte. */
  spa: bigint;
  disk?: LinuxDisk;
  chardev?: string;
}

export interface LinuxRegion {
  dev: string;
  id: number;
  mapping: SpaMapping;
  set: InterleaveSet;
  dimm: LinuxDimm;
  size: bigint;
  align: bigint;
  availableSize: bigint;
  maxAvailableExtent: bigint;
  isetId?: bigint;
  persistenceDomain: string;
  namespaces: LinuxNamespace[];
}

export interface Dom0Linux {
  /** What Dom0 found at the table it was handed: an NFIT, or none (hidden as TFIN by Xen v3). */
  signature: string;
  dimms: LinuxDimm[];
  regions: LinuxRegion[];
  /** Block devices and partitions in probe order (their device numbers). */
  disks: LinuxDisk[];
}

const hex16be = (v: number) => (((v & 0xff) << 8) | (v >> 8)).toString(16).padStart(4, '0');
const hex32be = (v: number) => Buffer.from(new Uint32Array([v]).buffer).readUInt32BE(0).toString(16).padStart(8, '0');

function persistenceDomain(nfit: Pick<Nfit, 'structures'>): string {
  const cap = structuresOfType(nfit, NFIT_TYPE.capabilities)[0];
  if (!cap) return 'unknown';
  if (cap.capabilities & 1) return 'cpu_cache';
  if (cap.capabilities & 2) return 'memory_controller';
  return 'none';
}

/**
 * scan_labels' sort (drivers/nvdimm/namespace_devs.c `cmp_dpa`): `memcmp` of the namespaces'
 * `res.start`, a little-endian u64 on x86 — so the least significant byte decides first, which is
 * DPA order only while the starts differ first in their low bytes. Seen in the guest: namespaces
 * at SPA 0x1fffe0000 and 0x20ffe0000 are numbered 0x20ffe0000 first.
 */
export function cmpDpa(a: bigint, b: bigint): number {
  for (let i = 0n; i < 64n; i += 8n) {
    const x = Number((a >> i) & 0xffn);
    const y = Number((b >> i) & 0xffn);
    if (x !== y) return x - y;
  }
  return 0;
}

/** nvdimm_namespace_disk_name: pmem<region>[.<index>][s]. */
export function diskName(region: number, index: number, mode: NamespaceView['mode']): string {
  return `pmem${region}${index ? `.${index}` : ''}${mode === 'sector' ? 's' : ''}`;
}

/** Partition device names: a trailing digit in the disk name takes a "p" separator (disk_name()). */
export const partitionName = (disk: string, n: number) => `${disk}${/\d$/.test(disk) ? 'p' : ''}${n}`;

function partitionsOf(io: BlockIO, ss: 512 | 4096): Omit<LinuxPartition, 'dev' | 'name'>[] {
  if (io.size < 2 * ss) return [];
  const d = readGpt(io, ss);
  if (!d.header || d.mbrKind !== 'protective') return [];
  return d.partitions
    .filter((p) => p.endLba >= p.startLba)
    .map((p) => ({ number: p.number, start: (p.startLba * BigInt(ss)) / 512n, sectors: ((p.endLba - p.startLba + 1n) * BigInt(ss)) / 512n, offset: Number(p.startLba) * ss }))
    .sort((a, b) => a.number - b.number);
}

/** Enumerate what Linux finds behind `nfitBytes` (the table Dom0 was handed) on the host images. */
export function enumerateLinux(nfitBytes: Uint8Array, images: readonly HostImage[]): Dom0Linux {
  const signature = nfitBytes.length >= ACPI_HEADER_SIZE ? headerText(nfitBytes, 'signature') : '';
  if (signature !== 'NFIT') return { signature, dimms: [], regions: [], disks: [] };
  return enumerateNfit(decodeNfit(nfitBytes).table, images);
}

/**
 * Enumerate what Linux finds behind NFIT structures (the table's, or a guest's `_FIT` buffer under
 * its NFIT's header) on `images`: each image is a DIMM's bytes as QEMU lays out a backing file
 * (DPA d at offset d, the label area the last labelSize bytes).
 */
export function enumerateNfit(nfit: Nfit, images: readonly HostImage[]): Dom0Linux {
  const signature = 'NFIT';
  const dcrs = structuresOfType(nfit, NFIT_TYPE.controlRegion);
  const memdevs = structuresOfType(nfit, NFIT_TYPE.memoryMap);
  const handles = [...new Set(memdevs.map((m) => m.deviceHandle))].sort((a, b) => a - b); // nfit_mem_cmp
  const dimms: LinuxDimm[] = handles.flatMap((h, i) => {
    const m = memdevs.find((x) => x.deviceHandle === h)!;
    const dcr = dcrs.find((d) => d.regionIndex === m.regionIndex);
    const image = images.find((x) => x.dimm.handle === h);
    if (!image) return [];
    const id = !dcr ? `${h}` : dcr.validFields & 1
      ? `${hex16be(dcr.vendorId)}-${dcr.manufacturingLocation.toString(16).padStart(2, '0')}-${hex16be(dcr.manufacturingDate)}-${hex32be(dcr.serialNumber)}`
      : `${hex16be(dcr.vendorId)}-${hex32be(dcr.serialNumber)}`;
    return [{ dev: `nmem${i}`, handle: h, physId: m.physicalId, id, flags: m.flags, image }];
  });
  const mappings = pmemMappings(nfit, images.map((x) => x.dimm));
  const sets = interleaveSetsFromNfit(nfit).sort((a, b) => a.rangeIndex - b.rangeIndex); // nfit_spa_cmp
  const persistence = persistenceDomain(nfit);
  const regions: LinuxRegion[] = [];
  for (const [r, { rangeIndex, set }] of sets.entries()) {
    const mapping = mappings.find((m) => m.rangeIndex === rangeIndex)!;
    const dimm = dimms.find((d) => d.handle === mapping.dimm.handle)!;
    const io = dimm.image.io;
    const labelSize = Number(BigInt(dimm.image.dimm.labelSize));
    const area = labelSize ? io.read(io.size - labelSize, labelSize) : undefined;
    const view = area ? readLabelArea(area) : undefined;
    const labelled = view?.current !== undefined;
    const ds = dimmSetFor(set, 0);
    const spaOf = (dpa: bigint) => mapping.spa + dpa - mapping.fileOffset;
    const refs: { ref: NamespaceRef; name?: string }[] = labelled
      ? namespacesOf(view!, ds).namespaces.filter((n) => n.status === 'active').sort((a, b) => cmpDpa(spaOf(a.dpa), spaOf(b.dpa)))
        .map((n) => ({ ref: atSpa(findLabelledNamespace(io, n.uuid, labelSize), mapping.spa, mapping.fileOffset), ...(n.name ? { name: n.name } : {}) }))
      : [{ ref: atSpa({ ...labellessNamespace(io, labelSize), offset: Number(mapping.fileOffset), size: Number(mapping.length) }, mapping.spa, mapping.fileOffset) }];
    const namespaces = refs.map(({ ref, name }, index): LinuxNamespace => {
      const v = openNamespaceView(io, ref);
      return {
        dev: `namespace${r}.${index}`, region: r, index, view: v, ref, labelled, ...(name ? { name } : {}),
        spa: BigInt(ref.physStart!),
        ...(v.mode === 'devdax' ? { chardev: `dax${r}.${index}` } : {}),
      };
    });
    const free = labelled ? freeExtents(view!, ds.dpaStart ?? 0n, ds.dpaSize ?? mapping.length) : [];
    const usable = free.map((e) => (e.end / set.align) * set.align - ((e.start + set.align - 1n) / set.align) * set.align).filter((n) => n > 0n);
    const cur = labelled ? view!.checks[view!.current!]!.value : undefined;
    regions.push({
      dev: `region${r}`, id: r, mapping, set, dimm, size: mapping.length, align: set.align,
      availableSize: usable.reduce((a, b) => a + b, 0n), maxAvailableExtent: usable.reduce((a, b) => (b > a ? b : a), 0n),
      ...(cur ? { isetId: cur.major === 1 && cur.minor === 1 ? set.cookies.cookie1 : set.cookies.cookie2 } : {}),
      persistenceDomain: persistence, namespaces,
    });
  }
  // Claim counters per region: the seeds (btt/pfn/dax R.0) exist before any claim.
  const claims = new Map<string, number>();
  const claimName = (kind: string, r: number) => {
    const k = `${kind}${r}`;
    const n = (claims.get(k) ?? 0) + 1;
    claims.set(k, n);
    return `${kind}${r}.${n}`;
  };
  const all = regions.flatMap((g) => g.namespaces);
  for (const ns of all) {
    const v = ns.view;
    if (v.mode === 'devdax') continue;
    const holder = v.mode === 'raw' ? ns.dev : claimName(v.mode === 'sector' ? 'btt' : 'pfn', ns.region);
    const lbs = v.mode === 'sector' ? v.btt!.sectorSize : 512;
    const io = v.bytes ?? new SectorBlockIO(v.device);
    ns.disk = {
      name: diskName(ns.region, ns.index, v.mode), dev: '', holder,
      ...(v.mode !== 'sector' ? { resource: ns.spa + BigInt(v.dataOffset ?? 0) } : {}),
      deviceSize: BigInt(v.size), bytes: BigInt(v.size), logicalBlockSize: lbs,
      partitions: [],
      ...(v.bytes ? { io: v.bytes, image: regions[ns.region]!.dimm.image, imageOffset: ns.ref.offset + (v.dataOffset ?? 0) } : { io }),
    };
    ns.disk.partitions = partitionsOf(io, lbs === 4096 ? 4096 : 512).map((p) => ({ ...p, name: partitionName(ns.disk!.name, p.number), dev: '' }));
  }
  // Probe order (seen in the guest, where probing is asynchronous): raw disks attach while their
  // namespace probes; BTT disks next; PFN disks last, the one with the least memmap to initialise
  // first (a 512 MiB fsdax namespace's disk came before a 1 GiB one's). Namespace order breaks ties.
  const rank = { raw: 0, sector: 1, fsdax: 2, devdax: 3 } as const;
  const memmap = (n: LinuxNamespace) => (n.view.pfn ? n.view.pfn.npfns : 0n);
  const disks = all.filter((n) => n.disk)
    .sort((a, b) => rank[a.view.mode] - rank[b.view.mode] || (memmap(a) < memmap(b) ? -1 : memmap(a) > memmap(b) ? 1 : 0))
    .map((n) => n.disk!);
  let minor = 0;
  for (const d of disks) {
    d.dev = `${BLOCK_EXT_MAJOR}:${minor++}`;
    for (const p of d.partitions) p.dev = `${BLOCK_EXT_MAJOR}:${minor++}`;
  }
  return { signature, dimms, regions, disks };
}

/** The sysfs directory of a disk, relative to sys/. */
export function diskSysfsPath(r: LinuxRegion, d: LinuxDisk): string {
  return `${NDBUS_SYSFS}/${r.dev}/${d.holder}/block/${d.name}`;
}


import { Struct, ascii, reserved, rfcUuid, u16, u32, u64, type Finding, type ValueOf } from '../core/schema/index.js';
import { M2P_ENTRY_SIZE, PAGE_INFO_SIZE, XEN_PAGE_SIZE } from './pageInfo.js';

/**
 * nvtool's Xen pmem super block (specs/xen-pmem-superblock.md). No public format exists; this one
 * is ours. One 4 KiB block, little-endian, CRC32 over the whole block with the checksum field
 * zeroed. Every offset is relative to the start of the container it lives in (the disk for
 * placement a, the partition for b, the namespace for c); no host physical address is stored.
 */
export const XEN_SB_MAGIC = 'XEN_PMEM_SUPERBK';
export const XEN_SB_SIZE = 4096;
export const XEN_SB_VERSION_MAJOR = 1;
export const XEN_SB_VERSION_MINOR = 0;

export const PLACEMENT = { afterPartitionTable: 1, partition: 2, namespace: 3 } as const;
export type PlacementCode = (typeof PLACEMENT)[keyof typeof PLACEMENT];
export const PLACEMENT_NAMES: Readonly<Record<string, string>> = {
  1: '(a) after the partition table, before the first usable LBA',
  2: '(b) a partition of its own (Xen pmem type GUID)',
  3: '(c) a whole namespace (Xen claim class)',
};

/**
 * Bits of `flags`. `formatInProgress` is set by the first write of a full nvtool format and cleared
 * by its last (which sets the two initialized bits): a block that still has it is a format that
 * was interrupted. A super block written alone (flags 0, the tables left to Xen) never has it.
 */
export const XEN_SB_FLAGS = { frameTableInitialized: 1 << 0, m2pInitialized: 1 << 1, formatInProgress: 2 ** 31 } as const;

/**
 * Claim-class GUID nvtool defines for a namespace holding a Xen pmem super block at its offset 0
 * (placement c; seed 003's "Xen specific label"). Generated once at random; in no registry.
 */
export const XEN_PMEM_CLAIM_CLASS_GUID = 'b20826a5-474a-41b6-a348-0de995c1f517';

export const xenSuperBlock = new Struct(
  'xen.superblock',
  [
    ascii('magic', 16, { label: 'Magic', expect: XEN_SB_MAGIC }),
    u16('versionMajor', { label: 'Version (major)', expect: XEN_SB_VERSION_MAJOR }),
    u16('versionMinor', { label: 'Version (minor)' }),
    u32('blockSize', { label: 'Block size', expect: XEN_SB_SIZE, doc: 'bytes the checksum covers' }),
    u32('checksum', { label: 'CRC32', role: { kind: 'checksum', algo: 'crc32' } }),
    u32('flags', { label: 'Flags', flags: { 0: 'frame table initialized', 1: 'M2P initialized', 31: 'format in progress' } }),
    rfcUuid('uuid', { label: 'Super block UUID' }),
    rfcUuid('containerUuid', { label: 'Container UUID', doc: 'disk GUID (a), partition unique GUID (b), namespace uuid (c); nil if unknown' }),
    u32('placement', { label: 'Placement', names: PLACEMENT_NAMES }),
    u32('pageSize', { label: 'Page size', expect: XEN_PAGE_SIZE }),
    u32('pageInfoSize', { label: 'page_info size', expect: PAGE_INFO_SIZE }),
    u32('m2pEntrySize', { label: 'M2P entry size', expect: M2P_ENTRY_SIZE }),
    u64('superBlockOffset', { label: 'Super block offset', doc: 'self pointer' }),
    u64('containerSize', { label: 'Container size' }),
    u64('managedOffset', { label: 'Managed range offset' }),
    u64('managedPages', { label: 'Managed pages' }),
    u64('reservedOffset', { label: 'Reserved area offset' }),
    u64('reservedSize', { label: 'Reserved area size' }),
    u64('frameTableOffset', { label: 'Frame table offset' }),
    u64('frameTableSize', { label: 'Frame table size' }),
    u64('m2pOffset', { label: 'M2P offset' }),
    u64('m2pSize', { label: 'M2P size' }),
    u64('dataOffset', { label: 'Data area offset' }),
    u64('dataSize', { label: 'Data area size' }),
    reserved('reserved', XEN_SB_SIZE - 176),
  ] as const,
  { label: 'Xen pmem super block (nvtool)', spec: 'specs/xen-pmem-superblock.md', size: XEN_SB_SIZE },
);

export type XenSuperBlock = ValueOf<typeof xenSuperBlock>;

const P = BigInt(XEN_PAGE_SIZE);
export const pageAlignUp = (n: bigint, a = P) => ((n + a - 1n) / a) * a;

/**
 * The sizing rule: the reserved area must hold the frame table (32 bytes) and the M2P (8 bytes)
 * of every managed page, each rounded up to whole pages. That is never less than the v1 Xen check
 * `(32·N >> 12) + (8·N >> 12)` pages nor R-layout-2's `ceil(40·N / 4096)`.
 */
export function reservedBytesFor(managedPages: bigint): { frameTable: bigint; m2p: bigint; total: bigint } {
  const frameTable = pageAlignUp(managedPages * BigInt(PAGE_INFO_SIZE));
  const m2p = pageAlignUp(managedPages * BigInt(M2P_ENTRY_SIZE));
  return { frameTable, m2p, total: frameTable + m2p };
}

/** What Xen's v1 `pmem_add_check` demands, in pages, for `total` pages. */
export function xenV1RequiredPages(total: bigint): bigint {
  return ((BigInt(PAGE_INFO_SIZE) * total) >> 12n) + ((BigInt(M2P_ENTRY_SIZE) * total) >> 12n);
}

/** Semantic checks beyond the declaration (magic/version/CRC are the declaration's findings). */
export function checkSuperBlock(sb: XenSuperBlock, foundAt: number, containerSize: number, base = foundAt): Finding[] {
  const f: Finding[] = [];
  const err = (code: string, path: string, message: string) => f.push({ severity: 'error', code, path, offset: base + xenSuperBlock.offsetOf(path as never), message });
  const cs = BigInt(containerSize);
  if (sb.superBlockOffset !== BigInt(foundAt)) err('self-pointer', 'superBlockOffset', `says ${sb.superBlockOffset}, the block was found at ${foundAt} (a stale copy?)`);
  if (sb.containerSize !== cs) f.push({ severity: sb.containerSize > cs ? 'error' : 'warning', code: 'container-size', path: 'containerSize', offset: base + xenSuperBlock.offsetOf('containerSize'), message: `says ${sb.containerSize}, the container is ${cs} bytes` });
  const ranges: [string, bigint, bigint][] = [
    ['superBlockOffset', sb.superBlockOffset, BigInt(XEN_SB_SIZE)],
    ['reservedOffset', sb.reservedOffset, sb.reservedSize],
    ['dataOffset', sb.dataOffset, sb.dataSize],
    ['managedOffset', sb.managedOffset, sb.managedPages * P],
  ];
  for (const [name, off, size] of ranges) {
    if (off % P !== 0n) err('alignment', name, `${off} is not 4 KiB-aligned`);
    if (off + size > cs) err('outside', name, `${off}+${size} runs past the ${cs}-byte container`);
  }
  const overlap = (a: [bigint, bigint], b: [bigint, bigint]) => a[0] < b[0] + b[1] && b[0] < a[0] + a[1];
  if (overlap([sb.superBlockOffset, BigInt(XEN_SB_SIZE)], [sb.reservedOffset, sb.reservedSize])) err('overlap', 'reservedOffset', 'reserved area overlaps the super block');
  if (overlap([sb.superBlockOffset, BigInt(XEN_SB_SIZE)], [sb.dataOffset, sb.dataSize])) err('overlap', 'dataOffset', 'data area overlaps the super block');
  if (overlap([sb.reservedOffset, sb.reservedSize], [sb.dataOffset, sb.dataSize])) err('overlap', 'dataOffset', 'data area overlaps the reserved area');
  const inReserved = (off: bigint, size: bigint) => off >= sb.reservedOffset && off + size <= sb.reservedOffset + sb.reservedSize;
  if (!inReserved(sb.frameTableOffset, sb.frameTableSize)) err('frame-table-outside', 'frameTableOffset', 'frame table is not inside the reserved area');
  if (!inReserved(sb.m2pOffset, sb.m2pSize)) err('m2p-outside', 'm2pOffset', 'M2P is not inside the reserved area');
  if (overlap([sb.frameTableOffset, sb.frameTableSize], [sb.m2pOffset, sb.m2pSize])) err('overlap', 'm2pOffset', 'M2P overlaps the frame table');
  if (sb.frameTableSize < sb.managedPages * BigInt(PAGE_INFO_SIZE)) err('frame-table-size', 'frameTableSize', `${sb.frameTableSize} bytes cannot hold ${sb.managedPages} page_info entries of 32 bytes`);
  if (sb.m2pSize < sb.managedPages * BigInt(M2P_ENTRY_SIZE)) err('m2p-size', 'm2pSize', `${sb.m2pSize} bytes cannot hold ${sb.managedPages} M2P entries of 8 bytes`);
  const need = xenV1RequiredPages(sb.managedPages) * P;
  if (sb.reservedSize < need) err('sizing', 'reservedSize', `${sb.reservedSize} bytes is less than the ${need} Xen's check needs for ${sb.managedPages} pages`);
  const managedEnd = sb.managedOffset + sb.managedPages * P;
  for (const [name, off, size] of [['reservedOffset', sb.reservedOffset, sb.reservedSize], ['dataOffset', sb.dataOffset, sb.dataSize]] as const) {
    if (off < sb.managedOffset || off + size > managedEnd) err('unmanaged', name, 'lies outside the managed range, so its pages have no frame-table entries');
  }
  if (![1, 2, 3].includes(sb.placement)) err('placement', 'placement', `unknown placement ${sb.placement}`);
  if (sb.flags & XEN_SB_FLAGS.formatInProgress) {
    err('format-interrupted', 'flags', `flags 0x${sb.flags.toString(16)}: an nvtool xen format started here and never finished (the frame table and M2P are incomplete); format again`);
  }
  return f;
}

import { fletcher64 } from '../core/checksum/fletcher64.js';
import { NvError } from '../core/errors.js';
import { NIL_GUID } from '../core/guid.js';
import { Struct, ascii, decodeStruct, encodeStruct, reserved, rfcUuid, u16, u32, u64, type Finding, type ValueOf } from '../core/schema/index.js';

/**
 * PFN and DAX info block, Linux `struct nd_pfn_sb` (drivers/nvdimm/pfn.h), versions 1.0-1.4.
 * 4096 bytes at namespace offset 4096 (SZ_4K); the checksum is fletcher64 over the block with the
 * checksum field zeroed (`nd_sb_checksum`).
 */
export const PFN_SIG = 'NVDIMM_PFN_INFO';
export const DAX_SIG = 'NVDIMM_DAX_INFO';
export const PFN_INFO_OFFSET = 4096;
export const PFN_INFO_SIZE = 4096;
/** `nd_info_block_reserve()`: ALIGN(SZ_8K, PAGE_SIZE) reserved ahead of the memmap. */
export const INFO_BLOCK_RESERVE = 8192;
export const PAGE_SIZE = 4096;
/** MAX_STRUCT_PAGE_SIZE as Linux 6.1.x stable and ndctl use it (the Debian 6.1.192 fixture shows 64). */
export const MAX_STRUCT_PAGE_SIZE = 64;
/** memremap_compat_align() on x86-64: SUBSECTION_SIZE. */
export const MEMREMAP_COMPAT_ALIGN = 2 * 1024 * 1024;
/** Alignments nd_supported_alignment() accepts on x86-64 with THP: PAGE_SIZE, HPAGE_PMD_SIZE, HPAGE_PUD_SIZE. */
export const SUPPORTED_ALIGNMENTS = [4096, 2 * 1024 * 1024, 1024 * 1024 * 1024] as const;

export const PFN_MODE = { NONE: 0, RAM: 1, PMEM: 2 } as const;

export const pfnInfoBlock = new Struct(
  'pfn-info',
  [
    ascii('signature', 16, {
      specName: 'signature',
      describe: (v) => (v === PFN_SIG ? 'fsdax (PFN info block)' : v === DAX_SIG ? 'devdax (DAX info block)' : 'unknown signature'),
    }),
    rfcUuid('uuid', { label: 'UUID', specName: 'uuid', doc: 'uuid of the pfn/dax device' }),
    rfcUuid('parentUuid', { label: 'Parent UUID', specName: 'parent_uuid', doc: 'uuid of the namespace; nil for label-less namespaces' }),
    u32('flags', { specName: 'flags' }),
    u16('versionMajor', { label: 'Version Major', specName: 'version_major' }),
    u16('versionMinor', { label: 'Version Minor', specName: 'version_minor' }),
    u64('dataoff', { label: 'Data Offset', specName: 'dataoff', describe: (v) => `${v} bytes` }),
    u64('npfns', { label: 'Number of PFNs', specName: 'npfns' }),
    u32('mode', { specName: 'mode', names: { 0: 'PFN_MODE_NONE', 1: 'PFN_MODE_RAM (memmap in System RAM)', 2: 'PFN_MODE_PMEM (memmap on the device)' } }),
    u32('startPad', { label: 'Start Pad', specName: 'start_pad', doc: 'minor >= 1' }),
    u32('endTrunc', { label: 'End Truncation', specName: 'end_trunc', doc: 'minor >= 1' }),
    u32('align', { specName: 'align', doc: 'minor >= 2' }),
    u32('pageSize', { label: 'Page Size', specName: 'page_size', doc: 'minor >= 4' }),
    u16('pageStructSize', { label: 'struct page Size', specName: 'page_struct_size', doc: 'minor >= 4' }),
    reserved('padding', 3994, { specName: 'padding' }),
    u64('checksum', { specName: 'checksum', role: { kind: 'checksum', algo: 'fletcher64' } }),
  ] as const,
  { label: 'PFN/DAX Info Block', spec: 'Linux drivers/nvdimm/pfn.h struct nd_pfn_sb', size: PFN_INFO_SIZE },
);

/** The info-block signature a block starts with: PFN (fsdax) or DAX (devdax), NUL-terminated, or undefined. */
export function pfnSignatureOf(b: Uint8Array): typeof PFN_SIG | typeof DAX_SIG | undefined {
  const at = pfnInfoBlock.offsetOf('signature');
  const n = pfnInfoBlock.sizeOf('signature');
  if (b.length < at + n) return undefined;
  const s = String.fromCharCode(...b.subarray(at, at + n));
  return s === PFN_SIG + '\0' ? PFN_SIG : s === DAX_SIG + '\0' ? DAX_SIG : undefined;
}

export type PfnInfo = ValueOf<typeof pfnInfoBlock>;

export function decodePfnInfo(bytes: Uint8Array, base = 0, spans = false) {
  return decodeStruct(pfnInfoBlock, bytes.subarray(0, PFN_INFO_SIZE), { format: 'pfn-info', base, spans });
}

export function encodePfnInfo(v: PfnInfo): Uint8Array {
  return encodeStruct(pfnInfoBlock, v);
}

/** Values as nd_pfn_validate() sees them after applying the version rules. */
export interface PfnEffective {
  startPad: number;
  endTrunc: number;
  align: number;
  pageSize: number;
  pageStructSize: number;
}

/** Linux's version rules (nd_pfn_validate): older minors leave newer fields unset. */
export function pfnEffective(v: PfnInfo): PfnEffective {
  const minor = v.versionMinor;
  const startPad = minor < 1 ? 0 : v.startPad;
  const endTrunc = minor < 1 ? 0 : v.endTrunc;
  let align = minor < 2 ? 0 : v.align;
  const pageStructSize = minor < 4 ? 64 : v.pageStructSize;
  const pageSize = minor < 4 ? PAGE_SIZE : v.pageSize;
  if (align === 0) align = v.dataoff === 0n ? 0 : Number(1n << BigInt(v.dataoff.toString(2).length - 1));
  return { startPad, endTrunc, align, pageSize, pageStructSize };
}

export interface PfnNamespaceContext {
  /** Which signature the probing driver expects (nd_pfn_probe: PFN, nd_dax_probe: DAX); default: the block's own. */
  expectSignature?: typeof PFN_SIG | typeof DAX_SIG;
  /** The namespace's uuid; nil for label-less (io) namespaces, where Linux compares with uuid_null. */
  namespaceUuid?: string;
  /** Namespace capacity in bytes. */
  size?: number;
  /** Physical start of the namespace (res->start), for the alignment checks; default 0 (aligned). */
  physStart?: number;
  /** Offset of the block in the input, for findings. */
  base?: number;
}

/**
 * nd_pfn_validate() in Linux's order, as findings. The first `error` is what makes Linux refuse the
 * block: -ENODEV (not ours: signature, checksum, parent uuid) means the namespace comes up raw.
 */
export function validatePfnInfo(v: PfnInfo, raw: Uint8Array, ctx: PfnNamespaceContext = {}): Finding[] {
  const out: Finding[] = [];
  const base = ctx.base ?? 0;
  const add = (code: string, path: string, message: string, severity: Finding['severity'] = 'error') =>
    out.push({ severity, code, path, offset: base + (path ? pfnInfoBlock.offsetOf(path as never) : 0), message });
  const sig = ctx.expectSignature ?? (v.signature === DAX_SIG ? DAX_SIG : PFN_SIG);
  if (v.signature !== sig) {
    add('signature', 'signature', `is ${JSON.stringify(v.signature)}, Linux expects ${JSON.stringify(sig)} (-ENODEV)`);
    return out;
  }
  if (raw.length >= PFN_INFO_SIZE && fletcher64(raw.subarray(0, PFN_INFO_SIZE), pfnInfoBlock.offsetOf('checksum')) !== v.checksum) {
    add('checksum', 'checksum', 'fletcher64 checksum does not match (-ENODEV)');
    return out;
  }
  if (ctx.namespaceUuid !== undefined && v.parentUuid !== ctx.namespaceUuid.toLowerCase()) {
    add('parent-uuid', 'parentUuid', `is ${v.parentUuid}, the namespace is ${ctx.namespaceUuid} (-ENODEV)`);
    return out;
  }
  if (v.versionMajor !== 1) add('version', 'versionMajor', `major version ${v.versionMajor}: Linux does not check it, only 1 is defined`, 'warning');
  if (v.versionMinor >= 3 && v.flags !== 0) add('flags', 'flags', 'must be zero from version 1.3', 'warning');
  const eff = pfnEffective(v);
  if (v.mode !== PFN_MODE.RAM && v.mode !== PFN_MODE.PMEM) {
    add('mode', 'mode', `mode ${v.mode} is neither RAM (1) nor PMEM (2) (-ENXIO)`);
    return out;
  }
  if (v.mode === PFN_MODE.PMEM && eff.pageSize > PAGE_SIZE) {
    add('page-size', 'pageSize', `page size ${eff.pageSize} > PAGE_SIZE (-EOPNOTSUPP)`);
    return out;
  }
  if (v.mode === PFN_MODE.PMEM && eff.pageStructSize < MAX_STRUCT_PAGE_SIZE) {
    add('page-struct-size', 'pageStructSize', `struct page size ${eff.pageStructSize} < sizeof(struct page) = 64 (-EOPNOTSUPP)`);
    return out;
  }
  if (v.signature === DAX_SIG && !(SUPPORTED_ALIGNMENTS as readonly number[]).includes(eff.align)) {
    add('align', 'align', `alignment ${eff.align} is not one x86-64 supports (4K, 2M, 1G) (-EOPNOTSUPP)`);
    return out;
  }
  if (ctx.size === undefined) return out;
  const size = BigInt(ctx.size);
  const start = BigInt(ctx.physStart ?? 0);
  const align = BigInt(eff.align);
  if (align > size) return (add('align', 'align', `alignment ${eff.align} exceeds the capacity ${ctx.size} (-EOPNOTSUPP)`), out);
  if (v.dataoff >= size) return (add('dataoff', 'dataoff', `data offset ${v.dataoff} >= namespace size ${ctx.size} (-EOPNOTSUPP)`), out);
  if ((align !== 0n && (start + v.dataoff + BigInt(eff.startPad)) % align !== 0n) || v.dataoff % BigInt(PAGE_SIZE) !== 0n) {
    return (add('dataoff', 'dataoff', `bad offset ${v.dataoff} for align ${eff.align} (-EOPNOTSUPP)`), out);
  }
  const compat = BigInt(MEMREMAP_COMPAT_ALIGN);
  if ((start + BigInt(eff.startPad)) % compat !== 0n) return (add('start-pad', 'startPad', 'resource start misaligned (-EOPNOTSUPP)'), out);
  if ((start + size - BigInt(eff.endTrunc)) % compat !== 0n) return (add('end-trunc', 'endTrunc', 'resource end misaligned (-EOPNOTSUPP)'), out);
  if (v.dataoff >= size - BigInt(eff.startPad) - BigInt(eff.endTrunc)) {
    return (add('dataoff', 'dataoff', 'bad offset with small namespace (-EOPNOTSUPP)'), out);
  }
  if (v.mode === PFN_MODE.PMEM) {
    const npfns = (size - BigInt(eff.startPad) - BigInt(eff.endTrunc) - v.dataoff) / BigInt(PAGE_SIZE);
    if (v.npfns > npfns) add('npfns', 'npfns', `npfns ${v.npfns} > ${npfns}: Linux truncates it`, 'info');
  }
  return out;
}

export interface PfnPlanInput {
  kind: 'fsdax' | 'devdax';
  /** Namespace capacity. */
  size: number;
  /** res->start (only its alignment matters); must be aligned to 2 MiB as Linux demands. */
  physStart?: number;
  /** nd_pfn->align: the requested alignment (written as is). */
  align: number;
  map: 'dev' | 'mem';
  uuid: string;
  parentUuid?: string;
}

/** The block nd_pfn_init() (Linux 6.1) writes for a fresh pfn/dax device. */
export function planPfnInfo(p: PfnPlanInput): PfnInfo {
  const where = (reason: string): never => {
    throw new NvError('pfn-info', '', undefined, reason);
  };
  const start = BigInt(p.physStart ?? 0);
  const size = BigInt(p.size);
  if (start % BigInt(MEMREMAP_COMPAT_ALIGN) !== 0n) where(`namespace start ${start} is not aligned to 2 MiB (Linux: -EINVAL)`);
  if (!Number.isSafeInteger(p.align) || p.align <= 0 || (p.align & (p.align - 1)) !== 0) where(`align ${p.align} is not a power of two`);
  if (p.kind === 'devdax' && !(SUPPORTED_ALIGNMENTS as readonly number[]).includes(p.align)) where(`devdax align ${p.align} is not 4K, 2M or 1G`);
  if (size < BigInt(INFO_BLOCK_RESERVE)) where(`namespace of ${p.size} bytes is too small`);
  const npfns0 = (size - BigInt(INFO_BLOCK_RESERVE)) / BigInt(PAGE_SIZE);
  const align = BigInt(Math.max(p.align, MEMREMAP_COMPAT_ALIGN));
  const alignUp = (x: bigint) => ((x + align - 1n) / align) * align;
  const endTrunc = start + size - ((start + size) / align) * align;
  const mode = p.map === 'dev' ? PFN_MODE.PMEM : PFN_MODE.RAM;
  const dataoff =
    mode === PFN_MODE.PMEM
      ? alignUp(start + BigInt(INFO_BLOCK_RESERVE) + BigInt(MAX_STRUCT_PAGE_SIZE) * npfns0) - start
      : alignUp(start + BigInt(INFO_BLOCK_RESERVE)) - start;
  if (dataoff >= size - endTrunc) where(`namespace of ${p.size} bytes cannot satisfy alignment ${p.align} (Linux: -ENXIO)`);
  const npfns = (size - dataoff - endTrunc) / BigInt(PAGE_SIZE);
  return {
    signature: p.kind === 'devdax' ? DAX_SIG : PFN_SIG,
    uuid: p.uuid.toLowerCase(),
    parentUuid: (p.parentUuid ?? NIL_GUID).toLowerCase(),
    flags: 0,
    versionMajor: 1,
    versionMinor: 4,
    dataoff,
    npfns,
    mode,
    startPad: 0,
    endTrunc: Number(endTrunc),
    align: p.align,
    pageSize: PAGE_SIZE,
    pageStructSize: MAX_STRUCT_PAGE_SIZE,
    padding: new Uint8Array(3994),
    checksum: 0n,
  };
}

/** The bytes /dev/pmemN (fsdax) or /dev/daxN.M (devdax) expose: [start_pad + dataoff, size - end_trunc). */
export function pfnDataRange(v: PfnInfo, nsSize: number): { offset: number; size: number } {
  const eff = pfnEffective(v);
  const offset = Number(v.dataoff) + eff.startPad;
  return { offset, size: Math.max(0, nsSize - eff.startPad - eff.endTrunc - Number(v.dataoff)) };
}

/**
 * Where Xen puts the frame table and the M2P of a pmem range it takes over: in pages handed out
 * from a cursor over the reserved area (v1 `rsv_info.cur`, commits c54b29c9b2 / 9a8ff9e2be) or the
 * management region (v4 `alloc_hotadd_mfn` over `mgmt_info`; xen.md §1A, §1B). Two layouts:
 *
 * - `formula` (default): the frame table of `[spfn, epfn)` (32 bytes a page), then its M2P (8 bytes
 *   a page), each rounded up to whole pages, from the cursor: exactly what the size check
 *   `(32·N >> 12) + (8·N >> 12)` pays for (xen.md §1A, R-layout-2) and where nvtool's super block
 *   says the tables are (specs/xen-pmem-superblock.md).
 * - `code`: what x86_64/mm.c really does: `extend_frame_table` maps one 2 MiB chunk per PDX group
 *   (65536 frames) not yet valid, `setup_m2p_table` one 2 MiB chunk per 1 GiB of frames not yet
 *   mapped, `setup_compat_m2p_table` one per 2 GiB below 1 TiB — each `alloc_hotadd_mfn` takes
 *   512 pages and ASSERTs `cur + 512 < epfn`. This can need more than the size check allows
 *   (chunk granularity, the compat M2P the check does not count); the plan then reports the
 *   overrun instead of writing past the area.
 */
import {
  COMPAT_M2P_CHUNK_FRAMES, COMPAT_M2P_LIMIT, HOTADD_CHUNK_PAGES, M2P_CHUNK_FRAMES, M2P_ENTRY_SIZE, PAGE_INFO_SIZE, PDX_GROUP_COUNT,
} from './geometry.js';

export type MetadataLayout = 'formula' | 'code';
export type ChunkKind = 'frame-table' | 'm2p' | 'compat-m2p';

/** One run of pmem pages holding metadata, and the frames whose entries it holds. */
export interface MetaChunk {
  kind: ChunkKind;
  /** First MFN of the pages holding it. */
  mfn: bigint;
  pages: bigint;
  /** Entries for frames `[firstFrame, firstFrame + frames)`. */
  firstFrame: bigint;
  frames: bigint;
}

/** Xen's bookkeeping of what its virtual frame table and M2P already cover (not on media). */
export interface VirtualMaps {
  /** `pdx_group_valid` bits (PDX = PFN: no PDX compression on these machines). */
  pdxGroupValid: Set<bigint>;
  /** 1 GiB M2P blocks whose 2 MiB chunk is mapped. */
  m2pMapped: Set<bigint>;
  /** 2 GiB compat M2P blocks whose chunk is mapped. */
  compatMapped: Set<bigint>;
  maxPage: bigint;
}

export interface Allocator {
  spfn: bigint;
  epfn: bigint;
  cur: bigint;
}

export interface MetadataPlan {
  chunks: MetaChunk[];
  /** The allocator's cursor afterwards. */
  cur: bigint;
  /** `extend_frame_table` zeroes the page_info of `[spfn, epfn)` only when it mapped something (code layout). */
  zeroesEntries: boolean;
  /** Set when an allocation would not fit: the code layout's ASSERT, or the formula running past the area. */
  overrun?: { kind: ChunkKind; cur: bigint; need: bigint; epfn: bigint; message: string };
  /** The maps after the setup (the input is not changed). */
  maps: VirtualMaps;
}

export const cloneMaps = (m: VirtualMaps): VirtualMaps => ({ pdxGroupValid: new Set(m.pdxGroupValid), m2pMapped: new Set(m.m2pMapped), compatMapped: new Set(m.compatMapped), maxPage: m.maxPage });

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const group = (pfn: bigint) => pfn / PDX_GROUP_COUNT;

/** `set_pdx_range`: the groups of `[spfn, epfn)` become valid. */
export function setPdxRange(m: VirtualMaps, spfn: bigint, epfn: bigint): void {
  for (let g = group(spfn); g <= group(epfn - 1n); g++) m.pdxGroupValid.add(g);
}

/** `mfn_valid`: below max_page and in a valid PDX group. */
export const mfnValid = (m: VirtualMaps, pfn: bigint): boolean => pfn < m.maxPage && m.pdxGroupValid.has(group(pfn));

/**
 * The maps at boot for the RAM ranges of the e820 (paging_init / init_frametable): the groups
 * holding RAM are valid, and the M2P and compat M2P chunks any valid group needs are mapped.
 */
export function bootMaps(ram: readonly (readonly [bigint, bigint])[]): VirtualMaps {
  const m: VirtualMaps = { pdxGroupValid: new Set(), m2pMapped: new Set(), compatMapped: new Set(), maxPage: 0n };
  for (const [s, e] of ram) {
    setPdxRange(m, s, e);
    if (e > m.maxPage) m.maxPage = e;
  }
  for (let i = 0n; i < m.maxPage; i += M2P_CHUNK_FRAMES) {
    if ([0n, 1n, 2n, 3n].some((n) => mfnValid(m, i + n * PDX_GROUP_COUNT))) m.m2pMapped.add(i / M2P_CHUNK_FRAMES);
  }
  for (let i = 0n; i < m.maxPage && i < COMPAT_M2P_LIMIT; i += COMPAT_M2P_CHUNK_FRAMES) {
    if ([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].some((n) => mfnValid(m, i + n * PDX_GROUP_COUNT))) m.compatMapped.add(i / COMPAT_M2P_CHUNK_FRAMES);
  }
  return m;
}

/** Plan the metadata of `[spfn, epfn)` with pages from `alloc`. */
export function planMetadata(layout: MetadataLayout, maps: VirtualMaps, spfn: bigint, epfn: bigint, alloc: Allocator): MetadataPlan {
  return layout === 'code' ? planCode(maps, spfn, epfn, alloc) : planFormula(maps, spfn, epfn, alloc);
}

function finishMaps(m: VirtualMaps, spfn: bigint, epfn: bigint): void {
  if (m.maxPage < epfn) m.maxPage = epfn;
  setPdxRange(m, spfn, epfn);
}

function planFormula(maps: VirtualMaps, spfn: bigint, epfn: bigint, alloc: Allocator): MetadataPlan {
  const m = cloneMaps(maps);
  const n = epfn - spfn;
  const ftPages = ceilDiv(n * BigInt(PAGE_INFO_SIZE), 4096n);
  const m2pPages = ceilDiv(n * BigInt(M2P_ENTRY_SIZE), 4096n);
  const chunks: MetaChunk[] = [
    { kind: 'frame-table', mfn: alloc.cur, pages: ftPages, firstFrame: spfn, frames: n },
    { kind: 'm2p', mfn: alloc.cur + ftPages, pages: m2pPages, firstFrame: spfn, frames: n },
  ];
  const cur = alloc.cur + ftPages + m2pPages;
  finishMaps(m, spfn, epfn);
  const plan: MetadataPlan = { chunks, cur, zeroesEntries: true, maps: m };
  if (cur > alloc.epfn) plan.overrun = { kind: 'm2p', cur: alloc.cur, need: ftPages + m2pPages, epfn: alloc.epfn, message: `the frame table and M2P need ${ftPages + m2pPages} pages from 0x${alloc.cur.toString(16)}, the area ends at 0x${alloc.epfn.toString(16)}` };
  return plan;
}

function planCode(maps: VirtualMaps, spfn: bigint, epfn: bigint, alloc: Allocator): MetadataPlan {
  const m = cloneMaps(maps);
  const chunks: MetaChunk[] = [];
  let cur = alloc.cur;
  let overrun: MetadataPlan['overrun'];
  const take = (kind: ChunkKind, firstFrame: bigint, frames: bigint): void => {
    // alloc_hotadd_mfn: ASSERT((info->cur + (1UL << PAGETABLE_ORDER) < info->epfn) && info->cur >= info->spfn)
    if (!(cur + HOTADD_CHUNK_PAGES < alloc.epfn && cur >= alloc.spfn)) {
      overrun ??= { kind, cur, need: HOTADD_CHUNK_PAGES, epfn: alloc.epfn, message: `Assertion 'info->cur + (1UL << PAGETABLE_ORDER) < info->epfn && info->cur >= info->spfn' failed: a ${kind} chunk needs 512 pages at 0x${cur.toString(16)}, the area ends at 0x${alloc.epfn.toString(16)}` };
    }
    chunks.push({ kind, mfn: cur, pages: HOTADD_CHUNK_PAGES, firstFrame, frames });
    cur += HOTADD_CHUNK_PAGES;
  };
  // extend_frame_table
  const eidx = ceilDiv(epfn, PDX_GROUP_COUNT);
  let cidx = group(spfn);
  const nextZero = (from: bigint) => {
    let i = from;
    while (i < eidx && m.pdxGroupValid.has(i)) i++;
    return i;
  };
  const nextSet = (from: bigint) => {
    let i = from;
    while (i < eidx && !m.pdxGroupValid.has(i)) i++;
    return i;
  };
  if (m.pdxGroupValid.has(cidx)) cidx = nextZero(cidx);
  const zeroesEntries = cidx < eidx;
  while (cidx < eidx) {
    const nidx = nextSet(cidx);
    for (let g = cidx; g < nidx; g++) take('frame-table', g * PDX_GROUP_COUNT, PDX_GROUP_COUNT);
    cidx = nextZero(nidx);
  }
  finishMaps(m, spfn, epfn);
  // setup_m2p_table
  for (let i = spfn - (spfn % M2P_CHUNK_FRAMES); i < ceilDiv(epfn, M2P_CHUNK_FRAMES) * M2P_CHUNK_FRAMES; i += M2P_CHUNK_FRAMES) {
    if (m.m2pMapped.has(i / M2P_CHUNK_FRAMES)) continue;
    if (![0n, 1n, 2n, 3n].some((n) => mfnValid(m, i + n * PDX_GROUP_COUNT))) continue;
    take('m2p', i, M2P_CHUNK_FRAMES);
    m.m2pMapped.add(i / M2P_CHUNK_FRAMES);
  }
  // setup_compat_m2p_table: only frames below COMPAT_M2P_LIMIT
  const smap = spfn - (spfn % COMPAT_M2P_CHUNK_FRAMES);
  if (smap <= COMPAT_M2P_LIMIT) {
    const e = epfn > COMPAT_M2P_LIMIT ? COMPAT_M2P_LIMIT : epfn;
    for (let i = smap; i < ceilDiv(e, COMPAT_M2P_CHUNK_FRAMES) * COMPAT_M2P_CHUNK_FRAMES; i += COMPAT_M2P_CHUNK_FRAMES) {
      if (m.compatMapped.has(i / COMPAT_M2P_CHUNK_FRAMES)) continue;
      if (![0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].some((n) => mfnValid(m, i + n * PDX_GROUP_COUNT))) continue;
      take('compat-m2p', i, COMPAT_M2P_CHUNK_FRAMES);
      m.compatMapped.add(i / COMPAT_M2P_CHUNK_FRAMES);
    }
  }
  return { chunks, cur, zeroesEntries, maps: m, ...(overrun ? { overrun } : {}) };
}

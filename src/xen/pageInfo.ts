import { Struct, u32, u64, type ValueOf } from '../core/schema/index.js';

/**
 * Xen's x86-64 `struct page_info` without CONFIG_BIGMEM: 32 bytes (formats.md §6; xen
 * `xen/include/asm-x86/mm.h` in the vNVDIMM tree, `xen/arch/x86/include/asm/mm.h` upstream).
 * The unions are declared by their first member; the frame-table code only uses the
 * list / count_info / type_info / owner words.
 */
export const PAGE_INFO_SIZE = 32;
export const XEN_PAGE_SIZE = 4096;
/** M2P entry: one `unsigned long` per machine frame. */
export const M2P_ENTRY_SIZE = 8;

/** `PG_shift(idx) = BITS_PER_LONG - idx`, `PG_mask(x, idx) = x << PG_shift(idx)`. */
const pgShift = (idx: number) => BigInt(64 - idx);
const pgMask = (x: bigint, idx: number) => x << pgShift(idx);

export const PGC_allocated = pgMask(1n, 1);
export const PGC_xen_heap = pgMask(1n, 2);
export const PGC_page_table = pgMask(1n, 3);
export const PGC_broken = pgMask(1n, 7);
export const PGC_state = pgMask(3n, 9);
export const PGC_state_inuse = pgMask(0n, 9);
export const PGC_state_offlining = pgMask(1n, 9);
export const PGC_state_offlined = pgMask(2n, 9);
export const PGC_state_free = pgMask(3n, 9);
/** From the vNVDIMM series (`6fbd1f494a`): the page is persistent memory, kept out of heaps and scrubbing. */
export const PGC_pmem_page = pgMask(1n, 10);
export const PGC_count_mask = (1n << pgShift(10)) - 1n;

/** `PAGE_LIST_NULL`: a `__pdx_t` of all ones ends a page list. */
export const PAGE_LIST_NULL = 0xffffffff;
/** `INVALID_M2P_ENTRY` (~0UL): the M2P value of a frame no guest maps. */
export const INVALID_M2P_ENTRY = 0xffffffffffffffffn;

const STATES = ['inuse', 'offlining', 'offlined', 'free'] as const;

export function describeCountInfo(v: bigint): string {
  const parts: string[] = [`state_${STATES[Number((v & PGC_state) >> pgShift(9))]}`];
  if (v & PGC_allocated) parts.push('allocated');
  if (v & PGC_xen_heap) parts.push('xen_heap');
  if (v & PGC_page_table) parts.push('page_table');
  if (v & PGC_broken) parts.push('broken');
  if (v & PGC_pmem_page) parts.push('pmem_page');
  parts.push(`count ${v & PGC_count_mask}`);
  return parts.join(' | ');
}

export const pageInfo = new Struct(
  'xen.page_info',
  [
    u32('listNext', { label: 'list.next (pdx)', specName: 'list.next', describe: (v) => (v === PAGE_LIST_NULL ? 'PAGE_LIST_NULL' : undefined) }),
    u32('listPrev', { label: 'list.prev (pdx)', specName: 'list.prev', describe: (v) => (v === PAGE_LIST_NULL ? 'PAGE_LIST_NULL' : undefined) }),
    u64('countInfo', { label: 'count_info', specName: 'count_info', describe: describeCountInfo }),
    u64('typeInfo', { label: 'u.inuse.type_info', specName: 'type_info' }),
    u32('owner', { label: 'v.inuse._domain (pdx) / v.free.order', specName: '_domain' }),
    u32('tlbflushTimestamp', { label: 'tlbflush_timestamp', specName: 'tlbflush_timestamp' }),
  ] as const,
  { label: 'struct page_info (x86-64)', spec: 'xen/include/asm-x86/mm.h', size: PAGE_INFO_SIZE },
);

export type PageInfo = ValueOf<typeof pageInfo>;

/**
 * The entry nvtool writes for every managed page (specs/xen-pmem-superblock.md §5): free, pmem,
 * on no list, no owner, no type: what the vNVDIMM `pmem_arch_setup` leaves in `count_info`
 * (`PGC_state_free | PGC_pmem_page`) with the list links null.
 */
export const INITIAL_PAGE_INFO: PageInfo = {
  listNext: PAGE_LIST_NULL,
  listPrev: PAGE_LIST_NULL,
  countInfo: PGC_state_free | PGC_pmem_page,
  typeInfo: 0n,
  owner: 0,
  tlbflushTimestamp: 0,
};

/**
 * The x86-64 geometry of Xen's frame table and M2P, in page frames (xen/include/asm-x86/mm.h and
 * config.h, x86_64/mm.c of the vNVDIMM branches). Every size the writer, the checks, the metadata
 * report and the tests use comes from here. All arithmetic is on unsigned 64-bit values, wrapping
 * as C's `unsigned long` does (a report near 2^64 must behave as in Xen).
 */
import { M2P_ENTRY_SIZE, PAGE_INFO_SIZE, XEN_PAGE_SIZE } from '../../xen/pageInfo.js';

export { M2P_ENTRY_SIZE, PAGE_INFO_SIZE, XEN_PAGE_SIZE };
export const PAGE_SHIFT = 12n;
export const U64 = (1n << 64n) - 1n;
export const u64 = (x: bigint): bigint => x & U64;

/** `PAGETABLE_ORDER`: alloc_hotadd_mfn hands out 2^9 pages (2 MiB) at a time. */
export const PAGETABLE_ORDER = 9n;
export const HOTADD_CHUNK_PAGES = 1n << PAGETABLE_ORDER;
/** `PDX_GROUP_COUNT = (1 << L2_PAGETABLE_SHIFT) / sizeof(page_info)`: one 2 MiB frame-table chunk describes 65536 pages. */
export const PDX_GROUP_COUNT = (1n << 21n) / BigInt(PAGE_INFO_SIZE);
/** One 2 MiB M2P chunk covers 2^(21-3) frames (1 GiB); one compat (4-byte) chunk 2^(21-2) (2 GiB). */
export const M2P_CHUNK_FRAMES = 1n << 18n;
export const COMPAT_M2P_CHUNK_FRAMES = 1n << 19n;
/** `(RDWR_COMPAT_MPT_VIRT_END - RDWR_COMPAT_MPT_VIRT_START) >> 2`: the compat M2P (1 GiB of 4-byte entries) covers frames below 2^28 (1 TiB). */
export const COMPAT_M2P_LIMIT = (1n << 30n) >> 2n;
/** `FRAMETABLE_NR = FRAMETABLE_SIZE / sizeof(page_info)`, FRAMETABLE_SIZE = 128 GiB (config.h, non-BIGMEM). */
export const FRAMETABLE_NR = (128n << 30n) / BigInt(PAGE_INFO_SIZE);

/**
 * `check_reserved_size` (v1 pmem.c) = `check_mgmt_size` (v4 pmem.c): pages needed to hold the
 * frame table and the M2P of `total` pages, `(32·total >> 12) + (8·total >> 12)` in 64-bit
 * arithmetic (xen.md §1A, §1B).
 */
export function requiredMetadataPages(total: bigint): bigint {
  return u64((u64(BigInt(PAGE_INFO_SIZE) * total) >> PAGE_SHIFT) + (u64(BigInt(M2P_ENTRY_SIZE) * total) >> PAGE_SHIFT));
}

export const pageBytes = (pages: bigint): bigint => pages << PAGE_SHIFT;
export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

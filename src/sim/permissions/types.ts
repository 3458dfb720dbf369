/**
 * One interface for the five ways of tracking which domain may access which host pmem page
 * (seed 001; specs/permissions.md). Pages are host machine frame numbers (MFN = SPA >> 12) and
 * every range is inclusive, `[first, last]`, as in Xen's rangeset.
 *
 * A `PermissionStore` is the data structure alone: it assumes its caller already refused ranges
 * outside the data regions and pages another domain holds (`PmemPermissions` in table.ts does
 * that, identically for every design). Each store answers the same questions; only memory, time
 * and the `-ENOMEM` refusals of the capped rangeset differ.
 */
import type { XenRc } from '../../xen/hypercalls/errno.js';

export type DomId = number;

export interface PageRange {
  /** First page frame (inclusive). */
  first: number;
  /** Last page frame (inclusive), as Xen's `struct range { s, e }`. */
  last: number;
}

export const DESIGNS = ['rangeset', 'capped', 'bitmap', 'hybrid', 'pageowner'] as const;
export type DesignName = (typeof DESIGNS)[number];

/** Worst-case cost of one operation in the store's current state, in its elementary steps. */
export interface OperationCost {
  op: 'grant' | 'revoke' | 'check' | 'heldByOther' | 'destroy';
  /** Number of elementary steps (list nodes visited, bitmap words touched, page_info entries read...). */
  steps: number;
  /** What one step is. */
  unit: string;
  /** The bound as a formula, e.g. "n ranges of the domain". */
  bound: string;
}

export interface MemoryUse {
  /**
   * Bytes the design costs Xen, from its formula (32-byte `struct range`, N/8-byte bitmaps, ...):
   * see each store's `formula`.
   */
  xenBytes: number;
  /** Where Xen would keep it: hypervisor RAM (xmalloc) or the pmem management area. */
  where: 'ram' | 'pmem';
  /** The formula, in words. */
  formula: string;
}

export interface PermissionStore {
  readonly design: DesignName;
  /** Give `dom` every page of `[first, last]`: 0, or `-ENOMEM` (nothing changed). */
  grant(dom: DomId, first: number, last: number): XenRc;
  /** Take every page of `[first, last]` from `dom` (pages it lacks are ignored): 0 or `-ENOMEM`. */
  revoke(dom: DomId, first: number, last: number): XenRc;
  /** True if `dom` holds every page of `[first, last]`. */
  check(dom: DomId, first: number, last: number): boolean;
  /** True if any domain other than `dom` holds a page of `[first, last]`. */
  heldByOther(dom: DomId, first: number, last: number): boolean;
  /** `dom`'s pages as maximal sorted ranges (adjacent pages merged). */
  ranges(dom: DomId): PageRange[];
  /** Domains the store keeps anything for. */
  domains(): DomId[];
  /** Drop everything `dom` holds (domain destruction). */
  destroy(dom: DomId): void;
  /** Memory by the design's formula, for one domain or (no argument) the whole host. */
  memory(dom?: DomId): MemoryUse;
  /** Worst-case cost of each operation on a range of `pages` pages, in the current state. */
  worstCase(pages: number): OperationCost[];
}

/** What a store needs to know about the host: the span of host pmem page frames. */
export interface HostPmem {
  /** First and last page frame of host persistent memory (bitmaps and the frame table span it). */
  first: number;
  last: number;
}

export interface StoreOptions {
  host: HostPmem;
  /** capped: range structs per domain (default 128, one 4 KiB page of 32-byte `struct range`). */
  limit?: number;
  /** hybrid: pages per sub-bitmap chunk, a power of two multiple of 32 (default 32768 = 4 KiB of bits). */
  chunkPages?: number;
}

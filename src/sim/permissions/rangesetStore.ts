import type { XenRc } from '../../xen/hypercalls/errno.js';
import { Rangeset } from './rangeset.js';
import type { DesignName, DomId, MemoryUse, OperationCost, PageRange, PermissionStore } from './types.js';

/** x86-64 `struct range { struct list_head list; unsigned long s, e; }`: 16 + 8 + 8 bytes (xen.md §5). */
export const RANGE_STRUCT_SIZE = 32;
/** x86-64 `struct rangeset`: list_head 16, domain 8, range_list 16, nr_ranges 8, rwlock 8, name 32, flags 4 + pad 4. */
export const RANGESET_STRUCT_SIZE = 96;
/**
 * The capped design's limit: one 4 KiB page of range structs per domain, 4096 / 32 = 128 (seed 001:
 * "reserve one 4K-page per-domain for them"). That the cap is `rangeset_limit(r, 128)` is our
 * inference; no source says how it would be coded.
 */
export const CAPPED_RANGES = 4096 / RANGE_STRUCT_SIZE;

/**
 * The rangeset designs: one Xen rangeset per domain, as `iomem_caps` is. `capped` calls
 * `rangeset_limit` at creation, so a grant or revoke that needs a struct beyond the cap fails with
 * -ENOMEM and changes nothing.
 */
export class RangesetStore implements PermissionStore {
  private readonly sets = new Map<DomId, Rangeset>();

  constructor(
    readonly design: Extract<DesignName, 'rangeset' | 'capped'>,
    private readonly limit?: number,
    private readonly rangesetOptions: { preFix2025?: boolean } = {},
  ) {}

  private set(dom: DomId): Rangeset {
    let r = this.sets.get(dom);
    if (!r) {
      r = new Rangeset(`pmem d${dom}`, this.rangesetOptions);
      if (this.limit !== undefined) r.limit(this.limit);
      this.sets.set(dom, r);
    }
    return r;
  }

  grant(dom: DomId, first: number, last: number): XenRc {
    return this.set(dom).addRange(first, last);
  }

  revoke(dom: DomId, first: number, last: number): XenRc {
    const r = this.sets.get(dom);
    return r ? r.removeRange(first, last) : 0;
  }

  check(dom: DomId, first: number, last: number): boolean {
    return this.sets.get(dom)?.containsRange(first, last) ?? false;
  }

  heldByOther(dom: DomId, first: number, last: number): boolean {
    for (const [d, r] of this.sets) if (d !== dom && r.overlapsRange(first, last)) return true;
    return false;
  }

  ranges(dom: DomId): PageRange[] {
    return this.sets.get(dom)?.ranges() ?? [];
  }

  domains(): DomId[] {
    return [...this.sets.keys()];
  }

  destroy(dom: DomId): void {
    this.sets.delete(dom);
  }

  memory(dom?: DomId): MemoryUse {
    const sets = dom === undefined ? [...this.sets.values()] : [this.sets.get(dom)].filter((r) => r !== undefined);
    const ranges = sets.reduce((n, r) => n + r.size, 0);
    return {
      xenBytes: sets.length * RANGESET_STRUCT_SIZE + ranges * RANGE_STRUCT_SIZE,
      where: 'ram',
      formula: `${RANGESET_STRUCT_SIZE} B per domain + ${RANGE_STRUCT_SIZE} B per range (xmalloc overhead not counted)` + (this.limit !== undefined ? `, at most ${this.limit} ranges per domain` : ''),
    };
  }

  worstCase(): OperationCost[] {
    let most = 0;
    let all = 0;
    for (const r of this.sets.values()) {
      most = Math.max(most, r.size);
      all += r.size;
    }
    const unit = 'list nodes visited';
    return [
      { op: 'grant', steps: 2 * (most + 1), unit, bound: '2 find_range scans of the n ranges of the domain' },
      { op: 'revoke', steps: 2 * (most + 1), unit, bound: '2 find_range scans of the n ranges of the domain' },
      { op: 'check', steps: most + 1, unit, bound: 'one find_range scan (n ranges)' },
      { op: 'heldByOther', steps: all + this.sets.size, unit, bound: 'one scan of every other domain (sum of their ranges)' },
      { op: 'destroy', steps: most, unit, bound: 'free each of the n ranges' },
    ];
  }
}

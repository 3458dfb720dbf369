import type { XenRc } from '../../xen/hypercalls/errno.js';
import { PAGE_INFO_SIZE, PGC_allocated, PGC_pmem_page, PGC_state_free, PGC_state_inuse } from '../../xen/pageInfo.js';
import type { DomId, HostPmem, MemoryUse, OperationCost, PageRange, PermissionStore } from './types.js';

/** The flag bits of `count_info` (bits 63..48) as the compact frame table keeps them. */
const hi = (v: bigint) => Number(v >> 48n);
const FREE = hi(PGC_state_free | PGC_pmem_page);
/** `PGC_allocated | PGC_state_inuse | PGC_pmem_page`, what `XENMEM_populate_pmem_map` sets (xen.md 1B). */
const OWNED = hi(PGC_allocated | PGC_state_inuse | PGC_pmem_page);
const ALLOCATED = hi(PGC_allocated);

/**
 * Per-page ownership in the frame table, as the vNVDIMM series did (xen.md 1B, 5): a page belongs
 * to domain d when its `page_info` has `PGC_allocated` and owner d; checks walk the range page by
 * page (populate_pmem_map, pmem_rw). The frame table is modelled compactly: the flag bits of
 * `count_info` (its top 16 bits, constants from src/xen/pageInfo.ts) and the owner word, per page
 * of the host pmem span. The reference count (1 for a mapped pmem page) and the list links are
 * not kept; `destroy` scans the span where Xen walks `d->pmem_page_list`.
 *
 * Its memory is the frame table itself: 32 bytes per host pmem page, in the pmem management
 * area, once for the host, whatever the number of domains; it costs no hypervisor RAM.
 */
export class PageOwnerStore implements PermissionStore {
  readonly design = 'pageowner' as const;
  private readonly countHi: Uint16Array;
  private readonly owner: Uint32Array;
  private readonly held = new Map<DomId, number>();
  private readonly pages: number;

  constructor(private readonly host: HostPmem) {
    this.pages = host.last - host.first + 1;
    this.countHi = new Uint16Array(this.pages).fill(FREE);
    this.owner = new Uint32Array(this.pages);
  }

  /** `[first, last]` clipped to the host span, as frame-table indices (empty when `a > b`). */
  private clip(first: number, last: number): [number, number] {
    return [Math.max(first, this.host.first) - this.host.first, Math.min(last, this.host.last) - this.host.first];
  }

  private ownedBy(i: number, dom: DomId): boolean {
    return (this.countHi[i]! & ALLOCATED) !== 0 && this.owner[i] === dom;
  }

  grant(dom: DomId, first: number, last: number): XenRc {
    let n = 0;
    for (let i = first - this.host.first, end = last - this.host.first; i <= end; i++) {
      if (this.ownedBy(i, dom)) continue;
      this.countHi[i] = OWNED;
      this.owner[i] = dom;
      n++;
    }
    this.held.set(dom, (this.held.get(dom) ?? 0) + n);
    return 0;
  }

  revoke(dom: DomId, first: number, last: number): XenRc {
    let n = 0;
    const [a, end] = this.clip(first, last);
    for (let i = a; i <= end; i++) {
      if (!this.ownedBy(i, dom)) continue;
      this.countHi[i] = FREE;
      this.owner[i] = 0;
      n++;
    }
    if (this.held.has(dom)) this.held.set(dom, this.held.get(dom)! - n);
    return 0;
  }

  check(dom: DomId, first: number, last: number): boolean {
    if (first < this.host.first || last > this.host.last) return false;
    for (let i = first - this.host.first, end = last - this.host.first; i <= end; i++) if (!this.ownedBy(i, dom)) return false;
    return true;
  }

  heldByOther(dom: DomId, first: number, last: number): boolean {
    const [a, end] = this.clip(first, last);
    for (let i = a; i <= end; i++)
      if ((this.countHi[i]! & ALLOCATED) !== 0 && this.owner[i] !== dom) return true;
    return false;
  }

  ranges(dom: DomId): PageRange[] {
    const out: PageRange[] = [];
    if (!this.held.get(dom)) return out;
    for (let i = 0; i < this.pages; i++) {
      if (!this.ownedBy(i, dom)) continue;
      const pfn = this.host.first + i;
      const prev = out[out.length - 1];
      if (prev && prev.last + 1 === pfn) prev.last = pfn;
      else out.push({ first: pfn, last: pfn });
    }
    return out;
  }

  domains(): DomId[] {
    return [...this.held.keys()];
  }

  destroy(dom: DomId): void {
    if (this.held.get(dom)) this.revoke(dom, this.host.first, this.host.last);
    this.held.delete(dom);
  }

  memory(dom?: DomId): MemoryUse {
    return {
      xenBytes: dom === undefined ? this.pages * PAGE_INFO_SIZE : 0,
      where: 'pmem',
      formula: `${PAGE_INFO_SIZE} B page_info per host pmem page (the frame table, in the management area), none per domain`,
    };
  }

  worstCase(pages: number): OperationCost[] {
    const unit = 'page_info entries read';
    return [
      { op: 'grant', steps: pages, unit, bound: 'L entries for L pages' },
      { op: 'revoke', steps: pages, unit, bound: 'L entries' },
      { op: 'check', steps: pages, unit, bound: 'L entries' },
      { op: 'heldByOther', steps: pages, unit, bound: 'L entries, whatever the number of domains' },
      { op: 'destroy', steps: this.pages, unit, bound: 'Xen: the pages on d->pmem_page_list; this model: the host span' },
    ];
  }
}

import type { XenErrno, XenRc } from '../../xen/hypercalls/errno.js';
import { Rangeset } from './rangeset.js';
import type { DomId, PageRange, PermissionStore } from './types.js';

export interface PermissionStats {
  grant: number;
  revoke: number;
  check: number;
  destroy: number;
  refused: Record<string, number>;
  /** Wall time spent inside the store (ms); measured, so it varies run to run. */
  storeMs: number;
}

/**
 * The rules every design answers the same way (the simulation's hypercall-level invariants, as
 * `XENMEM_populate_pmem_map` enforces them, xen.md 1B/6): a grant must lie in data regions
 * (`-ENXIO`; reserved and management pages never qualify), no page may be held by another
 * domain (`-EBUSY`, populate's "page is not free"), then the store may still refuse (`-ENOMEM`,
 * the capped rangeset). Order of the checks: inverted range, region, other holder, store.
 */
export class PmemPermissions {
  /** Pages Xen may hand to guests: its data regions (the v1 data area, or v3+ data regions). */
  readonly data = new Rangeset('pmem data');
  readonly stats: PermissionStats = { grant: 0, revoke: 0, check: 0, destroy: 0, refused: {}, storeMs: 0 };

  constructor(readonly store: PermissionStore) {}

  /** A data region was set up: its pages may be granted from now on. */
  addDataRegion(first: number, last: number): void {
    this.data.addRange(first, last);
  }

  private timed<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.stats.storeMs += performance.now() - t0;
    }
  }

  private refuse(rc: XenRc | XenErrno, why: string): XenRc {
    if (typeof rc === 'string') rc = { errno: rc };
    this.stats.refused[why] = (this.stats.refused[why] ?? 0) + 1;
    return rc;
  }

  /** Give `dom` pages `[first, last]`: 0, -EINVAL, -ENXIO, -EBUSY or -ENOMEM (nothing changed on error). */
  grant(dom: DomId, first: number, last: number): XenRc {
    this.stats.grant++;
    if (!(first <= last) || first < 0) return this.refuse('EINVAL', 'inverted');
    if (!this.data.containsRange(first, last)) return this.refuse('ENXIO', 'outside data regions');
    const rc = this.timed(() => (this.store.heldByOther(dom, first, last) ? ({ errno: 'EBUSY' } as const) : this.store.grant(dom, first, last)));
    return rc === 0 ? 0 : this.refuse(rc, rc.errno === 'EBUSY' ? 'held by another domain' : 'store full');
  }

  /** Take `[first, last]` from `dom`: 0, -EINVAL or -ENOMEM (a capped rangeset that cannot split). */
  revoke(dom: DomId, first: number, last: number): XenRc {
    this.stats.revoke++;
    if (!(first <= last) || first < 0) return this.refuse('EINVAL', 'inverted');
    const rc = this.timed(() => this.store.revoke(dom, first, last));
    return rc === 0 ? 0 : this.refuse(rc, 'store full');
  }

  /** Does `dom` hold every page of `[first, last]`? (what a mapping or pmem_rw asks) */
  check(dom: DomId, first: number, last: number): boolean {
    this.stats.check++;
    if (!(first <= last) || first < 0) return false;
    return this.timed(() => this.store.check(dom, first, last));
  }

  destroy(dom: DomId): void {
    this.stats.destroy++;
    this.timed(() => this.store.destroy(dom));
  }

  ranges(dom: DomId): PageRange[] {
    return this.store.ranges(dom);
  }
}

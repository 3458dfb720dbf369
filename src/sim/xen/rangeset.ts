/**
 * Xen's rangeset (xen/common/rangeset.c; xen.md §5): a sorted list of disjoint inclusive ranges
 * `[s, e]`; adding merges overlapping and adjacent ranges, removing may split one in two. A
 * domain's `iomem_caps` is one ("I/O Memory"), in page frames. This module is the one place the
 * simulation keeps I/O-memory permissions, behind `IomemCaps`, so another tracker (src/sim/
 * permissions) can replace it.
 */
export interface IomemCaps {
  permit(s: bigint, e: bigint): void;
  deny(s: bigint, e: bigint): void;
  /** `rangeset_contains_range`: every frame of `[s, e]` is permitted. */
  contains(s: bigint, e: bigint): boolean;
  /** `rangeset_overlaps_range`. */
  overlaps(s: bigint, e: bigint): boolean;
  ranges(): readonly (readonly [bigint, bigint])[];
}

export class Rangeset implements IomemCaps {
  private r: [bigint, bigint][] = [];

  constructor(readonly name: string, init: readonly (readonly [bigint, bigint])[] = []) {
    for (const [s, e] of init) this.permit(s, e);
  }

  permit(s: bigint, e: bigint): void {
    if (s > e) return;
    const keep: [bigint, bigint][] = [];
    let ns = s;
    let ne = e;
    for (const [a, b] of this.r) {
      if (b + 1n < ns || a > ne + 1n) keep.push([a, b]);
      else {
        ns = a < ns ? a : ns;
        ne = b > ne ? b : ne;
      }
    }
    keep.push([ns, ne]);
    this.r = keep.sort((x, y) => (x[0] < y[0] ? -1 : 1));
  }

  deny(s: bigint, e: bigint): void {
    if (s > e) return;
    const out: [bigint, bigint][] = [];
    for (const [a, b] of this.r) {
      if (b < s || a > e) out.push([a, b]);
      else {
        if (a < s) out.push([a, s - 1n]);
        if (b > e) out.push([e + 1n, b]);
      }
    }
    this.r = out;
  }

  contains(s: bigint, e: bigint): boolean {
    return this.r.some(([a, b]) => a <= s && e <= b);
  }

  overlaps(s: bigint, e: bigint): boolean {
    return this.r.some(([a, b]) => a <= e && s <= b);
  }

  ranges(): readonly (readonly [bigint, bigint])[] {
    return this.r;
  }
}

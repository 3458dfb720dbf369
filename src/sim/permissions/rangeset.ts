import { fail, type XenRc } from '../../xen/hypercalls/errno.js';
import type { PageRange } from './types.js';

/**
 * Xen's rangeset (xen/common/rangeset.c): a sorted set of inclusive ranges `[s, e]` with a budget
 * `nr_ranges` of range structs (-1 = unlimited; `rangeset_limit` sets it; allocation at 0 fails
 * with -ENOMEM and leaves the set unchanged). Xen keeps the ranges in a doubly linked list and
 * finds them with a linear scan (`find_range`), so every operation is O(n); here the list is two
 * parallel arrays scanned the same way, so the step counts are Xen's.
 *
 * add merges overlapping and adjacent ranges; remove can split one range in two, which needs a
 * new struct and so can fail at the limit. Note where Xen allocates: add allocates a struct before
 * merging with the range to its right, so at the limit adding `[s, e]` just left of an existing
 * range fails although the result would have as many ranges (the reference model in
 * test/sim/permissions.test.ts states the rule).
 *
 * `preFix2025: true` keeps the remove of the code the vNVDIMM series ran on: when the removed range
 * starts in a gap after range x, Xen set `x->e = s - 1` and so *grew* x. Roger Pau Monné's
 * "xen/rangeset: fix incorrect subtraction" (xen-devel, 11 Apr 2025) fixed it:
 * `{[0,1],[4,5]} - {[3,4]}` gave `{[0,2],[5,5]}`. Default is the fixed code.
 */
export class Rangeset {
  /** Range starts and ends, ascending, disjoint and never adjacent. */
  private readonly s: number[] = [];
  private readonly e: number[] = [];
  /** `nr_ranges`: structs that may still be allocated (-1: no limit). */
  private nrRanges = -1;
  /** List nodes the last operation visited (`find_range` steps), for the cost model. */
  lastSteps = 0;

  constructor(readonly name = '(no name)', private readonly o: { preFix2025?: boolean } = {}) {}

  /**
   * A rangeset holding exactly `ranges` (sorted, disjoint, not adjacent), built in one pass: for
   * restoring a saved state and for benchmarks, where adding n ranges one by one costs O(n²).
   */
  static fromRanges(name: string, ranges: readonly PageRange[]): Rangeset {
    const r = new Rangeset(name);
    ranges.forEach((x, i) => {
      const prev = ranges[i - 1];
      if (x.first > x.last || (prev && prev.last + 1 >= x.first)) throw new RangeError(`rangeset ${name}: ranges must be sorted, disjoint and not adjacent (at ${i})`);
      r.s.push(x.first);
      r.e.push(x.last);
    });
    return r;
  }

  /** `rangeset_limit`: at most `limit` more range structs. */
  limit(limit: number): void {
    this.nrRanges = limit;
  }

  get size(): number {
    return this.s.length;
  }

  /** Highest range starting at or below `p`, or -1 (`find_range`: a linear scan, as Xen's list walk). */
  private find(p: number): number {
    let x = -1;
    const s = this.s;
    let i = 0;
    for (; i < s.length; i++) {
      if (s[i]! > p) break;
      x = i;
    }
    this.lastSteps += i + 1;
    return x;
  }

  private alloc(): boolean {
    if (this.nrRanges === 0) return false;
    this.nrRanges--;
    return true;
  }

  private destroyAt(i: number): void {
    this.nrRanges++;
    this.s.splice(i, 1);
    this.e.splice(i, 1);
  }

  private insertAt(i: number, s: number, e: number): void {
    this.s.splice(i, 0, s);
    this.e.splice(i, 0, e);
  }

  /** `rangeset_add_range`: 0 or -ENOMEM (unchanged). */
  addRange(s: number, e: number): XenRc {
    if (s > e) throw new RangeError(`rangeset ${this.name}: range [${s}, ${e}] is inverted`);
    this.lastSteps = 0;
    const S = this.s;
    const E = this.e;
    let x = this.find(s);
    const y = this.find(e);
    if (x === y) {
      if (x < 0 || (E[x]! < s && E[x]! + 1 !== s)) {
        if (!this.alloc()) return fail('ENOMEM');
        x = y + 1;
        this.insertAt(x, s, e);
      } else if (E[x]! < e) E[x] = e;
    } else {
      if (x < 0) {
        x = 0;
        S[0] = s;
      } else if (E[x]! < s && E[x]! + 1 !== s) {
        x++;
        S[x] = s;
      }
      E[x] = Math.max(E[y]!, e);
      while (x + 1 < S.length && E[x + 1]! <= E[x]!) this.destroyAt(x + 1);
    }
    if (x + 1 < S.length && E[x]! + 1 === S[x + 1]) {
      E[x] = E[x + 1]!;
      this.destroyAt(x + 1);
    }
    return 0;
  }

  /** `rangeset_remove_range`: 0 or -ENOMEM (a split at the limit; unchanged). */
  removeRange(s: number, e: number): XenRc {
    if (s > e) throw new RangeError(`rangeset ${this.name}: range [${s}, ${e}] is inverted`);
    this.lastSteps = 0;
    const S = this.s;
    const E = this.e;
    let x = this.find(s);
    let y = this.find(e);
    if (x === y) {
      if (x < 0 || E[x]! < s) return 0;
      if (S[x]! < s && E[x]! > e) {
        if (!this.alloc()) return fail('ENOMEM');
        this.insertAt(x + 1, e + 1, E[x]!);
        E[x] = s - 1;
      } else if (S[x] === s && E[x]! <= e) this.destroyAt(x);
      else if (S[x] === s) S[x] = e + 1;
      else if (E[x]! <= e) E[x] = s - 1;
    } else {
      if (x < 0) x = 0;
      if (S[x]! < s) {
        if (this.o.preFix2025 || E[x]! >= s) E[x] = s - 1;
        x++;
      }
      while (x !== y) {
        this.destroyAt(x);
        y--;
      }
      S[x] = e + 1;
      if (S[x]! > E[x]!) this.destroyAt(x);
    }
    return 0;
  }

  /** `rangeset_contains_range`. */
  containsRange(s: number, e: number): boolean {
    this.lastSteps = 0;
    const x = this.find(s);
    return x >= 0 && this.e[x]! >= e;
  }

  /** `rangeset_overlaps_range`. */
  overlapsRange(s: number, e: number): boolean {
    this.lastSteps = 0;
    const x = this.find(e);
    return x >= 0 && s <= this.e[x]!;
  }

  /** The ranges in order (`rangeset_report_ranges` over everything). */
  ranges(): PageRange[] {
    return this.s.map((first, i) => ({ first, last: this.e[i]! }));
  }

  /** `rangeset_printk` body: `{ 10-1f, 40 }` (hex, as iomem_caps is created with RANGESETF_prettyprint_hex). */
  toString(): string {
    const parts = this.s.map((s, i) => (s === this.e[i] ? s.toString(16) : `${s.toString(16)}-${this.e[i]!.toString(16)}`));
    return `{${parts.length ? ' ' + parts.join(', ') + ' ' : ' '}}`;
  }
}

/**
 * A domain's `iomem_caps` ("I/O Memory", xen.md §5): Xen's rangeset over page frames. The rangeset
 * itself is src/sim/permissions/rangeset.ts (rangeset.c's add/remove/contains/overlaps, one home
 * for its semantics); this is the bigint face the hypervisor stage uses, since hypercall fields
 * are u64. `IomemCaps` is the one place the simulation keeps I/O-memory permissions.
 */
import { Rangeset as XenRangeset } from '../permissions/rangeset.js';

export interface IomemCaps {
  permit(s: bigint, e: bigint): void;
  deny(s: bigint, e: bigint): void;
  /** `rangeset_contains_range`: every frame of `[s, e]` is permitted. */
  contains(s: bigint, e: bigint): boolean;
  /** `rangeset_overlaps_range`. */
  overlaps(s: bigint, e: bigint): boolean;
  ranges(): readonly (readonly [bigint, bigint])[];
}

/** Page frames are below 2^52 (paddr_bits ≤ 64 - 12), exact as numbers. */
function frame(v: bigint): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`frame ${v} outside the simulated address space`);
  return Number(v);
}

export class Rangeset implements IomemCaps {
  private readonly r: XenRangeset;

  constructor(readonly name: string, init: readonly (readonly [bigint, bigint])[] = []) {
    this.r = new XenRangeset(name);
    for (const [s, e] of init) this.permit(s, e);
  }

  /** `rangeset_add_range` (an empty or inverted range adds nothing; Xen ASSERTs it never happens). */
  permit(s: bigint, e: bigint): void {
    if (s <= e) this.r.addRange(frame(s), frame(e));
  }

  /** `rangeset_remove_range`. */
  deny(s: bigint, e: bigint): void {
    if (s <= e) this.r.removeRange(frame(s), frame(e));
  }

  contains(s: bigint, e: bigint): boolean {
    return s <= e && this.r.containsRange(frame(s), frame(e));
  }

  overlaps(s: bigint, e: bigint): boolean {
    return s <= e && this.r.overlapsRange(frame(s), frame(e));
  }

  ranges(): readonly (readonly [bigint, bigint])[] {
    return this.r.ranges().map((x) => [BigInt(x.first), BigInt(x.last)] as const);
  }
}

/**
 * Design v1's hypervisor side of `XENPF_pmem_add` (branch nvdimm-rfc-v1: xen/arch/x86/pmem.c
 * `pmem_add`, `pmem_add_check`, `pmem_list_add`; x86_64/mm.c `pmem_setup`; xen.md §1A).
 *
 * The code's order is check (pmem_add_check) → build (pmem_setup: mem_hotadd_check, frame table,
 * M2P, page states) → iomem_deny_access → pmem_list_add (overlap check) → printk. So a report that
 * overlaps a registered region only in ways mem_hotadd_check misses gets its metadata written
 * before it is refused. `checks-first` (default) runs every check before any write: a refused
 * report changes no byte. `code` keeps the code's order for Xen's own state (PDX groups, Dom0's
 * iomem_caps are changed as the code changes them) but never corrupts an image: it reports every
 * write the code would have made, and over whose bytes (specs/sim.md).
 */
import type { XenpfPmemAdd } from '../../xen/hypercalls/index.js';
import { PGC_state_free, PGC_state_inuse } from '../../xen/pageInfo.js';
import { hex, requiredMetadataPages, u64 } from './geometry.js';
import { memHotaddCheck } from './hotadd.js';
import { planMetadata } from './metadataLayout.js';
import { applyFills, fillBytes, metadataFills, type Fill } from './metadataWriter.js';
import type { PhysMem } from './physmem.js';
import { Rangeset } from './rangeset.js';
import type { V1Region, XenState } from './state.js';

export const DOM0 = 0;

export interface WouldWrite {
  what: string;
  spa: string;
  bytes: string;
  /** Whose bytes these are: another region's reserved or data area, or nobody's. */
  over: string;
}

export interface CallOutcome {
  /** "0", "-EINVAL", ... or "panic" (a failed ASSERT in Xen). */
  result: string;
  /** Why, in words (the checks' names and numbers). */
  reason?: string;
  /** Bytes written to the images. */
  written: bigint;
  /** code order: what the code would have written before it failed. */
  wouldWrite?: WouldWrite[];
}

/** `is_included(s1, e1, s2, e2)`: [s2, e2) non-empty and inside [s1, e1). */
const isIncluded = (s1: bigint, e1: bigint, s2: bigint, e2: bigint) => s1 <= s2 && s2 < e2 && e2 <= e1;
/** `is_overlaped` as v1 writes it. */
const isOverlapped = (s1: bigint, e1: bigint, s2: bigint, e2: bigint) => (s1 <= s2 && s2 < e1) || (s2 < s1 && s1 < e2);

/** `pmem_add_check`: undefined if it passes, else which of its tests failed. */
export function pmemAddCheck(a: XenpfPmemAdd): string | undefined {
  if (a.spfn >= a.epfn || a.rsvSpfn >= a.rsvEpfn || a.dataSpfn >= a.dataEpfn) return 'a range is empty or inverted (s >= e)';
  if (!isIncluded(a.spfn, a.epfn, a.rsvSpfn, a.rsvEpfn)) return 'the reserved area is not inside [spfn, epfn)';
  if (!isIncluded(a.spfn, a.epfn, a.dataSpfn, a.dataEpfn)) return 'the data area is not inside [spfn, epfn)';
  if (isOverlapped(a.rsvSpfn, a.rsvEpfn, a.dataSpfn, a.dataEpfn)) return 'the reserved and data areas overlap';
  const need = requiredMetadataPages(u64(a.epfn - a.spfn));
  if (u64(a.rsvEpfn - a.rsvSpfn) < need) return `the reserved area has ${u64(a.rsvEpfn - a.rsvSpfn)} pages; check_reserved_size needs ${need} for ${u64(a.epfn - a.spfn)}`;
  return undefined;
}

/** `pmem_list_add`'s scan from the tail of the sorted list: the region it overlaps, if any. */
export function v1ListOverlap(list: readonly V1Region[], spfn: bigint, epfn: bigint): V1Region | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i]!;
    if ((c.spfn <= spfn && spfn < c.epfn) || (spfn <= c.spfn && c.spfn < epfn)) return c;
    if (c.spfn < spfn) break;
  }
  return undefined;
}

function owner(st: XenState, spa: bigint, len: bigint, self: XenpfPmemAdd): string {
  const s = spa >> 12n;
  const e = (spa + len + 4095n) >> 12n;
  const hit = (a: bigint, b: bigint) => s < b && a < e;
  if (hit(self.rsvSpfn, self.rsvEpfn) && s >= self.rsvSpfn && e <= self.rsvEpfn) return 'this report\'s own reserved area';
  for (const [i, r] of st.v1.entries()) {
    if (hit(r.rsvSpfn, r.rsvEpfn)) return `region ${i}'s reserved area (its frame table / M2P)`;
    if (hit(r.dataSpfn, r.dataEpfn)) return `region ${i}'s data area`;
    if (hit(r.spfn, r.epfn)) return `region ${i} (outside its reserved and data areas)`;
  }
  return hit(self.dataSpfn, self.dataEpfn) ? 'this report\'s own data area' : 'outside every registered region';
}

/** Dom0's iomem_caps as Xen builds it (dom0_build.c `dom0_setup_permissions`): all of [0, 2^(paddr_bits-12)), minus the local APIC and IO-APIC pages. */
export function dom0IomemCaps(paddrBits = 46): Rangeset {
  const r = new Rangeset('I/O Memory', [[0n, (1n << BigInt(paddrBits - 12)) - 1n]]);
  for (const mfn of [0xfee00n, 0xfec00n]) r.deny(mfn, mfn);
  return r;
}

/** Handle one `XENPF_pmem_add` from Dom0. `mem` is where the metadata goes (the host images). */
export function pmemAdd(st: XenState, mem: PhysMem | undefined, a: XenpfPmemAdd, caller = DOM0): CallOutcome {
  const refuse = (reason: string): CallOutcome => ({ result: '-EINVAL', reason, written: 0n });
  const bad = pmemAddCheck(a);
  if (bad) return refuse(`pmem_add_check: ${bad}`);
  const hot = memHotaddCheck(st.maps, a.spfn, a.epfn, 'v1');
  if (hot) return refuse(`pmem_setup: mem_hotadd_check: ${hot}`);
  const listHit = v1ListOverlap(st.v1, a.spfn, a.epfn);
  if (listHit && st.options.order === 'checks-first') return refuse(`pmem_list_add: overlaps the registered region ${hex(listHit.spfn)} - ${hex(listHit.epfn)}`);
  const plan = planMetadata(st.options.layout, st.maps, a.spfn, a.epfn, { spfn: a.rsvSpfn, epfn: a.rsvEpfn, cur: a.rsvSpfn });
  if (plan.overrun) {
    st.console.push(`(XEN) ${plan.overrun.message}`);
    return { result: 'panic', reason: `pmem_setup: ${plan.overrun.message} (a debug build panics; a release build would write past rsv_epfn)`, written: 0n };
  }
  const runs = [
    { start: a.spfn, end: a.rsvSpfn, countInfo: PGC_state_free },
    { start: a.rsvSpfn, end: plan.cur, countInfo: PGC_state_inuse },
    { start: plan.cur, end: a.epfn, countInfo: PGC_state_free },
  ].filter((r) => r.start < r.end);
  const fills: Fill[] = metadataFills(plan.chunks, [...st.chunks, ...plan.chunks], runs, plan.zeroesEntries);
  // From here on the code has changed Xen's state: maps, then Dom0's iomem_caps.
  st.maps = plan.maps;
  const caps = st.iomemCaps.get(caller) ?? dom0IomemCaps();
  st.iomemCaps.set(caller, caps);
  caps.deny(a.rsvSpfn, st.options.iomemEnd === 'code' ? a.rsvEpfn : a.rsvEpfn - 1n);
  if (listHit) {
    const wouldWrite = fills.map((f) => ({ what: f.what, spa: hex(f.spa), bytes: hex(fillBytes(f)), over: owner(st, f.spa, fillBytes(f), a) }));
    return { result: '-EINVAL', reason: `pmem_list_add: overlaps the registered region ${hex(listHit.spfn)} - ${hex(listHit.epfn)}, after pmem_setup and iomem_deny_access ran (code order: the writes above were not made)`, written: 0n, wouldWrite };
  }
  if (mem) applyFills(mem, fills);
  st.chunks.push(...plan.chunks);
  const region: V1Region = { spfn: a.spfn, epfn: a.epfn, rsvSpfn: a.rsvSpfn, rsvEpfn: a.rsvEpfn, dataSpfn: a.dataSpfn, dataEpfn: a.dataEpfn, rsvCur: plan.cur };
  const at = st.v1.findIndex((r) => r.spfn > a.spfn);
  st.v1.splice(at < 0 ? st.v1.length : at, 0, region);
  // printk(XENLOG_INFO "pmem: pfns     0x%lx - 0x%lx\n      reserved 0x%lx - 0x%lx\n      data     0x%lx - 0x%lx\n")
  st.console.push(`(XEN) pmem: pfns     ${hex(a.spfn)} - ${hex(a.epfn)}`, `(XEN)       reserved ${hex(a.rsvSpfn)} - ${hex(a.rsvEpfn)}`, `(XEN)       data     ${hex(a.dataSpfn)} - ${hex(a.dataEpfn)}`);
  return { result: '0', written: fills.reduce((n, f) => n + fillBytes(f), 0n) };
}

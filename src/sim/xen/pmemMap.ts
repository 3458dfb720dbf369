/**
 * Xen's side of giving a guest host pmem pages (specs/sim.md §7.3): `XENMEM_populate_pmem_map`
 * (xen/common/memory.c and pmem.c `pmem_populate` / `pmem_assign_page`, nvdimm-rfc-v4 and
 * nvdimm-label-v1.1-rebase), and `XEN_DOMCTL_memory_mapping` (upstream domctl.c) with the pmem check
 * seed 002 §3.2.1 asks for. Both grant through the page-permission tracker (`PmemPermissions`: the
 * pages must be in a data region and held by no other domain) and check the frame table in the
 * host image: every page must be free (`count_info` state free) before any is assigned; then each
 * page_info becomes `PGC_allocated | PGC_state_inuse | 1` (`PGC_pmem_page` kept) with the domain as
 * owner. A refused call changes nothing (populate rolls back what it assigned).
 */
import { DOMID_SELF, XENMEM_pmem_map_type, type XenPmemMap } from '../../xen/hypercalls/index.js';
import { PGC_allocated, PGC_pmem_page, PGC_state, PGC_state_free, PGC_state_inuse, pageInfo } from '../../xen/pageInfo.js';
import type { PmemPermissions } from '../permissions/index.js';
import { hex, PAGE_INFO_SIZE, U64 } from './geometry.js';
import { pageInfoAddress } from './metadataWriter.js';
import type { PhysMem } from './physmem.js';
import { DOM0, type CallOutcome } from './v1.js';
import type { XenState } from './state.js';

/** What a mapping handler reads and changes. */
export interface MapContext {
  st: XenState;
  /** The host images (frame table); undefined: page states are not checked or written. */
  mem?: PhysMem;
  perms: PmemPermissions;
  /** Domains that exist (Dom0 and the guests created so far). */
  domains: ReadonlySet<number>;
  paddrBits: number;
  /** Guest frame → machine frame runs each domain got (its p2m for pmem). */
  p2m: Map<number, { gfn: bigint; mfn: bigint; nr: bigint; type: 'data' | 'label' }[]>;
}

const refuse = (result: string, reason: string): CallOutcome => ({ result, reason, written: 0n });

/** The page_info bytes of frames `[mfn, mfn + nr)`, per frame-table chunk run. */
function pageInfoRuns(ctx: MapContext, mfn: bigint, nr: bigint): { pfn: bigint; n: bigint; spa: bigint }[] {
  const out: { pfn: bigint; n: bigint; spa: bigint }[] = [];
  for (let p = mfn; p < mfn + nr;) {
    const c = ctx.st.chunks.find((x) => x.kind === 'frame-table' && p >= x.firstFrame && p < x.firstFrame + x.frames);
    if (!c) return [];
    const end = c.firstFrame + c.frames < mfn + nr ? c.firstFrame + c.frames : mfn + nr;
    out.push({ pfn: p, n: end - p, spa: pageInfoAddress(ctx.st.chunks, p)! });
    p = end;
  }
  return out;
}

/**
 * Visit the page_info entries of `[mfn, mfn + nr)` in the host image, a frame-table run at a time:
 * `fn` gets the run's bytes and an entry index; returning true stops. `write` stores the runs back.
 */
function visitPageInfo(ctx: MapContext, mfn: bigint, nr: bigint, write: boolean, fn: (dv: DataView, at: number, pfn: bigint) => boolean | void): bigint {
  if (!ctx.mem) return 0n;
  let written = 0n;
  for (const r of pageInfoRuns(ctx, mfn, nr)) {
    const w = ctx.mem.window(r.spa, r.n * BigInt(PAGE_INFO_SIZE));
    if (!w) continue;
    const b = w.io.read(0, Number(r.n) * PAGE_INFO_SIZE);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < Number(r.n); i++) if (fn(dv, i * PAGE_INFO_SIZE, r.pfn + BigInt(i))) return written;
    if (write) {
      w.io.write(0, b);
      written += BigInt(b.length);
    }
  }
  if (write) ctx.mem.flush();
  return written;
}

const COUNT_INFO = pageInfo.offsetOf('countInfo');
const OWNER = pageInfo.offsetOf('owner');
const TYPE_INFO = pageInfo.offsetOf('typeInfo');

/** The first frame of the range whose page_info is not free, if any (pmem_assign_page's test). */
function firstNotFree(ctx: MapContext, mfn: bigint, nr: bigint): { pfn: bigint; countInfo: bigint } | undefined {
  let hit: { pfn: bigint; countInfo: bigint } | undefined;
  visitPageInfo(ctx, mfn, nr, false, (dv, at, pfn) => {
    const v = dv.getBigUint64(at + COUNT_INFO, true);
    if ((v & PGC_state) !== PGC_state_free) hit = { pfn, countInfo: v };
    return !!hit;
  });
  return hit;
}

/** pmem_assign_page: `[mfn, mfn + nr)` owned by `domid`, in use, one reference, no type. */
function assignPages(ctx: MapContext, mfn: bigint, nr: bigint, domid: number): bigint {
  return visitPageInfo(ctx, mfn, nr, true, (dv, at) => {
    const old = dv.getBigUint64(at + COUNT_INFO, true);
    dv.setBigUint64(at + COUNT_INFO, PGC_allocated | PGC_state_inuse | (old & PGC_pmem_page) | 1n, true);
    dv.setBigUint64(at + TYPE_INFO, 0n, true);
    dv.setUint32(at + OWNER, domid, true);
  });
}

/** Grant, check the frame table, assign: the common tail of both hypercalls. */
function give(ctx: MapContext, domid: number, mfn: bigint, gfn: bigint, nr: bigint, type: 'data' | 'label', what: string): CallOutcome {
  const busy = firstNotFree(ctx, mfn, nr);
  const rc = ctx.perms.grant(domid, Number(mfn), Number(mfn + nr - 1n));
  if (rc !== 0) {
    const why: Record<string, string> = {
      ENXIO: `frames ${hex(mfn)}-${hex(mfn + nr - 1n)} are not all in a pmem data region (RAM, a reserved/management area or outside pmem)`,
      EBUSY: `a frame of ${hex(mfn)}-${hex(mfn + nr - 1n)} belongs to another domain`,
      EINVAL: 'the range is empty or inverted',
      ENOMEM: 'the permission store is full',
    };
    return refuse(`-${rc.errno}`, `${what}: ${why[rc.errno] ?? rc.errno}`);
  }
  if (busy) {
    ctx.perms.revoke(domid, Number(mfn), Number(mfn + nr - 1n));
    return refuse('-EBUSY', `${what}: frame ${hex(busy.pfn)} is not free (count_info ${hex(busy.countInfo)}): pmem_assign_page refuses it`);
  }
  const written = assignPages(ctx, mfn, nr, domid);
  const list = ctx.p2m.get(domid) ?? [];
  list.push({ gfn, mfn, nr, type });
  ctx.p2m.set(domid, list);
  return { result: '0', written };
}

/** `XENMEM_populate_pmem_map` from `caller` (libxl in Dom0). */
export function populatePmemMap(ctx: MapContext, a: XenPmemMap, caller = DOM0): CallOutcome {
  if (a.domid === DOMID_SELF) return refuse('-EINVAL', 'domid is DOMID_SELF');
  if (!ctx.domains.has(a.domid) || a.domid === DOM0) return refuse('-EINVAL', `no HVM domain ${a.domid} (rcu_lock_domain_by_any_id / is_hvm_domain)`);
  if (caller !== DOM0) return refuse('-EPERM', `XSM_TARGET: domain ${caller} is neither privileged nor domain ${a.domid}'s device model`);
  const nr = BigInt(a.nrMfns);
  if (nr === 0n) return { result: '0', written: 0n };
  if (a.mfn + nr - 1n > U64) return refuse('-ENXIO', `mfn ${hex(a.mfn)} + ${nr} wraps: check_cover finds no data region covering it`);
  const type = a.type === XENMEM_pmem_map_type.data ? 'data' : 'label';
  return give(ctx, a.domid, a.mfn, a.gfn, nr, type, 'pmem_populate');
}

export interface MemoryMappingArgs {
  domain: number;
  firstGfn: bigint;
  firstMfn: bigint;
  nrMfns: bigint;
  addMapping: number;
}

/** `XEN_DOMCTL_memory_mapping` from `caller` (QEMU in Dom0, seed 002's design). */
export function memoryMapping(ctx: MapContext, d: MemoryMappingArgs, caller = DOM0): CallOutcome {
  if (!ctx.domains.has(d.domain) || d.domain === DOM0) return refuse('-ESRCH', `no domain ${d.domain}`);
  if (!d.addMapping) return refuse('-EOPNOTSUPP', 'the simulation maps pages; removing a mapping is not modelled');
  const mfnEnd = (d.firstMfn + d.nrMfns - 1n) & U64;
  const gfnEnd = (d.firstGfn + d.nrMfns - 1n) & U64;
  if (mfnEnd < d.firstMfn || ((d.firstMfn | mfnEnd) >> BigInt(ctx.paddrBits - 12)) !== 0n || gfnEnd < d.firstGfn) return refuse('-EINVAL', `mfn ${hex(d.firstMfn)} / gfn ${hex(d.firstGfn)} + ${d.nrMfns} wraps, is empty or is beyond ${ctx.paddrBits} address bits`);
  const caps = ctx.st.iomemCaps.get(caller);
  if (!caps || !caps.contains(d.firstMfn, mfnEnd)) return refuse('-EPERM', `iomem_access_permitted: domain ${caller} may not access frames ${hex(d.firstMfn)}-${hex(mfnEnd)}`);
  return give(ctx, d.domain, d.firstMfn, d.firstGfn, d.nrMfns, 'data', 'memory_mapping (pmem check)');
}


/**
 * A guest whose creation failed, or that is destroyed (domainDestroy.ts): every pmem page it got is
 * freed again (its page_info back to free, PGC_pmem_page kept) and the tracker drops it. Returns the
 * frame-table bytes written.
 */
export function releaseDomain(ctx: MapContext, domid: number): bigint {
  let written = 0n;
  for (const run of ctx.p2m.get(domid) ?? []) {
    written += visitPageInfo(ctx, run.mfn, run.nr, true, (dv, at) => {
      const old = dv.getBigUint64(at + COUNT_INFO, true);
      dv.setBigUint64(at + COUNT_INFO, PGC_state_free | (old & PGC_pmem_page), true);
      dv.setUint32(at + OWNER, 0, true);
    });
  }
  ctx.p2m.delete(domid);
  ctx.perms.destroy(domid);
  return written;
}

/**
 * `XEN_DOMCTL_destroydomain` as far as pmem goes (specs/sim.md §7.11): `domain_kill` relinquishes
 * the domain's resources, and the vNVDIMM series added a step for its pmem pages — v1 `pmem_teardown`
 * returns every page on `d->pmem_page_list` to free (nvdimm-rfc-v1 xen/arch/x86/pmem.c; xen.md §1A
 * "On domain destruction"), v3/v4 a relinquish step `RELMEM_pmem` before `RELMEM_xen` frees the
 * whole list (xen/common/pmem.c; xen.md §1B). Each page's page_info goes back to free
 * (`PGC_pmem_page` kept), the p2m entries go with the domain, and the permission tracker forgets it
 * (`PmemPermissions.destroy`): the frames can be given to another domain afterwards.
 */
import { DOM0, type CallOutcome } from './v1.js';
import { releaseDomain, type MapContext } from './pmemMap.js';

export interface DestroyOutcome extends CallOutcome {
  /** Pmem pages returned to free (data and label). */
  pages: bigint;
}

/** Handle `XEN_DOMCTL_destroydomain` for `domid` from `caller`. */
export function destroyDomain(ctx: MapContext, domid: number, caller = DOM0): DestroyOutcome {
  // XSM_HOOK (dummy policy): only a privileged domain may issue domctls (xsm_domctl).
  if (caller !== DOM0) return { result: '-EPERM', reason: `domain ${caller} is not privileged (xsm_domctl)`, written: 0n, pages: 0n };
  // do_domctl looks the domain up first (rcu_lock_domain_by_id): a domain that is gone is -ESRCH.
  if (!ctx.domains.has(domid)) return { result: '-ESRCH', reason: `no domain ${domid}`, written: 0n, pages: 0n };
  // Destroying Dom0 is not simulated: the run directory's actors all live in it.
  if (domid === DOM0) return { result: '-EINVAL', reason: 'the simulation does not destroy Dom0', written: 0n, pages: 0n };
  const pages = (ctx.p2m.get(domid) ?? []).reduce((n, r) => n + r.nr, 0n);
  const written = releaseDomain(ctx, domid);
  return { result: '0', written, pages };
}

/**
 * Designs v3/v4's hypervisor side (branches nvdimm-rfc-v3 / -v4: xen/common/pmem.c,
 * xen/drivers/acpi/nfit.c, x86_64/mm.c `pmem_arch_setup`; xen.md §1B): Xen finds PMEM in the NFIT
 * at boot (raw regions; health flags gate them), hides the NFIT from Dom0 (signature TFIN), denies
 * Dom0 every raw region, and handles `XEN_SYSCTL_nvdimm_op`: the administrator's mgmt and data
 * regions, with frame table and M2P in the mgmt region.
 */
import { decodeNfit } from '../../acpi/nfit/codec.js';
import { SPA_RANGE_GUIDS } from '../../acpi/nfit/guids.js';
import type { MemoryMap, SpaRange } from '../../acpi/nfit/table.js';
import { PMEM_REGION_TYPE, XEN_SYSCTL_nvdimm_pmem_get_regions, XEN_SYSCTL_nvdimm_pmem_get_regions_nr, XEN_SYSCTL_nvdimm_pmem_setup, type PmemSetup } from '../../xen/hypercalls/index.js';
import { PGC_pmem_page, PGC_state_free } from '../../xen/pageInfo.js';
import { U64, hex, requiredMetadataPages } from './geometry.js';
import { memHotaddCheck } from './hotadd.js';
import { planMetadata } from './metadataLayout.js';
import { applyFills, fillBytes, metadataFills } from './metadataWriter.js';
import type { PhysMem } from './physmem.js';
import type { CallOutcome } from './v1.js';
import { DOM0, dom0IomemCaps } from './v1.js';
import type { XenState } from './state.js';

/** `mfn_x(INVALID_MFN)`: ~0UL. */
export const INVALID_MFN = U64;

/** ACPI 6.5 §5.2.26.3 memory device state flags that make nfit.c skip a PMEM range (xen.md §1B). */
export const NFIT_HEALTH_FAILURES = { SAVE_FAILED: 1 << 0, RESTORE_FAILED: 1 << 1, FLUSH_FAILED: 1 << 2, NOT_ARMED: 1 << 3, MAP_FAILED: 1 << 6 } as const;
const FAILURE_MASK = Object.values(NFIT_HEALTH_FAILURES).reduce((a, b) => a | b, 0);

const e = (errno: string, reason: string): CallOutcome => ({ result: `-${errno}`, reason, written: 0n });

/** v4 `check_overlap` (misses a first range strictly containing the second), or a real overlap test. */
function overlaps(st: XenState, s1: bigint, e1: bigint, s2: bigint, e2: bigint): boolean {
  if (st.options.overlap === 'strict') return s1 < e2 && s2 < e1;
  return (s1 >= s2 && s1 < e2) || (e1 > s2 && e1 <= e2);
}

/** `pmem_list_add`'s scan from the tail: -EEXIST on overlap. */
function listOverlap<T extends { smfn: bigint; emfn: bigint }>(st: XenState, list: readonly T[], smfn: bigint, emfn: bigint): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i]!;
    if (overlaps(st, smfn, emfn, c.smfn, c.emfn)) return c;
    if (c.smfn < smfn) break;
  }
  return undefined;
}

function insertSorted<T extends { smfn: bigint }>(list: T[], item: T): void {
  const at = list.findIndex((r) => r.smfn > item.smfn);
  list.splice(at < 0 ? list.length : at, 0, item);
}

/**
 * `acpi_nfit_register_pmem`: every SPA range with the persistent-memory GUID becomes a raw region
 * unless a memory device mapped to it reports a failure; then `pmem_dom0_setup_permission`. Returns
 * the NFIT as Dom0 gets it: `acpi_nfit_zap` rewrote its signature to "TFIN" (the bytes are
 * permuted, so the checksum still holds).
 */
export function bootV4(st: XenState, nfitBytes: Uint8Array): Uint8Array {
  const nfit = decodeNfit(nfitBytes).table;
  const memdevs = nfit.structures.filter((s): s is MemoryMap & { type: 1 } => s.type === 1);
  for (const s of nfit.structures) {
    if (s.type !== 0 || (s as SpaRange).rangeGuid !== SPA_RANGE_GUIDS.persistent) continue;
    const spa = s as SpaRange;
    const smfn = spa.address >> 12n;
    const emfn = (spa.address + spa.rangeLength) >> 12n;
    if (memdevs.some((m) => m.rangeIndex === spa.rangeIndex && (m.flags & FAILURE_MASK) !== 0)) {
      st.console.push(`(XEN) NFIT: detected failures on PMEM MFNs ${hex(smfn)} - ${hex(emfn)}, skipped`);
      continue;
    }
    // pmem_register: smfn < emfn, then pmem_list_add on the raw list.
    const clash = smfn >= emfn ? 'EINVAL' : listOverlap(st, st.raw, smfn, emfn) ? 'EEXIST' : undefined;
    if (clash) {
      st.console.push(`(XEN) NFIT: failed to register PMEM MFNs ${hex(smfn)} - ${hex(emfn)} on PXM ${spa.proximityDomain}, err -${clash === 'EINVAL' ? 22 : 17}`);
      continue;
    }
    insertSorted(st.raw, { smfn, emfn, pxm: spa.proximityDomain });
    st.console.push(`(XEN) NFIT: PMEM MFNs ${hex(smfn)} - ${hex(emfn)} on PXM ${spa.proximityDomain} registered`);
  }
  const caps = st.iomemCaps.get(DOM0) ?? dom0IomemCaps();
  st.iomemCaps.set(DOM0, caps);
  for (const r of st.raw) caps.deny(r.smfn, r.emfn - 1n);
  const zapped = nfitBytes.slice();
  zapped.set([0x54, 0x46, 0x49, 0x4e], 0); // write_atomic(signature, 0x4e494654): "TFIN"
  return zapped;
}

/** `check_address_and_pxm`: covered by raw regions without gaps, all on one PXM. */
function addressAndPxm(st: XenState, smfn: bigint, emfn: bigint): { ok: boolean; pxm: number } {
  let s = smfn;
  let pxm = -1;
  for (const raw of st.raw) {
    if (!overlaps(st, s, emfn, raw.smfn, raw.emfn)) continue;
    if (s < raw.smfn) return { ok: false, pxm };
    if (pxm !== -1 && pxm !== raw.pxm) return { ok: false, pxm };
    pxm = raw.pxm;
    s = emfn < raw.emfn ? emfn : raw.emfn;
    if (s === emfn) break;
  }
  return { ok: s === emfn, pxm };
}

const invalidRange = (s: bigint, en: bigint) => s === INVALID_MFN || en === INVALID_MFN || s >= en;

/**
 * `pmem_arch_setup(smfn, emfn, pxm, mgmt_smfn, mgmt_emfn)`: memory_add_common's checks, the frame
 * table and M2P from the mgmt cursor, every page_info `PGC_state_free | PGC_pmem_page`.
 */
function archSetup(st: XenState, mem: PhysMem | undefined, smfn: bigint, emfn: bigint, mgmtSmfn: bigint, mgmtEmfn: bigint): CallOutcome & { used?: bigint } {
  const isMgmt = mgmtSmfn === smfn && mgmtEmfn === emfn;
  if (invalidRange(mgmtSmfn, mgmtEmfn)) return e('EINVAL', 'pmem_arch_setup: invalid management range');
  if (!isMgmt && ((smfn >= mgmtSmfn && smfn < mgmtEmfn) || (emfn > mgmtSmfn && emfn <= mgmtEmfn))) return e('EINVAL', 'pmem_arch_setup: the data range overlaps its management range');
  const hot = memHotaddCheck(st.maps, smfn, emfn, 'v3');
  if (hot) return e('EINVAL', `memory_add_common: mem_hotadd_check: ${hot}`);
  const plan = planMetadata(st.options.layout, st.maps, smfn, emfn, { spfn: mgmtSmfn, epfn: mgmtEmfn, cur: mgmtSmfn });
  if (plan.overrun) {
    st.console.push(`(XEN) ${plan.overrun.message}`);
    return { result: 'panic', reason: `pmem_arch_setup: ${plan.overrun.message} (a debug build panics; a release build would write past mgmt_emfn)`, written: 0n };
  }
  const fills = metadataFills(plan.chunks, [...st.chunks, ...plan.chunks], [{ start: smfn, end: emfn, countInfo: PGC_state_free | PGC_pmem_page }], plan.zeroesEntries);
  if (mem) applyFills(mem, fills);
  st.maps = plan.maps;
  st.chunks.push(...plan.chunks);
  return { result: '0', written: fills.reduce((n, f) => n + fillBytes(f), 0n), used: plan.cur - mgmtSmfn };
}

function setupMgmt(st: XenState, mem: PhysMem | undefined, smfn: bigint, emfn: bigint): CallOutcome {
  if (invalidRange(smfn, emfn)) return e('EINVAL', 'pmem_setup_mgmt: invalid range');
  const ap = addressAndPxm(st, smfn, emfn);
  if (!ap.ok) return e('EINVAL', 'check_address_and_pxm: the range is not covered by raw PMEM regions of one proximity domain');
  const need = requiredMetadataPages(emfn - smfn);
  if (emfn - smfn < need) {
    st.console.push(`(XEN) PMEM: insufficient management pages, ${hex(need)} pages required, ${hex(emfn - smfn)} pages available`);
    return e('ENOSPC', `check_mgmt_size: ${need} pages required, ${emfn - smfn} available`);
  }
  const clash = listOverlap(st, st.mgmt, smfn, emfn);
  if (clash) return e('EEXIST', `pmem_list_add: overlaps the mgmt region ${hex(clash.smfn)} - ${hex(clash.emfn)}`);
  const r = archSetup(st, mem, smfn, emfn, smfn, emfn);
  if (r.result !== '0') return r;
  insertSorted(st.mgmt, { smfn, emfn, used: r.used! });
  return { result: '0', written: r.written };
}

function setupData(st: XenState, mem: PhysMem | undefined, smfn: bigint, emfn: bigint, mgmtSmfn: bigint, mgmtEmfn: bigint): CallOutcome {
  if (invalidRange(smfn, emfn)) return e('EINVAL', 'pmem_setup_data: invalid range');
  const ap = addressAndPxm(st, smfn, emfn);
  if (!ap.ok) return e('EINVAL', 'check_address_and_pxm: the range is not covered by raw PMEM regions of one proximity domain');
  if (invalidRange(mgmtSmfn, mgmtEmfn)) return e('EINVAL', 'pmem_setup_data: invalid management range');
  const mgmt = st.mgmt.find((m) => mgmtSmfn >= m.smfn && mgmtEmfn <= m.emfn);
  if (!mgmt) return e('ENXIO', `find_mgmt_region: ${hex(mgmtSmfn)} - ${hex(mgmtEmfn)} is inside no mgmt region`);
  const from = mgmt.smfn + mgmt.used;
  const need = requiredMetadataPages(emfn - smfn);
  // check_mgmt_size(mgmt_emfn - mgmt_smfn, ...) with mgmt_smfn moved to the cursor; mgmt_emfn is the caller's.
  const avail = (mgmtEmfn - from) & U64;
  if (avail < need) {
    st.console.push(`(XEN) PMEM: insufficient management pages, ${hex(need)} pages required, ${hex(avail)} pages available`);
    return e('ENOSPC', `check_mgmt_size: ${need} pages required, ${avail} free in the mgmt region from its cursor ${hex(from)}`);
  }
  const clash = listOverlap(st, st.data, smfn, emfn);
  if (clash) return e('EEXIST', `pmem_list_add: overlaps the data region ${hex(clash.smfn)} - ${hex(clash.emfn)}`);
  const r = archSetup(st, mem, smfn, emfn, from, mgmtEmfn);
  if (r.result !== '0') return r;
  mgmt.used = from - mgmt.smfn + r.used!;
  insertSorted(st.data, { smfn, emfn, mgmtSmfn: from, mgmtEmfn: mgmt.smfn + mgmt.used });
  return { result: '0', written: r.written };
}

/** `pmem_setup`: the type decides; MGMT needs mgmt_{s,e}mfn = {s,e}mfn. */
export function pmemSetup(st: XenState, mem: PhysMem | undefined, s: PmemSetup): CallOutcome {
  if (s.type === PMEM_REGION_TYPE.MGMT) {
    if (s.smfn !== s.mgmtSmfn || s.emfn !== s.mgmtEmfn) return e('EINVAL', 'pmem_setup: a MGMT region must name itself as its management range');
    return setupMgmt(st, mem, s.smfn, s.emfn);
  }
  if (s.type === PMEM_REGION_TYPE.DATA) return setupData(st, mem, s.smfn, s.emfn, s.mgmtSmfn, s.mgmtEmfn);
  return e('EINVAL', `pmem_setup: unknown region type ${s.type}`);
}

/** `pmem_do_sysctl` for the commands that need no guest buffer; `err` = -rc as the caller sees it. */
export function nvdimmSysctl(st: XenState, mem: PhysMem | undefined, cmd: number, u: { pmem_setup?: PmemSetup; pmem_regions_nr?: { type: number } }): CallOutcome & { numRegions?: number } {
  if (cmd === XEN_SYSCTL_nvdimm_pmem_setup && u.pmem_setup) return pmemSetup(st, mem, u.pmem_setup);
  if (cmd === XEN_SYSCTL_nvdimm_pmem_get_regions_nr && u.pmem_regions_nr) {
    const t = u.pmem_regions_nr.type;
    const n = t === PMEM_REGION_TYPE.RAW ? st.raw.length : t === PMEM_REGION_TYPE.MGMT ? st.mgmt.length : t === PMEM_REGION_TYPE.DATA ? st.data.length : undefined;
    return n === undefined ? e('EINVAL', `unknown region type ${t}`) : { result: '0', written: 0n, numRegions: n };
  }
  if (cmd === XEN_SYSCTL_nvdimm_pmem_get_regions) return e('EINVAL', 'get_regions needs a guest buffer; the simulation reports regions in xen/state.json');
  return e('ENOSYS', `unknown nvdimm command ${cmd}`);
}

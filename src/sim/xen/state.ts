/**
 * What the simulated hypervisor holds between calls, and how xen/state.json shows it: the region
 * lists of the design (v1 `pmem_list`; v3/v4 raw/mgmt/data), the metadata chunks (where each
 * frame-table and M2P piece lives in pmem), Xen's virtual-map bookkeeping, every domain's
 * `iomem_caps`, and the options the run uses (specs/sim.md §6).
 */
import type { XenpfPmemAdd } from '../../xen/hypercalls/index.js';
import { Rangeset } from './rangeset.js';
import type { MetaChunk, MetadataLayout, VirtualMaps } from './metadataLayout.js';

export type CheckOrder = 'checks-first' | 'code';
/** v1 `iomem_deny_access(d, rsv_spfn, rsv_epfn)` passes the half-open end as the inclusive one. */
export type IomemEnd = 'code' | 'exclusive';
/** v4 `check_overlap` misses a new range that strictly contains an old one; `strict` does not. */
export type OverlapRule = 'code' | 'strict';

export interface XenOptions {
  layout: MetadataLayout;
  order: CheckOrder;
  iomemEnd: IomemEnd;
  overlap: OverlapRule;
}

export const DEFAULT_XEN_OPTIONS: XenOptions = { layout: 'formula', order: 'checks-first', iomemEnd: 'code', overlap: 'code' };

/** v1 `struct pmem` (xen/arch/x86/pmem.c), plus where its reserved-area cursor ended. */
export interface V1Region extends XenpfPmemAdd {
  /** `rsv_info.cur` after pmem_setup: pages `[rsv_spfn, cur)` hold metadata (PGC_state_inuse). */
  rsvCur: bigint;
}

export interface RawRegion {
  smfn: bigint;
  emfn: bigint;
  pxm: number;
}
export interface MgmtRegion {
  smfn: bigint;
  emfn: bigint;
  used: bigint;
}
export interface DataRegion {
  smfn: bigint;
  emfn: bigint;
  mgmtSmfn: bigint;
  mgmtEmfn: bigint;
}

export interface XenState {
  design: 'v1' | 'v3' | 'v4';
  options: XenOptions;
  maps: VirtualMaps;
  /** Every metadata chunk Xen placed in pmem, in setup order. */
  chunks: MetaChunk[];
  v1: V1Region[];
  raw: RawRegion[];
  mgmt: MgmtRegion[];
  data: DataRegion[];
  iomemCaps: Map<number, Rangeset>;
  console: string[];
}

export function newXenState(design: XenState['design'], maps: VirtualMaps, options: Partial<XenOptions> = {}): XenState {
  return { design, options: { ...DEFAULT_XEN_OPTIONS, ...options }, maps, chunks: [], v1: [], raw: [], mgmt: [], data: [], iomemCaps: new Map(), console: [] };
}

const h = (v: bigint) => `0x${v.toString(16)}`;
const big = (s: unknown) => BigInt(s as string);
const hexObj = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'bigint' ? h(v) : v]));

/** xen/state.json: frame numbers as hex strings; iomem_caps as inclusive [s, e] pairs (rangeset style). */
export function xenStateToJson(st: XenState): unknown {
  return {
    design: st.design,
    options: st.options,
    ...(st.design === 'v1' ? { regions: st.v1.map(hexObj) } : { regions: { raw: st.raw.map(hexObj), mgmt: st.mgmt.map(hexObj), data: st.data.map(hexObj) } }),
    reserved: st.chunks.map(hexObj),
    iomemCaps: Object.fromEntries([...st.iomemCaps].map(([d, r]) => [`d${d}`, r.ranges().map(([s, e]) => [h(s), h(e)])])),
    maps: {
      maxPage: h(st.maps.maxPage),
      pdxGroupValid: [...st.maps.pdxGroupValid].sort((a, b) => (a < b ? -1 : 1)).map(h),
      m2pMapped: [...st.maps.m2pMapped].sort((a, b) => (a < b ? -1 : 1)).map(h),
      compatM2pMapped: [...st.maps.compatMapped].sort((a, b) => (a < b ? -1 : 1)).map(h),
    },
  };
}

type J = Record<string, any>;
const unhex = <T>(o: J): T => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('0x') ? big(v) : v])) as T;

/** Read xen/state.json back (later stages: populate, teardown). */
export function xenStateFromJson(j: J): XenState {
  const st = newXenState(j.design, {
    maxPage: big(j.maps.maxPage),
    pdxGroupValid: new Set((j.maps.pdxGroupValid as string[]).map(big)),
    m2pMapped: new Set((j.maps.m2pMapped as string[]).map(big)),
    compatMapped: new Set((j.maps.compatM2pMapped as string[]).map(big)),
  }, j.options);
  st.chunks = (j.reserved as J[]).map((c) => unhex(c));
  if (j.design === 'v1') st.v1 = (j.regions as J[]).map((r) => unhex(r));
  else {
    st.raw = (j.regions.raw as J[]).map((r) => unhex(r));
    st.mgmt = (j.regions.mgmt as J[]).map((r) => unhex(r));
    st.data = (j.regions.data as J[]).map((r) => unhex(r));
  }
  for (const [d, rs] of Object.entries(j.iomemCaps as Record<string, [string, string][]>)) st.iomemCaps.set(Number(d.slice(1)), new Rangeset('I/O Memory', rs.map(([s, e]) => [big(s), big(e)] as const)));
  return st;
}

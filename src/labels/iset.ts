/**
 * Namespaces across every DIMM of an interleave set (a multi-DIMM pmem region), the way Linux
 * creates, deletes and assembles them:
 *
 * - the region's mappings are the NFIT memdevs of the SPA range in table order
 *   (drivers/acpi/nfit/core.c acpi_nfit_register_region); mapping i's label gets `position = i`
 *   and `nlabel = mappings` (drivers/nvdimm/label.c __pmem_label_update(..., pos = i, ...));
 * - the cookie is the set's (acpi_nfit_init_interleave_set): cookie1 under a v1.1 index, cookie2
 *   otherwise (nd_region_interleave_set_cookie);
 * - an update runs nd_pmem_namespace_label_update: the UPDATING pass on mapping 0, 1, ... n-1,
 *   then the final pass on mapping 0 .. n-1; a delete runs del_labels on mapping 0 .. n-1;
 * - reading follows namespace_devs.c scan_labels → create_namespace_pmem → has_uuid_at_pos /
 *   select_pmem_id: only DIMM 0's labels start a namespace; every position 0..n-1 must be found
 *   (on any DIMM, one label per uuid per DIMM, matching cookie, type GUID and nlabel) or
 *   create_namespace_pmem fails with -EINVAL, which makes scan_labels fail and the whole region
 *   fail to probe (nd_region_register_namespaces → -ENODEV): no namespace of the region appears.
 *
 * Every write is yielded in order with the DIMM it goes to, so crash points across DIMMs can be
 * enumerated (test/labels/iset.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { NvError } from '../core/errors.js';
import type { Finding } from '../core/schema/index.js';
import { readLabelArea, labelUuid, expectedCookie, namespacesOf, type AreaView, type DimmSet, type LiveLabel } from './area.js';
import { interleaveSetCookies, type SetCookies, type SetMember } from './cookie.js';
import { freeSlotCount } from './indexBlock.js';
import { CLAIM_CLASS_GUIDS, FLAG_UPDATING, PMEM_TYPE_GUID, claimClassOf, type ClaimClass, type LabelV11, type LabelV12 } from './label.js';
import {
  alignDown, alignUp, applyWrite, checkName, collectWrites, deleteNamespace, freeExtents, labelUpdatePasses, repairArea, requireCurrent, type Extent, type MediaWrite,
  type NewNamespace, type RepairReport,
} from './update.js';
import { labellessNamespaceJson, modeOf, type ListNamespaceJson, type NamespaceJsonBase } from './ndctlJson.js';

/** One DIMM of the set: its identity (for the cookie) and its mapping of the SPA range. */
export interface SetDimm {
  member: SetMember;
  /** memdev Address (the DIMM's first DPA of the range) and Region Size. */
  dpaStart: bigint;
  dpaSize: bigint;
  /** How to name it in messages: `0x1` (NFIT device handle), `nv0` (platform id)... */
  name: string;
  handle?: number;
}

export interface InterleaveSet {
  /** Linux's nd_region mappings, in NFIT memdev order: mapping i writes `position = i`. */
  dimms: SetDimm[];
  cookies: SetCookies;
  /** Region align (region_devs.c default_align): namespace sizes are multiples of it. */
  align: bigint;
}

const MiB16 = 16n << 20n;
const PAGE = 4096n;

/**
 * region_devs.c default_align: 16 MiB (MEMREMAP_COMPAT_ALIGN_MAX), PAGE_SIZE when the region is
 * smaller than that, times the number of mappings when it does not divide evenly.
 */
export function regionDefaultAlign(mappings: number, regionSize: bigint): bigint {
  let align = regionSize < MiB16 ? PAGE : MiB16;
  const n = BigInt(Math.max(1, mappings));
  if (align % n !== 0n) align *= n;
  return align;
}

export function makeInterleaveSet(dimms: readonly SetDimm[], align?: bigint): InterleaveSet {
  if (dimms.length === 0) throw new NvError('label-area', 'set', undefined, 'an interleave set needs at least one DIMM');
  const cookies = interleaveSetCookies(dimms.map((d) => d.member));
  const size = dimms.reduce((n, d) => n + d.dpaSize, 0n);
  return { dimms: [...dimms], cookies, align: align ?? regionDefaultAlign(dimms.length, size) };
}

/** What one DIMM of the set needs for the single-area engine: position = its mapping index. */
export function dimmSetFor(set: InterleaveSet, i: number): DimmSet {
  const d = set.dimms[i];
  if (!d) throw new NvError('label-area', 'set', undefined, `the set has no DIMM ${i}`);
  return {
    cookie1: set.cookies.cookie1, cookie2: set.cookies.cookie2, altcookie: set.cookies.altcookie,
    mappings: set.dimms.length, position: i, dpaStart: d.dpaStart, dpaSize: d.dpaSize,
  };
}

export interface SetWrite extends MediaWrite {
  /** Which DIMM (mapping index) the write goes to. */
  dimm: number;
}

const fail = (path: string, reason: string): never => {
  throw new NvError('label-area', path, undefined, reason);
};

function checkAreas(areas: readonly Uint8Array[], set: InterleaveSet): AreaView[] {
  if (areas.length !== set.dimms.length) {
    fail('set', `the interleave set has ${set.dimms.length} DIMM(s) but ${areas.length} label area(s) were given; Linux writes a label on every DIMM of the set`);
  }
  return areas.map((a, i) => {
    const v = readLabelArea(a);
    if (v.current === undefined) fail(`dimm[${i}]`, `DIMM ${set.dimms[i]!.name} has no valid index block (${v.selection}); initialize it first (nvtool labels init)`);
    return v;
  });
}

// ---- create ------------------------------------------------------------------------------------

export interface SetCreateRequest {
  uuid?: string;
  name?: string;
  /** Namespace size (the sum over the DIMMs); a multiple of the region align. Default: the largest free extent common to every DIMM. */
  size?: bigint;
  claimClass?: keyof typeof CLAIM_CLASS_GUIDS;
  lbasize?: bigint;
}

export interface SetCreated {
  uuid: string;
  name: string;
  size: bigint;
  /** Per DIMM, in mapping order: the label written there. */
  labels: NewNamespace[];
}

/** Free extents relative to each mapping's start, intersected over the DIMMs. */
function commonFree(views: AreaView[], set: InterleaveSet): Extent[] {
  let common: Extent[] | undefined;
  set.dimms.forEach((d, i) => {
    const rel = freeExtents(views[i]!, d.dpaStart, d.dpaSize).map((e) => ({ start: e.start - d.dpaStart, end: e.end - d.dpaStart }));
    if (!common) {
      common = rel;
      return;
    }
    const out: Extent[] = [];
    for (const a of common) for (const b of rel) {
      const s = a.start > b.start ? a.start : b.start;
      const e = a.end < b.end ? a.end : b.end;
      if (e > s) out.push({ start: s, end: e });
    }
    common = out.sort((x, y) => (x.start < y.start ? -1 : 1));
  });
  return common ?? [];
}

/**
 * Create one namespace across every DIMM of the set (ndctl create-namespace on an interleaved
 * pmem region): each DIMM gets `size / n` bytes (aligned to align / n, as space_valid does) at the
 * same offset into its mapping, then nd_pmem_namespace_label_update's writes: UPDATING pass on
 * DIMM 0..n-1, final pass on DIMM 0..n-1 (each pass: label, then next index): 4·n writes.
 */
export function* createSetNamespace(areas: readonly Uint8Array[], set: InterleaveSet, req: SetCreateRequest): Generator<SetWrite, SetCreated> {
  const views = checkAreas(areas, set);
  const n = BigInt(set.dimms.length);
  const formats = new Set(views.map((v) => v.format));
  if (formats.has('cxl')) fail('set', 'CXL label areas are read-only in nvtool');
  if (formats.size > 1) fail('set', `the DIMMs' label areas mix label versions (${[...formats].join(', ')}); Linux takes the cookie from DIMM 0's index, so labels on the others would not match. Initialize them alike first`);
  const v11 = formats.has('v1.1');
  const uuid = (req.uuid ?? randomUUID()).toLowerCase();
  const name = req.name ?? '';
  checkName(name);
  const claim = req.claimClass ?? 'none';
  if (v11 && claim !== 'none') fail('claimClass', 'v1.1 labels have no claim class field (Linux records the mode in the info block only)');
  views.forEach((v, i) => {
    const { cur } = requireCurrent(v);
    const free = freeSlotCount(cur);
    if (free < 2) fail(`dimm[${i}]`, `DIMM ${set.dimms[i]!.name}: creating a namespace takes two free label slots (UPDATING, then final); ${free} free`);
    if (v.live.some((l) => labelUuid(l) === uuid)) fail('uuid', `DIMM ${set.dimms[i]!.name} already has a live label with uuid ${uuid}`);
  });
  const perAlign = set.align / n > 0n ? set.align / n : 1n;
  const common = commonFree(views, set)
    .map((e) => ({ start: alignUp(e.start, perAlign), end: alignDown(e.end, perAlign) }))
    .filter((e) => e.end > e.start);
  let share: bigint;
  let offset: bigint;
  if (req.size === undefined) {
    const best = common.reduce<Extent | undefined>((b, e) => (!b || e.end - e.start > b.end - b.start ? e : b), undefined);
    if (!best) return fail('size', `no free space of ${perAlign} bytes at the same offset on every DIMM of the set`);
    offset = best.start;
    share = best.end - best.start;
  } else {
    if (req.size <= 0n || req.size % set.align !== 0n) {
      fail('size', `size ${req.size} must be a positive multiple of the region align ${set.align} (Linux __size_store; ${n} DIMM(s), so ${set.align / n} per DIMM)`);
    }
    share = req.size / n;
    const hit = common.find((e) => e.end - e.start >= share);
    if (!hit) {
      const largest = common.reduce((m, e) => (e.end - e.start > m ? e.end - e.start : m), 0n);
      return fail('size', `no free extent of ${share} bytes per DIMM (${req.size} over ${n} DIMMs) at the same offset on every DIMM; the largest is ${largest} per DIMM (${largest * n} in all)`);
    }
    offset = hit.start;
  }
  const works = areas.map((a) => a.slice());
  const labels: NewNamespace[] = set.dimms.map((d, i) => ({
    uuid, name, dpa: d.dpaStart + offset, rawsize: share, lbasize: req.lbasize ?? 512n, claimClass: claim, nlabel: set.dimms.length, position: i,
    isetcookie: expectedCookie(views[i]!, dimmSetFor(set, i)),
  }));
  yield* labelUpdatePasses(works, labels, 0);
  return { uuid, name, size: share * n, labels };
}

// ---- delete ------------------------------------------------------------------------------------

/**
 * Delete a namespace from every DIMM of the set: del_labels on mapping 0, 1, ... n-1 (free the
 * slots of that uuid, write the next index). DIMMs without a label for the uuid are skipped
 * (Linux writes their index anyway; the live state is the same). Also removes what an interrupted
 * create or delete left behind, which Linux itself cannot (it never assembles such a namespace).
 */
export function* deleteSetNamespace(areas: readonly Uint8Array[], set: InterleaveSet, uuid: string): Generator<SetWrite, number[][]> {
  const views = checkAreas(areas, set);
  const want = uuid.toLowerCase();
  const freed: number[][] = [];
  if (!views.some((v) => v.live.some((l) => labelUuid(l) === want))) fail('uuid', `no DIMM of the set has a live label with uuid ${uuid}`);
  for (let i = 0; i < views.length; i++) {
    if (!views[i]!.live.some((l) => labelUuid(l) === want)) {
      freed.push([]);
      continue;
    }
    // The one-DIMM delete (del_labels) on this mapping, its write tagged with the DIMM.
    const gen = deleteNamespace(areas[i]!, want);
    for (let r = gen.next(); ; r = gen.next()) {
      if (r.done) {
        freed.push(r.value);
        break;
      }
      yield { ...r.value, what: `${r.value.what} (delete ${want})`, dimm: i };
    }
  }
  return freed;
}

// ---- rename / claim class / lbasize -------------------------------------------------------------

export interface SetLabelChange {
  /** New name (namespace_devs.c alt_name_store). */
  name?: string;
  /** New claim class (holder_class_store; v1.2 labels only). */
  claimClass?: keyof typeof CLAIM_CLASS_GUIDS;
  /** New lbasize (sector_size_store: 512 or 4096 for pmem). */
  lbasize?: bigint;
}

/**
 * Rename a namespace of the set, or change its claim class / lbasize, as Linux does when
 * `alt_name`, `holder_class` or `sector_size` is written: the attribute is set on the assembled
 * namespace (nspm), then nd_namespace_label_update → nd_pmem_namespace_label_update: the UPDATING
 * pass (__pmem_label_update(..., pos = i, NSLABEL_FLAG_UPDATING)) on mapping 0, 1, ... n-1, then the
 * final pass (flags 0) on mapping 0 .. n-1: 4·n writes. Every DIMM's label is rewritten from nspm,
 * as __pmem_label_update does: name, lbasize and claim class of the namespace (those of the
 * position-0 label unless changed), the set's cookie for that DIMM's index version, nlabel = n,
 * position = i, type GUID = PM, align 0, flags = UPDATING / 0; DPA and rawsize stay those of the
 * DIMM's own label (its DPA resource). Only a namespace Linux assembles (state `active`) can be
 * changed, as only such a namespace has a sysfs device to write to.
 */
export function* updateSetNamespace(areas: readonly Uint8Array[], set: InterleaveSet, uuid: string, change: SetLabelChange): Generator<SetWrite, NewNamespace[]> {
  const views = checkAreas(areas, set);
  const formats = new Set(views.map((v) => v.format));
  if (formats.has('cxl')) fail('set', 'CXL label areas are read-only in nvtool');
  if (formats.size > 1) fail('set', `the DIMMs' label areas mix label versions (${[...formats].join(', ')}); nvtool does not update such a set`);
  const want = uuid.toLowerCase();
  const sv = readInterleaveSet(areas, set);
  const ns = sv.namespaces.find((x) => x.uuid === want);
  if (!ns) {
    const elsewhere = sv.orphans.filter((o) => o.uuid === want);
    return fail('uuid', elsewhere.length
      ? `${uuid} is only an orphan label on DIMM(s) ${elsewhere.map((o) => set.dimms[o.dimm]!.name).join(', ')} (mapping 0 has no label for it): Linux never assembles it, so there is nothing to update; nvtool labels delete --uuid ${uuid} removes it`
      : `no namespace with uuid ${uuid} starts on DIMM ${set.dimms[0]!.name} (mapping 0): Linux assembles namespaces from mapping 0's labels only`);
  }
  if (ns.state !== 'active') {
    fail('uuid', `namespace ${uuid} is ${ns.state}: ${ns.reason}. Linux has no namespace device to rename or reclass, so nvtool does not update it (fix the set first: nvtool labels check / repair / delete)`);
  }
  if (change.name !== undefined) checkName(change.name);
  if (change.claimClass !== undefined && !(change.claimClass in CLAIM_CLASS_GUIDS)) fail('claimClass', `unknown claim class ${String(change.claimClass)}`);
  if (formats.has('v1.1') && change.claimClass !== undefined && change.claimClass !== 'none') {
    fail('claimClass', 'v1.1 labels have no claim class field (Linux records the mode in the info block only)');
  }
  if (change.lbasize !== undefined && change.lbasize !== 512n && change.lbasize !== 4096n) {
    fail('lbasize', `lbasize ${change.lbasize}: Linux accepts 512 or 4096 for a pmem namespace (pmem_lbasize_supported)`);
  }
  views.forEach((v, i) => {
    const { cur } = requireCurrent(v);
    const free = freeSlotCount(cur);
    // Each pass takes one free slot and frees the replaced label's slot with its index write.
    if (free < 1) fail(`dimm[${i}]`, `DIMM ${set.dimms[i]!.name}: updating a label takes a free label slot; none is free (nd_label_alloc_slot)`);
  });
  const labels: NewNamespace[] = ns.shares.map((s, i) => ({
    uuid: want, name: change.name ?? ns.name, dpa: s.dpa, rawsize: s.rawsize, lbasize: change.lbasize ?? ns.lbasize,
    claimClass: change.claimClass !== undefined ? CLAIM_CLASS_GUIDS[change.claimClass] : ns.abstractionGuid ?? 'none',
    nlabel: set.dimms.length, position: i, isetcookie: expectedCookie(views[i]!, dimmSetFor(set, i)), keep: { align: 0, typeGuid: PMEM_TYPE_GUID },
  }));
  const works = areas.map((a) => a.slice());
  yield* labelUpdatePasses(works, labels, 0);
  return labels;
}

/** Rename across the set: `updateSetNamespace(areas, set, uuid, { name })`. */
export function renameSetNamespace(areas: readonly Uint8Array[], set: InterleaveSet, uuid: string, name: string): Generator<SetWrite, NewNamespace[]> {
  return updateSetNamespace(areas, set, uuid, { name });
}

// ---- repair --------------------------------------------------------------------------------------

export interface SetRepairReport {
  /** Per DIMM (mapping order): what its own repair did (repairArea), or why it could not. */
  dimms: Array<{ dimm: number; name: string; report?: RepairReport; error?: string }>;
  /** After the repair: does Linux assemble the region, and why not. */
  regionActive: boolean;
  regionReason?: string;
  /** Set-level problems left after the repair (incomplete namespaces, orphans...), explained. */
  problems: Finding[];
}

/**
 * Repair every DIMM of the set: each damaged index block is rewritten from the DIMM's good one (or,
 * with both invalid, rebuilt from a slot scan), DIMM by DIMM in mapping order (repairArea). Then
 * the set is assembled by Linux's rules (readInterleaveSet) and what is still wrong at set level is
 * reported, never mended: a namespace with a position missing on some DIMM makes
 * create_namespace_pmem fail (-EINVAL) and with it scan_labels, so Linux probes no namespace of
 * the region; nvtool does not invent the missing label (its DPA, and whether the namespace was
 * being created or deleted, are not knowable). A label the surviving index of that DIMM does not
 * reference is pointed out when it has the missing uuid.
 */
export function* repairSet(areas: readonly Uint8Array[], set: InterleaveSet): Generator<SetWrite, SetRepairReport> {
  if (areas.length !== set.dimms.length) fail('set', `the interleave set has ${set.dimms.length} DIMM(s) but ${areas.length} label area(s) were given; repair needs every DIMM's label area to judge the set`);
  const works = areas.map((a) => a.slice());
  const out: SetRepairReport = { dimms: [], regionActive: true, problems: [] };
  for (let i = 0; i < works.length; i++) {
    const name = set.dimms[i]!.name;
    let r: { writes: MediaWrite[]; result: RepairReport };
    try {
      r = collectWrites(repairArea(works[i]!));
    } catch (e) {
      if (!(e instanceof NvError)) throw e;
      out.dimms.push({ dimm: i, name, error: e.message });
      continue;
    }
    for (const w of r.writes) {
      applyWrite(works[i]!, w);
      yield { ...w, dimm: i };
    }
    out.dimms.push({ dimm: i, name, report: r.result });
  }
  const sv = readInterleaveSet(works, set);
  out.regionActive = sv.regionActive;
  if (sv.regionReason) out.regionReason = sv.regionReason;
  out.problems = sv.findings.filter((f) => f.code.startsWith('set-'));
  for (const d of out.dimms) {
    if (d.error) out.problems.push({ severity: 'error', code: 'set-repair-failed', path: `dimm[${d.dimm}]`, message: `DIMM ${d.name}: ${d.error}; Linux sees no labels on it${d.dimm === 0 ? ' and so assembles no namespace in the region' : ''}` });
  }
  for (const ns of sv.namespaces) {
    if (ns.state !== 'incomplete') continue;
    const hints: string[] = [];
    for (const d of out.dimms) {
      for (const l of d.report?.lost ?? []) if (l.uuid === ns.uuid) hints.push(`DIMM ${d.name} slot ${l.slot} still holds a label for it that the surviving index does not reference (it may be the missing one, or a stale copy: nvtool does not put it back)`);
    }
    out.problems.push({
      severity: 'error', code: 'set-repair-incomplete', path: 'set',
      message: `namespace ${ns.uuid}${ns.name ? ` "${ns.name}"` : ''} is incomplete and repair does not invent labels: Linux will not probe the region (create_namespace_pmem -EINVAL → scan_labels fails) until it is complete or gone. Restore the missing DIMM's label area from a copy, or remove the partial labels with nvtool labels delete --uuid ${ns.uuid} over every DIMM of the set (the data on the media stays, the namespace is gone)${hints.length ? `. ${hints.join('; ')}` : ''}`,
    });
  }
  return out;
}

// ---- reading -------------------------------------------------------------------------------------

export interface SetShare {
  dimm: number;
  name: string;
  slot: number;
  position: number;
  nlabel: number;
  dpa: bigint;
  rawsize: bigint;
  flags: number;
  isetcookie: bigint;
}

export interface SetNamespace {
  uuid: string;
  name: string;
  /** Sum of the DIMMs' rawsize (create_namespace_pmem). */
  size: bigint;
  lbasize: bigint;
  claimClass?: ClaimClass;
  abstractionGuid?: string;
  isetcookie: bigint;
  /**
   * `active`: Linux assembles it. `incomplete`: a position is missing or a DIMM's label is unusable
   * (create_namespace_pmem -EINVAL: the region fails). `ignored`: Linux skips the label (cookie),
   * or the region failed because of another namespace.
   */
  state: 'active' | 'incomplete' | 'ignored';
  reason?: string;
  /** Each DIMM's share, in mapping order (DIMMs without a label for the uuid are absent). */
  shares: SetShare[];
}

export interface SetView {
  views: AreaView[];
  /** The cookie Linux expects (from DIMM 0's current index). */
  cookie?: bigint;
  /** False when scan_labels fails: Linux then shows no namespace of this region at all. */
  regionActive: boolean;
  regionReason?: string;
  namespaces: SetNamespace[];
  /** Live labels on DIMMs 1..n-1 whose uuid no DIMM-0 label has (Linux never looks at them). */
  orphans: Array<{ dimm: number; slot: number; uuid: string }>;
  /**
   * No DIMM has a valid index block: labelling is off on every mapping (nd_region_to_nstype gives
   * ND_DEVICE_NAMESPACE_IO), so the region is one raw io namespace of this size (specs/labels.md §7.1).
   */
  labelless?: { size: bigint };
  findings: Finding[];
}

type EfiLabel = { slot: number; format: 'v1.1' | 'v1.2'; value: LabelV11 & Partial<LabelV12> };

function efiLabels(v: AreaView): EfiLabel[] {
  return v.live.filter((l): l is LiveLabel & EfiLabel => l.format === 'v1.1' || l.format === 'v1.2') as EfiLabel[];
}

/** has_uuid_at_pos(nd_region, uuid, cookie, pos). */
function hasUuidAtPos(labels: EfiLabel[][], uuid: string, cookie: bigint, pos: number, n: number): boolean {
  for (const list of labels) {
    let foundUuid = false;
    for (const l of list) {
      const v = l.value;
      if (v.isetcookie !== cookie) continue;
      if (v.uuid !== uuid) continue;
      if (l.format === 'v1.2' && v.typeGuid !== PMEM_TYPE_GUID) continue;
      if (foundUuid) return false; // "duplicate entry for uuid"
      foundUuid = true;
      if (v.nlabel !== n) continue;
      if (v.position !== pos) continue;
      return true;
    }
  }
  return false;
}

/** Why position `pos` is missing, in words (nvtool's explanation of has_uuid_at_pos failing). */
function whyMissing(labels: EfiLabel[][], set: InterleaveSet, uuid: string, cookies: bigint[], pos: number): string {
  const n = set.dimms.length;
  const seen: string[] = [];
  labels.forEach((list, i) => {
    const mine = list.filter((l) => l.value.uuid === uuid);
    if (mine.length > 1) seen.push(`DIMM ${set.dimms[i]!.name} has ${mine.length} live labels with this uuid (Linux: duplicate entry for uuid)`);
    for (const l of mine) {
      if (!cookies.includes(l.value.isetcookie)) seen.push(`DIMM ${set.dimms[i]!.name} slot ${l.slot} has cookie 0x${l.value.isetcookie.toString(16)}`);
      else if (l.value.nlabel !== n) seen.push(`DIMM ${set.dimms[i]!.name} slot ${l.slot} says nlabel ${l.value.nlabel}, the set has ${n} DIMMs`);
    }
  });
  const holders = labels.map((list, i) => (list.some((l) => l.value.uuid === uuid) ? set.dimms[i]!.name : undefined)).filter(Boolean);
  return `no label for position ${pos} of ${n}; labels with this uuid are on DIMM(s) ${holders.join(', ') || 'none'}${seen.length ? ` (${seen.join('; ')})` : ''}`;
}

/**
 * Assemble the namespaces of an interleave set from its DIMMs' label areas, by Linux's scan rules
 * (see the file comment), with findings for incomplete or inconsistent sets.
 */
export function readInterleaveSet(areas: readonly Uint8Array[], set: InterleaveSet): SetView {
  if (areas.length !== set.dimms.length) fail('set', `the interleave set has ${set.dimms.length} DIMM(s) but ${areas.length} label area(s) were given`);
  const n = set.dimms.length;
  const views = areas.map((a) => readLabelArea(a));
  const findings: Finding[] = [];
  const prefix = (i: number, f: Finding): Finding => ({ ...f, path: `dimm[${i}]${f.path ? '.' + f.path : ''}`, message: `DIMM ${set.dimms[i]!.name}: ${f.message}` });
  views.forEach((v, i) => {
    for (const f of v.findings) findings.push(prefix(i, f));
    for (const f of namespacesOf(v).findings) if (f.code === 'dpa-overlap') findings.push(prefix(i, f));
    if (v.format === 'cxl') findings.push(prefix(i, { severity: 'error', code: 'set-cxl', path: '', message: 'a CXL label area: nvtool assembles EFI (v1.1/v1.2) interleave sets only' }));
  });
  const out: SetView = { views, regionActive: true, namespaces: [], orphans: [], findings };
  const labels = views.map(efiLabels);
  const v0 = views[0]!;
  if (views.every((v) => v.current === undefined)) {
    out.labelless = { size: set.dimms.reduce((t, d) => t + d.dpaSize, 0n) };
    findings.push({ severity: 'info', code: 'set-label-less', path: '', message: `no DIMM of the set has a valid index block: Linux treats them as label-less and shows one raw namespace over the whole ${out.labelless.size}-byte region` });
  } else if (v0.current === undefined) {
    // DIMM 0 has no labels: scan_labels finds nothing; Linux publishes an empty seed namespace.
    findings.push({ severity: 'info', code: 'set-no-labels', path: 'dimm[0]', message: `DIMM ${set.dimms[0]!.name} (mapping 0) has no valid index: Linux assembles no namespace in this region` });
  }
  const cookie = v0.current !== undefined ? expectedCookie(v0, dimmSetFor(set, 0)) : set.cookies.cookie2;
  const alt = set.cookies.altcookie;
  out.cookie = cookie;
  const d0 = set.dimms[0]!;
  const made = new Set<string>();
  let failure: string | undefined;
  for (const l0 of labels[0]!) {
    const v = l0.value;
    if (v.dpa < d0.dpaStart || v.dpa > d0.dpaStart + d0.dpaSize - 1n) {
      findings.push({ severity: 'warning', code: 'set-outside', path: `dimm[0].label[${l0.slot}]`, message: `DIMM ${d0.name} slot ${l0.slot} (${v.uuid}) starts at DPA 0x${v.dpa.toString(16)}, outside the DIMM's mapping: Linux skips it (scan_labels)` });
      continue;
    }
    if (made.has(v.uuid)) {
      failure ??= `two labels for ${v.uuid} on DIMM ${d0.name} (add_namespace_resource: conflicting extents)`;
      continue;
    }
    made.add(v.uuid);
    const ns: SetNamespace = {
      uuid: v.uuid, name: v.name, size: 0n, lbasize: v.lbasize, isetcookie: v.isetcookie, state: 'active', shares: [],
    };
    out.namespaces.push(ns);
    if (v.isetcookie !== cookie && !(v.isetcookie === alt && alt !== 0n)) {
      ns.state = 'ignored';
      ns.reason = `its cookie 0x${v.isetcookie.toString(16)} is not the set's 0x${cookie.toString(16)}: Linux skips the label (create_namespace_pmem -EAGAIN)`;
      findings.push({ severity: 'warning', code: 'set-cookie', path: `dimm[0].label[${l0.slot}]`, message: `namespace ${v.uuid}: ${ns.reason}` });
      continue;
    }
    let missing = -1;
    for (let pos = 0; pos < n; pos++) {
      if (hasUuidAtPos(labels, v.uuid, cookie, pos, n) || hasUuidAtPos(labels, v.uuid, alt, pos, n)) continue;
      missing = pos;
      break;
    }
    // select_pmem_id: each mapping's first label with the uuid, inside its mapping.
    const selected: Array<EfiLabel | undefined> = labels.map((list) => list.find((l) => l.value.uuid === v.uuid));
    selected.forEach((l, i) => {
      if (!l) return;
      ns.shares.push({
        dimm: i, name: set.dimms[i]!.name, slot: l.slot, position: l.value.position, nlabel: l.value.nlabel, dpa: l.value.dpa, rawsize: l.value.rawsize,
        flags: l.value.flags, isetcookie: l.value.isetcookie,
      });
    });
    if (missing >= 0) {
      ns.state = 'incomplete';
      ns.reason = `${whyMissing(labels, set, v.uuid, [cookie, alt], missing)}. Linux gives up: create_namespace_pmem fails (-EINVAL, "missing label"), so scan_labels fails and the region shows no namespace at all. An update interrupted between DIMMs leaves this; nvtool labels delete --uuid ${v.uuid} on the whole set removes the partial labels`;
      failure ??= `namespace ${v.uuid} is incomplete`;
      findings.push({ severity: 'error', code: 'set-incomplete', path: `dimm[0].label[${l0.slot}]`, message: `namespace ${v.uuid}: ${ns.reason}` });
      continue;
    }
    let bad: string | undefined;
    selected.forEach((l, i) => {
      const d = set.dimms[i]!;
      if (bad) return;
      if (!l) {
        bad = `DIMM ${d.name} has no label for it`;
        return;
      }
      const s = l.value.dpa;
      const e = s + l.value.rawsize;
      if (!(s >= d.dpaStart && s < d.dpaStart + d.dpaSize && e <= d.dpaStart + d.dpaSize && e > d.dpaStart)) {
        bad = `DIMM ${d.name} slot ${l.slot} covers DPA [0x${s.toString(16)}, 0x${e.toString(16)}), outside the DIMM's mapping [0x${d.dpaStart.toString(16)}, 0x${(d.dpaStart + d.dpaSize).toString(16)}) (select_pmem_id: invalid label)`;
      }
    });
    if (bad) {
      ns.state = 'incomplete';
      ns.reason = `${bad}. Linux gives up on the region (create_namespace_pmem -EINVAL)`;
      failure ??= `namespace ${v.uuid}: ${bad}`;
      findings.push({ severity: 'error', code: 'set-invalid-share', path: `dimm[0].label[${l0.slot}]`, message: `namespace ${v.uuid}: ${ns.reason}` });
      continue;
    }
    ns.size = ns.shares.reduce((t, s) => t + s.rawsize, 0n);
    const p0 = selected.find((l) => l!.value.position === 0)!.value;
    ns.name = p0.name;
    ns.lbasize = p0.lbasize;
    if (p0.abstractionGuid !== undefined) {
      ns.abstractionGuid = p0.abstractionGuid;
      ns.claimClass = claimClassOf(p0.abstractionGuid);
    }
    // Consistency Linux does not check but the SPA layout assumes (nd_namespace_pmem_set_resource
    // takes the offset from DIMM 0 only, times the number of DIMMs).
    const sizes = new Set(ns.shares.map((s) => s.rawsize));
    if (sizes.size > 1) findings.push({ severity: 'warning', code: 'set-uneven', path: `dimm[0].label[${l0.slot}]`, message: `namespace ${v.uuid}: the DIMMs' shares differ (${ns.shares.map((s) => `${s.name}: ${s.rawsize}`).join(', ')}); Linux adds them up but interleaves the SPA range evenly` });
    const offs = new Set(ns.shares.map((s) => s.dpa - set.dimms[s.dimm]!.dpaStart));
    if (offs.size > 1) findings.push({ severity: 'warning', code: 'set-offsets', path: `dimm[0].label[${l0.slot}]`, message: `namespace ${v.uuid}: the shares start at different offsets into their mappings; Linux computes the namespace's SPA offset from DIMM ${d0.name}'s alone` });
    const names = new Set(ns.shares.map((s) => labels[s.dimm]!.find((l) => l.slot === s.slot)!.value.name));
    if (names.size > 1) findings.push({ severity: 'info', code: 'set-names', path: `dimm[0].label[${l0.slot}]`, message: `namespace ${v.uuid}: the DIMMs' labels carry different names; Linux shows the position-0 label's "${ns.name}"` });
    const upd = ns.shares.filter((s) => s.flags & FLAG_UPDATING);
    if (upd.length) findings.push({ severity: 'warning', code: 'set-updating', path: `dimm[0].label[${l0.slot}]`, message: `namespace ${v.uuid}: UPDATING is still set on DIMM(s) ${upd.map((s) => s.name).join(', ')}: an update stopped after every DIMM had its first pass; Linux uses the labels as they are` });
  }
  for (let i = 1; i < n; i++) {
    for (const l of labels[i]!) {
      if (made.has(l.value.uuid)) continue;
      out.orphans.push({ dimm: i, slot: l.slot, uuid: l.value.uuid });
      findings.push({ severity: 'warning', code: 'set-orphan', path: `dimm[${i}].label[${l.slot}]`, message: `DIMM ${set.dimms[i]!.name} slot ${l.slot} has a label for ${l.value.uuid} that DIMM ${d0.name} (mapping 0) does not have: Linux never assembles it (scan_labels walks mapping 0's labels) but its DPA range stays reserved. A delete interrupted between DIMMs leaves this; nvtool labels delete --uuid ${l.value.uuid} removes it` });
    }
  }
  if (failure) {
    out.regionActive = false;
    out.regionReason = `${failure}: scan_labels fails, so Linux assembles no namespace in this region (the region does not probe)`;
    for (const ns of out.namespaces) {
      if (ns.state !== 'active') continue;
      ns.state = 'ignored';
      ns.reason = `complete, but ${out.regionReason}`;
    }
  }
  return out;
}

/**
 * What a reader can observe of the set (region state and assembled namespaces, not slots or the
 * transient UPDATING flag). Crash tests compare states through this.
 */
export function logicalSetView(areas: readonly Uint8Array[], set: InterleaveSet): string {
  const sv = readInterleaveSet(areas, set);
  const rows = sv.namespaces.map((ns) =>
    [ns.uuid, JSON.stringify(ns.name), ns.size, ns.lbasize, ns.isetcookie, ns.abstractionGuid ?? '-', ns.state,
      ns.shares.map((s) => `${s.dimm}:${s.position}/${s.nlabel}@${s.dpa}+${s.rawsize}:${s.flags & ~FLAG_UPDATING}`).join(',')].join(' '),
  );
  return [`region ${sv.regionActive ? 'active' : 'failed'}`, ...rows.sort()].join('\n');
}

/** `ndctl list -N` fields for the assembled namespaces, once per namespace, with each DIMM's share. */
export interface SetNamespaceJson extends NamespaceJsonBase {
  interleave_ways: number;
  isetcookie: bigint;
  state: SetNamespace['state'];
  dimms: Array<{ dimm: string; position: number; dpa: bigint; raw_size: bigint; slot: number }>;
}

export function listSetNamespacesJson(sv: SetView, set: InterleaveSet): Array<SetNamespaceJson | ListNamespaceJson> {
  if (sv.labelless) return [labellessNamespaceJson(sv.labelless.size)];
  return sv.namespaces.map((ns) => {
    const mode = modeOf(ns);
    const raw = mode === 'raw';
    return {
      mode,
      ...(raw ? { size: ns.size, uuid: ns.uuid } : { raw_uuid: ns.uuid }),
      ...(mode !== 'devdax' ? { sector_size: Number(ns.lbasize === 0n ? 512n : ns.lbasize) } : {}),
      ...(ns.name ? { name: ns.name } : {}),
      raw_size: ns.size,
      ...(ns.claimClass ? { claim_class: ns.claimClass } : {}),
      interleave_ways: set.dimms.length,
      isetcookie: ns.isetcookie,
      state: ns.state,
      ...(ns.reason ? { reason: ns.reason } : {}),
      dimms: ns.shares.map((s) => ({ dimm: s.name, position: s.position, dpa: s.dpa, raw_size: s.rawsize, slot: s.slot })),
    };
  });
}

/** Apply set writes to their areas (in memory). */
export function applySetWrite(areas: Uint8Array[], w: SetWrite): void {
  applyWrite(areas[w.dimm]!, w);
}

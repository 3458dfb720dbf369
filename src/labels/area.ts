/**
 * The label-area engine, read side: Linux's semantics in one place (drivers/nvdimm/label.c
 * nd_label_validate/__nd_label_validate, best_seq, nd_label_active; namespace_devs.c scan rules).
 * Everything here is a pure function of the area bytes (and, for namespace grouping, of what the
 * platform says about the DIMM). Selection returns reasons, not a boolean (style.md 13).
 */
import { fletcher64 } from '../core/checksum/fletcher64.js';
import { guidFromString, guidToString } from '../core/guid.js';
import { isNvError } from '../core/errors.js';
import { decodeStruct, type Finding } from '../core/schema/index.js';
import { geometryFor, slotOffset, INDEX_HEADER_SIZE, LABEL_AREA_MIN_SIZE, type Geometry, type LabelSize } from './geometry.js';
import { NSINDEX_SIGNATURE, bitmapBytes, indexBlockStruct, isFree, nextSeq, type IndexBlock } from './indexBlock.js';
import {
  CXL_NAMESPACE_TYPE, CXL_REGION_TYPE, FLAG_UPDATING, PMEM_TYPE_GUID, claimClassOf, cxlNamespaceLabel, cxlOtherLabel,
  cxlRegionLabel, labelV11, labelV12, type ClaimClass, type CxlNamespaceLabel, type CxlOtherLabel, type CxlRegionLabel,
  type LabelV11, type LabelV12,
} from './label.js';

/** The checks of __nd_label_validate, in Linux's order. */
export const INDEX_CHECKS = ['signature', 'labelsize', 'checksum', 'seq', 'myoff', 'otheroff', 'labeloff', 'mysize', 'nslot'] as const;
export type IndexCheckName = (typeof INDEX_CHECKS)[number];

export interface IndexCheck {
  index: 0 | 1;
  /** Offset of the block in the area (i·S). */
  offset: number;
  valid: boolean;
  /** The first check that failed (Linux stops there). */
  failed?: IndexCheckName;
  reason?: string;
  /** The block decoded (whatever it holds). */
  value: IndexBlock;
}

export type LabelFormat = 'v1.1' | 'v1.2' | 'cxl';

export type LiveLabel =
  | { slot: number; format: 'v1.1'; value: LabelV11 }
  | { slot: number; format: 'v1.2'; value: LabelV12 }
  | { slot: number; format: 'cxl-namespace'; value: CxlNamespaceLabel }
  | { slot: number; format: 'cxl-region'; value: CxlRegionLabel }
  | { slot: number; format: 'cxl-other'; value: CxlOtherLabel };

export interface Probe {
  labelSize: LabelSize;
  geometry?: Geometry;
  checks: IndexCheck[];
}

export interface AreaView {
  configSize: number;
  /** Every label size tried, in Linux's order (128 then 256), up to the one that validated. */
  probes: Probe[];
  /** Geometry of the label size that validated. */
  geometry?: Geometry;
  format?: LabelFormat;
  /** Both blocks as checked under the winning (or, with none valid, the last) label size. */
  checks: IndexCheck[];
  current?: 0 | 1;
  /** Linux's next index: (current + 1) % 2. */
  next?: 0 | 1;
  /** Why that index is current, in words. */
  selection: string;
  /** Slots in use (free bit clear) whose labels Linux accepts. */
  live: LiveLabel[];
  findings: Finding[];
}

const AREA = 'label-area';

function u8at(b: Uint8Array, off: number, n: number): Uint8Array {
  return b.subarray(off, off + n);
}

/** The type uuid a CXL label starts with (its first field in every CXL label declaration). */
function labelUuid16(bytes: Uint8Array): string {
  const at = cxlRegionLabel.offsetOf('type');
  return guidToString(bytes.subarray(at, at + cxlRegionLabel.offsetOf('uuid') - at), 'rfc');
}

/** One index block checked as __nd_label_validate does for label size `g.labelSize`. */
export function checkIndex(area: Uint8Array, i: 0 | 1, g: Geometry): IndexCheck {
  const S = g.indexSize;
  const offset = i * S;
  const block = u8at(area, offset, S);
  const value = decodeStruct(indexBlockStruct(S), block, { format: 'label-index', base: offset }).value;
  const fail = (failed: IndexCheckName, reason: string): IndexCheck => ({ index: i, offset, valid: false, failed, reason, value });
  const sig = new TextEncoder().encode(NSINDEX_SIGNATURE + '\0');
  if (!sig.every((c, k) => block[k] === c)) return fail('signature', 'signature is not "NAMESPACE_INDEX\\0"');
  const version = value.major * 100 + value.minor;
  const lsize = version >= 102 ? (value.labelsize <= 24 ? 1 << (7 + value.labelsize) : -1) : 128;
  if (lsize !== g.labelSize) {
    return fail('labelsize', `version ${value.major}.${value.minor} with labelsize byte ${value.labelsize} means ${lsize > 0 ? lsize : 'invalid'}-byte labels, not ${g.labelSize}`);
  }
  const sum = fletcher64(block, 64);
  if (sum !== value.checksum) return fail('checksum', `checksum is 0x${value.checksum.toString(16)}, the ${S} bytes need 0x${sum.toString(16)}`);
  if ((value.seq & 3) === 0) return fail('seq', `sequence number 0x${value.seq.toString(16)} has low bits 0`);
  if (value.myoff !== BigInt(offset)) return fail('myoff', `myoff is 0x${value.myoff.toString(16)}, expected 0x${offset.toString(16)}`);
  if (value.otheroff !== BigInt((1 - i) * S)) return fail('otheroff', `otheroff is 0x${value.otheroff.toString(16)}, expected 0x${((1 - i) * S).toString(16)}`);
  if (value.labeloff !== BigInt(2 * S)) return fail('labeloff', `labeloff is 0x${value.labeloff.toString(16)}, expected 0x${(2 * S).toString(16)} (checked by Linux 4.15+, not by ndctl)`);
  if (value.mysize > BigInt(S) || value.mysize < BigInt(INDEX_HEADER_SIZE)) return fail('mysize', `mysize ${value.mysize} is outside ${INDEX_HEADER_SIZE}..${S}`);
  if (value.nslot * g.labelSize + 2 * S > g.configSize) return fail('nslot', `${value.nslot} slots of ${g.labelSize} bytes do not fit in ${g.configSize} bytes`);
  return { index: i, offset, valid: true, value };
}

/** best_seq(a, b) of label.c: the newer of two sequence numbers, cyclically. */
export function bestSeq(a: number, b: number): number {
  a &= 3;
  b &= 3;
  if (a === 0 || a === b) return b;
  if (b === 0) return a;
  if (nextSeq(a) === b) return b;
  return a;
}

/** Which of two checked blocks is current, and why (nd_label_validate's switch on num_valid). */
export function selectCurrent(checks: readonly IndexCheck[]): { current?: 0 | 1; selection: string } {
  const valid = checks.filter((c) => c.valid);
  if (valid.length === 0) return { selection: 'no valid index block: Linux sees no labels (the DIMM is label-less until initialized)' };
  if (valid.length === 1) {
    const c = valid[0]!;
    const o = checks.find((x) => x.index !== c.index);
    return { current: c.index, selection: `index ${c.index} is current: it is the only valid block (index ${o?.index} fails its ${o?.failed} check)` };
  }
  const s0 = checks[0]!.value.seq;
  const s1 = checks[1]!.value.seq;
  const best = bestSeq(s0, s1);
  const current: 0 | 1 = best === (s1 & 3) ? 1 : 0;
  const why =
    (s0 & 3) === (s1 & 3)
      ? `both blocks have sequence ${s0 & 3}; on a tie Linux takes index 1`
      : `sequence ${best} follows ${current === 1 ? s0 & 3 : s1 & 3} in the cycle 1 → 2 → 3 → 1`;
  return { current, selection: `index ${current} is current: ${why}` };
}

export function formatOf(ix: IndexBlock, labelSize: LabelSize): LabelFormat {
  if (ix.major === 2) return 'cxl';
  return labelSize === 128 ? 'v1.1' : 'v1.2';
}

/** Decode the label in `slot` in the shape the area's format gives it (never throws for in-range slots). */
export function decodeSlot(area: Uint8Array, g: Geometry, format: LabelFormat, slot: number): LiveLabel {
  const off = slotOffset(g, slot);
  const bytes = u8at(area, off, g.labelSize);
  if (format === 'v1.1') return { slot, format, value: decodeStruct(labelV11, bytes, { base: off }).value };
  if (format === 'v1.2') return { slot, format, value: decodeStruct(labelV12, bytes, { base: off }).value };
  const type = labelUuid16(bytes);
  if (type === CXL_REGION_TYPE) return { slot, format: 'cxl-region', value: decodeStruct(cxlRegionLabel, bytes, { base: off }).value };
  if (type === CXL_NAMESPACE_TYPE) return { slot, format: 'cxl-namespace', value: decodeStruct(cxlNamespaceLabel, bytes, { base: off }).value };
  return { slot, format: 'cxl-other', value: decodeStruct(cxlOtherLabel, bytes, { base: off }).value };
}

/** slot_valid(): the label says it is in this slot and (v1.2, CXL) its checksum holds. */
export function slotProblem(area: Uint8Array, g: Geometry, format: LabelFormat, slot: number): string | undefined {
  const off = slotOffset(g, slot);
  const bytes = u8at(area, off, g.labelSize);
  // The slot and checksum fields where this label's declaration puts them (a CXL region label has its own layout).
  const S = format === 'v1.1' ? labelV11 : format === 'v1.2' ? labelV12 : labelUuid16(bytes) === CXL_REGION_TYPE ? cxlRegionLabel : cxlNamespaceLabel;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = dv.getUint32((S as typeof labelV11).offsetOf('slot'), true);
  if (stored !== slot) return `its slot field says ${stored}`;
  if (S !== labelV11) {
    const at = (S as typeof labelV12).offsetOf('checksum');
    const sum = fletcher64(bytes, at);
    const have = dv.getBigUint64(at, true);
    if (sum !== have) return `checksum is 0x${have.toString(16)}, the bytes need 0x${sum.toString(16)}`;
  }
  return undefined;
}

function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Read a label storage area as Linux does: probe 128- then 256-byte labels, check both index
 * blocks in Linux's order, pick the current one, walk its free bitmap for live labels.
 */
export function readLabelArea(area: Uint8Array): AreaView {
  const findings: Finding[] = [];
  const configSize = area.length;
  const probes: Probe[] = [];
  const view: AreaView = { configSize, probes, checks: [], selection: '', live: [], findings };
  if (configSize < LABEL_AREA_MIN_SIZE) {
    findings.push({ severity: 'error', code: 'area-too-small', path: '', message: `a label area needs at least ${LABEL_AREA_MIN_SIZE} bytes (Linux ND_LABEL_MIN_SIZE); this one has ${configSize}` });
    view.selection = 'no labels: the area is too small';
    return view;
  }
  for (const L of [128, 256] as const) {
    const g = geometryFor(configSize, L);
    if (!g) {
      probes.push({ labelSize: L, checks: [] });
      continue;
    }
    const checks = [checkIndex(area, 0, g), checkIndex(area, 1, g)];
    probes.push({ labelSize: L, geometry: g, checks });
    view.checks = checks;
    if (checks.some((c) => c.valid)) {
      view.geometry = g;
      break;
    }
  }
  const sel = selectCurrent(view.checks);
  view.selection = sel.selection;
  if (sel.current === undefined || !view.geometry) {
    const empty = isAllZero(area.subarray(0, Math.min(area.length, LABEL_AREA_MIN_SIZE)));
    findings.push({
      severity: empty ? 'info' : 'error', code: 'no-valid-index', path: '',
      message: empty ? 'the area starts with zeros: never initialized (no labels)' : describeNoValid(probes),
    });
    return view;
  }
  const g = view.geometry;
  view.current = sel.current;
  view.next = ((sel.current + 1) % 2) as 0 | 1;
  const cur = view.checks[sel.current]!;
  const other = view.checks[view.next]!;
  view.format = formatOf(cur.value, g.labelSize);
  findings.push({ severity: 'info', code: 'current-index', path: `index[${sel.current}]`, offset: cur.offset, message: `${sel.selection}; ${describeVersion(cur.value, g)}` });
  if (!other.valid) {
    findings.push({ severity: 'warning', code: 'index-invalid', path: `index[${other.index}]`, offset: other.offset, message: `index ${other.index} is not valid (${other.reason}); Linux works from index ${cur.index} alone and rewrites index ${other.index} at its next update (nvtool labels repair does it now)` });
  } else if (nextSeq(other.value.seq) !== (cur.value.seq & 3)) {
    findings.push({ severity: 'warning', code: 'seq-not-consecutive', path: `index[${other.index}]`, offset: other.offset, message: `index sequence numbers ${checksSeq(view.checks)} are not consecutive in the cycle 1 → 2 → 3 → 1 (Linux writes them so); ${sel.selection}` });
  } else {
    findings.push({ severity: 'info', code: 'previous-index', path: `index[${other.index}]`, offset: other.offset, message: `index ${other.index} (sequence ${other.value.seq & 3}) holds the previous state; the next update overwrites it` });
  }
  if (other.valid && other.value.nslot !== cur.value.nslot) {
    findings.push({ severity: 'warning', code: 'nslot-differs', path: `index[${other.index}].nslot`, message: `the index blocks disagree on nslot (${cur.value.nslot} vs ${other.value.nslot})` });
  }
  if (cur.value.nslot !== g.nslot) {
    findings.push({ severity: 'info', code: 'nslot-geometry', path: `index[${cur.index}].nslot`, message: `nslot ${cur.value.nslot} differs from the ${g.nslot} slots Linux computes for this area size (older kernels sized it differently)` });
  }
  checkBitmapTail(cur, g, findings);
  const nslot = cur.value.nslot;
  const bm = cur.value.free;
  for (let slot = 0; slot < nslot; slot++) {
    if (slot >= bm.length * 8) {
      findings.push({ severity: 'error', code: 'bitmap-short', path: `index[${cur.index}].free`, message: `nslot ${nslot} needs ${Math.ceil(nslot / 8)} bitmap bytes but the block holds ${bm.length}` });
      break;
    }
    if (isFree(bm, slot)) continue;
    const problem = slotProblem(area, g, view.format, slot);
    if (problem) {
      findings.push({ severity: 'error', code: 'bad-label', path: `label[${slot}]`, offset: slotOffset(g, slot), message: `slot ${slot} is in use by index ${cur.index} but ${problem}; Linux skips this label (slot_valid)` });
      continue;
    }
    view.live.push(decodeSlot(area, g, view.format, slot));
  }
  for (const l of view.live) {
    if ((l.value as { flags?: number }).flags !== undefined && ((l.value as { flags: number }).flags & FLAG_UPDATING) !== 0) {
      findings.push({ severity: 'warning', code: 'updating', path: `label[${l.slot}].flags`, offset: slotOffset(g, l.slot), message: `live label in slot ${l.slot} still has UPDATING set: an update was interrupted after its first index write (Linux still uses the label)` });
    }
  }
  checkLeftovers(area, view, findings);
  return view;
}

function checksSeq(checks: IndexCheck[]): string {
  return checks.map((c) => c.value.seq & 3).join(' and ');
}

function describeVersion(ix: IndexBlock, g: Geometry): string {
  return `version ${ix.major}.${ix.minor}, ${g.labelSize}-byte labels, ${ix.nslot} slots, index blocks of ${g.indexSize} bytes`;
}

function describeNoValid(probes: Probe[]): string {
  const parts = probes.map((p) =>
    p.geometry
      ? `as ${p.labelSize}-byte labels: ${p.checks.map((c) => `index ${c.index} ${c.reason}`).join('; ')}`
      : `as ${p.labelSize}-byte labels: the area is too small`,
  );
  return `no valid index block, so Linux sees no labels (${parts.join(' | ')})`;
}

/** Bits past nslot must be zero per the struct comment; Linux clears them, ndctl init-labels leaves them set. */
function checkBitmapTail(cur: IndexCheck, g: Geometry, findings: Finding[]): void {
  const { free, nslot } = cur.value;
  let set = 0;
  for (let bit = nslot; bit < free.length * 8; bit++) if (isFree(free, bit)) set++;
  let padSet = 0;
  // ndctl sets ALIGN(nslot, 64)/8 bytes; those past the bitmap's ceil(nslot/8) are in `pad`.
  const extra = Math.min(cur.value.pad.length, Math.ceil(nslot / 64) * 8 - bitmapBytes(g.indexSize, nslot));
  for (let i = 0; i < Math.max(0, extra); i++) if (cur.value.pad[i] !== 0) padSet++;
  if (set || padSet) {
    findings.push({ severity: 'info', code: 'bitmap-tail', path: `index[${cur.index}].free`, message: `free-bitmap bits past slot ${nslot - 1} are set (${set} bit(s)${padSet ? `, ${padSet} padding byte(s)` : ''}): ndctl init-labels leaves them so; Linux ignores them` });
  }
}

/** Labels sitting in free slots: leftovers of earlier updates (ndctl read-labels -j still prints them). */
function checkLeftovers(area: Uint8Array, view: AreaView, findings: Finding[]): void {
  const g = view.geometry!;
  const cur = view.checks[view.current!]!;
  const liveUuids = new Set(view.live.map((l) => labelUuid(l)));
  let count = 0;
  for (let slot = 0; slot < cur.value.nslot && slot < cur.value.free.length * 8; slot++) {
    if (!isFree(cur.value.free, slot)) continue;
    const bytes = area.subarray(slotOffset(g, slot), slotOffset(g, slot) + g.labelSize);
    if (isAllZero(bytes) || slotProblem(area, g, view.format!, slot)) continue;
    const l = decodeSlot(area, g, view.format!, slot);
    if (liveUuids.has(labelUuid(l))) continue;
    count++;
    findings.push({ severity: 'info', code: 'free-slot-label', path: `label[${slot}]`, offset: slotOffset(g, slot), message: `free slot ${slot} holds a well-formed label for ${labelUuid(l)} that no live label has: a deleted namespace, or one the other index block knew` });
  }
  void count;
}

export function labelUuid(l: LiveLabel): string {
  return 'uuid' in l.value ? l.value.uuid : '';
}

// ---- namespaces -------------------------------------------------------------------------------

/** What the platform says about this DIMM's interleave set; without it the cookie is not checked. */
export interface DimmSet {
  cookie1: bigint;
  cookie2: bigint;
  altcookie: bigint;
  /** DIMMs in the set (labels must say nlabel = this). */
  mappings: number;
  /** This DIMM's position. */
  position: number;
  /** First DPA of the DIMM's mapping and its size (labels starting outside are skipped by Linux). */
  dpaStart?: bigint;
  dpaSize?: bigint;
}

export interface NamespaceView {
  uuid: string;
  name: string;
  /** Slots of this namespace's live labels on this DIMM. */
  slots: number[];
  dpa: bigint;
  rawsize: bigint;
  lbasize: bigint;
  isetcookie: bigint;
  nlabel: number;
  position: number;
  flags: number;
  claimClass?: ClaimClass;
  abstractionGuid?: string;
  /** 'active' when Linux assembles it from this DIMM's labels; otherwise why it does not. */
  status: 'active' | 'ignored';
  why?: string;
}

/** The cookie Linux expects in labels under this index (nd_region_interleave_set_cookie). */
export function expectedCookie(view: AreaView, set: DimmSet): bigint {
  const cur = view.checks[view.current!]!.value;
  return cur.major === 1 && cur.minor === 1 ? set.cookie1 : set.cookie2;
}

/**
 * Group live labels into namespaces with Linux's scan rules (scan_labels, create_namespace_pmem,
 * has_uuid_at_pos), for one DIMM. Problems are findings; every label is accounted for.
 */
export function namespacesOf(view: AreaView, set?: DimmSet): { namespaces: NamespaceView[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const out: NamespaceView[] = [];
  if (view.current === undefined || !view.geometry) return { namespaces: out, findings };
  const g = view.geometry;
  const byUuid = new Map<string, LiveLabel[]>();
  for (const l of view.live) {
    if (l.format === 'cxl-region' || l.format === 'cxl-other') continue;
    const list = byUuid.get(l.value.uuid) ?? [];
    list.push(l);
    byUuid.set(l.value.uuid, list);
  }
  const cookie = set ? expectedCookie(view, set) : undefined;
  for (const [uuid, labels] of byUuid) {
    const first = labels[0]!;
    const v = first.value as LabelV11 & Partial<LabelV12> & Partial<CxlNamespaceLabel>;
    const ns: NamespaceView = {
      uuid, name: v.name, slots: labels.map((l) => l.slot), dpa: v.dpa, rawsize: labels.reduce((n, l) => n + (l.value as LabelV11).rawsize, 0n),
      lbasize: BigInt(v.lbasize ?? 0), isetcookie: v.isetcookie ?? 0n, nlabel: v.nlabel ?? 1, position: v.position, flags: v.flags, status: 'active',
    };
    const guid = first.format === 'v1.2' ? first.value.abstractionGuid : first.format === 'cxl-namespace' ? first.value.abstractionUuid : undefined;
    if (guid !== undefined) {
      ns.abstractionGuid = guid;
      ns.claimClass = claimClassOf(guid);
    }
    const ignore = (why: string, severity: 'warning' | 'error' = 'warning') => {
      if (ns.status === 'ignored') return;
      ns.status = 'ignored';
      ns.why = why;
      findings.push({ severity, code: 'namespace-ignored', path: `label[${first.slot}]`, offset: slotOffset(g, first.slot), message: `namespace ${uuid}: ${why}` });
    };
    if (labels.length > 1 && first.format !== 'cxl-namespace') {
      ignore(`${labels.length} live labels on this DIMM (slots ${ns.slots.join(', ')}); Linux gives up on a duplicate uuid (has_uuid_at_pos)`, 'error');
    }
    if (first.format === 'v1.2' && first.value.typeGuid !== PMEM_TYPE_GUID) {
      ignore(`type_guid ${first.value.typeGuid} is not the persistent-memory range GUID; Linux skips the label (nsl_validate_type_guid)`);
    }
    if (cookie !== undefined && set && first.format !== 'cxl-namespace') {
      const ok = ns.isetcookie === cookie || (view.format === 'v1.1' && ns.isetcookie === set.altcookie);
      if (!ok) ignore(`interleave-set cookie 0x${ns.isetcookie.toString(16)} is not this DIMM's 0x${cookie.toString(16)}; Linux ignores the label`);
      else if (ns.nlabel !== set.mappings) ignore(`nlabel ${ns.nlabel} but the interleave set has ${set.mappings} DIMM(s); Linux reports a missing label`);
      else if (ns.position !== set.position) ignore(`position ${ns.position} but this DIMM is at position ${set.position}`);
      if (set.dpaStart !== undefined && set.dpaSize !== undefined && (ns.dpa < set.dpaStart || ns.dpa > set.dpaStart + set.dpaSize - 1n)) {
        ignore(`DPA 0x${ns.dpa.toString(16)} is outside the DIMM's mapping; Linux skips the label`);
      } else if (set.dpaSize !== undefined && set.dpaStart !== undefined && ns.dpa + ns.rawsize > set.dpaStart + set.dpaSize) {
        findings.push({ severity: 'error', code: 'dpa-overflow', path: `label[${first.slot}].rawsize`, message: `namespace ${uuid} ends at DPA 0x${(ns.dpa + ns.rawsize).toString(16)}, past the DIMM's mapping end 0x${(set.dpaStart + set.dpaSize).toString(16)}` });
      }
    }
    out.push(ns);
  }
  // Overlapping DPA ranges among live labels.
  const ranges = view.live
    .filter((l) => l.format !== 'cxl-other')
    .map((l) => ({ slot: l.slot, start: (l.value as LabelV11).dpa, end: (l.value as LabelV11).dpa + (l.value as LabelV11).rawsize }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < ranges.length; i++) {
    const a = ranges[i - 1]!;
    const b = ranges[i]!;
    if (b.start < a.end) {
      findings.push({ severity: 'error', code: 'dpa-overlap', path: `label[${b.slot}].dpa`, offset: slotOffset(g, b.slot), message: `DPA range of slot ${b.slot} [0x${b.start.toString(16)}, 0x${b.end.toString(16)}) overlaps slot ${a.slot} [0x${a.start.toString(16)}, 0x${a.end.toString(16)})` });
    }
  }
  return { namespaces: out, findings };
}

/**
 * What a reader can observe: the namespaces with their identity and placement (not slot numbers
 * or the transient UPDATING flag). Crash tests compare areas through this.
 */
export function logicalView(area: Uint8Array, set?: DimmSet): string {
  const view = readLabelArea(area);
  if (view.current === undefined) return 'no-labels';
  const { namespaces } = namespacesOf(view, set);
  const rows = namespaces.map((n) =>
    [n.uuid, JSON.stringify(n.name), n.dpa, n.rawsize, n.lbasize, n.isetcookie, n.nlabel, n.position, n.abstractionGuid ?? '-', n.flags & ~FLAG_UPDATING, n.status].join(' '),
  );
  return [`format ${view.format} nslot ${view.checks[view.current]!.value.nslot}`, ...rows.sort()].join('\n');
}

/** EFI GUID string → the string `uuid_unparse` gives for its stored bytes (how ndctl prints GUIDs). */
export function guidAsStoredBytes(efi: string): string {
  return guidToString(guidFromString(efi, 'efi'), 'rfc');
}

export function isDecodeError(e: unknown): boolean {
  return isNvError(e);
}

/**
 * The label-area engine, write side: every change as Linux makes it, as explicit media writes
 * (style.md 13). Each operation is a generator over an in-memory copy of the area: it yields
 * every write in order and applies it to its own copy before computing the next, so a caller (or
 * a crash test) can stop after any write. Nothing is ever updated in place: labels go into free
 * slots of the next index, which is then written whole with the next sequence number
 * (label.c __pmem_label_update, nd_label_write_index, del_labels, init_labels).
 */
import { randomUUID } from 'node:crypto';
import { NvError } from '../core/errors.js';
import { applyWrite } from '../core/mediaWrites.js';
import { indexBlockWrite, type MediaWrite } from './indexWrite.js';
import { decodeStruct, encodeStruct, type Finding } from '../core/schema/index.js';
import { planRebuild, rebuildIndexWrites, type RebuildResult } from './rebuild.js';
import { geometryFor, slotOffset, type Geometry, type LabelSize } from './geometry.js';
import { INDEX_HEADER_SIZE, bitmapBytes, freeSlotCount, isFree, nextSeq, setFree, type IndexBlock } from './indexBlock.js';
import { CLAIM_CLASS_GUIDS, FLAG_UPDATING, PMEM_TYPE_GUID, labelV11, labelV12, type LabelV11, type LabelV12 } from './label.js';
import { expectedCookie, labelUuid, readLabelArea, type AreaView, type DimmSet } from './area.js';

export { applyWrite };
export type { MediaWrite };

/** Run an operation to the end, collecting its writes (errors surface before any write is used). */
export function collectWrites<R, W extends MediaWrite = MediaWrite>(gen: Generator<W, R>): { writes: W[]; result: R } {
  const writes: W[] = [];
  for (;;) {
    const n = gen.next();
    if (n.done) return { writes, result: n.value };
    writes.push(n.value);
  }
}

const fail = (path: string, reason: string): never => {
  throw new NvError('label-area', path, undefined, reason);
};

export function requireCurrent(view: AreaView): { g: Geometry; cur: IndexBlock; curIndex: 0 | 1; next: 0 | 1 } {
  if (view.current === undefined || !view.geometry) fail('', `no valid index block (${view.selection}); initialize the area first (nvtool labels init)`);
  if (view.format === 'cxl') fail('', 'CXL label areas (index v2.1) are read-only in nvtool');
  return { g: view.geometry!, cur: view.checks[view.current!]!.value, curIndex: view.current!, next: view.next! };
}

/**
 * nd_label_write_index(ndd, index, seq, 0) for an in-memory next index that is a copy of the
 * current one (nd_label_copy) with its free bitmap edited: the rest of the block (slot count,
 * padding) as in the copy.
 */
function indexWrite(g: Geometry, base: IndexBlock, index: 0 | 1, seq: number, free: Uint8Array): MediaWrite {
  return indexBlockWrite(g, index, seq, { nslot: base.nslot, free, pad: base.pad });
}

// ---- init ------------------------------------------------------------------------------------

/** Label versions an area can be initialised with: v1.1 (128-byte labels) and v1.2 (256-byte). */
export const LABEL_VERSIONS = ['1.1', '1.2'] as const;
/** Whose index blocks `initArea` writes (see InitOptions.variant). */
export const INIT_VARIANTS = ['linux', 'ndctl'] as const;
/** Namespace sector sizes Linux accepts for pmem (drivers/nvdimm/pmem.c pmem_lbasize_supported). */
export const PMEM_LBASIZES = [512, 4096] as const;

export interface InitOptions {
  version: (typeof LABEL_VERSIONS)[number];
  /**
   * `linux`: the kernel's init_labels (bitmap bits past nslot cleared, the rest of each block zero);
   * `ndctl`: ndctl init-labels (ALIGN(nslot, 64)/8 bytes of 0xFF, the rest of each block as it was).
   */
  variant: (typeof INIT_VARIANTS)[number];
}

/**
 * Fresh index blocks: index 0 with sequence 3, index 1 with sequence 2 (write_index(i, 3 - i)), so
 * index 0 is current. Linux writes index 0 then 1; nvtool writes the block that is not current
 * first, which gives the same bytes and leaves the area reading as the old or the new state at
 * every point (writing a valid current block 0 first could resurrect a stale block 1).
 */
export function* initArea(area: Uint8Array, o: InitOptions): Generator<MediaWrite, Geometry> {
  const L: LabelSize = o.version === '1.1' ? 128 : 256;
  const g = geometryFor(area.length, L) ?? fail('', `a ${area.length}-byte area cannot hold two index blocks and two ${L}-byte labels`);
  const S = g.indexSize;
  const view = readLabelArea(area);
  const order: (0 | 1)[] = view.current === 0 ? [1, 0] : [0, 1];
  for (const i of order) {
    const bm = o.variant === 'linux' ? new Uint8Array(S) : area.slice(i * S, (i + 1) * S);
    const H = INDEX_HEADER_SIZE;
    // Both variants set ALIGN(nslot, BITS_PER_LONG)/8 bytes of the bitmap to 0xFF.
    const ones = Math.min(S - H, Math.ceil(g.nslot / 64) * 8);
    bm.fill(0xff, H, H + ones);
    if (o.variant === 'linux') for (let bit = g.nslot; bit < ones * 8; bit++) setFree(bm.subarray(H), bit, false);
    const nb = bitmapBytes(S, g.nslot);
    yield indexBlockWrite(g, i, 3 - i, { nslot: g.nslot, free: bm.slice(H, H + nb), pad: bm.slice(H + nb, S) }, `init v${o.version}, ${o.variant}`);
  }
  return g;
}

// ---- label updates (__pmem_label_update) --------------------------------------------------------

export interface NewNamespace {
  uuid: string;
  name: string;
  dpa: bigint;
  rawsize: bigint;
  lbasize: bigint;
  claimClass: keyof typeof CLAIM_CLASS_GUIDS | string;
  nlabel: number;
  position: number;
  /** The cookie to store; Linux takes cookie1 under a v1.1 index, cookie2 otherwise. */
  isetcookie: bigint;
  /** Other label fields to keep as they were (rename keeps type GUID, align, flags bits). */
  keep?: Partial<LabelV12>;
}

function labelBytes(g: Geometry, ns: NewNamespace, slot: number, flags: number): Uint8Array {
  const common = {
    uuid: ns.uuid, name: ns.name, flags, nlabel: ns.nlabel, position: ns.position, isetcookie: ns.isetcookie,
    lbasize: ns.lbasize, dpa: ns.dpa, rawsize: ns.rawsize, slot,
  };
  if (g.labelSize === 128) return encodeStruct(labelV11, { ...common, unused: new Uint8Array(4) } satisfies LabelV11);
  const guid = (CLAIM_CLASS_GUIDS as Record<string, string>)[ns.claimClass] ?? ns.claimClass;
  const v: LabelV12 = {
    ...common, align: ns.keep?.align ?? 0, reserved: new Uint8Array(3), typeGuid: ns.keep?.typeGuid ?? PMEM_TYPE_GUID,
    abstractionGuid: guid, reserved2: new Uint8Array(88), checksum: 0n,
  };
  return encodeStruct(labelV12, v);
}

/**
 * One pass of __pmem_label_update: allocate the lowest free slot of the next index, write the
 * label there, free the slots of the labels it replaces (same uuid), write the next index with
 * the next sequence number. Returns the slot used.
 */
export function* labelUpdatePass(work: Uint8Array, ns: NewNamespace, flags: number): Generator<MediaWrite, number> {
  const view = readLabelArea(work);
  const { g, cur, next } = requireCurrent(view);
  const free = cur.free.slice();
  let slot = -1;
  for (let s = 0; s < cur.nslot; s++) if (isFree(free, s)) { slot = s; break; }
  if (slot < 0) fail('', `no free label slot (all ${cur.nslot} in use)`);
  setFree(free, slot, false);
  const lw: MediaWrite = { offset: slotOffset(g, slot), bytes: labelBytes(g, ns, slot, flags), what: `label[${slot}] ${ns.uuid}${flags & FLAG_UPDATING ? ' UPDATING' : ''}`, kind: 'label' };
  applyWrite(work, lw);
  yield lw;
  for (const l of view.live) if (labelUuid(l) === ns.uuid) setFree(free, l.slot, true); // reap_victim
  const iw = indexWrite(g, cur, next, nextSeq(cur.seq), free);
  applyWrite(work, iw);
  yield iw;
  return slot;
}

/**
 * The two passes Linux makes for a new or changed namespace over the DIMMs of its set (one DIMM is
 * a set of one): UPDATING set on every mapping in order, then cleared on every mapping
 * (nd_pmem_namespace_label_update: __pmem_label_update per mapping, twice). Each DIMM's work copy
 * is updated as its writes go. Returns the slots the final labels took.
 */
export function* labelUpdatePasses(works: readonly Uint8Array[], labels: readonly NewNamespace[], finalFlags: number): Generator<MediaWrite & { dimm: number }, number[]> {
  const slots: number[] = [];
  for (const flags of [finalFlags | FLAG_UPDATING, finalFlags & ~FLAG_UPDATING]) {
    for (let i = 0; i < works.length; i++) slots[i] = yield* tagged(labelUpdatePass(works[i]!, labels[i]!, flags), i);
  }
  return slots;
}

function* tagged<R>(gen: Generator<MediaWrite, R>, dimm: number): Generator<MediaWrite & { dimm: number }, R> {
  for (let r = gen.next(); ; r = gen.next()) {
    if (r.done) return r.value;
    yield { ...r.value, dimm };
  }
}

/** The two passes on one DIMM (its writes without a DIMM tag). */
function* pmemLabelUpdate(work: Uint8Array, ns: NewNamespace, finalFlags: number): Generator<MediaWrite, number> {
  const gen = labelUpdatePasses([work], [ns], finalFlags);
  for (let r = gen.next(); ; r = gen.next()) {
    if (r.done) return r.value[0]!;
    const { dimm: _d, ...w } = r.value;
    yield w;
  }
}

// ---- create --------------------------------------------------------------------------------------

export interface CreateRequest {
  uuid?: string;
  name?: string;
  /** Bytes on this DIMM; default: the largest free aligned extent. */
  size?: bigint;
  claimClass?: keyof typeof CLAIM_CLASS_GUIDS;
  lbasize?: bigint;
  /** The DIMM's mapping: DPA start and size (the DIMM's capacity for namespaces). */
  dpaStart: bigint;
  dpaSize: bigint;
  /** DPA alignment and size granularity (Linux region align: 16 MiB, PAGE_SIZE for small regions). */
  align: bigint;
  set: DimmSet;
}

export interface Extent {
  start: bigint;
  end: bigint;
}

/** Free DPA extents of the mapping: everything no live label reserves (nd_label_reserve_dpa). */
export function freeExtents(view: AreaView, dpaStart: bigint, dpaSize: bigint): Extent[] {
  const used = view.live
    .filter((l) => l.format === 'v1.1' || l.format === 'v1.2' || l.format === 'cxl-namespace')
    .map((l) => ({ start: (l.value as LabelV11).dpa, end: (l.value as LabelV11).dpa + (l.value as LabelV11).rawsize }))
    .sort((a, b) => (a.start < b.start ? -1 : 1));
  const out: Extent[] = [];
  let at = dpaStart;
  const end = dpaStart + dpaSize;
  for (const u of used) {
    if (u.start > at) out.push({ start: at, end: u.start < end ? u.start : end });
    if (u.end > at) at = u.end;
    if (at >= end) break;
  }
  if (at < end) out.push({ start: at, end });
  return out.filter((e) => e.end > e.start);
}

export const alignUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;
export const alignDown = (v: bigint, a: bigint) => (v / a) * a;

/** First fit from the lowest DPA, start and size aligned (namespace_devs.c scan_allocate, space_valid). */
export function allocateDpa(extents: Extent[], size: bigint | undefined, align: bigint): { dpa: bigint; size: bigint } {
  const usable = extents.map((e) => ({ start: alignUp(e.start, align), end: alignDown(e.end, align) })).filter((e) => e.end > e.start);
  if (size === undefined) {
    const best = usable.reduce<Extent | undefined>((b, e) => (!b || e.end - e.start > b.end - b.start ? e : b), undefined);
    if (!best) return fail('size', `no free space of at least ${align} bytes (the alignment) is left on the DIMM`);
    return { dpa: best.start, size: best.end - best.start };
  }
  if (size <= 0n || size % align !== 0n) fail('size', `size ${size} must be a positive multiple of the alignment ${align}`);
  const hit = usable.find((e) => e.end - e.start >= size);
  if (!hit) fail('size', `no free extent of ${size} bytes; the largest is ${usable.reduce((m, e) => (e.end - e.start > m ? e.end - e.start : m), 0n)} bytes`);
  return { dpa: hit!.start, size };
}

/** Create a namespace on one DIMM: DPA from its free capacity, then Linux's two-pass label update. */
export function* createNamespace(area: Uint8Array, req: CreateRequest): Generator<MediaWrite, NewNamespace> {
  const work = area.slice();
  const view = readLabelArea(work);
  const { g, cur } = requireCurrent(view);
  const freeSlots = freeSlotCount(cur);
  if (freeSlots < 2) fail('', `creating a namespace takes two free label slots (UPDATING, then final); ${freeSlots} free`);
  const uuid = (req.uuid ?? randomUUID()).toLowerCase();
  if (view.live.some((l) => labelUuid(l) === uuid)) fail('uuid', `a live label already has uuid ${uuid}`);
  const name = req.name ?? '';
  checkName(name);
  const { dpa, size } = allocateDpa(freeExtents(view, req.dpaStart, req.dpaSize), req.size, req.align);
  const claim = req.claimClass ?? 'none';
  if (g.labelSize === 128 && claim !== 'none') fail('claimClass', 'v1.1 labels have no claim class field (Linux records the mode in the info block only)');
  const ns: NewNamespace = {
    uuid, name, dpa, rawsize: size, lbasize: req.lbasize ?? 512n, claimClass: claim, nlabel: req.set.mappings,
    position: req.set.position, isetcookie: expectedCookie(view, req.set),
  };
  yield* pmemLabelUpdate(work, ns, 0);
  return ns;
}

export function checkName(name: string): void {
  if (!/^[\x20-\x7e]*$/.test(name)) fail('name', 'names are limited to printable ASCII here');
  if (name.length > 63) fail('name', `name is ${name.length} characters; labels hold 63 and a NUL`);
}

function liveOf(view: AreaView, uuid: string) {
  const labels = view.live.filter((l) => (l.format === 'v1.1' || l.format === 'v1.2') && labelUuid(l) === uuid.toLowerCase());
  if (labels.length === 0) fail('uuid', `no live label has uuid ${uuid}`);
  return labels as Array<{ slot: number; format: 'v1.1' | 'v1.2'; value: LabelV11 & Partial<LabelV12> }>;
}

/** Rename: Linux rewrites the namespace's label through the same two passes (alt_name_store). */
export function* renameNamespace(area: Uint8Array, uuid: string, name: string): Generator<MediaWrite, NewNamespace> {
  const work = area.slice();
  const view = readLabelArea(work);
  requireCurrent(view);
  checkName(name);
  const [l] = liveOf(view, uuid);
  const v = l!.value;
  const ns: NewNamespace = {
    uuid: v.uuid, name, dpa: v.dpa, rawsize: v.rawsize, lbasize: v.lbasize, claimClass: v.abstractionGuid ?? 'none', nlabel: v.nlabel,
    position: v.position, isetcookie: v.isetcookie, keep: { align: v.align ?? 0, typeGuid: v.typeGuid ?? PMEM_TYPE_GUID },
  };
  yield* pmemLabelUpdate(work, ns, v.flags & ~FLAG_UPDATING);
  return ns;
}

/** Delete: free the namespace's slots and write the next index (del_labels): one write. */
export function* deleteNamespace(area: Uint8Array, uuid: string): Generator<MediaWrite, number[]> {
  const view = readLabelArea(area);
  const { g, cur, next } = requireCurrent(view);
  const labels = liveOf(view, uuid);
  const free = cur.free.slice();
  for (const l of labels) setFree(free, l.slot, true);
  yield indexWrite(g, cur, next, nextSeq(cur.seq), free);
  return labels.map((l) => l.slot);
}

// ---- claim class (holder_class_store / sector_size_store → nd_namespace_label_update) ------------

export interface LabelChange {
  /** New claim class (v1.2 only; v1.1 labels have no field for it). */
  claimClass?: keyof typeof CLAIM_CLASS_GUIDS;
  /** New lbasize (Linux's namespace sector_size: 512 or 4096 for pmem). */
  lbasize?: bigint;
}

/**
 * Change a namespace's claim class (abstraction GUID) and/or lbasize. Linux does it when
 * `holder_class` (or `sector_size`) is written in sysfs: the attribute is set on the namespace,
 * then nd_namespace_label_update → __pmem_label_update twice (UPDATING, then cleared), exactly as
 * for rename; ndctl create-namespace -m MODE writes holder_class for every mode (btt_claim_class
 * picks BTT2 under v1.2 labels). Every other label field is kept. Setting the class a label
 * already has still makes the two passes, as Linux does.
 */
export function* setNamespaceLabel(area: Uint8Array, uuid: string, change: LabelChange): Generator<MediaWrite, NewNamespace> {
  const work = area.slice();
  const view = readLabelArea(work);
  const { g } = requireCurrent(view);
  const labels = liveOf(view, uuid);
  if (labels.length > 1) fail('uuid', `${labels.length} live labels have uuid ${uuid} (slots ${labels.map((l) => l.slot).join(', ')}); Linux does not assemble this namespace, nvtool will not update it`);
  const v = labels[0]!.value;
  if (change.claimClass !== undefined && !(change.claimClass in CLAIM_CLASS_GUIDS)) fail('claimClass', `unknown claim class ${String(change.claimClass)}`);
  if (g.labelSize === 128 && change.claimClass !== undefined && change.claimClass !== 'none') {
    fail('claimClass', 'v1.1 labels have no claim class field (Linux records the mode in the info block only)');
  }
  if (change.lbasize !== undefined && change.lbasize !== 512n && change.lbasize !== 4096n) {
    fail('lbasize', `lbasize ${change.lbasize}: Linux accepts 512 or 4096 for a pmem namespace (pmem_lbasize_supported)`);
  }
  const ns: NewNamespace = {
    uuid: v.uuid, name: v.name, dpa: v.dpa, rawsize: v.rawsize, lbasize: change.lbasize ?? v.lbasize,
    claimClass: change.claimClass !== undefined ? CLAIM_CLASS_GUIDS[change.claimClass] : v.abstractionGuid ?? 'none',
    nlabel: v.nlabel, position: v.position, isetcookie: v.isetcookie,
    keep: { align: v.align ?? 0, typeGuid: v.typeGuid ?? PMEM_TYPE_GUID },
  };
  yield* pmemLabelUpdate(work, ns, v.flags & ~FLAG_UPDATING);
  return ns;
}

/** Claim class only: `setNamespaceLabel(area, uuid, { claimClass })`. */
export function setClaimClass(area: Uint8Array, uuid: string, claimClass: keyof typeof CLAIM_CLASS_GUIDS): Generator<MediaWrite, NewNamespace> {
  return setNamespaceLabel(area, uuid, { claimClass });
}

// ---- repair ------------------------------------------------------------------------------------

export interface RepairReport {
  /** What was wrong and what the repair does. */
  actions: string[];
  /** Labels the surviving index does not reference though they look intact: possibly lost state. */
  lost: Array<{ slot: number; uuid: string; name: string; flags: number }>;
  /** Both index blocks invalid: what the slot scan restored, left out, and how sure it is. */
  rebuilt?: Omit<RebuildResult, 'geometry' | 'findings'> & { labelSize: number; nslot: number };
  /** Findings explaining the repair (the rebuild's recovered and uncertain namespaces). */
  findings?: Finding[];
}

/**
 * Rebuild a damaged index block from the good one: exactly the write Linux's next update would
 * make (nd_label_write_index(next, nd_inc_seq(seq))), with the live set unchanged. Labels the
 * damaged block may have referenced cannot be known; well-formed labels in slots the good block
 * marks free are reported as possibly lost (their bytes are left untouched).
 */
export function* repairArea(area: Uint8Array): Generator<MediaWrite, RepairReport> {
  const view = readLabelArea(area);
  const report: RepairReport = { actions: [], lost: [] };
  if (view.current === undefined) {
    // Both blocks invalid: Linux and ndctl would see no labels. Rebuild from a scan of the slots.
    const plan = planRebuild(area);
    const { geometry: pg, findings, ...rest } = plan;
    report.rebuilt = { ...rest, labelSize: pg.labelSize, nslot: pg.nslot };
    report.findings = findings;
    report.actions.push(`both index blocks are invalid (Linux and ndctl would see no labels); rebuilding them from a scan of the label slots: ${plan.restored.length} namespace(s) restored${plan.excluded.length ? `, ${plan.excluded.length} left out` : ''}`);
    for (const f of findings) report.actions.push(`${f.severity}: ${f.message}`);
    yield* rebuildIndexWrites(area, plan);
    return report;
  }
  const { g, cur, curIndex, next } = requireCurrent(view);
  const other = view.checks[next]!;
  for (let slot = 0; slot < cur.nslot; slot++) {
    if (!isFree(cur.free, slot)) continue;
    const off = slotOffset(g, slot);
    const bytes = area.subarray(off, off + g.labelSize);
    if (bytes.every((b) => b === 0)) continue;
    const dec = g.labelSize === 128 ? decodeStruct(labelV11, bytes).value : decodeStruct(labelV12, bytes).value;
    if (dec.slot !== slot) continue;
    if (g.labelSize === 256 && decodeStruct(labelV12, bytes).findings.some((f) => f.code === 'checksum')) continue;
    if (!other.valid) report.lost.push({ slot, uuid: dec.uuid, name: dec.name, flags: dec.flags });
  }
  if (other.valid) {
    report.actions.push(`both index blocks are valid (${view.selection}); nothing to rebuild`);
    report.lost = [];
    return report;
  }
  report.actions.push(`index ${next} is damaged (${other.reason}); rewriting it from index ${curIndex} with sequence ${nextSeq(cur.seq)}, as Linux's next update would`);
  yield indexWrite(g, cur, next, nextSeq(cur.seq), cur.free.slice());
  return report;
}

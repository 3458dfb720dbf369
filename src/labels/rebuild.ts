/**
 * Rebuilding a label area whose two index blocks are both invalid, from a scan of its label
 * slots. Linux cannot do this (nd_label_validate finds no index: the DIMM reads as label-less and
 * its namespaces vanish) and neither can ndctl (init-labels starts over with every slot free).
 *
 * What a scan can know: which slots hold a well-formed label (slot field = slot number, and for
 * v1.2 a good Fletcher-64), hence the label size; which labels belong to the same namespace (uuid).
 * What it cannot know: the free bitmap. A slot the lost index marked free may still hold an
 * intact label: the stale UPDATING copy every update leaves behind, the previous version of a
 * renamed or reclassed namespace, or a deleted namespace (delete only rewrites the index). The
 * rules below choose one label per uuid and say, per namespace, how sure that choice is.
 */
import { NvError } from '../core/errors.js';
import { encodeStruct, type Finding } from '../core/schema/index.js';
import { guidToString } from '../core/guid.js';
import { geometryFor, slotOffset, type Geometry, type LabelSize } from './geometry.js';
import { INDEX_HEADER_SIZE, NSINDEX_SIGNATURE, bitmapBytes, peekIndexHeader, setFree } from './indexBlock.js';
import { CXL_NAMESPACE_TYPE, CXL_REGION_TYPE, FLAG_UPDATING, claimClassOf, type LabelV11, type LabelV12 } from './label.js';
import { decodeSlot, readLabelArea, slotProblem } from './area.js';
import { indexBlockWrite, type MediaWrite } from './indexWrite.js';

export interface ScannedLabel {
  slot: number;
  uuid: string;
  name: string;
  flags: number;
  dpa: bigint;
  rawsize: bigint;
  claimClass?: string;
  /** Whether the rebuilt index marks this slot in use. */
  kept: boolean;
  /** Why (kept or not), in words. */
  why: string;
}

export interface RebuildResult {
  geometry: Geometry;
  /** Every well-formed label found, with the decision taken on it. */
  labels: ScannedLabel[];
  /** Namespaces restored (uuid → slot), and those left out because the scan cannot decide. */
  restored: Array<{ uuid: string; name: string; slot: number; certain: boolean }>;
  excluded: Array<{ uuid: string; slots: number[]; why: string }>;
  findings: Finding[];
}

const fail = (reason: string): never => {
  throw new NvError('label-area', '', undefined, reason);
};

const isZero = (b: Uint8Array) => b.every((x) => x === 0);
const NIL = '00000000-0000-0000-0000-000000000000';

/** Labels that pass slot_valid() under label size L (the checks Linux would make with a valid index). */
function scan(area: Uint8Array, L: LabelSize): { g: Geometry; found: Array<{ slot: number; value: LabelV11 & Partial<LabelV12> }> } | undefined {
  const g = geometryFor(area.length, L);
  if (!g) return undefined;
  const format = L === 128 ? 'v1.1' : 'v1.2';
  const found: Array<{ slot: number; value: LabelV11 & Partial<LabelV12> }> = [];
  for (let slot = 0; slot < g.nslot; slot++) {
    const off = slotOffset(g, slot);
    const bytes = area.subarray(off, off + L);
    if (isZero(bytes) || slotProblem(area, g, format, slot)) continue;
    const l = decodeSlot(area, g, format, slot);
    const value = l.value as LabelV11 & Partial<LabelV12>;
    if (value.uuid === NIL) continue; // ndctl init-labels leaves slot 0 zeroed: slot field 0, checksum 0
    found.push({ slot, value });
  }
  return { g, found };
}

/** The label's content without the fields every update pass changes (slot, flags, checksum). */
function contentKey(v: LabelV11 & Partial<LabelV12>): string {
  return [v.uuid, v.name, v.nlabel, v.position, v.isetcookie, v.lbasize, v.dpa, v.rawsize, v.align ?? '', v.typeGuid ?? '', v.abstractionGuid ?? '', v.flags & ~FLAG_UPDATING].join('|');
}

function describe(v: LabelV11 & Partial<LabelV12>): string {
  return `"${v.name}" DPA 0x${v.dpa.toString(16)} size ${v.rawsize} lbasize ${v.lbasize}${v.abstractionGuid !== undefined ? ` claim class ${claimClassOf(v.abstractionGuid)}` : ''}`;
}

/**
 * Plan the rebuild: label size, one label per uuid, the namespaces left out. Pure; no writes.
 * Rules: the label size is the one under which more slots hold well-formed labels (a v1.2
 * label's checksum makes a false match under the wrong size all but impossible), and the damaged
 * blocks' own version fields break a tie; per uuid, the one label without UPDATING wins (its
 * UPDATING copies with the same content are the stale first pass of the same update); a uuid with
 * only UPDATING labels keeps one (Linux treats an UPDATING label as live); namespaces whose DPA
 * ranges overlap cannot all be live, so none of them is restored (a deleted namespace's label
 * survives in a free slot until the slot is reused) and the user decides.
 */
export function planRebuild(area: Uint8Array): RebuildResult {
  const findings: Finding[] = [];
  const s128 = scan(area, 128);
  const s256 = scan(area, 256);
  const n128 = s128?.found.length ?? 0;
  const n256 = s256?.found.length ?? 0;
  if (n128 === 0 && n256 === 0) fail('no well-formed label in any slot: nothing to rebuild from (nvtool labels init starts a fresh area)');
  const hint = hintedLabelSize(area);
  const L: LabelSize = n256 > n128 ? 256 : n128 > n256 ? 128 : hint ?? 256;
  const chosen = (L === 256 ? s256 : s128)!;
  const g = chosen.g;
  for (const f of chosen.found) {
    const t = guidToString(area.subarray(slotOffset(g, f.slot), slotOffset(g, f.slot) + 16), 'rfc');
    if (t === CXL_NAMESPACE_TYPE || t === CXL_REGION_TYPE) fail(`slot ${f.slot} holds a CXL label: CXL label areas are read-only in nvtool`);
  }
  findings.push({
    severity: 'info', code: 'rebuild-geometry', path: '',
    message: `both index blocks are invalid; scanning the slots finds ${n256} well-formed 256-byte (v1.2) and ${n128} 128-byte (v1.1) labels, so the area is rebuilt as v1.${L === 256 ? 2 : 1}: ${g.nslot} slots, index blocks of ${g.indexSize} bytes (Linux's geometry for ${area.length} bytes)${hint !== undefined && hint !== L ? `; note: the damaged blocks' own version fields say ${hint}-byte labels` : ''}`,
  });
  const labels: ScannedLabel[] = [];
  const byUuid = new Map<string, typeof chosen.found>();
  for (const f of chosen.found) byUuid.set(f.value.uuid, [...(byUuid.get(f.value.uuid) ?? []), f]);
  const picks: Array<{ uuid: string; pick: (typeof chosen.found)[number]; certain: boolean; note?: string }> = [];
  for (const [uuid, list] of byUuid) {
    const finals = list.filter((l) => (l.value.flags & FLAG_UPDATING) === 0);
    const updating = list.filter((l) => (l.value.flags & FLAG_UPDATING) !== 0);
    let pick: (typeof list)[number];
    let certain = true;
    let note: string | undefined;
    if (finals.length >= 1) {
      pick = finals[0]!;
      const differing = [...finals.slice(1), ...updating].filter((l) => contentKey(l.value) !== contentKey(pick.value));
      if (finals.length > 1 && differing.some((d) => (d.value.flags & FLAG_UPDATING) === 0)) {
        certain = false;
        note = `${finals.length} complete labels with different contents (slots ${finals.map((l) => l.slot).join(', ')}): the older version of a rename or class change survives in a free slot; slot ${pick.slot} (${describe(pick.value)}) is taken, which may be the older one`;
      } else if (differing.length) {
        certain = false;
        note = `slot ${differing[0]!.slot} holds an UPDATING label with other contents (${describe(differing[0]!.value)}): either the stale first pass of an earlier update, or an update interrupted after its first index write, in which case that label was the live one; the complete label in slot ${pick.slot} is taken`;
      }
    } else {
      pick = updating[0]!;
      if (updating.some((l) => contentKey(l.value) !== contentKey(pick.value))) {
        certain = false;
        note = `only UPDATING labels, with different contents (slots ${updating.map((l) => l.slot).join(', ')}); slot ${pick.slot} is taken`;
      } else {
        note = `only an UPDATING label (slot ${pick.slot}): an update was interrupted after its first index write; Linux uses such a label as live, and so does the rebuilt index`;
      }
    }
    picks.push({ uuid, pick, certain, ...(note ? { note } : {}) });
  }
  // Overlapping DPA ranges: at most one of them was live; the scan cannot tell which.
  const conflict = new Set<string>();
  for (const a of picks) {
    for (const b of picks) {
      if (a === b) continue;
      const av = a.pick.value;
      const bv = b.pick.value;
      if (av.dpa < bv.dpa + bv.rawsize && bv.dpa < av.dpa + av.rawsize) {
        conflict.add(a.uuid);
        conflict.add(b.uuid);
      }
    }
  }
  const restored: RebuildResult['restored'] = [];
  const excluded: RebuildResult['excluded'] = [];
  for (const p of picks) {
    const list = byUuid.get(p.uuid)!;
    if (conflict.has(p.uuid)) {
      const others = picks.filter((q) => q !== p && conflict.has(q.uuid)).map((q) => q.uuid);
      const why = `its DPA range [0x${p.pick.value.dpa.toString(16)}, 0x${(p.pick.value.dpa + p.pick.value.rawsize).toString(16)}) overlaps ${others.join(', ')}: one of them was deleted (its label lingers in a free slot) and the scan cannot tell which; none is restored, the labels stay on the media untouched (recreate the right one with nvtool labels create --uuid)`;
      excluded.push({ uuid: p.uuid, slots: list.map((l) => l.slot), why });
      findings.push({ severity: 'error', code: 'rebuild-conflict', path: `label[${p.pick.slot}]`, offset: slotOffset(g, p.pick.slot), message: `namespace ${p.uuid} ${describe(p.pick.value)}: ${why}` });
      for (const l of list) labels.push(scanned(l, false, 'DPA conflict: not restored'));
      continue;
    }
    restored.push({ uuid: p.uuid, name: p.pick.value.name, slot: p.pick.slot, certain: p.certain });
    findings.push({
      severity: p.certain ? 'info' : 'warning', code: p.certain ? 'rebuild-restored' : 'rebuild-uncertain', path: `label[${p.pick.slot}]`, offset: slotOffset(g, p.pick.slot),
      message: `namespace ${p.uuid} ${describe(p.pick.value)} restored from slot ${p.pick.slot}${p.note ? `: ${p.note}` : list.length > 1 ? ` (slot(s) ${list.filter((l) => l !== p.pick).map((l) => l.slot).join(', ')}: the stale UPDATING copy of the same update, left free)` : ''}`,
    });
    for (const l of list) labels.push(scanned(l, l === p.pick, l === p.pick ? 'restored' : 'another copy of the same namespace: left free'));
  }
  findings.push({
    severity: 'warning', code: 'rebuild-unknowable', path: '',
    message: 'what a scan cannot recover: a namespace deleted before the damage whose label was never overwritten comes back (delete only rewrites the index) unless it overlaps a live one; the free bitmap, sequence numbers and any label whose slot was reused are gone; interleave-set cookies are kept as found, not checked',
  });
  labels.sort((a, b) => a.slot - b.slot);
  return { geometry: g, labels, restored, excluded, findings };
}

function scanned(l: { slot: number; value: LabelV11 & Partial<LabelV12> }, kept: boolean, why: string): ScannedLabel {
  const v = l.value;
  return {
    slot: l.slot, uuid: v.uuid, name: v.name, flags: v.flags, dpa: v.dpa, rawsize: v.rawsize,
    ...(v.abstractionGuid !== undefined ? { claimClass: claimClassOf(v.abstractionGuid) } : {}), kept, why,
  };
}

/** The label size the damaged blocks still claim (signature intact, version 1.1 or 1.2), if they agree. */
function hintedLabelSize(area: Uint8Array): LabelSize | undefined {
  const votes = new Set<LabelSize>();
  for (const off of [0, 256, 512, 1024]) {
    const h = peekIndexHeader(area, off);
    if (!h) break;
    if (h.sig !== NSINDEX_SIGNATURE || h.major !== 1) continue;
    if (h.minor === 1) votes.add(128);
    else if (h.minor === 2) votes.add(h.labelsize === 1 ? 256 : 128);
  }
  return votes.size === 1 ? [...votes][0] : undefined;
}

/**
 * The writes of the rebuild: two fresh index blocks (Linux's layout, bits past nslot cleared)
 * whose free bitmaps mark exactly the restored slots in use. Index 1 (sequence 2) is written first:
 * once it is whole the area reads as the rebuilt state; index 0 (sequence 3, current, as after
 * init) follows with the same contents. While both old blocks are invalid, every prefix and every
 * torn write therefore reads as "no labels" or as the rebuilt state. Label slots are not touched.
 */
export function* rebuildIndexWrites(area: Uint8Array, plan: RebuildResult): Generator<MediaWrite, void> {
  if (readLabelArea(area).current !== undefined) fail('the area has a valid index block; rebuild from it instead (repair)');
  const g = plan.geometry;
  const S = g.indexSize;
  const nb = bitmapBytes(S, g.nslot);
  const free = new Uint8Array(nb);
  for (let s = 0; s < g.nslot; s++) setFree(free, s, true);
  for (const r of plan.restored) setFree(free, r.slot, false);
  for (const i of [1, 0] as const) {
    yield indexBlockWrite(g, i, 3 - i, { nslot: g.nslot, free: free.slice(), pad: new Uint8Array(S - INDEX_HEADER_SIZE - nb) }, 'rebuilt from a slot scan');
  }
}

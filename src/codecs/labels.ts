/**
 * Namespace label storage areas: a raw label-area file or a QEMU NVDIMM backing file whose last
 * label-size bytes hold one, found by the library's locator (src/labels/locate.ts, specs/labels.md §7.1).
 *
 * The JSON value keeps both index blocks, every live label and every free slot that still holds a
 * label as their declared structures (editable; checksums recomputed on encode unless pinned), next
 * to the view Linux would take of them (current index, namespaces) for reading only.
 */
import { decodeStruct, encodeStruct, structFromJson, type Finding, type Span, type Struct } from '../core/schema/index.js';
import { MemoryBlockIO } from '../core/blockio.js';
import { NvError } from '../core/errors.js';
// The modules themselves, not the labels barrel: it also exports the fuzz targets (fast-check),
// which `decode` must not load.
import { decodeSlot, readLabelArea, type LiveLabel } from '../labels/area.js';
import { bytesToHex, hexToBytes } from '../core/hex.js';
import { slotOffset, type Geometry } from '../labels/geometry.js';
import { indexBlockStruct } from '../labels/indexBlock.js';
import { cxlNamespaceLabel, cxlOtherLabel, cxlRegionLabel, labelV11, labelV12 } from '../labels/label.js';
import { TAIL_SCAN, locateLabelArea } from '../labels/locate.js';
import { listNamespacesJson, readLabelsJson } from '../labels/ndctlJson.js';
import type { DecodableFormat } from './registry.js';

/** The library's one locator over the input bytes (specs/labels.md §7.1), with its tail search. */
function locate(b: Uint8Array): { offset: number; size: number; how: string } | undefined {
  const at = locateLabelArea(new MemoryBlockIO(b), { scan: TAIL_SCAN });
  return at && { offset: at.offset, size: at.size, how: at.how };
}

const LABEL_STRUCTS: Record<LiveLabel['format'], Struct<any>> = {
  'v1.1': labelV11, 'v1.2': labelV12, 'cxl-namespace': cxlNamespaceLabel, 'cxl-region': cxlRegionLabel, 'cxl-other': cxlOtherLabel,
};

interface LabelsValue {
  area: { offset: number; size: number; how: string };
  geometry: Geometry | null;
  index: (unknown | null)[];
  labels: { slot: number; format: LiveLabel['format']; label: unknown }[];
  /**
   * Slots the current index marks free (or no valid index reaches) that still hold bytes: the label
   * a delete or an update left behind, as its declaration decodes it (a stored checksum that does
   * not match is pinned), or as `bytes` when the declaration does not give them back.
   */
  freeSlots?: ({ slot: number; format: LiveLabel['format']; label: unknown } | { slot: number; bytes: string })[];
}

/** A non-live slot's bytes as a label value that encodes back to them, or undefined. */
function staleLabel(raw: Uint8Array, S: Struct<any>, j: Record<string, unknown>): unknown {
  const same = (v: unknown) => {
    try {
      const { value, pins } = structFromJson(S, v);
      const b = encodeStruct(S, value, { pins });
      return b.length === raw.length && b.every((x, i) => x === raw[i]);
    } catch {
      return false;
    }
  };
  if (same(j)) return j;
  if ('checksum' in j) {
    const pinned = { ...j, checksum: { $pin: j.checksum } };
    if (same(pinned)) return pinned;
  }
  return undefined;
}

export const labelsFormat: DecodableFormat = {
  name: 'labels',
  detect: (b) => locate(b) !== undefined,
  decode(bytes, { spans: wantSpans }) {
    const at = locate(bytes) ?? { offset: 0, size: bytes.length, how: 'the whole input taken as a label area (--format labels)' };
    const area = bytes.subarray(at.offset, at.offset + at.size);
    const view = readLabelArea(area);
    const findings: Finding[] = [{ severity: 'info', code: 'label-area', path: '', offset: at.offset, message: `${at.how}: ${at.size} bytes at offset ${at.offset}; ${view.selection}` }];
    const spans: Span[] = [];
    const g = view.geometry ?? view.probes.find((p) => p.geometry)?.geometry;
    const index: (unknown | null)[] = [];
    if (g) {
      for (const i of [0, 1]) {
        const S = indexBlockStruct(g.indexSize);
        const d = decodeStruct(S, area.subarray(i * g.indexSize, (i + 1) * g.indexSize), { base: at.offset + i * g.indexSize, spans: wantSpans });
        index.push(S.toJson(d.value));
        for (const s of d.spans ?? []) spans.push({ ...s, path: `index[${i}]${s.path ? '.' + s.path : ''}`, ...(s.group ? { label: `Namespace Index Block ${i}${view.current === i ? ' (current)' : ''}` } : {}) });
        // Checksum and signature problems are explained by the engine's own findings (which block is current, why).
        for (const f of d.findings) if (f.code !== 'checksum' && f.code !== 'unexpected-value') findings.push({ ...f, path: `index[${i}].${f.path}` });
      }
    }
    const labels: LabelsValue['labels'] = [];
    for (const l of view.live) {
      const off = slotOffset(view.geometry!, l.slot);
      const S = LABEL_STRUCTS[l.format];
      const d = decodeStruct(S, area.subarray(off, off + view.geometry!.labelSize), { base: at.offset + off, spans: wantSpans });
      labels.push({ slot: l.slot, format: l.format, label: S.toJson(d.value) });
      for (const s of d.spans ?? []) spans.push({ ...s, path: `label[${l.slot}]${s.path ? '.' + s.path : ''}`, ...(s.group ? { label: `${S.label}, slot ${l.slot} (live)` } : {}) });
    }
    const freeSlots: NonNullable<LabelsValue['freeSlots']> = [];
    const fmt = view.format ?? (g?.labelSize === 128 ? 'v1.1' : 'v1.2'); // no valid index: the slot size tells v1.1 from v1.2
    if (g && fmt) {
      const live = new Set(view.live.map((l) => l.slot));
      for (let slot = 0; slot < g.nslot; slot++) {
        const off = slotOffset(g, slot);
        const raw = area.subarray(off, off + g.labelSize);
        if (live.has(slot) || raw.length < g.labelSize || raw.every((x) => x === 0)) continue;
        const l = decodeSlot(area, g, fmt, slot);
        const S = LABEL_STRUCTS[l.format];
        const label = staleLabel(raw, S, S.toJson(l.value) as Record<string, unknown>);
        freeSlots.push(label === undefined ? { slot, bytes: bytesToHex(raw) } : { slot, format: l.format, label });
      }
    }
    findings.push(...view.findings);
    findings.push({ severity: 'info', code: 'cookie-unchecked', path: '', message: "the interleave-set cookies are not checked here (the DIMM's identity is unknown); nvtool labels check --platform/--nfit does" });
    const value: LabelsValue & Record<string, unknown> = {
      area: at,
      geometry: g ?? null,
      index,
      labels,
      freeSlots,
      // what Linux makes of it (read only: encode uses the fields above)
      current: view.current ?? null,
      selection: view.selection,
      labelFormat: view.format ?? null,
      readLabels: readLabelsJson(area, 'area') ?? null,
      namespaces: listNamespacesJson(area),
    };
    return { format: `label area${view.format ? ` (${view.format})` : ''}`, findings, ...(wantSpans ? { spans } : {}), json: value, valueOffset: at.offset };
  },
  encode(json, { preserve }) {
    const v = json as LabelsValue;
    const size = v?.area?.size;
    if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 31) throw new NvError('json', 'area.size', undefined, `not a label area size: ${size}`);
    const out = new Uint8Array(size);
    const put = (S: Struct<any>, j: unknown, off: number, path: string) => {
      const { value, pins } = structFromJson(S, j);
      const b = encodeStruct(S, value, { pins: preserve ? 'all' : pins });
      if (off + b.length > size) throw new NvError('json', path, undefined, `${b.length} bytes at ${off} do not fit the ${size}-byte area`);
      out.set(b, off);
    };
    const g = v.geometry;
    if (g) {
      for (const [i, ix] of (v.index ?? []).entries()) if (ix) put(indexBlockStruct(g.indexSize), ix, i * g.indexSize, `index[${i}]`);
      for (const [i, f] of (v.freeSlots ?? []).entries()) {
        if ('bytes' in f) {
          const b = typeof f.bytes === 'string' ? hexToBytes(f.bytes) : undefined;
          if (!b || b.length !== g.labelSize) throw new NvError('json', `freeSlots[${i}].bytes`, undefined, `expected ${g.labelSize} bytes of hex`);
          const off = slotOffset(g, f.slot);
          if (off + b.length > size) throw new NvError('json', `freeSlots[${i}].slot`, undefined, `slot ${f.slot} is outside the ${size}-byte area`);
          out.set(b, off);
          continue;
        }
        const S = LABEL_STRUCTS[f.format];
        if (!S) throw new NvError('json', `freeSlots[${i}].format`, undefined, `unknown label format "${f.format}"`);
        put(S, f.label, slotOffset(g, f.slot), `freeSlots[${i}]`);
      }
      for (const [i, l] of (v.labels ?? []).entries()) {
        const S = LABEL_STRUCTS[l.format];
        if (!S) throw new NvError('json', `labels[${i}].format`, undefined, `unknown label format "${l.format}"`);
        put(S, l.label, slotOffset(g, l.slot), `labels[${i}]`);
      }
    }
    return out;
  },
  detectJson: (j) => !!j && typeof j === 'object' && 'area' in j && 'index' in j && 'labels' in j,
};

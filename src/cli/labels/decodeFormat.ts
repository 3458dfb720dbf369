/**
 * `nvtool decode` learns namespace label storage areas: a raw label-area file (NAMESPACE_INDEX
 * signature at offset 0, or at the second block's offset when the first is damaged), or a QEMU
 * NVDIMM backing file whose last label-size bytes hold one (probed: 128 KiB, 256 KiB, ... up to
 * half the file, the sizes QEMU accepts in practice; `nvtool labels --label-size` for others).
 */
import { decodeStruct, type Finding, type Span } from '../../core/schema/index.js';
import {
  NSINDEX_SIGNATURE, cxlNamespaceLabel, cxlOtherLabel, cxlRegionLabel, indexBlockStruct, labelV11, labelV12, listNamespacesJson,
  readLabelArea, readLabelsJson, slotOffset,
} from '../../labels/index.js';
import { registerFormat } from '../formats.js';

const SIG = new TextEncoder().encode(NSINDEX_SIGNATURE + '\0');
const KiB = 1024;

function sigAt(b: Uint8Array, off: number): boolean {
  if (off < 0 || off + SIG.length > b.length) return false;
  for (let i = 0; i < SIG.length; i++) if (b[off + i] !== SIG[i]) return false;
  return true;
}

/** Index blocks sit at 0 and S (S = 256, 512, 1024... for areas up to a few MiB). */
const hasIndexAt = (b: Uint8Array, base: number) => [0, 256, 512, 1024, 2048].some((o) => sigAt(b, base + o));

export function locateLabelArea(b: Uint8Array): { offset: number; size: number; how: string } | undefined {
  if (b.length >= 1024 && hasIndexAt(b, 0)) return { offset: 0, size: b.length, how: 'raw label area (NAMESPACE_INDEX at the start)' };
  for (let ls = 128 * KiB; ls <= b.length / 2; ls *= 2) {
    if (hasIndexAt(b, b.length - ls)) return { offset: b.length - ls, size: ls, how: `QEMU backing file: label area in the last ${ls} bytes (probed)` };
  }
  return undefined;
}

registerFormat({
  name: 'labels',
  detect: (b) => locateLabelArea(b) !== undefined,
  decode(bytes, { spans: wantSpans }) {
    const at = locateLabelArea(bytes) ?? { offset: 0, size: bytes.length, how: 'the whole input taken as a label area (--format labels)' };
    const area = bytes.subarray(at.offset, at.offset + at.size);
    const view = readLabelArea(area);
    const findings: Finding[] = [{ severity: 'info', code: 'label-area', path: '', offset: at.offset, message: `${at.how}: ${at.size} bytes at offset ${at.offset}; ${view.selection}` }];
    const spans: Span[] = [];
    const g = view.geometry ?? view.probes.find((p) => p.geometry)?.geometry;
    if (g) {
      for (const i of [0, 1]) {
        const d = decodeStruct(indexBlockStruct(g.indexSize), area.subarray(i * g.indexSize, (i + 1) * g.indexSize), { base: at.offset + i * g.indexSize, spans: wantSpans });
        for (const s of d.spans ?? []) spans.push({ ...s, path: `index[${i}]${s.path ? '.' + s.path : ''}`, ...(s.group ? { label: `Namespace Index Block ${i}${view.current === i ? ' (current)' : ''}` } : {}) });
        // Checksum and signature problems are explained by the engine's own findings (which block is current, why).
        for (const f of d.findings) if (f.code !== 'checksum' && f.code !== 'unexpected-value') findings.push({ ...f, path: `index[${i}].${f.path}` });
      }
    }
    for (const l of view.live) {
      const off = slotOffset(view.geometry!, l.slot);
      const S = l.format === 'v1.1' ? labelV11 : l.format === 'v1.2' ? labelV12 : l.format === 'cxl-namespace' ? cxlNamespaceLabel : l.format === 'cxl-region' ? cxlRegionLabel : cxlOtherLabel;
      const d = decodeStruct(S as typeof labelV12, area.subarray(off, off + view.geometry!.labelSize), { base: at.offset + off, spans: wantSpans });
      for (const s of d.spans ?? []) spans.push({ ...s, path: `label[${l.slot}]${s.path ? '.' + s.path : ''}`, ...(s.group ? { label: `${S.label}, slot ${l.slot} (live)` } : {}) });
    }
    findings.push(...view.findings);
    findings.push({ severity: 'info', code: 'cookie-unchecked', path: '', message: "the interleave-set cookies are not checked here (the DIMM's identity is unknown); nvtool labels check --platform/--nfit does" });
    const namespaces = listNamespacesJson(area);
    return {
      format: `label area${view.format ? ` (${view.format})` : ''}`,
      findings,
      ...(wantSpans ? { spans } : {}),
      json: {
        area: at,
        current: view.current ?? null,
        selection: view.selection,
        labelFormat: view.format ?? null,
        readLabels: readLabelsJson(area, 'area') ?? null,
        live: view.live.map((l) => ({ slot: l.slot, format: l.format, ...(l.value as object) })),
        namespaces,
      },
    };
  },
});

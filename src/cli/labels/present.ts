/** Text for `nvtool labels dump|list|check`: annotated fields, namespaces, findings in words. */
import { decodeStruct, formatDump, formatFinding, type Finding, type Span } from '../../core/schema/index.js';
import {
  FLAG_UPDATING, indexBlockStruct, labelV11, labelV12, cxlNamespaceLabel, cxlRegionLabel, cxlOtherLabel, slotOffset, modeOf,
  type AreaView, type NamespaceView,
} from '../../labels/index.js';

export function dumpText(area: Uint8Array, view: AreaView, base: number): string {
  const spans: Span[] = [];
  const findings: Finding[] = [];
  const g = view.geometry ?? view.probes.find((p) => p.geometry)?.geometry;
  if (!g) return 'no index blocks fit in this area\n';
  for (const i of [0, 1]) {
    const d = decodeStruct(indexBlockStruct(g.indexSize), area.subarray(i * g.indexSize, (i + 1) * g.indexSize), { base: base + i * g.indexSize, spans: true });
    for (const s of d.spans ?? []) spans.push({ ...s, path: `index[${i}]${s.path ? '.' + s.path : ''}`, ...(s.group ? { label: `Namespace Index Block ${i}${view.current === i ? ' (current)' : ''}` } : {}) });
    for (const f of d.findings) findings.push({ ...f, path: `index[${i}].${f.path}` });
  }
  for (const l of view.live) {
    const off = slotOffset(view.geometry!, l.slot);
    const S = l.format === 'v1.1' ? labelV11 : l.format === 'v1.2' ? labelV12 : l.format === 'cxl-namespace' ? cxlNamespaceLabel : l.format === 'cxl-region' ? cxlRegionLabel : cxlOtherLabel;
    const d = decodeStruct(S as typeof labelV12, area.subarray(off, off + view.geometry!.labelSize), { base: base + off, spans: true });
    for (const s of d.spans ?? []) spans.push({ ...s, path: `label[${l.slot}]${s.path ? '.' + s.path : ''}`, ...(s.group ? { label: `${S.label}, slot ${l.slot} (live)` } : {}) });
  }
  return formatDump(spans, findings) + '\n' + findingsText(view.findings);
}

/** The label-less fallback's one namespace, in words. */
export function labellessText(regionSize: bigint): string {
  return `namespace0.0 (label-less): raw, ${regionSize} bytes over the whole region, no uuid (as ndctl list shows a DIMM without valid labels)\n`;
}

export function namespacesText(nss: NamespaceView[]): string {
  if (nss.length === 0) return 'no namespaces\n';
  return (
    nss
      .map((n) =>
        [
          `namespace ${n.uuid}${n.name ? ` "${n.name}"` : ''}: ${modeOf(n)}${n.claimClass && n.claimClass !== 'none' ? ` (claim class ${n.claimClass})` : ''}, ` +
            `${n.rawsize} bytes at DPA 0x${n.dpa.toString(16)}, sector size ${n.lbasize}, position ${n.position}/${n.nlabel}, slot(s) ${n.slots.join(', ')}` +
            `${n.flags & FLAG_UPDATING ? ', UPDATING' : ''}`,
          n.status === 'ignored' ? `  Linux ignores it: ${n.why}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      )
      .join('\n') + '\n'
  );
}

export function findingsText(findings: readonly Finding[]): string {
  return findings.map((f) => formatFinding(f) + '\n').join('');
}

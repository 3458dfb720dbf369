/**
 * The report page (specs/sim.md §10): one self-contained HTML document (inline CSS, SVG and a few
 * lines of script; no network, no external fonts) that follows a run in stage order — host, Dom0,
 * Xen, the hypercalls, each guest — and links every artefact by a relative URL.
 */
import { human } from '../../inspect/layer.js';
import type { HypercallEntry } from '../hypercalls.js';
import { artefactLink, el, esc, hx, table } from './html.js';
import { renderHostSvg } from './hostSvg.js';
import { renderMappingSvg } from './mappingSvg.js';
import { PAGE, type GuestReport, type MappedRun, type ReportModel, type VnvdimmReport } from './model.js';
import type { NdctlView } from './ndctl.js';

export interface PageOptions {
  /** The run directory as a relative URL path from the page's folder ('' when the page is in it). */
  base: string;
}

const STYLE = `
body{font-family:sans-serif;font-size:14px;margin:0 auto;max-width:1000px;padding:12px 20px;color:#222;background:#fff}
h1{font-size:20px;margin:8px 0}h2{font-size:17px;border-bottom:1px solid #bbb;margin-top:28px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:12.5px}th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5}code,pre,td.mono{font-family:monospace;font-size:12px}pre{background:#f6f6f6;padding:6px;overflow-x:auto;max-height:320px}
.flow{display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin:8px 0}.stage{padding:3px 10px;border-radius:12px;border:1px solid #999;font-size:13px}
.stage.done{background:#d9ead3;border-color:#6aa84f}.stage.todo{background:#f3f3f3;color:#777}.arrow{color:#777}
.ok{color:#38761d}.bad{color:#b00;font-weight:bold}.pending{color:#b45f06}.note{color:#555;font-size:12.5px}.problem{color:#b00}
svg{display:block;margin:6px 0 4px;background:#fff}svg text{font-family:monospace;font-size:11px;fill:#222}
svg .svg-title{font-size:12px;font-weight:bold}svg .lane-title{font-size:11px;fill:#333}svg .axis{font-size:10px;fill:#555}svg .lane-title,svg .axis{paint-order:stroke;stroke:#fff;stroke-width:3px}
svg rect.run{stroke:#fff;stroke-width:.5}table.trace td:nth-child(4){max-width:560px}table.trace td:nth-child(4) code{white-space:pre-wrap;word-break:break-all}
svg .lane{fill:#f1f1f1;stroke:#999;stroke-width:.5}svg .window{fill:none;stroke:#666;stroke-dasharray:4 2}svg .window-label{stroke:#b45f06}
svg .band{opacity:.22}svg .run-text{fill:#fff}svg .dark,svg .box-text{fill:#222}svg .extent{fill:#fff;stroke:#3d6fb6;stroke-width:1}
svg .none{fill:#888;font-size:12px}svg .hl rect,svg rect.hl{stroke:#000;stroke-width:2}svg polygon.hl{opacity:.5}tr.hl td{background:#fff2cc}
a.art{text-decoration:none}a.art:hover{text-decoration:underline}
`;

/** Hover a run (a rectangle, a band or a table row): every element of that run lights up. */
const SCRIPT = `
document.addEventListener('mouseover', function (e) {
  var t = e.target && e.target.closest ? e.target.closest('[data-run]') : null;
  document.querySelectorAll('.hl').forEach(function (x) { x.classList.remove('hl'); });
  if (!t) return;
  document.querySelectorAll('[data-run="' + CSS.escape(t.getAttribute('data-run')) + '"]').forEach(function (x) { x.classList.add('hl'); });
});
`;

const code = (s: string) => el('code', {}, esc(s));
const resultCell = (r: string) => el('span', { class: r === '0' ? 'ok' : r === 'pending' ? 'pending' : 'bad' }, esc(r));
const bytes = (n: bigint) => `${hx(n)} (${human(Number(n))})`;

export function renderReportPage(m: ReportModel, o: PageOptions): string {
  const link = (rel: string, text?: string) => artefactLink(o.base, rel, text);
  const have = (rel: string) => m.artefacts.some((a) => a.path === rel && a.kind === 'file');
  const linkIf = (rel: string) => (have(rel) ? link(rel) : '');
  const body: string[] = [];

  body.push(el('h1', {}, esc(`nvtool simulation run: ${m.root}`)));
  body.push(el('p', {}, `design ${code(m.design)}${m.seed !== undefined ? `, seed ${code(m.seed)}` : ''} · `, link('scenario.json'), ' · ', link('run.json')));
  body.push(el('div', { class: 'flow' }, ...m.stageOrder.flatMap((s, i) => [
    i ? el('span', { class: 'arrow' }, '→') : '',
    el('span', { class: `stage ${m.stagesDone.includes(s) ? 'done' : 'todo'}`, title: m.stagesDone.includes(s) ? 'done' : 'not run yet' }, esc(s)),
  ])));
  if (m.problems.length) body.push(el('ul', { class: 'problem' }, ...m.problems.map((p) => el('li', {}, esc(p)))));

  body.push(hostSection(m, link, linkIf));
  body.push(dom0Section(m, link, linkIf));
  body.push(xenSection(m, linkIf));
  body.push(traceSection(m.trace, link, have));
  body.push(el('h2', { id: 'guests' }, 'Guests'));
  if (!m.guests.length) body.push(el('p', { class: 'note' }, 'No guest has been created in this run (the scenario lists none, or the xl stage has not run).'));
  for (const g of m.guests) body.push(guestSection(m, g, link, linkIf));
  body.push(artefactSection(m, link));

  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`
    + `<title>${esc(`nvtool sim report: ${m.root}`)}</title><style>${STYLE}</style></head>\n<body>\n${body.join('\n')}\n<script>${SCRIPT}</script>\n</body></html>\n`;
}

type Link = (rel: string, text?: string) => string;

function hostSection(m: ReportModel, link: Link, linkIf: (rel: string) => string): string {
  const out = [el('h2', { id: 'host' }, 'Host: NVDIMMs'), el('p', {}, linkIf('host/machine.json'), ' ', linkIf('host/nfit.aml'))];
  if (!m.host.length) return out.concat(el('p', { class: 'note' }, 'The host stage has not run.')).join('\n');
  out.push(table(['id', 'handle', 'slot', 'node', 'image', 'size', 'pmem', 'label area', 'SPA range(s) -> image offset'], m.host.map((d) => [
    esc(d.id), esc(d.handle), esc(d.slot), esc(d.node), link(d.image), esc(human(Number(d.size))), esc(bytes(d.pmemSize)), esc(bytes(d.labelSize)),
    d.ranges.map((r) => code(`${hx(r.spa)}-${hx(r.spa + r.length - 1n)} -> @${hx(r.fileOffset)}`)).join('<br>'),
  ])));
  for (const d of m.host) out.push(renderHostSvg(m, d));
  return out.join('\n');
}

function ndctlTables(v: NdctlView): string {
  const val = (o: Record<string, unknown>, k: string) => (o[k] === undefined ? '' : esc(String(o[k])));
  const out: string[] = [];
  if (v.dimms.length) out.push(table(['dimm', 'id', 'handle', 'phys_id'], v.dimms.map((d) => ['dev', 'id', 'handle', 'phys_id'].map((k) => val(d, k)))));
  if (v.regions.length) out.push(table(['region', 'type', 'size', 'available', 'iset_id', 'persistence'], v.regions.map((r) => [val(r, 'dev'), val(r, 'type'), esc(human(Number(r.size ?? 0))), esc(human(Number(r.available_size ?? 0))), val(r, 'iset_id'), val(r, 'persistence_domain')])));
  const ns = [...v.regions.flatMap((r) => r.namespaces.map((n) => ({ region: String(r.dev), n }))), ...v.namespaces.map((n) => ({ region: '', n }))];
  if (ns.length) out.push(table(['region', 'namespace', 'mode', 'size', 'uuid', 'name', 'device', 'map/align'], ns.map(({ region, n }) => [
    esc(region), val(n, 'dev'), val(n, 'mode'), esc(human(Number(n.size ?? 0))), el('code', {}, val(n, 'uuid')), val(n, 'name'),
    esc(String(n.blockdev ?? n.chardev ?? '')), esc([n.map, n.align].filter((x) => x !== undefined).join(' / ')),
  ])));
  if (!out.length) out.push(el('p', { class: 'note' }, esc(`${v.file} is empty: ndctl found nothing.`)));
  return out.join('\n');
}

function dom0Section(m: ReportModel, link: Link, linkIf: (rel: string) => string): string {
  const out = [el('h2', { id: 'dom0' }, "Dom0: Linux's view and the administrator's setup"), el('p', {}, ...['dom0/ndctl-list.json', 'dom0/setup.json', 'dom0/xen-areas.json', 'dom0/balloon.json', 'dom0/proc/mounts'].map((f) => `${linkIf(f)} `))];
  if (m.dom0.ndctl) out.push(el('h3', {}, 'ndctl list -RDN'), ndctlTables(m.dom0.ndctl));
  else out.push(el('p', { class: 'note' }, 'No dom0/ndctl-list.json (the dom0 stage has not run).'));
  if (m.dom0.devices.length) {
    out.push(el('h3', {}, 'Devices in sysfs (resource = SPA of the first byte)'), table(['region', 'device', 'disk', 'resource', 'size', 'image offset'], m.dom0.devices.map((d) => [
      esc(d.region), esc(d.dev), esc(d.disk ?? ''), code(hx(d.resource)), esc(bytes(d.size)), d.image ? `${link(d.image)} ${code(`@${hx(d.imageOffset!)}`)}` : '',
    ])));
  }
  const files = (m.dom0.setup?.namespaces ?? []).flatMap((ns) => ns.containers.flatMap((c) => (c.filesystem?.files ?? []).map((f) => ({ ns, c, f }))));
  if (m.dom0.setup?.namespaces.length) {
    out.push(el('h3', {}, 'Setup (namespaces the administrator made)'), table(['dimm', 'name', 'mode', 'uuid', 'containers'], m.dom0.setup.namespaces.map((ns) => [
      esc(ns.dimm), esc(ns.name), esc(ns.mode), code(ns.uuid),
      ns.containers.map((c) => esc([c.partition !== undefined ? `partition ${c.partition}` : 'whole device', c.xen ? `Xen placement ${c.xen}` : '', c.filesystem ? `ext4 on ${c.filesystem.mount ?? '(not mounted)'}` : ''].filter(Boolean).join(', '))).join('<br>'),
    ])));
  }
  if (files.length) {
    out.push(table(['file', 'size', 'how', 'extents (logical -> physical, blocks)'], files.map(({ c, f }) => [
      code(`${c.filesystem!.mount ?? ''}/${f.path}`), esc(human(Number(f.size))), esc([f.how, f.content].filter(Boolean).join(', ')),
      esc(f.extents.slice(0, 8).map((e) => `${e.logical}->${e.physical} +${e.length}`).join(', ') + (f.extents.length > 8 ? `, ... (${f.extents.length} extents)` : '')),
    ])));
  }
  if (m.dom0.mounts?.trim()) out.push(el('pre', {}, esc(m.dom0.mounts)));
  return out.join('\n');
}

function xenSection(m: ReportModel, linkIf: (rel: string) => string): string {
  const out = [el('h2', { id: 'xen' }, "Xen: regions and reserved areas"), el('p', {}, ...['xen/state.json', 'xen/console.log', 'xen/metadata.json', 'xen/permissions.json', 'xen/acpi/NFIT.aml'].map((f) => `${linkIf(f)} `))];
  const x = m.xen;
  if (!x) return out.concat(el('p', { class: 'note' }, 'No xen/state.json (the xen stage has not run).')).join('\n');
  const row = (a: (typeof x.areas)[number]) => [esc(a.kind), code(`${hx(a.smfn)}-${hx(a.emfn)}`), esc(`${hx(a.emfn - a.smfn)} (${human(Number((a.emfn - a.smfn) * PAGE))})`), a.image ? code(`${a.image} @${hx(a.imageOffset!)}`) : '', esc(a.note)];
  const head = ['kind', 'frames [start, end)', 'pages', 'host image offset', 'note'];
  out.push(el('h3', {}, 'Regions'), x.areas.length ? table(head, x.areas.map(row), { class: 'xen-areas' }) : el('p', { class: 'note' }, 'No region.'));
  out.push(el('h3', {}, 'Metadata in pmem: frame table (32 bytes a page) and M2P (8 bytes a page)'), x.metadata.length ? table(head, x.metadata.map(row), { class: 'xen-metadata' }) : el('p', { class: 'note' }, 'None.'));
  if (x.console?.trim()) out.push(el('h3', {}, 'Console'), el('pre', { class: 'console' }, esc(x.console)));
  if (x.calls.length) out.push(el('p', {}, 'Calls Xen handled: ', x.calls.map((c) => `${el('a', { href: `#call-${c.seq}` }, `#${c.seq}`)} ${resultCell(c.result)}${c.reason ? ` (${esc(c.reason)})` : ''}`).join(', ')));
  return out.join('\n');
}

/** The arguments as one line: the op's union member when there is one. */
function argsText(e: HypercallEntry): string {
  const a = e.args as Record<string, unknown> | undefined;
  const u = a && typeof a.u === 'object' && a.u ? Object.values(a.u as object)[0] : undefined;
  return JSON.stringify(u ?? a ?? null);
}

function traceSection(trace: readonly HypercallEntry[], link: Link, have: (rel: string) => boolean): string {
  const out = [el('h2', { id: 'hypercalls' }, 'Hypercalls'), el('p', {}, have('hypercalls/trace.jsonl') ? link('hypercalls/trace.jsonl') : el('span', { class: 'note' }, 'No hypercall has been made.'))];
  if (trace.length) {
    out.push(table(['#', 'caller', 'op', 'arguments (as Xen decoded them)', 'result', 'argument struct'], trace.map((e) => [
      esc(e.seq), esc(e.caller), esc(e.op), code(argsText(e)), resultCell(e.result), have(`hypercalls/${e.file}`) ? link(`hypercalls/${e.file}`, e.file) : esc(`${e.file} (missing)`),
    ]), { class: 'trace' }, (i) => ({ id: `call-${trace[i]!.seq}`, 'data-seq': trace[i]!.seq })));
  }
  return out.join('\n');
}

function runRow(v: VnvdimmReport, r: MappedRun): string[] {
  return [
    esc(r.key), esc(r.type), r.type === 'label' ? esc(`backend @${hx(r.backendPage * PAGE)}`) : code(`${hx(r.guest.start)}-${hx(r.guest.end)}`), esc(r.pages),
    code(`${hx(r.mfn)}-${hx(r.mfn + r.pages - 1n)}`), r.image ? code(`${r.image} @${hx(r.imageOffset!)}`) : el('span', { class: 'problem' }, esc(r.problem ?? '')),
    r.dom0Offset !== undefined ? code(`${v.memPath} @${hx(r.dom0Offset)}`) : '', r.seq !== undefined ? el('a', { href: `#call-${r.seq}` }, `#${r.seq}`) : '',
  ];
}

function guestSection(m: ReportModel, g: GuestReport, link: Link, linkIf: (rel: string) => string): string {
  const at = (f: string) => `guests/${g.name}/${f}`;
  const out = [el('h3', { id: `guest-${g.name}` }, esc(`${g.name}${g.domid !== undefined ? ` (domain ${g.domid})` : ''}`))];
  out.push(el('p', {}, `xl: ${esc(g.xlStatus ?? 'not run')} · mapping: ${g.mappingStatus ? el('span', { class: g.mappingStatus === 'running' ? 'ok' : 'bad' }, esc(g.mappingStatus)) : 'not run'}${g.route ? ` (${esc(g.route)})` : ''} · `,
    ...['xl.json', 'qemu.argv', 'layout.json', 'mappings.json', 'hvmloader.json', 'memory.img', 'xenstore.txt'].map((f) => `${linkIf(at(f))} `)));
  if (g.errors.length) out.push(el('ul', { class: 'problem' }, ...g.errors.map((e) => el('li', {}, esc(e)))));
  if (g.warnings.length) out.push(el('ul', { class: 'note' }, ...g.warnings.map((e) => el('li', {}, esc(e)))));
  for (const v of g.vnvdimms) {
    out.push(el('p', {}, esc(`${v.id} (slot ${v.slot}): guest ${hx(v.addr)}, pmem ${human(Number(v.pmemSize))}, label area ${human(Number(v.labelSize))}, backend ${human(Number(v.backendSize))}`),
      v.memPath !== undefined ? ` from Dom0's ${code(v.memPath)}` : v.hostAddr !== undefined ? ` from host frames at ${code(hx(v.hostAddr))}` : ''));
    out.push(renderMappingSvg(g, v, m.host));
    if (v.runs.length) out.push(table(['run', 'type', 'guest physical', 'pages', 'host frames', 'host image', "Dom0 file", 'call'], v.runs.map((r) => runRow(v, r)), { class: 'runs' }, (i) => ({ 'data-run': v.runs[i]!.key })));
    if (v.extents?.length) out.push(table(['extent: logical block', 'physical block', 'blocks'], v.extents.map((e) => [esc(e.logical), esc(e.physical), esc(e.length)])));
  }
  if (g.destroyed) {
    out.push(el('p', {}, 'Destroyed (xl destroy', g.destroyed.seq !== undefined ? `, ${el('a', { href: `#call-${g.destroyed.seq}` }, `#${g.destroyed.seq}`)}` : '', '): Xen took back ',
      esc(g.destroyed.released.map((r) => `${r.type} ${r.nr} pages at frame ${r.mfn}`).join(', ') || 'nothing'), '.'));
  }
  const refused = g.requested.filter((r) => r.result !== undefined && r.result !== '0');
  if (refused.length) out.push(el('p', {}, 'Refused mapping calls:'), table(['call', 'caller', 'source', 'frames', 'guest frame', 'pages', 'result'], refused.map((r) => [
    r.seq !== undefined ? el('a', { href: `#call-${r.seq}` }, `#${r.seq}`) : '', esc(r.caller ?? ''), esc(r.source ?? ''), code(r.mfn), code(r.gfn), code(r.nr), resultCell(r.result!),
  ])));
  if (g.stray.length) out.push(el('p', { class: 'problem' }, esc(`${g.stray.length} mapped run(s) outside every vNVDIMM's guest range: `), ...g.stray.map((r) => code(`${r.type} ${hx(r.guest.start)} -> ${hx(r.hostSpa.start)} (${r.pages} pages) `))));
  const view: string[] = [el('h3', {}, esc(`${g.name}: the guest's view`))];
  if (g.xsdt) view.push(el('p', {}, 'Tables hvmloader gave the guest (XSDT): ', esc(g.xsdt.map((e) => `${e.signature} (${e.origin})`).join(', '))));
  if (g.acpi.length) view.push(el('p', {}, 'As the guest finds them: ', ...g.acpi.map((f) => `${link(at(`acpi/${f}`), f)} `)));
  if (g.ndctl) view.push(el('p', {}, 'ndctl list in the guest: ', link(g.ndctl.file)), ndctlTables(g.ndctl));
  if (g.console?.trim()) view.push(el('p', {}, "The guest's shell: ", link(at('console.log'))), el('pre', {}, esc(g.console)));
  if (g.kernelLog?.trim()) view.push(el('details', {}, el('summary', {}, esc(`The guest kernel's log (${at('guest-kernel.log')})`)), el('pre', {}, esc(g.kernelLog))));
  if (!g.ndctl) view.push(el('p', { class: 'note guest-view-absent' }, esc(`No ${at('ndctl-list.json')}: the guest stage (the guest kernel's enumeration) has not written it in this run.`)));
  out.push(el('div', { id: `guest-view-${g.name}`, class: 'guest-view' }, ...view));
  return out.join('\n');
}

function artefactSection(m: ReportModel, link: Link): string {
  const files = m.artefacts.filter((a) => a.kind === 'file');
  const links = m.artefacts.filter((a) => a.kind === 'symlink');
  const out = [el('h2', { id: 'artefacts' }, esc(`Artefacts (${files.length} files, ${links.length} symbolic links)`))];
  out.push(table(['file', 'size'], files.map((a) => [link(a.path), esc(human(a.size ?? 0))]), { class: 'artefacts' }));
  if (links.length) out.push(el('details', {}, el('summary', {}, esc(`${links.length} symbolic links (Dom0's sysfs)`)), table(['link', 'target'], links.map((a) => [code(a.path), code(a.target ?? '')]))));
  return out.join('\n');
}

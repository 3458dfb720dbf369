/**
 * A host NVDIMM's backing image as one picture: its pmem and label area, Dom0's devices on it, Xen's
 * regions and metadata chunks (frame table, M2P), and the frames each guest was given, all placed
 * by image offset. An overview: boxes are at least 2 px wide so that a frame table of a few pages
 * still shows (the mapping pictures are the ones drawn strictly to scale).
 */
import { human } from '../../inspect/layer.js';
import { el, esc, hx, px } from './html.js';
import { PAGE, type HostDimmReport, type ReportModel } from './model.js';

const WIDTH = 960;
const X0 = 110;
const W = WIDTH - X0 - 10;
const ROW = 22;

interface Box {
  offset: bigint;
  length: bigint;
  kind: string;
  text: string;
  title: string;
}

const FILL: Record<string, string> = {
  pmem: '#dde7f3', label: '#f4cccc', dom0: '#cfe2f3', region: '#eadcf0', raw: '#eadcf0', reserved: '#f9cb9c', mgmt: '#f9cb9c', data: '#d9ead3',
  'frame-table': '#f6b26b', m2p: '#ffd966', 'guest-data': '#3d6fb6', 'guest-label': '#e69138',
};

export function renderHostSvg(m: ReportModel, d: HostDimmReport): string {
  const rows: [string, Box[]][] = [];
  const box = (offset: bigint, length: bigint, kind: string, text: string, title: string): Box => ({ offset, length, kind, text, title });
  rows.push(['image', [
    box(0n, d.pmemSize, 'pmem', `pmem ${human(Number(d.pmemSize))}`, `${d.image} [0, ${hx(d.pmemSize)}): persistent memory (DPA = image offset)`),
    ...(d.labelSize > 0n ? [box(d.size - d.labelSize, d.labelSize, 'label', 'labels', `${d.image} [${hx(d.size - d.labelSize)}, ${hx(d.size)}): the label storage area (_LSR/_LSW)`)] : []),
  ]]);
  const mine = <T extends { image?: string; imageOffset?: bigint }>(xs: readonly T[]) => xs.filter((x) => x.image === d.image && x.imageOffset !== undefined);
  const dom0 = mine(m.dom0.devices).map((x) => box(x.imageOffset!, x.size, 'dom0', x.disk ?? x.dev, `Dom0 ${x.region}/${x.dev}${x.disk ? ` (/dev/${x.disk})` : ''}: SPA ${hx(x.resource)}, ${human(Number(x.size))} at image offset ${hx(x.imageOffset!)}`));
  if (dom0.length) rows.push(['Dom0', dom0]);
  const areas = mine(m.xen?.areas ?? []);
  const area = (x: (typeof areas)[number]) => box(x.imageOffset!, (x.emfn - x.smfn) * PAGE, x.kind, x.kind, `Xen ${x.kind} frames ${hx(x.smfn)}-${hx(x.emfn)} (${human(Number((x.emfn - x.smfn) * PAGE))}) at image offset ${hx(x.imageOffset!)}${x.note ? `: ${x.note}` : ''}`);
  const outer = areas.filter((x) => x.kind === 'region' || x.kind === 'raw');
  if (outer.length) rows.push(['Xen regions', outer.map(area)]);
  const inner = areas.filter((x) => x.kind !== 'region' && x.kind !== 'raw');
  if (inner.length) rows.push(['Xen areas', inner.map(area)]);
  const meta = mine(m.xen?.metadata ?? []);
  if (meta.length) rows.push(['frame table/M2P', meta.map(area)]);
  const runs = m.guests.flatMap((g) => g.vnvdimms.flatMap((v) => mine(v.runs).map((r) => box(r.imageOffset!, r.pages * PAGE, `guest-${r.type}`, g.name, `${g.name} ${v.id} ${r.type}: frames ${hx(r.mfn)}-${hx(r.mfn + r.pages - 1n)} at image offset ${hx(r.imageOffset!)}`))));
  if (runs.length) rows.push(['guest frames', runs]);

  const size = Math.max(1, Number(d.size));
  const height = 30 + rows.length * (ROW + 6) + 18;
  const parts: string[] = [el('text', { x: 10, y: 16, class: 'svg-title' }, esc(`${d.id}: ${d.image}, ${human(Number(d.size))} (overview by image offset; boxes at least 2 px wide)`))];
  rows.forEach(([name, boxes], i) => {
    const y = 28 + i * (ROW + 6);
    parts.push(el('text', { x: 10, y: y + 15, class: 'lane-title' }, esc(name)));
    parts.push(el('rect', { class: 'lane', x: X0, y, width: W, height: ROW }));
    for (const b of boxes) {
      const x = X0 + (Number(b.offset) / size) * W;
      const w = Math.max(2, (Number(b.length) / size) * W);
      parts.push(el('g', { class: `ov ov-${b.kind}` }, el('title', {}, esc(b.title)),
        el('rect', { x: px(x), y, width: px(w), height: ROW, fill: FILL[b.kind] ?? '#cccccc', stroke: '#555', 'stroke-width': 0.5 }),
        w > 8 * b.text.length ? el('text', { x: px(x + 3), y: y + 15, class: b.kind.startsWith('guest') ? 'run-text' : 'box-text' }, esc(b.text)) : ''));
    }
  });
  const axisY = 28 + rows.length * (ROW + 6) + 8;
  parts.push(el('text', { x: X0, y: axisY, class: 'axis' }, '0'), el('text', { x: X0 + W, y: axisY, class: 'axis', 'text-anchor': 'end' }, esc(hx(d.size))));
  return el('svg', { xmlns: 'http://www.w3.org/2000/svg', class: 'host', 'data-dimm': d.id, width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': `host NVDIMM ${d.id}` }, ...parts);
}

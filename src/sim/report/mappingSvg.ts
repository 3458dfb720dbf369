/**
 * One vNVDIMM's mapping as an SVG picture, to scale within each lane: the guest's view of its
 * backend (the guest-physical pmem window, then the label area the guest reaches only through
 * _LSR/_LSW), the host frames Xen mapped, and the file offsets behind them (v1: the Dom0 file or
 * device the vNVDIMM names, with the file's extents; v3/v4: the host NVDIMM's backing image). Each
 * run is one rectangle per lane whose width is its page count times the lane's pixels per page;
 * bands join a run's rectangles from lane to lane.
 */
import { human } from '../../inspect/layer.js';
import { el, esc, hx, px } from './html.js';
import { PAGE, type GuestReport, type HostDimmReport, type MappedRun, type VnvdimmReport } from './model.js';

export const MAP_WIDTH = 960;
const X0 = 10;
const W = MAP_WIDTH - 2 * X0;
const BAR = 26;
const GAP = 52;

interface Lane {
  name: 'guest' | 'host' | 'file' | 'extents';
  title: string;
  /** Domain start and length, in pages. */
  start: bigint;
  pages: bigint;
  y: number;
  /** Axis texts at the lane's two ends. */
  ends: [string, string];
  /** Where a run sits in this lane (page position), undefined: not drawn here. */
  pos(r: MappedRun): bigint | undefined;
}

const perPage = (l: Lane) => W / Math.max(1, Number(l.pages));
const xOf = (l: Lane, page: bigint) => X0 + Number(page - l.start) * perPage(l);
const wOf = (l: Lane, pages: bigint) => Number(pages) * perPage(l);

const COLOR: Record<string, string> = { data: '#3d6fb6', label: '#e69138' };
const colorOf = (type: string) => COLOR[type] ?? '#888888';

function lanes(v: VnvdimmReport, dimms: readonly HostDimmReport[]): Lane[] {
  const backend = v.backendSize / PAGE;
  const out: Lane[] = [{
    name: 'guest',
    title: `guest physical: pmem ${human(Number(v.pmemSize))} at ${hx(v.addr)}${v.labelSize ? `; label area ${human(Number(v.labelSize))} at the backend's tail (not guest-physical: _LSR/_LSW)` : ''}`,
    start: 0n, pages: backend, y: 0,
    ends: [hx(v.addr), hx(v.addr + v.backendSize)],
    pos: (r) => r.backendPage,
  }];
  const mapped = v.runs;
  if (mapped.length) {
    const lo = mapped.reduce((m, r) => (r.mfn < m ? r.mfn : m), mapped[0]!.mfn);
    const hi = mapped.reduce((m, r) => (r.mfn + r.pages > m ? r.mfn + r.pages : m), 0n);
    out.push({
      name: 'host', title: `host frames (machine frame numbers ${hx(lo)}-${hx(hi)}, the span of the mapped runs)`,
      start: lo, pages: hi - lo, y: 0, ends: [hx(lo * PAGE), hx(hi * PAGE)], pos: (r) => r.mfn,
    });
  }
  if (v.memPath !== undefined) {
    out.push({
      name: 'file', title: `offset in Dom0's ${v.memPath} (${human(Number(v.backendSize))})`,
      start: 0n, pages: backend, y: 0, ends: ['0', hx(v.backendSize)],
      pos: (r) => (r.dom0Offset === undefined ? undefined : r.dom0Offset / PAGE),
    });
    if (v.extents?.length) {
      out.push({
        name: 'extents', title: `${v.memPath}: its extents in Dom0's ext4 (dom0/setup.json; 4 KiB blocks, logical -> physical)`,
        start: 0n, pages: backend, y: 0, ends: ['0', hx(v.backendSize)], pos: () => undefined,
      });
    }
  } else {
    const image = mapped.find((r) => r.image)?.image;
    const dimm = dimms.find((d) => d.image === image);
    if (dimm) {
      out.push({
        name: 'file', title: `offset in the host image ${dimm.image} (${human(Number(dimm.size))}, whole file)`,
        start: 0n, pages: (dimm.size + PAGE - 1n) / PAGE, y: 0, ends: ['0', hx(dimm.size)],
        pos: (r) => (r.image === dimm.image && r.imageOffset !== undefined ? r.imageOffset / PAGE : undefined),
      });
    }
  }
  out.forEach((l, i) => (l.y = 40 + i * (BAR + GAP)));
  return out;
}

function runTitle(g: GuestReport, v: VnvdimmReport, r: MappedRun): string {
  return [
    `${g.name} ${v.id} ${r.type} run: ${r.pages} pages (${human(Number(r.pages * PAGE))})`,
    r.type === 'label' ? `label area, backend offset ${hx(r.backendPage * PAGE)}` : `guest ${hx(r.guest.start)}-${hx(r.guest.end)}`,
    `host frames ${hx(r.mfn)}-${hx(r.mfn + r.pages - 1n)}`,
    r.image ? `${r.image} @ ${hx(r.imageOffset!)}` : r.problem ?? '',
    r.dom0Offset !== undefined ? `${v.memPath} @ ${hx(r.dom0Offset)}` : '',
    r.seq !== undefined ? `hypercall #${r.seq}` : '',
  ].filter(Boolean).join('\n');
}

export function renderMappingSvg(g: GuestReport, v: VnvdimmReport, dimms: readonly HostDimmReport[]): string {
  const ls = lanes(v, dimms);
  const height = ls[ls.length - 1]!.y + BAR + 34;
  const parts: string[] = [];
  parts.push(el('text', { x: X0, y: 16, class: 'svg-title' }, esc(`${g.name} · ${v.id} (slot ${v.slot}): guest-physical -> host frames -> file offset, each lane to scale`)));
  for (const l of ls) parts.push(el('rect', { class: 'lane', 'data-lane': l.name, 'data-start': l.start.toString(), 'data-pages': l.pages.toString(), x: X0, y: l.y, width: W, height: BAR }));
  const guest = ls[0]!;
  // the guest lane's own structure: the pmem window, the label area at the backend's tail
  parts.push(el('rect', { class: 'window', x: px(X0), y: guest.y - 2, width: px(wOf(guest, v.pmemSize / PAGE)), height: BAR + 4 }));
  if (v.labelSize > 0n) parts.push(el('rect', { class: 'window window-label', x: px(xOf(guest, (v.backendSize - v.labelSize) / PAGE)), y: guest.y - 2, width: px(wOf(guest, v.labelSize / PAGE)), height: BAR + 4 }));
  // bands first, so the rectangles draw over them
  for (const r of v.runs) {
    for (let i = 0; i + 1 < ls.length; i++) {
      const a = ls[i]!;
      const b = ls[i + 1]!;
      const pa = a.pos(r);
      const pb = b.pos(r);
      if (pa === undefined || pb === undefined) continue;
      const [ax0, ax1, bx0, bx1] = [xOf(a, pa), xOf(a, pa + r.pages), xOf(b, pb), xOf(b, pb + r.pages)];
      const points = [[ax0, a.y + BAR], [ax1, a.y + BAR], [bx1, b.y], [bx0, b.y]].map(([x, y]) => `${px(x!)},${y}`).join(' ');
      parts.push(el('polygon', { class: `band band-${r.type}`, 'data-run': r.key, points, fill: colorOf(r.type) }));
    }
  }
  for (const l of ls) {
    for (const r of v.runs) {
      const p = l.pos(r);
      if (p === undefined) continue;
      const x = xOf(l, p);
      const w = wOf(l, r.pages);
      const attrs = { class: `run run-${r.type}`, 'data-run': r.key, 'data-lane': l.name, 'data-pages': r.pages.toString(), 'data-pos': p.toString(), x: px(x), y: l.y, width: px(w), height: BAR, fill: colorOf(r.type) };
      const label = w > 90 ? el('text', { x: px(x + 4), y: l.y + 17, class: 'run-text' }, esc(`${r.type} ${r.pages} pages`)) : '';
      // a run too narrow to see gets a marker above it (the rectangle itself stays to scale)
      const marker = w < 2 ? el('path', { class: 'marker', d: `M${px(x + w / 2)},${l.y - 1} l-4,-7 h8 z`, fill: colorOf(r.type) }) : '';
      parts.push(el('g', { 'data-run': r.key }, el('title', {}, esc(runTitle(g, v, r))), el('rect', attrs), label, marker));
    }
  }
  const ext = ls.find((l) => l.name === 'extents');
  if (ext) {
    for (const e of v.extents ?? []) {
      const x = xOf(ext, e.logical);
      const w = wOf(ext, e.length);
      parts.push(el('g', {},
        el('title', {}, esc(`extent: logical block ${e.logical}, physical block ${e.physical}, ${e.length} blocks (${human(Number(e.length * PAGE))})`)),
        el('rect', { class: 'extent', 'data-lane': 'extents', 'data-pages': e.length.toString(), 'data-pos': e.logical.toString(), x: px(x), y: ext.y, width: px(w), height: BAR }),
        w > 90 ? el('text', { x: px(x + 4), y: ext.y + 17, class: 'run-text dark' }, esc(`-> block ${e.physical}`)) : ''));
    }
  }
  // texts last, with a halo, so the bands pass under them
  for (const l of ls) {
    parts.push(el('text', { x: X0, y: l.y - 6, class: 'lane-title' }, esc(l.title)));
    parts.push(el('text', { x: X0, y: l.y + BAR + 12, class: 'axis' }, esc(l.ends[0])));
    parts.push(el('text', { x: X0 + W, y: l.y + BAR + 12, class: 'axis', 'text-anchor': 'end' }, esc(l.ends[1])));
  }
  if (!v.runs.length) parts.push(el('text', { x: X0 + W / 2, y: guest.y + 17, class: 'none', 'text-anchor': 'middle' }, 'nothing mapped'));
  return el('svg', {
    xmlns: 'http://www.w3.org/2000/svg', class: 'mapping', 'data-guest': g.name, 'data-vnvdimm': v.id,
    width: MAP_WIDTH, height, viewBox: `0 0 ${MAP_WIDTH} ${height}`, role: 'img', 'aria-label': `mapping of ${g.name} ${v.id}`,
  }, ...parts);
}

/**
 * The report as a browser shows it: headless Chromium (Debian's `chromium`; missing = failing
 * test naming the package) loads each page from file://, one launch per page. The page must load
 * with no console error, no uncaught exception, no failed load and no request but itself; lay out
 * within the viewport's width; have one mapping picture per vNVDIMM of the run's layout.json whose
 * run rectangles Chromium lays out as wide as their page count says; and its screenshot — a PNG
 * decoded here with node:zlib — must be the page's size and show the mapping pictures: not blank,
 * and the colour of each run's rectangle where Chromium placed it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPage, requireChromium } from '../support/chromium.js';
import { decodePng, pixel } from '../support/png.js';
import { exampleRun, v1GuestRun, type ReportRun } from './reportRuns.js';

const work = mkdtempSync(join(tmpdir(), 'nvtool-report-browser-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const WIDTH = 1100;

interface Box { x: number; y: number; w: number; h: number }
interface Facts {
  mappings: { guest: string; vnvdimm: string; box: Box; lanes: Record<string, { w: number; pages: number }>; runs: { lane: string; type: string; pages: number; fill: string; box: Box }[] }[];
  traceRows: number;
  scrollWidth: number;
  highlighted: number;
  sameRun: number;
}

/** Evaluated in the page after load: geometry as laid out, and the hover script exercised once. */
const FACTS = `(() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height }; };
  const mappings = [...document.querySelectorAll('svg.mapping')].map((s) => ({
    guest: s.dataset.guest, vnvdimm: s.dataset.vnvdimm, box: box(s),
    lanes: Object.fromEntries([...s.querySelectorAll('rect.lane')].map((l) => [l.dataset.lane, { w: box(l).w, pages: Number(l.dataset.pages) }])),
    runs: [...s.querySelectorAll('rect.run')].map((r) => ({ lane: r.dataset.lane, type: r.classList.contains('run-label') ? 'label' : 'data', pages: Number(r.dataset.pages), fill: getComputedStyle(r).fill, box: box(r) })),
  }));
  const first = document.querySelector('rect.run');
  let highlighted = 0, sameRun = 0;
  if (first) {
    first.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    highlighted = document.querySelectorAll('.hl').length;
    sameRun = document.querySelectorAll('[data-run="' + first.dataset.run + '"]').length;
    document.body.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
  }
  return { mappings, traceRows: document.querySelectorAll('table.trace tbody tr').length, scrollWidth: document.documentElement.scrollWidth, highlighted, sameRun };
})()`;

const RGB: Record<string, [number, number, number]> = { data: [0x3d, 0x6f, 0xb6], label: [0xe6, 0x91, 0x38] };

let runs: ReportRun[] = [];
beforeAll(async () => {
  requireChromium();
  runs = [await exampleRun(work, 'xen-v4'), await exampleRun(work, 'xen-v1'), await v1GuestRun(work)];
}, 120_000);

describe('sim report in headless Chromium', () => {
  it.each(['xen-v4', 'xen-v1', 'v1-guests'])('%s: loads clean, lays out to scale, and its screenshot shows the mapping pictures', async (name) => {
    const r = runs.find((x) => x.name === name)!;
    const load = await loadPage<Facts>(r.page, FACTS, WIDTH);
    // clean load: nothing on the console, no exception, no failed load, no request but the page
    expect(load.exceptions).toEqual([]);
    expect(load.console.filter((c) => c.type === 'error' || c.type === 'assert' || /Uncaught/.test(c.text))).toEqual([]);
    expect(load.log.filter((l) => l.level === 'error')).toEqual([]);
    expect(load.requests).toEqual([pathToFileURL(r.page).href]);
    const f = load.facts;
    expect(f.scrollWidth).toBeLessThanOrEqual(WIDTH);
    const trace = readFileSync(join(r.dir, 'hypercalls/trace.jsonl'), 'utf8').trim().split('\n');
    expect(f.traceRows).toBe(trace.length);

    // one mapping picture per vNVDIMM of each guest's layout.json; rectangles laid out to scale
    const guests = existsSync(join(r.dir, 'guests')) ? readdirSync(join(r.dir, 'guests')) : [];
    const expected = guests.flatMap((g) => JSON.parse(readFileSync(join(r.dir, 'guests', g, 'layout.json'), 'utf8')).nvdimms.map((d: { id: string }) => `${g}/${d.id}`));
    expect(f.mappings.map((m) => `${m.guest}/${m.vnvdimm}`).sort()).toEqual(expected.sort());
    for (const m of f.mappings) {
      for (const run of m.runs) {
        const lane = m.lanes[run.lane]!;
        expect(Math.abs(run.box.w - (run.pages * lane.w) / lane.pages), `${m.guest} ${run.lane}`).toBeLessThan(0.05);
        expect(run.fill).toBe(`rgb(${RGB[run.type]!.join(', ')})`);
      }
    }
    if (f.mappings.some((m) => m.runs.length)) expect(f.highlighted).toBe(f.sameRun);

    // the screenshot: a PNG of the whole page, the mapping pictures not blank, each visible run in its colour
    const png = decodePng(load.png);
    expect([png.width, png.height]).toEqual([WIDTH, load.height]);
    expect(png.height).toBeGreaterThan(600);
    let sampled = 0;
    for (const m of f.mappings) {
      let ink = 0;
      let total = 0;
      for (let y = Math.ceil(m.box.y); y < m.box.y + m.box.h; y += 2) {
        for (let x = Math.ceil(m.box.x); x < m.box.x + m.box.w; x += 2) {
          const [pr, pg, pb] = pixel(png, x, y);
          total++;
          if (pr < 245 || pg < 245 || pb < 245) ink++;
        }
      }
      expect(ink / total, `${m.guest}/${m.vnvdimm}: share of non-white pixels`).toBeGreaterThan(m.runs.length ? 0.15 : 0.05);
      for (const run of m.runs.filter((x) => x.box.w >= 6)) {
        // below the run's text, clear of its 0.5 px white outline
        const [pr, pg, pb] = pixel(png, run.box.x + run.box.w / 2, run.box.y + run.box.h * 0.85);
        const want = RGB[run.type]!;
        expect(Math.max(Math.abs(pr - want[0]), Math.abs(pg - want[1]), Math.abs(pb - want[2])), `${m.guest} ${run.lane} run at ${run.box.x},${run.box.y}`).toBeLessThanOrEqual(3);
        sampled++;
      }
    }
    if (name !== 'xen-v1') expect(sampled).toBeGreaterThan(0);
    else expect(f.mappings).toEqual([]); // the example has no guest
  }, 60_000);
});

/**
 * `nvtool sim run ... --report` and `nvtool sim report`: the page's structure against the run's own
 * artefacts, read here straight from the files the stages wrote (trace.jsonl, layout.json,
 * mappings.json, setup.json, state.json, the directory itself): every hypercall is a row linking
 * its .bin; every mapping rectangle sits where its run's pages put it and is as wide as its page
 * count times its lane's pixels per page; every link is relative and resolves to a file of the
 * run; the page has no external reference. The image offsets of v3/v4 runs are compared with
 * `nvtool sim mappings --json` (the one SPA -> image home, tested against QEMU's placement in
 * spa.test.ts). How the page renders is test/sim/report-browser.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esc } from '../../src/sim/report/html.js';
import { runCli } from '../support/cli.js';
import { exampleRun, mappingSvgs, tags, textOfId, v1GuestRun, type ReportRun, type Tag } from './reportRuns.js';
import { validateCliJson } from '../support/schemas.js';

const work = mkdtempSync(join(tmpdir(), 'nvtool-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let runs: ReportRun[] = [];
beforeAll(async () => {
  runs = [await exampleRun(work, 'xen-v4'), await exampleRun(work, 'xen-v1'), await v1GuestRun(work)];
}, 120_000);

const html = (r: ReportRun) => readFileSync(r.page, 'utf8');
const json = (r: ReportRun, rel: string) => JSON.parse(readFileSync(join(r.dir, rel), 'utf8'));
const big = (v: string | number) => BigInt(v);
const num = (t: Tag, k: string) => Number(t[k]);

/** Regular files of a directory, relative, symlinks not followed. */
function filesOf(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel)).flatMap((n) => {
    const r = rel ? `${rel}/${n}` : n;
    const st = lstatSync(join(root, r));
    return st.isDirectory() ? filesOf(root, r) : st.isFile() ? [r] : [];
  });
}

/** The file a relative href names, from the page's folder. */
const target = (page: string, href: string) => resolve(dirname(page), ...href.split('/').map(decodeURIComponent));

function guests(r: ReportRun): string[] {
  return existsSync(join(r.dir, 'guests')) ? readdirSync(join(r.dir, 'guests')).filter((g) => existsSync(join(r.dir, 'guests', g, 'layout.json'))) : [];
}

describe('sim report: the page against the run\'s artefacts', () => {
  it('every line of hypercalls/trace.jsonl is a row with its caller, op and result, linking its .bin', () => {
    for (const r of runs) {
      const page = html(r);
      const lines = readFileSync(join(r.dir, 'hypercalls/trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; caller: string; op: string; file: string; result: string });
      expect(lines.length, r.name).toBeGreaterThan(0);
      expect(tags(page, 'tr').filter((t) => t.id?.startsWith('call-')).map((t) => t.id), r.name).toEqual(lines.map((l) => `call-${l.seq}`));
      for (const l of lines) {
        const row = textOfId(page, 'tr', `call-${l.seq}`)!;
        expect(row.split(' ').slice(0, 3), `${r.name} #${l.seq}`).toEqual([String(l.seq), l.caller, l.op]);
        expect(row).toContain(` ${l.result} `);
        const rowHtml = new RegExp(`<tr\\b[^>]*id="call-${l.seq}"[^>]*>([\\s\\S]*?)</tr>`).exec(page)![1]!;
        const hrefs = tags(rowHtml, 'a').map((a) => a.href!);
        expect(hrefs.map((h) => target(r.page, h))).toContain(join(r.dir, 'hypercalls', l.file));
      }
    }
  });

  it('each mapping rectangle is as wide as its page count times its lane\'s pixels per page, placed by mappings.json and layout.json', async () => {
    let checked = 0;
    for (const r of runs) {
      const svgs = mappingSvgs(html(r));
      const gs = guests(r);
      expect(svgs.length, r.name).toBe(gs.reduce((n, g) => n + json(r, `guests/${g}/layout.json`).nvdimms.length, 0));
      const images = new Map<string, { image: string; imageOffset: number }>();
      if (gs.length) {
        const m = await runCli(['sim', 'mappings', r.dir, '--json']);
        for (const g of (validateCliJson('sim-mappings', m.stdout) as any).guests) for (const run of [...g.vnvdimms.flatMap((v: any) => v.runs), ...g.other]) images.set(`${g.guest}:${run.hostSpa.start}`, run);
      }
      for (const g of gs) {
        const layout = json(r, `guests/${g}/layout.json`);
        const mapped = (json(r, `guests/${g}/mappings.json`).mapped as { gfn: string; mfn: string; nr: string; type: string }[]).map((x) => ({ gfn: big(x.gfn), mfn: big(x.mfn), nr: big(x.nr), type: x.type }));
        expect(layout.nvdimms.length).toBe(1); // the runs here have one vNVDIMM a guest: all its runs are in one picture
        const d = layout.nvdimms[0];
        const svg = svgs.find((s) => s.attrs['data-guest'] === g && s.attrs['data-vnvdimm'] === d.id)!;
        expect(svg, `${r.name} ${g}`).toBeDefined();
        const lanes = new Map(tags(svg.text, 'rect').filter((t) => t.class === 'lane').map((t) => [t['data-lane']!, t]));
        const rects = tags(svg.text, 'rect').filter((t) => t.class?.startsWith('run '));
        const backendPages = big(d.backendSize) / 4096n;
        expect(big(lanes.get('guest')!['data-pages']!)).toBe(backendPages);
        // geometry: width = pages x lane width / lane pages; x = lane x + (position - lane start) x the same
        for (const t of [...rects, ...tags(svg.text, 'rect').filter((x) => x.class === 'extent')]) {
          const lane = lanes.get(t['data-lane']!)!;
          const perPage = num(lane, 'width') / Number(lane['data-pages']);
          expect(Math.abs(num(t, 'width') - Number(t['data-pages']) * perPage), `${r.name} ${g} ${t['data-lane']} width`).toBeLessThan(0.002);
          expect(Math.abs(num(t, 'x') - (num(lane, 'x') + (Number(t['data-pos']) - Number(lane['data-start'])) * perPage)), `${r.name} ${g} x`).toBeLessThan(0.002);
          checked++;
        }
        const inLane = (name: string) => rects.filter((t) => t['data-lane'] === name).map((t) => [big(t['data-pos']!), big(t['data-pages']!)]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
        const sorted = (xs: bigint[][]) => xs.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
        const addr = big(d.addr) / 4096n;
        const data = mapped.filter((x) => x.type === 'data');
        const labels = mapped.filter((x) => x.type === 'label');
        // guest lane: data runs at their guest frame within the vNVDIMM; the label run at the backend's tail
        expect(inLane('guest')).toEqual(sorted([...data.map((x) => [x.gfn - addr, x.nr]), ...labels.map((x) => [backendPages - x.nr, x.nr])]));
        // host lane: every mapped run at its machine frame, the lane spanning the lowest to the highest frame
        expect(inLane('host')).toEqual(sorted(mapped.map((x) => [x.mfn, x.nr])));
        if (mapped.length) expect(big(lanes.get('host')!['data-start']!)).toBe(mapped.reduce((m, x) => (x.mfn < m ? x.mfn : m), mapped[0]!.mfn));
        if (d.memPath !== undefined) {
          // v1: the Dom0 file (or device) offset is the guest offset; the file's extents as the setup recorded them
          expect(inLane('file')).toEqual(sorted(data.map((x) => [x.gfn - addr, x.nr])));
          const files = json(r, 'dom0/setup.json').namespaces.flatMap((n: any) => n.containers.flatMap((c: any) => (c.filesystem?.files ?? []).map((f: any) => ({ ...f, path: `${c.filesystem.mount}/${f.path}` }))));
          const file = files.find((f: any) => f.path === d.memPath);
          const extents = tags(svg.text, 'rect').filter((t) => t.class === 'extent').map((t) => [Number(t['data-pos']), Number(t['data-pages'])]);
          expect(extents).toEqual(file ? file.extents.map((e: any) => [e.logical, e.length]) : []);
        } else if (mapped.length) {
          // v3/v4: offsets in the host image, the lane the whole image
          const image = images.get(`${g}:${Number(mapped[0]!.mfn * 4096n)}`)!;
          expect(big(lanes.get('file')!['data-pages']!)).toBe(BigInt(Math.ceil(statSync(join(r.dir, image.image)).size / 4096)));
          expect(inLane('file')).toEqual(sorted(mapped.map((x) => [BigInt(images.get(`${g}:${Number(x.mfn * 4096n)}`)!.imageOffset) / 4096n, x.nr])));
        }
        if (!mapped.length) expect(svg.text).toContain('nothing mapped');
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('every link is relative and resolves to a file of the run (fragments to an element of the page); every file of the run is linked; nothing external', () => {
    for (const r of runs) {
      const page = html(r);
      const ids = new Set([...page.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]));
      const linked = new Set<string>();
      for (const a of tags(page, 'a')) {
        const href = a.href!;
        if (href.startsWith('#')) {
          expect(ids.has(href.slice(1)), `${r.name} ${href}`).toBe(true);
          continue;
        }
        expect(href, r.name).not.toMatch(/^([a-z][a-z0-9+.-]*:|\/)/i);
        const f = target(r.page, href);
        expect(existsSync(f) && statSync(f).isFile(), `${r.name}: ${href} -> ${f}`).toBe(true);
        linked.add(relative(r.dir, f));
      }
      const files = filesOf(r.dir).filter((f) => resolve(r.dir, f) !== r.page);
      expect(files.filter((f) => !linked.has(f)), r.name).toEqual([]);
      expect(page).not.toMatch(/\bsrc=|<link\b|@import|url\(|<iframe|<img/i);
      expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    }
  });

  it('host DIMMs, Dom0\'s namespaces and Xen\'s regions and metadata chunks are shown with the artefacts\' values', () => {
    for (const r of runs) {
      const page = html(r);
      for (const d of json(r, 'host/machine.json').dimms) expect(page).toContain(`>${d.id}</td>`);
      const state = json(r, 'xen/state.json');
      const areas = Array.isArray(state.regions)
        ? state.regions.flatMap((x: any) => [[x.spfn, x.epfn], [x.rsvSpfn, x.rsvEpfn], [x.dataSpfn, x.dataEpfn]])
        : ['raw', 'mgmt', 'data'].flatMap((k) => state.regions[k].map((x: any) => [x.smfn, x.emfn]));
      const hex = (v: string) => `0x${big(v).toString(16)}`;
      for (const [s, e] of areas) expect(page, r.name).toContain(`<code>${hex(s)}-${hex(e)}</code>`);
      for (const c of state.reserved) expect(page, r.name).toContain(`<code>${hex(c.mfn)}-0x${(big(c.mfn) + big(c.pages)).toString(16)}</code>`);
      const ndctl = readFileSync(join(r.dir, 'dom0/ndctl-list.json'), 'utf8').trim();
      const uuids = ndctl ? [...ndctl.matchAll(/"uuid":"([^"]+)"/g)].map((m) => m[1]!) : [];
      for (const u of uuids) expect(page).toContain(u);
      if (r.name !== 'xen-v4') expect(uuids.length, r.name).toBeGreaterThan(0);
    }
  });

  it('the guest\'s view: guests/<name>/ndctl-list.json when the guest stage wrote one, a note when not; odd file names escaped and still linked', async () => {
    const v4 = runs[0]!;
    const own = join(v4.dir, 'guests/vm1/ndctl-list.json');
    const view = textOfId(html(v4), 'div', 'guest-view-vm1')!;
    if (existsSync(own)) {
      const found = [...readFileSync(own, 'utf8').matchAll(/"(uuid|dev|blockdev)":"([^"]+)"/g)].map((m) => m[2]!);
      expect(found.length).toBeGreaterThan(0);
      for (const v of found) expect(view).toContain(v);
    }
    else expect(view).toContain('No guests/vm1/ndctl-list.json');
    // a copy of the run with a guest ndctl list (Dom0's of the v1 example, which has namespaces) and an odd file name
    const copy = join(work, 'v4-copy');
    execFileSync('cp', ['-a', '--sparse=always', v4.dir, copy]);
    writeFileSync(join(copy, 'guests/vm1/ndctl-list.json'), readFileSync(join(runs[1]!.dir, 'dom0/ndctl-list.json')));
    const odd = `a <b>&"x' #1.txt`;
    mkdirSync(join(copy, 'extra'));
    writeFileSync(join(copy, 'extra', odd), 'x');
    const released = json({ ...v4, dir: copy }, 'guests/vm1/mappings.json').mapped;
    const x = await runCli(['sim', 'guest-destroy', copy, '--guest', 'vm1']);
    expect(x.code, x.stderr).toBe(0);
    const w = await runCli(['sim', 'report', copy, '--force']);
    expect(w.code, w.stderr).toBe(0);
    const page = readFileSync(join(copy, 'report.html'), 'utf8');
    // destroyed: nothing mapped any more, the released runs and the destroy call named
    expect(mappingSvgs(page)[0]!.text).toContain('nothing mapped');
    const seq = json({ ...v4, dir: copy }, 'guests/vm1/mappings.json').destroyedBy;
    expect(page).toContain(`<a href="#call-${seq}">#${seq}</a>`);
    for (const r of released) expect(page).toContain(`${r.type} ${r.nr} pages at frame ${r.mfn}`);
    expect(textOfId(page, 'div', 'guest-view-vm1')).toContain(readFileSync(join(copy, 'guests/vm1/console.log'), 'utf8').trim().split('\n')[0]);
    const shown = textOfId(page, 'div', 'guest-view-vm1')!;
    for (const m of readFileSync(join(copy, 'guests/vm1/ndctl-list.json'), 'utf8').matchAll(/"(uuid|name|dev)":"([^"]+)"/g)) expect(shown).toContain(m[2]);
    expect(page).not.toContain('<b>&');
    expect(page).toContain(esc(`extra/${odd}`));
    const a = tags(page, 'a').find((t) => t.href!.startsWith('extra/'))!;
    expect(target(join(copy, 'report.html'), a.href!)).toBe(join(copy, 'extra', odd));
  });

  it('sim run --report: the page is built with the run (title and links for its final place), listed by --dry-run; a page outside the run directory too', async () => {
    const v4 = runs[0]!;
    expect(html(v4)).toContain(`<h1>nvtool simulation run: ${esc(v4.dir)}</h1>`);
    expect(html(v4)).not.toMatch(/nvtool-\d+\.tmp/);
    const dryOut = join(work, 'dry-run');
    const d = await runCli(['sim', 'run', 'fixtures/examples/xen-v4/scenario.json', '--out', dryOut, '--report', join(dryOut, 'pages/run.html'), '--dry-run', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect((validateCliJson('writes', d.stdout) as any).writes.map((w: { file: string }) => w.file)).toContain(join(dryOut, 'pages/run.html'));
    expect(existsSync(dryOut)).toBe(false);
    const out = join(work, 'outside-run');
    const page = join(work, 'outside.html');
    const o = await runCli(['sim', 'run', 'fixtures/examples/xen-v4/scenario.json', '--out', out, '--report', page]);
    expect(o.code, o.stderr).toBe(0);
    const text = readFileSync(page, 'utf8');
    expect(text).toContain(`<h1>nvtool simulation run: ${esc(out)}</h1>`);
    const links = tags(text, 'a').filter((a) => !a.href!.startsWith('#'));
    expect(links.length).toBeGreaterThan(30);
    for (const a of links) expect(existsSync(target(page, a.href!)), a.href).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    const again = await runCli(['sim', 'run', 'fixtures/examples/xen-v4/scenario.json', '--out', join(work, 'outside-run-2'), '--report', page]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
    expect(existsSync(join(work, 'outside-run-2'))).toBe(false);
  });

  it('bad input ends with exit 2 and one line before anything is written; an existing page needs --force; --dry-run writes nothing', async () => {
    const notRun = join(work, 'not-a-run');
    mkdirSync(notRun);
    const a = await runCli(['sim', 'report', notRun]);
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/not a simulation directory/);
    expect(readdirSync(notRun)).toEqual([]);
    const out = join(work, 'never');
    const b = await runCli(['sim', 'run', 'fixtures/examples/xen-v4/scenario.json', '--out', out, '--report', join(work, 'no-such-folder/r.html')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^nvtool: --report .*no such folder/);
    expect(existsSync(out)).toBe(false);
    const v4 = runs[0]!;
    const before = readFileSync(v4.page);
    const c = await runCli(['sim', 'report', v4.dir]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/exists; pass --force/);
    expect(readFileSync(v4.page)).toEqual(before);
    const dry = join(work, 'dry.html');
    const d = await runCli(['sim', 'report', v4.dir, '--out', dry, '--dry-run']);
    expect(d.code).toBe(0);
    expect(d.stderr).toContain(`would write ${dry}`);
    expect(existsSync(dry)).toBe(false);
    const e = await runCli(['sim', 'host', 'fixtures/examples/xen-v4/scenario.json', '--out', out, '--report', dry]);
    expect(e.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

/**
 * `xl destroy` in design v4 (specs/sim.md §7.11): the relinquish step `RELMEM_pmem` frees data and
 * label pages alike. A guest with a label area (nr_label_pages) is destroyed with `nvtool sim
 * guest-destroy`; before, another domain's XENMEM_populate_pmem_map of its frames is -EBUSY (Xen's
 * own frame-table check); after, the same call succeeds for the data and the label frames, their
 * page_info was free (pmem flag kept, owner 0) in between, the tracker no longer lets the dead
 * domain touch them, and every held page is held once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStruct } from '../../src/core/schema/index.js';
import { runAll, type SimDir } from '../../src/sim/index.js';
import { openMapContext } from '../../src/sim/xen/mapContext.js';
import { pageInfoAddress } from '../../src/sim/xen/metadataWriter.js';
import { populatePmemMap } from '../../src/sim/xen/pmemMap.js';
import { pageInfo, PGC_pmem_page, PGC_state, PGC_state_free, PGC_state_inuse } from '../../src/xen/pageInfo.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';
import { workDir, writeScenario } from './helpers.js';

const w = workDir('nvtool-destroy-v4-');
afterAll(() => w.cleanup());
let dir: SimDir;

beforeAll(async () => {
  const cfg = (name: string, v: string) => writeFileSync(join(w.path, `${name}.cfg`), `name = "${name}"\nbuilder = "hvm"\nmemory = 1032\nvnvdimms = [ ${v} ]\n`);
  cfg('g1', `'type=mfn, backend=0x110000, nr_pages=0x2000, nr_label_pages=32'`);
  cfg('g2', `'type=mfn, backend=0x118000, nr_pages=0x1000'`);
  const s = writeScenario(w.path, 's.json', {
    design: 'v4',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '1G', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
    guests: [{ name: 'g1', config: 'g1.cfg' }, { name: 'g2', config: 'g2.cfg' }],
  });
  dir = await runAll(s, join(w.path, 'run'));
}, 120_000);

type Run = { gfn: bigint; mfn: bigint; nr: bigint; type: 'data' | 'label' };

function pageState(pfn: bigint): { state: bigint; pmem: boolean; owner: number } {
  const { ctx, close } = openMapContext(dir);
  try {
    const at = pageInfoAddress(ctx.st.chunks, pfn)!;
    const pi = decodeStruct(pageInfo, ctx.mem!.window(at, BigInt(pageInfo.size!))!.io.read(0, pageInfo.size!)).value;
    return { state: pi.countInfo & PGC_state, pmem: (pi.countInfo & PGC_pmem_page) !== 0n, owner: pi.owner };
  } finally {
    close();
  }
}

function populate(domid: number, r: Run, gfn: bigint) {
  const { ctx, save, close } = openMapContext(dir);
  ctx.domains.add(domid);
  try {
    const o = populatePmemMap(ctx, { domid, pad: new Uint8Array(6), mfn: r.mfn, gfn, nrMfns: Number(r.nr), type: r.type === 'data' ? 0 : 1 });
    if (o.result === '0') save();
    return { o, perms: ctx.perms };
  } finally {
    close();
  }
}

describe('v4: xl destroy of a guest with a label area', () => {
  it('RELMEM_pmem frees data and label pages; the frames go to another domain afterwards', async () => {
    const m = dir.readJson<{ domid: number; status: string; mapped: { gfn: string; mfn: string; nr: string; type: 'data' | 'label' }[] }>('guests/g1/mappings.json');
    expect(m.status).toBe('running');
    const runs: Run[] = m.mapped.map((r) => ({ gfn: BigInt(r.gfn), mfn: BigInt(r.mfn), nr: BigInt(r.nr), type: r.type }));
    expect(runs.map((r) => r.type).sort()).toEqual(['data', 'label']);
    const label = runs.find((r) => r.type === 'label')!;
    expect(label.nr).toBe(32n);
    for (const r of runs) expect(pageState(r.mfn)).toEqual({ state: PGC_state_inuse, pmem: true, owner: m.domid });
    for (const r of runs) expect(populate(9, r, 0x500000n).o.result).toBe('-EBUSY');

    const cli = await runCli(['sim', 'guest-destroy', dir.root, '--guest', 'g1', '--json']);
    expect([cli.code, cli.stderr]).toEqual([0, '']);
    expect(validateCliJson('sim-guest-destroy', cli.stdout)).toMatchObject({ result: '0', domid: m.domid, pages: Number(runs.reduce((n, r) => n + r.nr, 0n)) });
    expect(dir.readJson<any>('guests/g1/mappings.json')).toMatchObject({ status: 'destroyed', mapped: [] });
    for (const r of runs) for (const pfn of [r.mfn, r.mfn + r.nr - 1n]) expect(pageState(pfn)).toEqual({ state: PGC_state_free, pmem: true, owner: 0 });
    expect(Object.keys(dir.readJson<any>('xen/permissions.json').domains)).toEqual(['d2']);
    expect(readFileSync(dir.path('xen/console.log'), 'utf8')).toMatch(new RegExp(`d${m.domid}: XEN_DOMCTL_destroydomain: ${runs.reduce((n, r) => n + r.nr, 0n)} pmem pages back to free \\(RELMEM_pmem\\)`));

    let gfn = 0x500000n;
    for (const r of runs) {
      const { o, perms } = populate(9, r, gfn);
      expect(o.result, o.reason).toBe('0');
      expect(perms.check(m.domid, Number(r.mfn), Number(r.mfn + r.nr - 1n))).toBe(false);
      expect(perms.check(9, Number(r.mfn), Number(r.mfn + r.nr - 1n))).toBe(true);
      gfn += r.nr;
    }
    const { ctx, close } = openMapContext(dir);
    try {
      const held = ctx.perms.store.domains().flatMap((d) => ctx.perms.ranges(d).map((x) => ({ d, ...x })));
      expect(new Set(held.map((h) => h.d))).toEqual(new Set([2, 9]));
      for (const a of held) {
        expect(ctx.perms.data.containsRange(a.first, a.last)).toBe(true);
        for (const b of held) if (a !== b) expect(a.last < b.first || b.last < a.first).toBe(true);
      }
    } finally {
      close();
    }
    expect(pageState(label.mfn)).toMatchObject({ owner: 9, pmem: true });
  });
});

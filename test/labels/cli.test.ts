import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelArea } from '../../src/labels/index.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';

const work = mkdtempSync(join(tmpdir(), 'nvtool-labels-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function nv(...args: string[]): Promise<{ code: number; out: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout };
}

describe('nvtool labels CLI', () => {
  it('check exits 0 clean, 1 on warnings, 2 on errors; repair rewrites only the damaged index', async () => {
    const f = join(work, 'nv.img');
    writeFileSync(f, '');
    truncateSync(f, 64 << 20);
    expect((await nv('labels', 'init', '--label-size', '128K', f)).code).toBe(0);
    expect((await nv('labels', 'init', '--label-size', '128K', f)).code).toBe(0); // no live labels: allowed
    expect((await nv('labels', 'create', '--size', '16M', '--name', 'a', f)).code).toBe(0);
    expect((await nv('labels', 'init', f)).code).toBe(2); // would drop a live label without --force
    expect((await nv('labels', 'check', f)).code).toBe(0);
    const lsaAt = (64 << 20) - (128 << 10);
    const img = readFileSync(f);
    const area = new Uint8Array(img.subarray(lsaAt));
    const view = readLabelArea(area);
    const stale = view.next! * 256;
    img[lsaAt + stale + 100]! ^= 0xff; // damage the non-current index block
    writeFileSync(f, img);
    const warn = await nv('labels', 'check', f);
    expect(warn.code).toBe(1);
    expect(warn.out).toMatch(/fails its checksum check|is not valid \(checksum/);
    const rep = await nv('labels', 'repair', f);
    expect(rep.code).toBe(0);
    expect(rep.out.match(/^wrote /gm)).toHaveLength(1);
    expect((await nv('labels', 'check', f)).code).toBe(0);
    // Damage the live label: Linux skips it, check reports an error.
    const img2 = readFileSync(f);
    const v2 = readLabelArea(new Uint8Array(img2.subarray(lsaAt)));
    const slot = v2.live[0]!.slot;
    img2[lsaAt + 512 + slot * 256 + 20]! ^= 1;
    writeFileSync(f, img2);
    expect((await nv('labels', 'check', f)).code).toBe(2);
  });
});

describe('nvtool labels on the DIMMs of an interleave set', () => {
  it('create/list/check/delete --nfit over two label areas; an incomplete set is an error; QEMU platforms have no multi-DIMM set', async () => {
    const { buildNfit } = await import('../../src/acpi/build/index.js');
    const memdev = (deviceHandle: number, regionIndex: number, regionOffset: string) => ({
      type: 1, deviceHandle, rangeIndex: 1, regionIndex, regionSize: '0x10000000', regionOffset, address: '0x0', interleaveIndex: 1, interleaveWays: 2,
    });
    const dcr = (regionIndex: number, serialNumber: number) => ({ type: 4, regionIndex, vendorId: 0x8086, serialNumber, code: 0x301 });
    const nfit = join(work, 'nfit.aml');
    writeFileSync(nfit, buildNfit({ profile: 'generic', structures: [
      { type: 0, rangeIndex: 1, flags: 0, rangeGuid: 'persistent', address: '0x100000000', rangeLength: '0x20000000', memoryMapping: '0x8008' },
      memdev(0x101, 2, '0x10000000'), memdev(0x1, 1, '0x0'), dcr(1, 0xaaaa), dcr(2, 0xbbbb), { type: 2, interleaveIndex: 1, lineSize: 256, lineOffsets: [0, 1] },
    ] }).bytes);
    const a = join(work, 'dimm-a.lsa');
    const b = join(work, 'dimm-b.lsa');
    for (const f of [a, b]) {
      writeFileSync(f, new Uint8Array(128 << 10));
      expect((await nv('labels', 'init', f)).code).toBe(0);
    }
    const uuid = '5e0c4b0e-1d7b-4c1e-9d2e-0123456789ab';
    // a is handle 0x1 (memdev 2 of the table: mapping 1), b is 0x101 (mapping 0).
    const made = await nv('labels', 'create', '--nfit', nfit, '--dimm', '0x1', '--dimm', '0x101', '--size', '64M', '--name', 'striped', '--uuid', uuid, a, b);
    expect(made.code).toBe(0);
    expect(made.out.match(/^wrote /gm)).toHaveLength(8);
    const list = await nv('labels', 'list', '--json', '--nfit', nfit, '--dimm', '0x1', '--dimm', '0x101', a, b);
    const ns = (validateCliJson('labels-list', list.out) as any);
    expect(ns).toHaveLength(1);
    expect(ns[0]).toMatchObject({ mode: 'raw', uuid, name: 'striped', size: 64 << 20, interleave_ways: 2, state: 'active' });
    expect(ns[0].dimms.map((d: any) => [d.dimm, d.position, d.raw_size])).toEqual([['0x101', 0, 32 << 20], ['0x1', 1, 32 << 20]]);
    expect((await nv('labels', 'check', '--nfit', nfit, '--dimm', '0x1', '--dimm', '0x101', a, b)).code).toBe(0);
    const checked = validateCliJson('labels-set-check', (await nv('labels', 'check', '--json', '--nfit', nfit, '--dimm', '0x1', '--dimm', '0x101', a, b)).out) as any;
    expect([checked.exit, checked.sets.length, checked.sets[0].regionActive, checked.sets[0].namespaces[0].uuid]).toEqual([0, 1, true, uuid]);
    // One DIMM's label removed alone: the set is incomplete, Linux fails the region.
    expect((await nv('labels', 'delete', '--uuid', uuid, a)).code).toBe(0);
    const chk = await nv('labels', 'check', '--nfit', nfit, '--dimm', '0x1', '--dimm', '0x101', a, b);
    expect(chk.code).toBe(2);
    expect(chk.out).toMatch(/no label for position 1 of 2/);
    expect((await nv('labels', 'delete', '--uuid', uuid, '--nfit', nfit, '--dimm', '0x1', '--dimm', '0x101', a, b)).code).toBe(0);
    expect((await nv('labels', 'check', '--nfit', nfit, '--dimm', '0x1', '--dimm', '0x101', a, b)).code).toBe(0);
    // A single target for a 2-DIMM set: refused rather than leaving an incomplete set.
    expect((await nv('labels', 'create', '--nfit', nfit, '--dimm', '0x1', '--size', '32M', a)).code).toBe(2);
    // QEMU: one region per NVDIMM.
    const plat = join(work, 'vm.json');
    writeFileSync(plat, JSON.stringify({ machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '2G' }, nvdimms: [{ id: 'nv0', size: '256M', labelSize: '128K' }, { id: 'nv1', size: '256M', labelSize: '128K' }] }));
    const q = await runCli(['labels', 'create', '--platform', plat, '--size', '32M', a, b]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/one region per DIMM/);
  });

  it('rename and repair --nfit over two label areas: --dry-run names each write and its file; repair mends indexes and reports an incomplete set', async () => {
    const { buildNfit } = await import('../../src/acpi/build/index.js');
    const memdev = (deviceHandle: number, regionIndex: number, regionOffset: string) => ({
      type: 1, deviceHandle, rangeIndex: 1, regionIndex, regionSize: '0x10000000', regionOffset, address: '0x0', interleaveIndex: 1, interleaveWays: 2,
    });
    const dcr = (regionIndex: number, serialNumber: number) => ({ type: 4, regionIndex, vendorId: 0x8086, serialNumber, code: 0x301 });
    const nfit = join(work, 'nfit-rr.aml');
    writeFileSync(nfit, buildNfit({ profile: 'generic', structures: [
      { type: 0, rangeIndex: 1, flags: 0, rangeGuid: 'persistent', address: '0x100000000', rangeLength: '0x20000000', memoryMapping: '0x8008' },
      memdev(0x1, 1, '0x0'), memdev(0x101, 2, '0x10000000'), dcr(1, 0xaaaa), dcr(2, 0xbbbb), { type: 2, interleaveIndex: 1, lineSize: 256, lineOffsets: [0, 1] },
    ] }).bytes);
    const a = join(work, 'rr-a.lsa');
    const b = join(work, 'rr-b.lsa');
    for (const f of [a, b]) {
      writeFileSync(f, new Uint8Array(128 << 10));
      expect((await nv('labels', 'init', f)).code).toBe(0);
    }
    const uuid = '6f0c4b0e-1d7b-4c1e-9d2e-0123456789ab';
    expect((await nv('labels', 'create', '--nfit', nfit, '--size', '64M', '--name', 'old', '--uuid', uuid, a, b)).code).toBe(0);
    const snap = [readFileSync(a), readFileSync(b)];
    const dry = await nv('labels', 'rename', '--dry-run', '--nfit', nfit, '--uuid', uuid, '--name', 'new', a, b);
    expect(dry.code).toBe(0);
    // nd_pmem_namespace_label_update: UPDATING pass on mapping 0 (a), 1 (b), then the final pass.
    const files = dry.out.trim().split('\n').map((l) => /to (\S+) at/.exec(l)![1]);
    expect(files).toEqual([a, a, b, b, a, a, b, b]);
    expect([readFileSync(a), readFileSync(b)].map((x, i) => x.equals(snap[i]!))).toEqual([true, true]);
    // One area of a 2-DIMM set: refused rather than renaming one DIMM's label.
    expect((await nv('labels', 'rename', '--nfit', nfit, '--uuid', uuid, '--name', 'new', a)).code).toBe(2);
    const ren = await nv('labels', 'rename', '--nfit', nfit, '--uuid', uuid, '--name', 'new', a, b);
    expect(ren.code).toBe(0);
    expect(ren.out.match(/^wrote /gm)).toHaveLength(8);
    const ns = (validateCliJson('labels-list', (await nv('labels', 'list', '--json', '--nfit', nfit, a, b)).out) as any);
    expect(ns).toMatchObject([{ uuid, name: 'new', state: 'active', interleave_ways: 2 }]);
    // Damage b's non-current index block: repair rewrites it from the good one (1 write, to b).
    const img = readFileSync(b);
    const stale = readLabelArea(new Uint8Array(img)).next! * 256;
    img[stale + 100]! ^= 0xff;
    writeFileSync(b, img);
    const rep = await nv('labels', 'repair', '--nfit', nfit, a, b);
    expect(rep.code).toBe(0);
    expect(rep.out.match(/^wrote .* to (\S+) at/gm)).toEqual([expect.stringContaining(b)]);
    expect((await nv('labels', 'check', '--nfit', nfit, a, b)).code).toBe(0);
    // b's label deleted alone: repair writes nothing, reports the incomplete set, exit 1.
    expect((await nv('labels', 'delete', '--uuid', uuid, b)).code).toBe(0);
    const inc = await nv('labels', 'repair', '--nfit', nfit, a, b);
    expect(inc.code).toBe(1);
    expect(inc.out).not.toMatch(/^wrote /m);
    expect(inc.out).toMatch(/does not invent labels/);
    expect(inc.out).toMatch(/region still fails/);
  });
});

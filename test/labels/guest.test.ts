/**
 * The real kernel as the oracle, both ways, in one boot (test/harness/linux-guest):
 *  - nvtool writes label areas into QEMU backing files (CLI, in-process); the guest's `ndctl list`
 *    and `ndctl read-labels -j` must show exactly the namespaces asked for, and the same JSON
 *    nvtool computes offline;
 *  - in the same guest, `ndctl init-labels` + `create-namespace` write a third DIMM's labels;
 *    nvtool decodes that backing file afterwards into the namespaces ndctl listed.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  interleaveSetCookies, listNamespacesJson, namespacesOf, qemuSetMember, readLabelArea, readLabelsJson,
} from '../../src/labels/index.js';
import { runGuest } from '../harness/linux-guest/guest.js';
import { normalize } from './fixtures.js';
import { runCli } from '../support/cli.js';
import { readRange } from '../support/files.js';

const MiB = 1024 * 1024;
const LSA = 128 * 1024;
const SIZE = 256 * MiB;
const work = mkdtempSync(join(tmpdir(), 'nvtool-labels-guest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const lsaOf = (file: string): Uint8Array => readRange(file, SIZE - LSA, LSA);

async function nvtool(...args: string[]): Promise<void> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`nvtool ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/** ndctl prints u64 values as bare JSON integers: keep long ones exact as strings. */
const parse = (s: string | undefined) => JSON.parse((s ?? 'null').replace(/:\s*(\d{16,})/g, ':"$1"'));

describe('labels and the real Linux kernel (one QEMU boot)', () => {
  it('the kernel reads nvtool-written labels; nvtool reads kernel-written labels', async () => {
    const files = ['a.img', 'b.img', 'c.img'].map((f) => join(work, f));
    for (const f of files) {
      writeFileSync(f, '');
      truncateSync(f, SIZE);
    }
    const [a, b, c] = files as [string, string, string];
    // DIMM 0 (slot 0): v1.2, Linux-variant init; three namespaces, one deleted, one renamed.
    const u = ['11111111-2222-4333-8444-000000000001', '11111111-2222-4333-8444-000000000002', '11111111-2222-4333-8444-000000000003'];
    await nvtool('labels', 'init', '--label-size', '128K', '--label-version', '1.2', a);
    await nvtool('labels', 'create', '--label-size', '128K', '--size', '32M', '--name', 'nv-first', '--uuid', u[0]!, a);
    await nvtool('labels', 'create', '--label-size', '128K', '--size', '16M', '--name', 'nv-doomed', '--uuid', u[1]!, a);
    await nvtool('labels', 'create', '--label-size', '128K', '--size', '48M', '--name', 'nv-old-name', '--uuid', u[2]!, a);
    await nvtool('labels', 'delete', '--label-size', '128K', '--uuid', u[1]!, a);
    await nvtool('labels', 'rename', '--label-size', '128K', '--uuid', u[2]!, '--name', 'nv-renamed', a);
    // DIMM 1 (slot 1: serial 0x123457): v1.1 labels, ndctl-variant init, identity from a platform description.
    const platform = join(work, 'platform.json');
    writeFileSync(platform, JSON.stringify({ machine: { type: 'pc' }, memory: { size: '512M', slots: 3, maxmem: '2G' }, nvdimms: [0, 1, 2].map((i) => ({ id: `nv${i}`, size: SIZE, labelSize: LSA })) }));
    await nvtool('labels', 'init', '--label-size', '128K', '--label-version', '1.1', '--variant', 'ndctl', b);
    await nvtool('labels', 'create', '--platform', platform, '--dimm', 'nv1', '--size', '64M', '--name', 'v11-ns', '--uuid', '11111111-2222-4333-8444-000000000011', b);
    const aBefore = lsaOf(a);
    const bBefore = lsaOf(b);

    const r = await runGuest({
      nvdimms: files.map((file) => ({ file, size: SIZE, labelSize: LSA })),
      memory: '512M',
      timeoutMs: 150_000,
      job: [
        'run before ndctl list -N -R -D -v',
        'run rl0 ndctl read-labels -j nmem0',
        'run rl1 ndctl read-labels -j nmem1',
        'R=; for r in /sys/bus/nd/devices/region*; do grep -q "^nmem2," $r/mapping0 && R=$(basename $r); done',
        'section region2; echo $R',
        'run disable ndctl disable-region all',
        'run init ndctl init-labels -f nmem2 -V 1.2',
        'run enable ndctl enable-region all',
        'run c1 ndctl create-namespace -r $R -m raw -s 32M -n from-linux',
        'run c2 ndctl create-namespace -r $R -m sector -s 32M -n from-linux-btt',
        'run after ndctl list -N -R -D -v',
        'run rl2 ndctl read-labels -j nmem2',
      ].join('\n'),
    });
    console.log(`labels guest boot: ${r.durationMs} ms; ndctl exit statuses ${JSON.stringify(r.rcs)}`);
    expect(r.rcs).toMatchObject({ before: 0, rl0: 0, rl1: 0, disable: 0, init: 0, enable: 0, c1: 0, c2: 0, after: 0, rl2: 0 });

    // --- direction 1: what the kernel made of nvtool's labels ---
    const before = parse(r.sections.before);
    const byDimm = (list: any, dev: string) => list.regions.find((x: any) => x.mappings[0].dimm === dev);
    const nmemOf = (serialLe: string) => before.dimms.find((d: any) => d.id.endsWith(serialLe)).dev as string;
    const dimmA = nmemOf('56341200');
    const dimmB = nmemOf('57341200');
    expect([dimmA, dimmB]).toEqual(['nmem0', 'nmem1']);
    const nsA = byDimm(before, dimmA).namespaces.filter((n: any) => n.mode !== undefined && n.size > 0);
    expect(nsA.map((n: any) => [n.uuid, n.name, n.size, n.mode]).sort()).toEqual([
      [u[0], 'nv-first', 32 * MiB, 'raw'],
      [u[2], 'nv-renamed', 48 * MiB, 'raw'],
    ]);
    const nsB = byDimm(before, dimmB).namespaces.filter((n: any) => n.size > 0);
    expect(nsB.map((n: any) => [n.uuid, n.name, n.size, n.mode])).toEqual([['11111111-2222-4333-8444-000000000011', 'v11-ns', 64 * MiB, 'raw']]);
    // ndctl read-labels -j in the guest = nvtool's offline read-labels JSON of the same bytes.
    expect(normalize(readLabelsJson(aBefore, 'nmem0'))).toEqual(normalize(parse(r.sections.rl0)));
    expect(normalize(readLabelsJson(bBefore, 'nmem1'))).toEqual(normalize(parse(r.sections.rl1)));
    // The region's cookie is the one nvtool computed for each slot.
    expect(String(byDimm(before, dimmA).iset_id)).toBe(String(interleaveSetCookies([qemuSetMember(0)]).cookie2));
    expect(String(byDimm(before, dimmB).iset_id)).toBe(String(interleaveSetCookies([qemuSetMember(1)]).cookie1));

    // --- direction 2: nvtool reads what ndctl/the kernel wrote on DIMM 2 ---
    const after = parse(r.sections.after);
    const listed = byDimm(after, 'nmem2').namespaces.filter((n: any) => n.size > 0);
    expect(listed).toHaveLength(2);
    const cArea = lsaOf(c);
    const set2 = { ...interleaveSetCookies([qemuSetMember(2)]), mappings: 1, position: 0 };
    const view = readLabelArea(cArea);
    expect(view.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const { namespaces } = namespacesOf(view, set2);
    expect(namespaces.every((n) => n.status === 'active')).toBe(true);
    const mine = listNamespacesJson(cArea, set2);
    const key = (n: any) => String(n.raw_uuid ?? n.uuid);
    expect(mine.map((n) => [key(n), n.mode, n.name ?? null]).sort()).toEqual(listed.map((n: any) => [key(n), n.mode, n.name ?? null]).sort());
    const raw = listed.find((n: any) => n.mode === 'raw');
    expect(String(mine.find((n) => n.mode === 'raw')!.size)).toBe(String(raw.size));
    expect(normalize(readLabelsJson(cArea, 'nmem2'))).toEqual(normalize(parse(r.sections.rl2)));
  }, 200_000);
});

/**
 * One batched boot of the real Linux 6.1 kernel on a DIMM whose v1.2 labels and personalities
 * nvtool alone wrote (`nvtool labels init|create`, then `nvtool namespace format -n UUID --mode M`,
 * which records the claim class in the label as ndctl create-namespace does):
 * the kernel must bring each namespace up in that mode with nvtool's uuid and size, its
 * holder_class must be the class nvtool recorded (so Linux took the mode from the label's claim
 * class), and `ndctl read-labels -j` must equal nvtool's offline JSON of the same bytes.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelsJson } from '../../src/labels/index.js';
import { runGuest } from '../harness/linux-guest/guest.js';
import { normalize } from '../labels/fixtures.js';
import { runCli } from '../support/cli.js';
import { readRange } from '../support/files.js';
import { validateCliJson } from '../support/schemas.js';

const MiB = 1024 * 1024;
const LSA = 128 * 1024;
const SIZE = 256 * MiB;
const work = mkdtempSync(join(tmpdir(), 'nvtool-claim-guest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function nv(...args: string[]): Promise<any> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`nvtool ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  // every --json here is a writer's (namespace format): schemas/writes.schema.json
  return args.includes('--json') ? validateCliJson('writes', r.stdout) : r.stdout;
}

const lsa = (file: string): Uint8Array => readRange(file, SIZE - LSA, LSA);

/** ndctl prints u64 values as bare JSON integers: keep long ones exact as strings. */
const parse = (s: string | undefined) => JSON.parse((s ?? 'null').replace(/:\s*(\d{16,})/g, ':"$1"'));

describe('claim classes nvtool recorded: the real kernel brings the namespaces up in that mode (one boot)', () => {
  it('fsdax, devdax, sector (4096 and 512) and fsdax→raw', async () => {
    const img = join(work, 'nv.img');
    writeFileSync(img, '');
    truncateSync(img, SIZE);
    const ns = {
      fsdax: 'c1a55000-0000-4000-8000-000000000001',
      devdax: 'c1a55000-0000-4000-8000-000000000002',
      sector: 'c1a55000-0000-4000-8000-000000000003',
      sector512: 'c1a55000-0000-4000-8000-000000000004',
      raw: 'c1a55000-0000-4000-8000-000000000005',
    };
    const dev = {
      fsdax: 'd0000000-0000-4000-8000-00000000000f', devdax: 'd0000000-0000-4000-8000-00000000000d',
      sector: 'd0000000-0000-4000-8000-00000000000b', sector512: 'd0000000-0000-4000-8000-000000000005',
    };
    await nv('labels', 'init', '--label-size', '128K', '--label-version', '1.2', '--variant', 'ndctl', img);
    for (const [k, u] of Object.entries(ns)) await nv('labels', 'create', '--label-size', '128K', '--size', '48M', '--name', `nv-${k}`, '--uuid', u, img);
    const made: Record<string, any> = {};
    made.fsdax = await nv('namespace', 'format', img, '-n', ns.fsdax, '--mode', 'fsdax', '--uuid', dev.fsdax, '--align', '2M', '--json');
    made.devdax = await nv('namespace', 'format', img, '-n', ns.devdax, '--mode', 'devdax', '--uuid', dev.devdax, '--align', '2M', '--json');
    made.sector = await nv('namespace', 'format', img, '-n', ns.sector, '--mode', 'sector', '--uuid', dev.sector, '--json');
    made.sector512 = await nv('namespace', 'format', img, '-n', ns.sector512, '--mode', 'sector', '--sector-size', '512', '--uuid', dev.sector512, '--json');
    await nv('namespace', 'format', img, '-n', ns.raw, '--mode', 'fsdax', '--json');
    made.raw = await nv('namespace', 'format', img, '-n', ns.raw, '--mode', 'raw', '--force', '--json');
    for (const [k, m] of Object.entries(made)) expect(m.mode, k).toBe(k.startsWith('sector') ? 'sector' : k);
    const area = lsa(img);

    const r = await runGuest({
      nvdimms: [{ file: img, size: SIZE, labelSize: LSA }],
      memory: '512M',
      timeoutMs: 150_000,
      checkExit: false,
      job: [
        'run list ndctl list -N -v',
        'run rl ndctl read-labels -j nmem0',
        'section holders',
        'for n in /sys/bus/nd/devices/namespace0.*; do echo "$(cat $n/uuid) [$(cat $n/holder_class)] $(cat $n/sector_size 2>/dev/null)"; done',
      ].join('\n'),
    });
    console.log(`claim-class guest boot: ${r.durationMs} ms; rcs ${JSON.stringify(r.rcs)}`);
    expect(r.rcs).toMatchObject({ list: 0, rl: 0 });
    const list = [parse(r.sections.list)].flat();

    for (const k of ['fsdax', 'devdax', 'sector', 'sector512'] as const) {
      const n = list.find((x: any) => x.raw_uuid === ns[k]);
      expect(n, `${k} in ndctl list: ${r.sections.list}`).toBeDefined();
      expect(n.mode).toBe(k === 'sector512' ? 'sector' : k);
      expect(n.uuid).toBe(dev[k]);
      expect(n.name).toBe(`nv-${k}`);
      const size = k === 'devdax' ? n.daxregion?.devices?.[0]?.size ?? n.size : n.size;
      expect(size).toBe(made[k].size);
      if (k.startsWith('sector')) expect(n.sector_size).toBe(k === 'sector' ? 4096 : 512);
    }
    const raw = list.find((x: any) => x.uuid === ns.raw);
    expect([raw?.mode, raw?.size, raw?.name]).toEqual(['raw', 48 * MiB, 'nv-raw']);

    // holder_class comes from the label's claim class (create_namespace_pmem: nsl_get_claim_class).
    const holders = Object.fromEntries((r.sections.holders ?? '').trim().split('\n').map((l) => {
      // "<uuid> [<holder_class>] <sector_size>", sector_size listing the supported sizes with the current one in brackets
      const m = /^(\S+) \[([^\]]*)\] ?(.*)$/.exec(l.trim());
      return [m?.[1], { cls: m?.[2], lbasize: /\[(\d+)\]/.exec(m?.[3] ?? '')?.[1] }];
    }));
    expect(holders[ns.fsdax]?.cls).toBe('pfn');
    expect(holders[ns.devdax]?.cls).toBe('dax');
    expect(holders[ns.sector]?.cls).toBe('btt'); // BTT2 shows as "btt" in sysfs
    expect(holders[ns.sector512]?.cls).toBe('btt');
    expect(holders[ns.raw]?.cls).toBe('');
    expect(holders[ns.sector]?.lbasize).toBe('4096');
    expect(holders[ns.sector512]?.lbasize).toBe('512');
    // ndctl read-labels -j in the guest = nvtool's JSON of the bytes it wrote.
    expect(normalize(readLabelsJson(area, 'nmem0'))).toEqual(normalize(parse(r.sections.rl)));
  }, 400_000);
});

/**
 * The data path as a scenario drives it (issue 14 item 4): `nvtool sim run` of a v1 scenario whose
 * "steps" make the guest write patterns into its fragmented file-backed vNVDIMM (one write across
 * an extent boundary, one at the device's end), then `xl destroy` it, then write again. e2fsprogs
 * on the host image is the oracle for the bytes (`debugfs` dump of the Dom0 file) and the file
 * system (`e2fsck -fn`); steps.json, console.log, the hypercall trace and xen/permissions.json say
 * what each step did.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsckExt4, hostMappings, hypercallEntries, type SimDir } from '../../src/sim/index.js';
import { parsePattern, patternBytes } from '../../src/sim/guest/write.js';
import { runCli } from '../support/cli.js';
import { requireTool, runTool } from '../support/tools.js';
import { workDir, writeScenario } from './helpers.js';
import { SimDir as Dir } from '../../src/sim/runDir.js';

const MiB = 1 << 20;
const FILE = 8 * MiB;
const w = workDir('nvtool-guest-steps-');
afterAll(() => w.cleanup());

/** Each write as the scenario spells it (the size grammar) and in bytes. */
const WRITES = [
  { offset: '0', length: '64K', pattern: '0x5a', at: 0, n: 65536 },
  { offset: '0xff800', length: '4K', pattern: '0xdeadbeef', at: 0xff800, n: 4096 }, // across the 1 MiB boundary between the first two pieces
  { offset: '7M', length: '1M', pattern: '0x11', at: 7 * MiB, n: MiB },
];

let dir: SimDir;
let fs: { image: string; offset: number; size: number };

beforeAll(async () => {
  for (const [t, p] of [['debugfs', 'e2fsprogs'], ['e2fsck', 'e2fsprogs']] as const) requireTool(t, p);
  writeFileSync(join(w.path, 'vm1.cfg'), 'name = "vm1"\nmemory = 520\nvnvdimm = [ \'/mnt/dax/vm1.pmem\' ]\n');
  const scenario = writeScenario(w.path, 's.json', {
    design: 'v1', seed: 'guest-steps',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    dom0: { nv0: { labelVersion: '1.2', namespaces: [
      { name: 'xenpmem', size: '1G', mode: 'fsdax', xen: { placement: 'a' }, filesystem: { type: 'ext4', mount: '/mnt/dax', files: [{ path: 'vm1.pmem', size: '8M', how: 'fragmented' }] } },
    ] } },
    guests: [{ name: 'vm1', config: 'vm1.cfg', mapping: 'memory_mapping' }],
    steps: [
      ...WRITES.map((x) => ({ guest: 'vm1', do: 'write', namespace: 0, offset: x.offset, length: x.length, pattern: x.pattern })),
      { guest: 'vm1', do: 'write', namespace: 0, offset: '8M', length: '4K', pattern: '0xff' },
      { guest: 'vm1', do: 'destroy' },
      { guest: 'vm1', do: 'write', namespace: 0, offset: '0', length: '4K', pattern: '0x99' },
    ],
  });
  const r = await runCli(['sim', 'run', scenario, '--out', join(w.path, 'run')]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  dir = new Dir(join(w.path, 'run'));
  const sys = dir.path('dom0/sys/block/pmem0');
  const resource = BigInt(readFileSync(join(sys, 'device/resource'), 'utf8').trim());
  const start = BigInt(readFileSync(join(sys, 'pmem0p1/start'), 'utf8').trim());
  fs = { image: dir.path('host/nv0.img'), offset: Number(resource - hostMappings(dir)[0]!.spa + start * 512n), size: 0 };
}, 180_000);

describe('scenario steps: write, destroy, write after destroy', () => {
  it('debugfs reads the file with every pattern at its offset (zeros elsewhere: the file was made without writing); e2fsck -fn is clean', () => {
    const ex = runTool('debugfs', ['-R', 'ex /vm1.pmem', `${fs.image}?offset=${fs.offset}`]);
    const leaves = [...ex.matchAll(/^\s*(\d+)\/\s*(\d+)\s+\d+\/\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)/gm)].filter((m) => m[1] === m[2]).map((m) => ({ logical: +m[3]!, physical: +m[4]!, length: +m[5]! }));
    const at1M = leaves.findIndex((l) => l.logical === 256);
    expect(at1M).toBeGreaterThan(0);
    expect(leaves[at1M - 1]!.physical + leaves[at1M - 1]!.length).not.toBe(leaves[at1M]!.physical);
    const out = join(w.path, 'vm1.dump');
    runTool('debugfs', ['-R', `dump /vm1.pmem ${out}`, `${fs.image}?offset=${fs.offset}`]);
    const expected = Buffer.alloc(FILE);
    for (const x of WRITES) expected.set(patternBytes(parsePattern(x.pattern), x.n), x.at);
    expect(Buffer.compare(readFileSync(out), expected)).toBe(0);
    const f = fsckExt4(fs);
    expect(f.status, f.output).toBe(0);
  });

  it('steps.json: three writes ok (two host pieces for the one across the boundary), -ENOSPC at the end, destroy 0, then refused', () => {
    const steps = dir.readJson<any[]>('guests/vm1/steps.json');
    expect(steps.map((s) => s.result)).toEqual(['ok', 'ok', 'ok', '-ENOSPC', '0', 'refused']);
    expect(steps[1].host.length).toBe(2);
    expect(steps[0]).toMatchObject({ file: '/dev/pmem0', mode: 'raw', deviceSize: FILE });
    const log = readFileSync(dir.path('guests/vm1/console.log'), 'utf8');
    expect(log).toContain('No space left on device');
    expect(log).toMatch(/xl destroy vm1: domain 1 destroyed \(2048 pmem pages returned\)/);
  });

  it('the destroy is a XEN_DOMCTL_destroydomain in the trace; vm1 holds nothing any more', () => {
    expect(hypercallEntries(dir).filter((e) => e.op === 'destroydomain').map((e) => [e.caller, e.result])).toEqual([['libxl', '0']]);
    expect(dir.readJson<any>('guests/vm1/mappings.json')).toMatchObject({ status: 'destroyed', mapped: [] });
    expect(dir.readJson<any>('xen/permissions.json').domains).toEqual({});
  });
});

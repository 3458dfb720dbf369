/**
 * The issue's two scenarios run as written (a 64 GiB sparse host DIMM, designs v1 and v3), the
 * contract's determinism (two runs byte-identical, images included), stage order, and bad
 * scenarios on the command line. File systems are checked with e2fsprogs (e2fsck -fn, debugfs),
 * hypercall files with the struct declarations, Dom0's view of v3 against the TFIN rule.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStruct } from '../../src/core/schema/index.js';
import { xenPlatformOp } from '../../src/xen/hypercalls/index.js';
import { SimDir, fsckExt4, hypercallBytes, hypercallEntries, runAll, runStage, startRun } from '../../src/sim/index.js';
import { runCli } from '../support/cli.js';
import { requireTool, runTool } from '../support/tools.js';
import { sparseDigest, workDir, writeScenario } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const PLATFORM = { machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms: [{ id: 'nv0', size: '64G', labelSize: '128K' }] };
const V1 = {
  design: 'v1',
  host: { platform: PLATFORM },
  dom0: { nv0: { labelVersion: '1.2', namespaces: [
    { name: 'xenpmem', size: '32G', mode: 'fsdax', xen: { placement: 'a' },
      filesystem: { type: 'ext4', mount: '/mnt/dax', files: [{ path: 'vm1.pmem', size: '4G' }, { path: 'vm2.pmem', size: '1G' }] } },
    { name: 'whole', size: '16G', mode: 'raw', xen: { placement: 'namespace' } }] } },
  guests: [],
};
const V3 = { design: 'v3', host: { platform: PLATFORM }, xl: ['pmem-setup -m 0x140000 0x150000', 'pmem-setup -d 0x150000 0x550000 0x140000 0x150000'], guests: [] };

const w = workDir('nvtool-sim-run-');
afterAll(() => w.cleanup());

/** Every file of a run directory: relative path → bytes digest (images: their sparse digest), symlinks by target. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(root, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(join(root, r))}`;
      else if (st.isDirectory()) walk(r);
      else if (r.endsWith('.img')) out[r] = `${st.size} ${sparseDigest(join(root, r))}`;
      else out[r] = readFileSync(join(root, r)).toString('base64');
    }
  };
  walk('');
  return out;
}

let v1: SimDir;
beforeAll(async () => {
  for (const [t, p] of [['mke2fs', 'e2fsprogs'], ['debugfs', 'e2fsprogs'], ['e2fsck', 'e2fsprogs'], ['python3', 'python3']] as const) requireTool(t, p);
  v1 = await runAll(writeScenario(w.path, 'v1.json', V1), join(w.path, 'v1'));
}, 120_000);

describe('the issue\'s v1 scenario (64 GiB DIMM) runs as written', () => {
  it('runs host, dom0, xen; the 64 GiB image stays sparse: Xen\'s frame tables and M2P are most of what is allocated', () => {
    expect(v1.state().stages).toEqual(['host', 'dom0', 'xen', 'xl', 'qemu', 'hvmloader', 'guest']);
    const st = statSync(v1.path('host/nv0.img'));
    expect(st.size).toBe(64 * 2 ** 30);
    // Frame table (32 B) + M2P (8 B) per page of the 32 GiB and 16 GiB containers: 480 MiB.
    const tables = ((32 + 16) * 2 ** 30 / 4096) * 40;
    expect(st.blocks * 512).toBeLessThan(tables + 32 * 2 ** 20);
  });

  it('Dom0 reports both Xen areas with XENPF_pmem_add; the .bin files decode to the traced args; Xen accepts; Dom0 balloons out exactly the reserved areas', () => {
    const calls = hypercallEntries(v1);
    expect(calls.map((c) => [c.seq, c.caller, c.op, c.file, c.result])).toEqual([
      [1, 'dom0', 'pmem_add', '0001-dom0-pmem_add.bin', '0'],
      [2, 'dom0', 'pmem_add', '0002-dom0-pmem_add.bin', '0'],
    ]);
    const areas = v1.readJson<{ areas: { device: string; placement: string; rsv_spfn: string; rsv_epfn: string; spfn: string; epfn: string }[] }>('dom0/xen-areas.json').areas;
    expect(areas.map((a) => [a.device, a.placement])).toEqual([['/dev/pmem0.1', 'c'], ['/dev/pmem0', 'a']]);
    // QEMU puts the DIMM at SPA 0x140000000; "whole" is the second 16 GiB namespace: DPA 32 GiB.
    expect(areas[0]!.spfn).toBe('0x940000');
    expect(areas[0]!.epfn).toBe('0xd40000');
    for (const [i, c] of calls.entries()) {
      const op = decodeStruct(xenPlatformOp, hypercallBytes(v1, c)).value;
      expect(op.cmd).toBe(64);
      expect(`0x${op.u.pmem_add!.rsvSpfn.toString(16)}`).toBe(areas[i]!.rsv_spfn);
      expect(`0x${op.u.pmem_add!.spfn.toString(16)}`).toBe(areas[i]!.spfn);
    }
    const b = v1.readJson<{ ballooned: { spfn: string; epfn: string }[] }>('dom0/balloon.json').ballooned;
    expect(b.map((x) => [x.spfn, x.epfn])).toEqual(areas.map((a) => [a.rsv_spfn, a.rsv_epfn]));
  });

  it('the ext4 file system on /dev/pmem0p1 is clean (e2fsck -fn) and holds 4 GiB and 1 GiB files with written extents (debugfs)', () => {
    const setup = v1.readJson<{ namespaces: { containers: { filesystem?: { blocks: number } }[] }[] }>('dom0/setup.json');
    expect(setup.namespaces[0]!.containers[0]!.filesystem).toBeDefined();
    // The file system's offset: the disk's first byte (resource) minus the DIMM's SPA base, plus partition 1's start.
    const sys = v1.path('dom0/sys/block/pmem0');
    const resource = BigInt(readFileSync(join(sys, 'device', 'resource'), 'utf8').trim());
    const start = BigInt(readFileSync(join(sys, 'pmem0p1', 'start'), 'utf8').trim());
    const t = { image: v1.path('host/nv0.img'), offset: Number(resource - 0x140000000n + start * 512n), size: 0 };
    const fsck = fsckExt4(t);
    expect(fsck.status, fsck.output).toBe(0);
    const at = `${t.image}?offset=${t.offset}`;
    for (const [f, size] of [['vm1.pmem', 4 * 2 ** 30], ['vm2.pmem', 2 ** 30]] as const) {
      expect(runTool('debugfs', ['-R', `stat /${f}`, at])).toMatch(new RegExp(`Size: ${size}\\b`));
      const ex = runTool('debugfs', ['-R', `ex /${f}`, at]);
      expect(ex).not.toMatch(/Uninit/);
      const blocks = [...ex.matchAll(/^\s*1\/\s*1\s+\d+\/\s*\d+\s+\d+\s*-\s*\d+\s+\d+\s*-\s*\d+\s+(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      expect(blocks * 4096).toBe(size);
    }
  });

  it('/proc/mounts and sysfs as xl will read them', () => {
    expect(readFileSync(v1.path('dom0/proc/mounts'), 'utf8')).toBe('/dev/pmem0p1 /mnt/dax ext4 rw,relatime,dax=always 0 0\n');
    expect(readlinkSync(v1.path('dom0/sys/block/pmem0.1'))).toBe('../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0/namespace0.1/block/pmem0.1');
    expect(readFileSync(v1.path('dom0/sys/block/pmem0.1/device/resource'), 'utf8')).toBe('0x940000000\n');
    expect(readFileSync(v1.path('dom0/sys/block/pmem0.1/device/size'), 'utf8')).toBe(`${16 * 2 ** 30}\n`);
    expect(() => lstatSync(v1.path('dom0/sys/block/pmem0/pmem0p1/device'))).toThrow();
  });

  it('the same scenario gives a byte-identical run directory (images compared block by block)', async () => {
    const again = await runAll(writeScenario(w.path, 'v1b.json', V1), join(w.path, 'v1b'));
    const a = snapshot(v1.root);
    const b = snapshot(again.root);
    // run.json names the scenario's folder. xen/permissions.json carries measurements (heap growth,
    // milliseconds) besides its state: those alone are left out.
    for (const s of [a, b]) {
      delete s['run.json'];
      const p = JSON.parse(Buffer.from(s['xen/permissions.json']!, 'base64').toString()) as { memory: Record<string, unknown>; timeMs?: unknown };
      delete p.memory.measuredBytes;
      delete p.timeMs;
      s['xen/permissions.json'] = JSON.stringify(p);
    }
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(b).toEqual(a);
  }, 120_000);
});

describe('the issue\'s v3 scenario: no dom0 section, xl pmem-setup', () => {
  let v3: SimDir;
  beforeAll(async () => {
    v3 = await runAll(writeScenario(w.path, 'v3.json', V3), join(w.path, 'v3'));
  }, 120_000);

  it('runs host, xen, dom0; the administrator\'s xl commands are sysctl calls', () => {
    expect(v3.state().stages).toEqual(['host', 'xen', 'dom0', 'xl', 'qemu', 'hvmloader', 'guest']);
    expect(hypercallEntries(v3).map((c) => [c.caller, c.op, c.result])).toEqual([['xl', 'nvdimm_op', '0'], ['xl', 'nvdimm_op', '0']]);
  });

  it('Dom0 is handed the table as TFIN and finds no persistent memory', () => {
    const t = readFileSync(v3.path('dom0/acpi/NFIT.aml'));
    expect(t.subarray(0, 4).toString('latin1')).toBe('TFIN');
    expect(t.subarray(4)).toEqual(readFileSync(v3.path('host/nfit.aml')).subarray(4));
    expect(readFileSync(v3.path('dom0/ndctl-list.json'), 'utf8')).toBe('');
    expect(readdirSync(v3.path('dom0/sys/block'))).toEqual([]);
    expect(readFileSync(v3.path('dom0/proc/mounts'), 'utf8')).toBe('');
  });
});

describe('stages and bad input', () => {
  it('a stage out of order or twice is refused, naming what comes next', async () => {
    const d = await startRun(writeScenario(w.path, 'order.json', { ...V1, dom0: { nv0: { namespaces: [] } } }), join(w.path, 'order'));
    await expect(runStage(d, 'xen')).rejects.toThrow(/stage "xen" comes after "dom0" in design v1 \(host -> dom0 -> xen -> xl -> qemu -> hvmloader -> guest\)/);
    await runStage(d, 'dom0');
    await expect(runStage(d, 'dom0')).rejects.toThrow(/stage "dom0" has already run/);
  });

  it('nvtool sim run with a bad scenario: exit 2, one line per problem naming the field', async () => {
    const bad = writeScenario(w.path, 'bad.json', { design: 'v1', host: { platform: PLATFORM }, dom0: { nv1: {}, nv0: { namespaces: [{ size: '1G', mode: 'fsdax', xen: { placement: 'namespace' } }] } } });
    const r = await runCli(['sim', 'run', bad, '--out', join(w.path, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `nvtool: ${bad}: dom0.nv1: no NVDIMM with id "nv1" (ids: nv0)`,
      `nvtool: ${bad}: dom0.nv0.namespaces[0].mode: placement "namespace" claims the whole namespace for Xen: mode must be "raw" (an info block would sit where the super block goes), not "fsdax"`,
    ]);
    expect(() => statSync(join(w.path, 'bad'))).toThrow();
  });

  it('a setup that does not fit the DIMM or its file system fails the dom0 stage with one line naming the scenario entry', async () => {
    const small = { ...PLATFORM, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] };
    const cases: [unknown, RegExp][] = [
      [{ name: 'a', size: '1G' }, /^nvtool: .*: scenario\.dom0\.nv0\.namespaces\[1\]: label-area\.size: no free extent of 1073741824 bytes/],
      [{ name: 'b', size: '112M', mode: 'raw', filesystem: { type: 'ext4', files: [{ path: 'x', size: '1G' }] } }, /^nvtool: .*: scenario\.dom0\.nv0\.namespaces\[1\]: sim\.dom0\.files\[0\]: \/x: 1073741824 bytes do not fit/],
    ];
    for (const [i, [second, message]] of cases.entries()) {
      const s = writeScenario(w.path, `nofit${i}.json`, { design: 'v1', host: { platform: small }, dom0: { nv0: { namespaces: [{ size: '1G', mode: 'raw' }, second] } } });
      const r = await runCli(['sim', 'run', s, '--out', join(w.path, `nofit${i}`)]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('nvtool sim run --json reports the stages and the calls', async () => {
    const s = writeScenario(w.path, 'small.json', { design: 'v1', seed: 7, host: { platform: { ...PLATFORM, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } }, dom0: { nv0: { namespaces: [{ size: '1G', mode: 'raw', xen: { placement: 'namespace' } }] } } });
    const r = await runCli(['sim', 'run', s, '--out', join(w.path, 'small'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = validateCliJson('sim-run', r.stdout) as { stages: string[]; hypercalls: { file: string; result: string }[] };
    expect(j.stages).toEqual(['host', 'dom0', 'xen', 'xl', 'qemu', 'hvmloader', 'guest']);
    expect(j.hypercalls).toEqual([{ seq: 1, caller: 'dom0', op: 'pmem_add', file: '0001-dom0-pmem_add.bin', result: '0' }]);
  });
});

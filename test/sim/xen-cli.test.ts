/**
 * The xen stage from the command line, on a run directory whose Dom0 report was edited between
 * stages (the run-directory contract): `nvtool sim xen DIR --code-order` refuses the overlapping
 * report as the code does — after pmem_setup — but lists the writes instead of making them, so
 * the image ends exactly as with the default order; `nvtool sim size` prints the report.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeStruct } from '../../src/core/schema/index.js';
import { SimDir, hypercallEntries } from '../../src/sim/index.js';
import { XENPF_INTERFACE_VERSION, XENPF_pmem_add, xenPlatformOp } from '../../src/xen/hypercalls/index.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';
import { fileHash } from './xenHelpers.js';

async function dom0Done(d: string, name: string): Promise<SimDir> {
  writeFileSync(join(d, 's.json'), JSON.stringify({
    design: 'v1',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    dom0: { nv0: { labelVersion: '1.2', namespaces: [{ name: 'a', size: '1G', mode: 'raw', xen: { placement: 'namespace' } }, { name: 'b', size: '512M', mode: 'raw', xen: { placement: 'namespace' } }] } },
    guests: [],
  }));
  const out = join(d, name);
  expect((await runCli(['sim', 'host', join(d, 's.json'), '--out', out])).code).toBe(0);
  expect((await runCli(['sim', 'dom0', out])).code).toBe(0);
  const dir = new SimDir(out);
  // The administrator edits namespace b's report so that it starts inside a's last PDX group.
  const e = hypercallEntries(dir).find((x) => (x.args as { u: { pmem_add: { spfn: number } } }).u.pmem_add.spfn === 0x180000)!;
  const n = 0x1a0000n - 0x170000n;
  const rsv = ((32n * n) >> 12n) + ((8n * n) >> 12n);
  dir.writeBytes(`hypercalls/${e.file}`, encodeStruct(xenPlatformOp, {
    cmd: XENPF_pmem_add, interfaceVersion: XENPF_INTERFACE_VERSION,
    u: { pmem_add: { spfn: 0x170000n, epfn: 0x1a0000n, rsvSpfn: 0x180001n, rsvEpfn: 0x180001n + rsv, dataSpfn: 0x180800n, dataEpfn: 0x1a0000n } },
  }));
  return dir;
}

describe('nvtool sim xen --code-order, nvtool sim size', () => {
  it('an edited, overlapping report: refused in both orders, the code order lists its writes, the images end identical', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nvtool-simxen-cli-'));
    const first = await dom0Done(d, 'checks-first');
    const code = await dom0Done(d, 'code');
    expect((await runCli(['sim', 'xen', first.root])).code).toBe(0);
    const r = await runCli(['sim', 'xen', code.root, '--code-order', '--json']);
    expect(r.code, r.stderr).toBe(0);
    validateCliJson('sim-run', r.stdout);
    const results = (dir: SimDir) => hypercallEntries(dir).map((x) => x.result).sort();
    expect(results(first)).toEqual(['-EINVAL', '0']);
    expect(results(code)).toEqual(['-EINVAL', '0']);
    const consoleOf = (dir: SimDir) => Buffer.from(dir.readBytes('xen/console.log')).toString();
    expect(consoleOf(first)).not.toContain('would have written');
    expect(consoleOf(code)).toMatch(/code order would have written 0x[0-9a-f]+ bytes at 0x[0-9a-f]+ \(page_info of frames .*\) over region 0's reserved area/);
    expect(code.readJson<{ options: { order: string } }>('xen/state.json').options.order).toBe('code');
    expect(fileHash(code.path('host/nv0.img'))).toBe(fileHash(first.path('host/nv0.img')));
    // The code denied Dom0 the refused report's reserved area anyway; checks-first did not.
    const permitted = (dir: SimDir) => (dir.readJson<{ iomemCaps: { d0: [string, string][] } }>('xen/state.json').iomemCaps.d0).some(([s, e]) => BigInt(s) <= 0x180001n && 0x180001n <= BigInt(e));
    expect([permitted(first), permitted(code)]).toEqual([true, false]);
  });

  it('a report Xen cannot take: wrong interface_version -EACCES, a truncated struct -EFAULT, the image untouched', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nvtool-simxen-cli-'));
    const dir = await dom0Done(d, 'bad');
    const [a, b] = hypercallEntries(dir);
    const bytes = dir.readBytes(`hypercalls/${a!.file}`);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(xenPlatformOp.offsetOf('interfaceVersion'), 0x03000000, true);
    dir.writeBytes(`hypercalls/${a!.file}`, bytes);
    dir.writeBytes(`hypercalls/${b!.file}`, dir.readBytes(`hypercalls/${b!.file}`).subarray(0, 100));
    const before = fileHash(dir.path('host/nv0.img'));
    expect((await runCli(['sim', 'xen', dir.root])).code).toBe(0);
    expect(hypercallEntries(dir).map((x) => x.result)).toEqual(['-EACCES', '-EFAULT']);
    expect(fileHash(dir.path('host/nv0.img'))).toBe(before);
  });

  it('nvtool sim size 64G: frame table, M2P, Dom0 page tables', async () => {
    const r = await runCli(['sim', 'size', '64G', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = validateCliJson('sim-size', r.stdout) as any;
    // 2^24 pages: 32 and 8 bytes each; 4 KiB page tables: one L1 per 2 MiB, one L2 per GiB, one L3.
    const h = (v: bigint) => Number(v); // sizes and counts are JSON numbers (specs/cli.md, JSON)
    expect(j.frameTable).toEqual({ bytes: h(32n << 24n), pages: h(1n << 17n) });
    expect(j.m2p).toEqual({ bytes: h(8n << 24n), pages: h(1n << 15n) });
    expect(j.dom0.mapRange['4K']).toMatchObject({ l1: h(32768n), l2: h(64n), l3: h(1n) });
    expect(j.dom0.mapRange['2M']).toMatchObject({ l1: h(0n), l2: h(64n), l3: h(1n) });
    const bad = await runCli(['sim', 'size', '64X']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

/**
 * `nvtool sim run --permissions DESIGN` (issue 15): the same scenario run with each of the five
 * designs leaves byte-identical artefacts except xen/permissions.json, which names the design and
 * holds the data regions Xen set up (equal in every design, and equal to xen/state.json's).
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DESIGNS } from '../../src/sim/permissions/index.js';
import { SimDir } from '../../src/sim/index.js';
import { loadPermissions, newPermissions, savePermissions, XEN_PERMISSIONS } from '../../src/sim/xen/permissions.js';
import { runCli } from '../support/cli.js';
import { fileHash } from './xenHelpers.js';

const platform = (size: string) => ({ machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms: [{ id: 'nv0', size, labelSize: '128K' }] });

const SCENARIOS = {
  // Dom0 reports a raw namespace formatted for Xen (XENPF_pmem_add): one v1 data area.
  v1: { design: 'v1', host: { platform: platform('2G') }, dom0: { nv0: { labelVersion: '1.2', namespaces: [{ name: 'whole', size: '1G', mode: 'raw', xen: { placement: 'namespace' } }] } }, guests: [] },
  // QEMU puts the DIMM at SPA 0x140000000: 16 MiB of management, then 1 GiB - 16 MiB of data.
  v3: { design: 'v3', host: { platform: platform('2G') }, xl: ['pmem-setup -m 0x140000 0x141000', 'pmem-setup -d 0x141000 0x180000 0x140000 0x141000'], guests: [] },
};

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(relative(root, p)); // symlinks (Dom0's sysfs) compared by target
    }
  };
  walk(root);
  return out;
}

describe('sim run --permissions', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(`${name}: only xen/permissions.json depends on the design`, async () => {
      const base = mkdtempSync(join(tmpdir(), `nvtool-perm-${name}-`));
      onTestFinished(() => rmSync(base, { recursive: true, force: true }));
      const sc = join(base, 'scenario.json');
      writeFileSync(sc, JSON.stringify(scenario));
      const runs = new Map<string, Map<string, string>>();
      const perms = new Map<string, { design: string; dataRegions: string[][] }>();
      for (const design of DESIGNS) {
        const out = join(base, design);
        const r = await runCli(['sim', 'run', sc, '--out', out, '--permissions', design]);
        expect(r.code, r.stderr).toBe(0);
        const content = (f: string) => (lstatSync(join(out, f)).isSymbolicLink() ? `-> ${readlinkSync(join(out, f))}` : f.endsWith('.img') ? fileHash(join(out, f)) : readFileSync(join(out, f)).toString('base64'));
        const hashes = new Map(files(out).filter((f) => f !== XEN_PERMISSIONS).map((f) => [f, content(f)]));
        runs.set(design, hashes);
        perms.set(design, JSON.parse(readFileSync(join(out, XEN_PERMISSIONS), 'utf8')));
      }
      const first = runs.get(DESIGNS[0])!;
      expect(first.size).toBeGreaterThan(5);
      for (const d of DESIGNS) {
        expect([...runs.get(d)!.keys()], d).toEqual([...first.keys()]);
        for (const [f, h] of first) expect(runs.get(d)!.get(f), `${d}: ${f}`).toBe(h);
        expect(perms.get(d)!.design).toBe(d);
        expect(perms.get(d)!.dataRegions).toEqual(perms.get(DESIGNS[0])!.dataRegions);
      }
      // the data regions are Xen's (half-open in state.json, inclusive here)
      const { regions } = JSON.parse(readFileSync(join(base, DESIGNS[0], 'xen/state.json'), 'utf8')) as { regions: unknown };
      const xenData = name === 'v1'
        ? (regions as { dataSpfn: string; dataEpfn: string }[]).map((r) => [r.dataSpfn, r.dataEpfn])
        : (regions as { data: { smfn: string; emfn: string }[] }).data.map((r) => [r.smfn, r.emfn]);
      expect(xenData.length).toBeGreaterThan(0);
      expect(perms.get(DESIGNS[0])!.dataRegions).toEqual(xenData.map(([s, e]) => [s, `0x${(BigInt(e!) - 1n).toString(16)}`]));
    });
  }

  it('xen/permissions.json restores the tracker for later stages: same design, regions, ranges and counts', () => {
    const base = mkdtempSync(join(tmpdir(), 'nvtool-perm-load-'));
    onTestFinished(() => rmSync(base, { recursive: true, force: true }));
    const regions = [{ first: 0x141000, last: 0x17ffff }, { first: 0x190000, last: 0x19ffff }];
    for (const design of DESIGNS) {
      const dir = new SimDir(join(base, design));
      const { table, ...measured } = newPermissions(design, regions);
      expect(table.grant(1, 0x141000, 0x1410ff)).toBe(0);
      for (let p = 0x150000; p < 0x150000 + 200; p += 2) table.grant(2, p, p); // capped keeps 128 of these
      expect(table.grant(3, 0x190010, 0x19ffff)).toBe(0);
      table.revoke(3, 0x190100, 0x1901ff);
      savePermissions(dir, table, measured);
      const back = loadPermissions(dir).table;
      expect(back.store.design).toBe(design);
      expect(back.data.ranges()).toEqual(table.data.ranges());
      for (const d of [1, 2, 3]) expect(back.ranges(d), `${design} d${d}`).toEqual(table.ranges(d));
      expect(back.stats.refused).toEqual(table.stats.refused);
      expect(back.grant(4, 0x141000, 0x141000)).toEqual({ errno: 'EBUSY' });
      expect(back.check(3, 0x190010, 0x1900ff)).toBe(true);
    }
  });

  it('refuses an unknown design with one line and exit 2', async () => {
    const r = await runCli(['sim', 'run', 'x.json', '--out', 'y', '--permissions', 'btree']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--permissions: "btree" is not one of rangeset, capped, bitmap, hybrid, pageowner/);
  });
});

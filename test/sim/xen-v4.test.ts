/**
 * Designs v3/v4's hypervisor (xen.md §1B; nvdimm-rfc-v3/-v4 pmem.c, nfit.c, x86_64/mm.c): the
 * issue's scenario end to end (xl pmem-setup -m / -d as XEN_SYSCTL_nvdimm_op, frame table and M2P
 * in the mgmt region read back with xen.md's formulas, TFIN, Dom0 denied the raw region), the error
 * codes of the mgmt/data rules, PXM homogeneity, health flags.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlockIO } from '../../src/core/blockio.js';
import { decodeStruct } from '../../src/core/schema/index.js';
import { runAll, type SimDir } from '../../src/sim/index.js';
import { DOM0, bootMaps, bootV4, newXenState, pmemSetup, type XenOptions, type XenState } from '../../src/sim/xen/index.js';
import type { PmemSetup } from '../../src/xen/hypercalls/index.js';
import { pageInfo } from '../../src/xen/pageInfo.js';
import { readRange } from '../support/files.js';
import { runCli } from '../support/cli.js';
import { hostRun } from './xenHelpers.js';
import { validateCliJson } from '../support/schemas.js';

const FREE_PMEM = (3n << 55n) | (1n << 54n); // PGC_state_free | PGC_pmem_page = PG_mask(3, 9) | PG_mask(1, 10)
const need = (n: bigint) => ((32n * n) >> 12n) + ((8n * n) >> 12n);
const ceilPages = (bytes: bigint) => (bytes + 4095n) / 4096n;
const DIMM_BASE = 0x140000n;
const pad = new Uint8Array(7);
const mgmt = (s: bigint, e: bigint): PmemSetup => ({ smfn: s, emfn: e, mgmtSmfn: s, mgmtEmfn: e, type: 1, pad });
const data = (s: bigint, e: bigint, ms: bigint, me: bigint): PmemSetup => ({ smfn: s, emfn: e, mgmtSmfn: ms, mgmtEmfn: me, type: 2, pad });

async function booted(o: Partial<XenOptions> = {}, nvdimm: Record<string, unknown> = {}): Promise<{ dir: SimDir; st: XenState; tfin: Uint8Array }> {
  const dir = await hostRun('v4', [{ id: 'nv0', size: '64G', labelSize: '128K', ...nvdimm }]);
  const st = newXenState('v4', bootMaps([[0n, 0xc0000n], [0x100000n, 0x140000n]]), o);
  const tfin = bootV4(st, dir.readBytes('host/nfit.aml'));
  return { dir, st, tfin };
}

describe('v3/v4: Xen reads the NFIT; xl pmem-setup assigns mgmt and data regions', () => {
  it('the issue\'s v3 scenario: two sysctls succeed, metadata in the mgmt region read back with the formulas of xen.md §1B', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nvtool-simxen-'));
    writeFileSync(join(d, 's.json'), JSON.stringify({
      design: 'v3',
      host: { platform: { machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms: [{ id: 'nv0', size: '64G', labelSize: '128K' }] } },
      xl: ['pmem-setup -m 0x140000 0x150000', 'pmem-setup -d 0x150000 0x550000 0x140000 0x150000'], guests: [],
    }));
    const dir = await runAll(join(d, 's.json'), join(d, 'run'));
    const trace = dir.readBytes('hypercalls/trace.jsonl');
    const calls = Buffer.from(trace).toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(calls.map((c) => [c.caller, c.op, c.result])).toEqual([['xl', 'nvdimm_op', '0'], ['xl', 'nvdimm_op', '0']]);
    const state = dir.readJson<any>('xen/state.json');
    const mgmtUsed = ceilPages(0x10000n * 32n) + ceilPages(0x10000n * 8n);
    const dataFt = ceilPages(0x400000n * 32n);
    const dataUsed = dataFt + ceilPages(0x400000n * 8n);
    expect(state.regions).toEqual({
      raw: [{ smfn: '0x140000', emfn: `0x${(0x140000n + (64n << 18n) - 32n).toString(16)}`, pxm: 0 }],
      mgmt: [{ smfn: '0x140000', emfn: '0x150000', used: `0x${(mgmtUsed + dataUsed).toString(16)}` }],
      data: [{ smfn: '0x150000', emfn: '0x550000', mgmtSmfn: `0x${(0x140000n + mgmtUsed).toString(16)}`, mgmtEmfn: `0x${(0x140000n + mgmtUsed + dataUsed).toString(16)}` }],
    });
    const img = dir.path('host/nv0.img');
    const entryAt = (ftMfn: bigint, first: bigint, p: bigint) => Number(((ftMfn - DIMM_BASE) << 12n) + (p - first) * 32n);
    for (const p of [0x150000n, 0x150001n, 0x2abcdefn & 0x3fffffn | 0x150000n, 0x54ffffn]) {
      const e = decodeStruct(pageInfo, readRange(img, entryAt(0x140000n + mgmtUsed, 0x150000n, p), 32)).value;
      expect(e.countInfo, `data page 0x${p.toString(16)}`).toBe(FREE_PMEM);
      const m2p = readRange(img, Number(((0x140000n + mgmtUsed + dataFt - DIMM_BASE) << 12n) + (p - 0x150000n) * 8n), 8);
      expect(Buffer.from(m2p).toString('hex')).toBe('ffffffffffffffff');
    }
    for (const p of [0x140000n, 0x140000n + mgmtUsed - 1n, 0x14ffffn]) {
      // pmem_init_frame_table marks the mgmt region's own pages free|pmem too, metadata pages included.
      expect(decodeStruct(pageInfo, readRange(img, entryAt(0x140000n, 0x140000n, p), 32)).value.countInfo).toBe(FREE_PMEM);
    }
    // Dom0: every raw region denied (pmem_dom0_setup_permission), the NFIT renamed TFIN with a still-valid checksum.
    expect((state.iomemCaps.d0 as [string, string][]).some(([s, e]) => BigInt(s) <= 0x150000n && 0x150000n <= BigInt(e))).toBe(false);
    const host = dir.readBytes('host/nfit.aml');
    const tfin = dir.readBytes('xen/acpi/NFIT.aml');
    expect(Buffer.from(tfin.subarray(0, 4)).toString('latin1')).toBe('TFIN');
    expect(tfin.subarray(4)).toEqual(host.subarray(4));
    expect(tfin.reduce((a, b) => (a + b) & 0xff, 0)).toBe(0);
    expect(Buffer.from(dir.readBytes('dom0/acpi/NFIT.aml').subarray(0, 4)).toString('latin1')).toBe('TFIN');
    const r = await runCli(['decode', dir.path('hypercalls/0002-xl-nvdimm_op.bin'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((validateCliJson('decode', r.stdout) as any)).toMatchObject({ format: 'xen_sysctl.v3' });
    // nvtool inspect on the host image finds the tables through xen/state.json; --deep sees a damaged entry.
    const layersOf = async (deep: boolean) => {
      const r = await runCli(['inspect', img, '--json', ...(deep ? ['--deep'] : [])]);
      expect(r.code, r.stderr).toBeLessThan(2);
      const walk = (ls: any[]): any[] => ls.flatMap((l) => [l, ...walk(l.children)]);
      return walk((validateCliJson('inspect', r.stdout) as any).layers);
    };
    const fts = (await layersOf(false)).filter((l) => l.kind === 'xen-frame-table');
    expect(fts.map((l) => [l.offset, l.fields.entries, l.fields.runs])).toEqual([
      [0, 0x10000, [{ pages: `${0x140000}..${0x14ffff}`, count: 0x10000, state: 'free | pmem (Xen v3/v4)' }]],
      [Number(mgmtUsed << 12n), 0x400000, [{ pages: `${0x150000}..${0x54ffff}`, count: 0x400000, state: 'free | pmem (Xen v3/v4)' }]],
    ]);
    const io = new FileBlockIO(img, true);
    io.write(Number(mgmtUsed << 12n) + 12345 * 32 + 8, new Uint8Array([7]));
    io.close();
    const damaged = (await layersOf(true)).filter((l) => l.kind === 'xen-frame-table').flatMap((l) => l.findings.map((f: any) => [f.code, f.offset]));
    expect(damaged).toEqual([['frame-table-damaged', Number(mgmtUsed << 12n) + 12345 * 32]]);
    const con = Buffer.from(dir.readBytes('xen/console.log')).toString();
    expect(con).toContain('(XEN) NFIT: PMEM MFNs 0x140000 - 0x113ffe0 on PXM 0 registered');
  });

  it('mgmt/data rules: -EINVAL, -EEXIST, -ENXIO, -ENOSPC in the order pmem.c checks them', async () => {
    const { st } = await booted();
    const res = (s: PmemSetup) => pmemSetup(st, undefined, s).result;
    expect(res({ ...mgmt(0x140000n, 0x150000n), mgmtEmfn: 0x150200n })).toBe('-EINVAL'); // MGMT must name itself
    expect(res(mgmt(0x150000n, 0x140000n))).toBe('-EINVAL'); // inverted
    expect(res(mgmt(0x130000n, 0x150000n))).toBe('-EINVAL'); // not covered by raw regions (RAM below)
    // check_mgmt_size(n, n) never fails for a mgmt region (40 bytes a page < 4096); a 4-page one passes it and mem_hotadd_check refuses it.
    expect(res(mgmt(0x140000n, 0x140004n))).toBe('-EINVAL');
    expect(res(mgmt(0x140000n, 0x150000n))).toBe('0');
    expect(res(mgmt(0x148000n, 0x158000n))).toBe('-EEXIST');
    expect(res(data(0x150000n, 0x550000n, 0x160000n, 0x170000n))).toBe('-ENXIO'); // mgmt range inside no mgmt region
    expect(res(data(0x150000n, 0x1130000n, 0x140000n, 0x150000n))).toBe('-ENOSPC'); // ~63.5 GiB needs more than 64K-640 pages
    expect(res(data(0x150000n, 0x550000n, 0x140000n, 0x150000n))).toBe('0');
    expect(res(data(0x500000n, 0x600000n, 0x140000n, 0x150000n))).toBe('-EEXIST');
    expect(res(data(0x1130000n, 0x1140000n, 0x140000n, 0x150000n))).toBe('-EINVAL'); // runs past the raw region's end
    expect(st.mgmt).toHaveLength(1);
    expect(st.data).toHaveLength(1);
    expect(st.mgmt[0]!.used).toBe(need(0x10000n) + need(0x400000n));
  });

  it('check_overlap misses a range containing an older one; "strict" catches it with -EEXIST', async () => {
    for (const [overlap, want] of [['code', '-EINVAL'], ['strict', '-EEXIST']] as const) {
      const { st } = await booted({ overlap });
      expect(pmemSetup(st, undefined, mgmt(0x140000n, 0x150000n)).result).toBe('0');
      expect(pmemSetup(st, undefined, data(0x200000n, 0x210000n, 0x140000n, 0x150000n)).result).toBe('0');
      // [0x1f0000, 0x220000) contains [0x200000, 0x210000): code's check_overlap passes it, mem_hotadd_check then refuses it.
      const o = pmemSetup(st, undefined, data(0x1f0000n, 0x220000n, 0x140000n, 0x150000n));
      expect([overlap, o.result]).toEqual([overlap, want]);
    }
  });

  it('the code layout: 2 MiB chunks per PDX group, per GiB of M2P and per 2 GiB of compat M2P below 1 TiB', async () => {
    const { st } = await booted({ layout: 'code' });
    expect(pmemSetup(st, undefined, mgmt(0x140000n, 0x150000n)).result).toBe('0');
    // Group 0x14 and M2P block 5 (GiB 5) are new; compat block 2 (4-6 GiB) was mapped at boot for the RAM at 4-5 GiB.
    expect(st.mgmt[0]!.used).toBe(2n * 512n);
    expect(pmemSetup(st, undefined, data(0x150000n, 0x550000n, 0x140000n, 0x150000n)).result).toBe('0');
    // 64 groups, M2P blocks 6..0x15 (16), compat blocks 3..0xa (8): 88 chunks of 512 pages.
    expect(st.mgmt[0]!.used - 1024n).toBe(88n * 512n);
    expect(st.chunks.filter((c) => c.kind === 'compat-m2p').map((c) => c.firstFrame >> 19n)).toEqual([3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
  });

  it('a region spanning two proximity domains is refused (check_address_and_pxm)', async () => {
    const { st } = await booted();
    st.raw = [{ smfn: 0x140000n, emfn: 0x540000n, pxm: 0 }, { smfn: 0x540000n, emfn: 0x940000n, pxm: 1 }];
    expect(pmemSetup(st, undefined, mgmt(0x530000n, 0x550000n)).result).toBe('-EINVAL');
    st.raw[1]!.pxm = 0;
    expect(pmemSetup(st, undefined, mgmt(0x530000n, 0x550000n)).result).toBe('0');
  });

  it('an NVDIMM whose memory device reports NOT_ARMED gives no raw region; Dom0 keeps access', async () => {
    const { st } = await booted({}, { unarmed: true });
    expect(st.raw).toEqual([]);
    expect(st.console).toEqual(['(XEN) NFIT: detected failures on PMEM MFNs 0x140000 - 0x113ffe0, skipped']);
    expect(st.iomemCaps.get(DOM0)!.contains(0x140000n, 0x113ffdfn)).toBe(true);
  });
});

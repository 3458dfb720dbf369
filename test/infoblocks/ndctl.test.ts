/**
 * ndctl 76.1 as the oracle, both directions:
 * - `ndctl write-infoblock` output decodes in nvtool to what `ndctl read-infoblock -j` reports, and
 *   nvtool's nd_pfn_init planning gives the same block for the same size/mode/align/map;
 * - info blocks nvtool writes (planned ones and arbitrary valid ones, PFN/DAX and BTT 1.1/2.0)
 *   read back through `ndctl read-infoblock -j` with the same values.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Btt } from '../../src/infoblocks/btt.js';
import { bttInfoBlock, decodeBttInfo, encodeBttInfo, type BttInfo } from '../../src/infoblocks/bttInfo.js';
import { DAX_SIG, PFN_SIG, decodePfnInfo, encodePfnInfo, pfnInfoBlock, planPfnInfo, type PfnInfo } from '../../src/infoblocks/pfn.js';
import { tool } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-ndctl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function readInfoblock(file: string): any {
  const out = JSON.parse(tool('ndctl', ['read-infoblock', '-j', '-i', file], 'ndctl'));
  expect(out).toHaveLength(1);
  return out[0];
}

function pfnAsNdctl(v: PfnInfo): Record<string, unknown> {
  return {
    signature: v.signature, uuid: v.uuid, parent_uuid: v.parentUuid, flags: v.flags, version: `${v.versionMajor}.${v.versionMinor}`,
    dataoff: Number(v.dataoff), npfns: Number(v.npfns), mode: v.mode, start_pad: v.startPad, end_trunc: v.endTrunc, align: v.align,
    page_size: v.pageSize, page_struct_size: v.pageStructSize,
  };
}

function bttAsNdctl(v: BttInfo): Record<string, unknown> {
  return {
    signature: v.signature, uuid: v.uuid, parent_uuid: v.parentUuid, flags: v.flags, version: `${v.versionMajor}.${v.versionMinor}`,
    external_lbasize: v.externalLbasize, external_nlba: v.externalNlba, internal_lbasize: v.internalLbasize, internal_nlba: v.internalNlba,
    nfree: v.nfree, infosize: v.infosize, nextoff: Number(v.nextoff), dataoff: Number(v.dataoff), mapoff: Number(v.mapoff),
    logoff: Number(v.logoff), info2off: Number(v.info2off),
  };
}

/** ndctl prints u32 fields through json_object_new_int (signed): keep generated u32 values below 2^31. */
function below2p31<T extends object>(v: T): T {
  const out = { ...v } as Record<string, unknown>;
  for (const [k, x] of Object.entries(out)) if (typeof x === 'number') out[k] = x & 0x7fffffff;
  return out as T;
}

const sizeArg = (n: number) => (n % GiB === 0 ? `${n / GiB}G` : `${n / MiB}M`);
const alignArg = (n: number) => (n >= GiB ? `${n / GiB}G` : n >= MiB ? `${n / MiB}M` : `${n / 1024}K`);

describe('ndctl write-infoblock -> nvtool', () => {
  const cases: [string, 'fsdax' | 'devdax', number, number, 'dev' | 'mem'][] = [];
  for (const [size, align] of [[1 * GiB, 2 * MiB], [1 * GiB, 4096], [256 * MiB, 2 * MiB], [4 * GiB, GiB], [2 * GiB + 6 * MiB, 2 * MiB], [300 * MiB, 4096]] as const) {
    for (const kind of ['fsdax', 'devdax'] as const) for (const map of ['dev', 'mem'] as const) cases.push([`${kind} ${sizeArg(size)} align ${alignArg(align)} map ${map}`, kind, size, align, map]);
  }
  it.each(cases)('%s', (_n, kind, size, align, map) => {
    const f = join(dir, 'w.ib');
    const uuid = '01234567-89ab-cdef-0123-456789abcdef';
    const parent = 'fedcba98-7654-3210-fedc-ba9876543210';
    tool('ndctl', ['write-infoblock', '-o', f, '-s', sizeArg(size), '-m', kind, '-a', alignArg(align), '-M', map, '-u', uuid, '-p', parent], 'ndctl');
    const bytes = new Uint8Array(readFileSync(f));
    expect(bytes.length).toBe(8192);
    expect(bytes.subarray(0, 4096).every((b) => b === 0)).toBe(true);
    const d = decodePfnInfo(bytes.subarray(4096), 4096);
    expect(d.findings).toEqual([]);
    const { file: _f, ...reported } = readInfoblock(f);
    expect(pfnAsNdctl(d.value)).toEqual(reported);
    // Linux's nd_pfn_init (planPfnInfo) and ndctl agree for an aligned namespace: byte for byte
    const mine = planPfnInfo({ kind, size, align, map, uuid, parentUuid: parent });
    expect(Buffer.from(encodePfnInfo(mine)).equals(Buffer.from(bytes.subarray(4096)))).toBe(true);
  });

  it('--offset (start_pad) blocks decode to the values ndctl reports', () => {
    const f = join(dir, 'o.ib');
    tool('ndctl', ['write-infoblock', '-o', f, '-s', '1G', '-m', 'fsdax', '-a', '2M', '-O', '1M', '-u', '01234567-89ab-cdef-0123-456789abcdef'], 'ndctl');
    const d = decodePfnInfo(new Uint8Array(readFileSync(f)).subarray(4096), 4096);
    const { file: _f, ...reported } = readInfoblock(f);
    expect(pfnAsNdctl(d.value)).toEqual(reported);
    expect(d.value.startPad).toBe(1048576);
  });
});

describe('nvtool -> ndctl read-infoblock', () => {
  it('planned PFN/DAX blocks for several namespaces', () => {
    for (const [kind, size, align, map] of [['fsdax', 240 * MiB, 2 * MiB, 'dev'], ['devdax', 3 * GiB + 20 * MiB, GiB, 'mem'], ['devdax', 64 * MiB, 4096, 'dev']] as const) {
      const v = planPfnInfo({ kind, size, align, map, uuid: '11111111-2222-4333-8444-555555555555', parentUuid: '66666666-7777-4888-9999-aaaaaaaaaaaa' });
      const f = join(dir, 'n.ib');
      const file = new Uint8Array(8192);
      file.set(encodePfnInfo(v), 4096);
      writeFileSync(f, file);
      const { file: _f, ...reported } = readInfoblock(f);
      expect(reported).toEqual(pfnAsNdctl(v));
    }
  });

  it('arbitrary valid PFN/DAX blocks (any version, any field values) read back with the same values', () => {
    const f = join(dir, 'a.ib');
    fc.assert(
      fc.property(pfnInfoBlock.arbitrary(), fc.constantFrom(PFN_SIG, DAX_SIG), fc.nat({ max: 4 }), (v0, signature, minor) => {
        const v = { ...below2p31(v0), signature, versionMajor: 1, versionMinor: minor, dataoff: v0.dataoff >> 12n, npfns: v0.npfns >> 12n } as PfnInfo;
        const file = new Uint8Array(8192);
        file.set(encodePfnInfo(v), 4096);
        writeFileSync(f, file);
        const { file: _f, ...reported } = readInfoblock(f);
        expect(reported).toEqual(pfnAsNdctl(decodePfnInfo(file.subarray(4096)).value));
      }),
      { numRuns: 12, seed: 3 },
    );
  });

  it('BTT 1.1 (at 4 KiB) and 2.0 (at 0) info blocks Linux would write, including a later arena', () => {
    const plans = [
      ...Btt.plan(1 * GiB, { uuid: 'a1a2a3a4-b1b2-4c1c-8d1d-e1e2e3e4e5e6', parentUuid: '0f0e0d0c-0b0a-4908-8706-050403020100', lbasize: 4096, version: { major: 1, minor: 1 } }),
      ...Btt.plan(300 * MiB, { uuid: 'a1a2a3a4-b1b2-4c1c-8d1d-e1e2e3e4e5e6', lbasize: 512, version: { major: 2, minor: 0 } }),
      ...Btt.plan(512 * GiB + 40 * MiB, { uuid: 'a1a2a3a4-b1b2-4c1c-8d1d-e1e2e3e4e5e6', lbasize: 520, version: { major: 1, minor: 1 } }),
    ];
    expect(plans.length).toBe(4);
    for (const p of plans) {
      const f = join(dir, 'b.ib');
      const at = p.info.versionMajor === 2 ? 0 : 4096;
      const file = new Uint8Array(8192);
      file.set(encodeBttInfo(p.info), at);
      writeFileSync(f, file);
      const { file: _f, ...reported } = readInfoblock(f);
      expect(reported).toEqual(bttAsNdctl(decodeBttInfo(file.subarray(at)).value));
      expect(reported).toEqual(bttAsNdctl(p.info));
    }
  });

  it('arbitrary BTT info blocks read back with the same values', () => {
    const f = join(dir, 'c.ib');
    fc.assert(
      fc.property(bttInfoBlock.arbitrary(), (v0) => {
        const v = { ...below2p31(v0), versionMajor: 1, versionMinor: 1, nextoff: v0.nextoff >> 12n, dataoff: v0.dataoff >> 12n, mapoff: v0.mapoff >> 12n, logoff: v0.logoff >> 12n, info2off: v0.info2off >> 12n } as BttInfo;
        const file = new Uint8Array(8192);
        file.set(encodeBttInfo(v), 4096);
        writeFileSync(f, file);
        const { file: _f, ...reported } = readInfoblock(f);
        expect(reported).toEqual(bttAsNdctl(v));
      }),
      { numRuns: 10, seed: 5 },
    );
  });
});

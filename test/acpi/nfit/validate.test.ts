import { describe, expect, it } from 'vitest';
import { buildNfit } from '../../../src/acpi/build/index.js';
import { decodeNfit, encodeNfit } from '../../../src/acpi/nfit/index.js';
import { NvError } from '../../../src/core/errors.js';

/** Tables described with the generic profile; the rules are Linux's (drivers/acpi/nfit/core.c) and ACPI 6.5 §5.2.26. */
const spa = (rangeIndex: number, address: string, rangeLength: string, extra: object = {}) => ({ type: 0, rangeIndex, flags: 2, rangeGuid: 'persistent', address, rangeLength, memoryMapping: '0x8008', ...extra });
const memdev = (deviceHandle: number, rangeIndex: number, regionIndex: number, extra: object = {}) => ({ type: 1, deviceHandle, rangeIndex, regionIndex, regionSize: '0x40000000', interleaveWays: 1, ...extra });
const dcr = (regionIndex: number, extra: object = {}) => ({ type: 4, regionIndex, vendorId: 0x8086, serialNumber: 1, code: 0x301, windowSize: '0x0', commandOffset: '0x0', commandSize: '0x0', statusOffset: '0x0', statusSize: '0x0', flags: 0, ...extra });
const codes = (structures: object[]) => decodeNfit(buildNfit({ profile: 'generic', structures }).bytes).findings.map((f) => `${f.severity}:${f.code}:${f.path}`);

describe('NFIT validation', () => {
  it('a consistent table is clean', () => {
    expect(codes([spa(1, '0x100000000', '0x40000000'), memdev(1, 1, 2), dcr(2)])).toEqual([]);
  });
  it('dangling SPA, control region and interleave indexes', () => {
    expect(codes([spa(1, '0x100000000', '0x40000000'), memdev(1, 5, 9, { interleaveIndex: 3 }), dcr(2)])).toEqual([
      'error:dangling-spa-index:structures[1].rangeIndex',
      'error:dangling-dcr-index:structures[1].regionIndex',
      'error:dangling-interleave-index:structures[1].interleaveIndex',
    ]);
  });
  it('overlapping SPA ranges and duplicate indexes', () => {
    expect(codes([spa(1, '0x100000000', '0x40000000'), spa(1, '0x120000000', '0x40000000'), memdev(1, 1, 2), dcr(2)])).toEqual([
      'error:duplicate-index:structures[1].rangeIndex',
      'error:overlapping-spa:structures[1].address',
    ]);
  });
  it("SPA lengths as Linux's sizeof_spa demands", () => {
    expect(codes([spa(1, '0x100000000', '0x1000', { locationCookie: '0x5' }), memdev(1, 1, 2), dcr(2)])).toEqual(['error:linux-length:structures[0].length']);
    expect(codes([spa(1, '0x100000000', '0x1000', { flags: 6, locationCookie: '0x5' }), memdev(1, 1, 2), dcr(2)])).toEqual([]);
  });
  it('the 32-byte control region is accepted; windows without the 80-byte form are not', () => {
    const short = { type: 4, regionIndex: 2, serialNumber: 1, code: 0x301 };
    expect(codes([spa(1, '0x100000000', '0x1000'), memdev(1, 1, 2), short])).toEqual([]);
    expect(codes([spa(1, '0x100000000', '0x1000'), memdev(1, 1, 2), { ...short, windows: 1 }])).toEqual(['error:linux-length:structures[2].length']);
  });
  it('health flags are reported per DIMM', () => {
    expect(codes([spa(1, '0x100000000', '0x1000'), memdev(1, 1, 2, { flags: 0x21 }), dcr(2)])).toEqual(['warning:health:structures[1].flags']);
  });
  it('a zero-length structure stops the walk as Linux does, and the rest is kept', () => {
    const built = buildNfit({ profile: 'generic', structures: [spa(1, '0x100000000', '0x1000'), memdev(1, 1, 2), dcr(2)] }).bytes;
    const b = built.slice();
    new DataView(b.buffer).setUint16(40 + 56 + 2, 0, true);
    const d = decodeNfit(b);
    expect(d.findings.map((f) => f.code)).toContain('zero-length');
    expect(d.table.structures).toHaveLength(1);
    expect(d.table.$trailing?.length).toBe(48 + 80);
  });
  it('an unknown structure type is kept raw and re-encodes', () => {
    const d = decodeNfit(buildNfit({ profile: 'generic', structures: [{ type: 9, $raw: true, data: 'aabbccdd' }] }).bytes);
    expect(d.table.structures[0]).toMatchObject({ $raw: true, type: 9, length: 8 });
    expect(d.findings.map((f) => f.code)).toEqual(['unknown-type']);
  });
  it('a table shorter than its header is an NvError with the offset', () => {
    const b = buildNfit({ profile: 'generic', structures: [] }).bytes;
    expect(() => decodeNfit(b.subarray(0, 20))).toThrow(NvError);
    expect(() => decodeNfit(b.subarray(0, 20))).toThrow("NFIT.length at offset 4 (0x4): length 40 runs past the end of the data (20 bytes remain)");
  });
});

describe('structure lengths shorter than the header', () => {
  it('a length of 2 is a finding and the walk stops; the table still decodes and re-encodes', () => {
    const built = buildNfit({ profile: 'generic', structures: [spa(1, '0x100000000', '0x1000'), memdev(1, 1, 2), dcr(2)] }).bytes;
    const b = built.slice();
    new DataView(b.buffer).setUint16(40 + 56 + 2, 2, true);
    const d = decodeNfit(b);
    expect(d.findings.map((f) => f.code)).toContain('short-length');
    expect(d.table.structures).toHaveLength(1);
    expect(Buffer.from(encodeNfit(d.table, 'all')).equals(Buffer.from(b))).toBe(true);
  });
});

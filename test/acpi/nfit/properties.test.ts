import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNfit, encodeNfit, nfitFromJson, nfitTable, nfitToJson } from '../../../src/acpi/nfit/index.js';
import { nfitFuzzTarget } from '../../../src/acpi/nfit/fuzz.js';
import { isNvError } from '../../../src/core/errors.js';
import { mutatedBytes, runFuzz } from '../../../src/core/fuzz.js';
import { acpiByteSum } from '../../../src/core/checksum/acpi.js';
import { qemuFixtures } from '../../support/fixtures.js';

const SEED = 1122;

describe('NFIT properties (fast-check)', () => {
  it('runFuzz: round trip, mutated and arbitrary bytes (value or NvError within 250 ms)', () => {
    const report = runFuzz(nfitFuzzTarget, 400, SEED);
    expect(report.failures).toEqual([]);
  });

  it('decode(encode(v)) gives v back, with length, counts and checksum filled in', () => {
    fc.assert(
      fc.property(nfitTable.arbitrary(), (v0) => {
        const v = { ...v0, signature: 'NFIT' };
        const bytes = encodeNfit(v);
        const d = decodeNfit(bytes);
        expect(acpiByteSum(bytes)).toBe(0);
        expect(d.table.length).toBe(bytes.length);
        expect(d.findings.filter((f) => f.code === 'checksum' || f.code === 'length' || f.code === 'bad-structure')).toEqual([]);
        const strip = (t: typeof v) => ({ ...t, length: 0, checksum: 0, structures: t.structures.map((s) => ({ ...s, length: 0, ...('lineCount' in s ? { lineCount: 0 } : {}), ...('hintCount' in s ? { hintCount: 0 } : {}) })) });
        expect(strip(d.table)).toEqual(strip(v));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('JSON round trip: decode --json then encode gives the same bytes', () => {
    fc.assert(
      fc.property(nfitTable.arbitrary(), (v0) => {
        const bytes = encodeNfit({ ...v0, signature: 'NFIT' });
        const json = JSON.parse(JSON.stringify(nfitToJson(decodeNfit(bytes).table)));
        const { table, pins } = nfitFromJson(json);
        return Buffer.from(encodeNfit(table, pins)).equals(Buffer.from(bytes));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('mutations of real QEMU tables decode to a value or NvError, and every finding names an offset inside the input', () => {
    const real = qemuFixtures().flatMap((f) => (f.nfit ? [f.nfit] : []));
    fc.assert(
      fc.property(mutatedBytes(fc.constantFrom(...real)), (b) => {
        try {
          const d = decodeNfit(b);
          for (const f of d.findings) if (f.offset !== undefined) expect(f.offset).toBeLessThanOrEqual(b.length);
          expect(Buffer.from(encodeNfit(d.table, 'all')).equals(Buffer.from(b.subarray(0, d.table.length)))).toBe(true);
        } catch (e) {
          if (!isNvError(e)) throw e;
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('damage inside the structures never stops the decode', () => {
  it('any bytes after the 40-byte header give findings, not an exception, and re-encode exactly', () => {
    const real = qemuFixtures().flatMap((f) => (f.nfit ? [f.nfit] : []));
    fc.assert(
      fc.property(fc.constantFrom(...real), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (t, edits) => {
        const b = t.slice();
        for (const [at, v] of edits) b[40 + (at % (b.length - 40))] = v;
        const d = decodeNfit(b);
        expect(Buffer.from(encodeNfit(d.table, 'all')).equals(Buffer.from(b))).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('editing and pinning derived fields', () => {
  const qemu = qemuFixtures().find((f) => f.name === 'pc-2dimm')!.nfit!;

  it('an edited field gets a fresh checksum', () => {
    const json = nfitToJson(decodeNfit(qemu).table) as { structures: { proximityDomain?: number }[] };
    json.structures[0]!.proximityDomain = 7;
    const { table, pins } = nfitFromJson(json);
    const bytes = encodeNfit(table, pins);
    expect(acpiByteSum(bytes)).toBe(0);
    expect(decodeNfit(bytes).findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(new DataView(bytes.buffer).getUint32(40 + 12, true)).toBe(7);
  });

  it('{"$pin": v} keeps a wrong checksum and a wrong length exactly as given', () => {
    const json = nfitToJson(decodeNfit(qemu).table) as Record<string, unknown> & { structures: Record<string, unknown>[] };
    json.checksum = { $pin: 0x42 };
    json.structures[1]!.length = { $pin: 49 };
    const { table, pins } = nfitFromJson(json);
    const bytes = encodeNfit(table, pins);
    expect(bytes[9]).toBe(0x42);
    expect(new DataView(bytes.buffer).getUint16(40 + 56 + 2, true)).toBe(49);
    const codes = decodeNfit(bytes).findings.map((f) => f.code);
    expect(codes).toContain('checksum');
  });
});

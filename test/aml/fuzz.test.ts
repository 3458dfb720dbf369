import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../src/core/fuzz.js';
import { NvError } from '../../src/core/errors.js';
import { amlFuzzTarget, amlTableArb } from '../../src/aml/fuzz.js';
import { decodeAml } from '../../src/aml/decode.js';
import { decodeAmlTable, encodeAmlTable } from '../../src/aml/table.js';
import { encodeTerms } from '../../src/aml/encode.js';
import { aml } from '../../src/aml/builder.js';
import { readPkgLength, pkgLengthSizeFor, putPkgLength } from '../../src/aml/pkgLength.js';

describe('aml fuzz target (runFuzz)', () => {
  it('round trips, mutated and arbitrary bytes: a value or NvError within the time bound', () => {
    const report = runFuzz(amlFuzzTarget, 300, 20260101);
    expect(report.failures.map((f) => `${f.property}: ${f.error}`)).toEqual([]);
  });

  it('random trees: decode(encode(tree)) is the same tree', () => {
    fc.assert(
      fc.property(amlTableArb, (t) => {
        const bytes = encodeAmlTable(t);
        const back = decodeAmlTable(bytes).table;
        expect(back.terms).toEqual(t.terms);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('PkgLength', () => {
  it('every width: the length counts itself, minimal width, decode inverts encode', () => {
    for (const body of [0, 1, 61, 62, 63, 64, 4093, 4094, 4095, 1048572, 1048573, 0x0fffff00]) {
      const w = pkgLengthSizeFor(body);
      const out = new Uint8Array(4);
      putPkgLength(out, 0, body + w, w);
      const r = readPkgLength(out, 0, 4);
      expect(r).toEqual({ value: body + w, width: w });
    }
    expect([62, 63, 4093, 4094].map(pkgLengthSizeFor)).toEqual([1, 2, 2, 3]);
  });
});

describe('hostile AML', () => {
  const expectNvError = (b: Uint8Array, re: RegExp) => {
    let err: unknown;
    try {
      decodeAml(b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NvError);
    expect(String((err as Error).message)).toMatch(re);
  };

  it('PkgLength past the end, including a 28-bit length that would wrap a pointer', () => {
    expectNvError(Uint8Array.from([0x10, 0x3f, 0x5c, 0x00]), /runs past the end/);
    expectNvError(Uint8Array.from([0x10, 0xcf, 0xff, 0xff, 0xff, 0x5c, 0x00]), /runs past the end/);
  });

  it('truncated terms and names', () => {
    expectNvError(Uint8Array.from([0x0c, 0x01, 0x02]), /DWordConst needs 4 bytes/);
    expectNvError(Uint8Array.from([0x08, 0x2f, 0x05, 0x41, 0x41]), /NameString of 5 segments/);
    expectNvError(Uint8Array.from([0x0d, 0x41, 0x42]), /no terminating NUL/);
    expectNvError(Uint8Array.from([0x5b]), /extended opcode missing/);
    expectNvError(Uint8Array.from([0x70, 0x01]), /term missing/);
  });

  it('absurd nesting stops at the depth limit, without a stack overflow', () => {
    const depth = 100000;
    const b = new Uint8Array(depth + 1).fill(0x92); // LNot (LNot (...
    b[depth] = 0x01;
    expectNvError(b, /nested deeper than 256/);
  });

  it('a package claiming 200 MB in a 10-byte input allocates nothing and fails fast', () => {
    const start = performance.now();
    expectNvError(Uint8Array.from([0x12, 0xcf, 0xff, 0xff, 0x0b, 0xff, 0x01, 0x02, 0x03, 0x04]), /runs past the end/);
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('unknown opcodes are reported with their offset', () => {
    expectNvError(Uint8Array.from([0x01, 0x02]), /unknown opcode 0x02/);
    expectNvError(Uint8Array.from([0x5b, 0xff]), /unknown extended opcode 0x5B 0xff/);
  });

  it('a wider PkgLength than needed is kept, so encode(decode) stays identical', () => {
    const b = Uint8Array.from([0x10, 0x43, 0x00, 0x5c, 0x00]); // Scope(\) with a 2-byte PkgLength of 3+... (value 3)
    const ok = Uint8Array.from([0x10, 0x40, 0x00, 0x5c, 0x00]);
    void b;
    // value 4 = 2 (PkgLength) + 2 (\ + NullName)
    ok[1] = 0x44;
    const d = decodeAml(ok);
    expect(encodeTerms(d.terms)).toEqual(ok);
  });

  it('builder: NameStrings, integers, PkgLengths', () => {
    expect(Array.from(encodeTerms([aml.store(aml.int(0x0a18), aml.local(0))]))).toEqual([0x70, 0x0b, 0x18, 0x0a, 0x60]);
    expect(Array.from(encodeTerms([aml.store(aml.ref('\\_SB.PCI0.SUB0'), aml.local(0))]))).toEqual([0x70, 0x5c, 0x2f, 3, ...Buffer.from('_SB_PCI0SUB0'), 0x60]);
    expect(Array.from(encodeTerms([aml.store(aml.ref('^^AB.CD'), aml.local(0))]))).toEqual([0x70, 0x5e, 0x5e, 0x2e, ...Buffer.from('AB__CD__'), 0x60]);
    const big = encodeTerms([aml.scope('\\', [aml.name('BUF0', aml.buffer(new Uint8Array(5000)))])]);
    expect(big[1]! >> 6).toBe(2); // 3-byte PkgLength
    expect(encodeTerms(decodeAml(big).terms)).toEqual(big);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexInt } from '../../src/core/hex.js';

/** Reference model: the plain formula the byte-table fast path must agree with. */
const reference = (v: number | bigint, width: number) => '0x' + v.toString(16).toUpperCase().padStart(width, '0');

describe('hexInt', () => {
  it('equals toString(16), upper case, zero-padded to the width, for any integer and width', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff }), fc.nat({ max: 0xffffffff }), fc.maxSafeNat(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
    fc.assert(fc.property(value, fc.constantFrom(0, 1, 2, 3, 4, 8, 16), (v, w) => hexInt(v, w) === reference(v, w)), { numRuns: 2000 });
  });
  it('edges of each fast width', () => {
    for (const v of [0, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32]) {
      for (const w of [2, 4, 8]) expect(hexInt(v, w)).toBe(reference(v, w));
    }
  });
});

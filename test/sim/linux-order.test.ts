/**
 * The orders Linux and ndctl put devices in, as the Dom0 model reproduces them: scan_labels'
 * `cmp_dpa` (memcmp of a little-endian u64, checked against Buffer.compare) and ndctl's listing
 * order (descending kernfs_name_hash; checked against an order the Linux 6.1 guest printed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmpDpa, kernfsNameHash, ndctlOrder } from '../../src/sim/index.js';

describe('cmpDpa: memcmp of two little-endian u64 (scan_labels\' sort key)', () => {
  it('orders as Buffer.compare of the 8 bytes does (fast-check)', () => {
    const le = (v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return b;
    };
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (a, b) => {
      expect(Math.sign(cmpDpa(a, b))).toBe(Buffer.compare(le(a), le(b)));
    }), { numRuns: 300, seed: 5 });
    expect(cmpDpa(0x20ffe0000n, 0x1fffe0000n)).toBeLessThan(0);
  });
});

describe('ndctl\'s listing order', () => {
  it('is the order ndctl 76 printed four namespaces of one region in, on the Linux 6.1 guest', () => {
    const names = ['namespace0.0', 'namespace0.1', 'namespace0.2', 'namespace0.3'];
    expect(ndctlOrder(names, (n) => n)).toEqual(['namespace0.2', 'namespace0.1', 'namespace0.3', 'namespace0.0']);
  });

  it('kernfs_name_hash stays in [2, INT_MAX - 1]', () => {
    fc.assert(fc.property(fc.string({ minLength: 0, maxLength: 40 }), (s) => {
      const h = kernfsNameHash(s);
      expect(h >= 2 && h <= 0x7ffffffe).toBe(true);
    }), { numRuns: 200, seed: 9 });
  });
});

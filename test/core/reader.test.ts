import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/core/bytes/reader.js';
import { ByteWriter } from '../../src/core/bytes/writer.js';
import { NvError } from '../../src/core/errors.js';

describe('ByteReader bounds', () => {
  it('a read past the end is an NvError naming format, field and absolute offset', () => {
    const r = new ByteReader(new Uint8Array(6), 'TEST', 100);
    r.u32('a');
    let err: unknown;
    try {
      r.u32('structures[3].length');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NvError);
    expect((err as NvError).offset).toBe(104);
    expect((err as NvError).message).toBe('TEST.structures[3].length at offset 104 (0x68): needs 4 bytes but only 2 remain');
  });
  it('a sub-reader cannot read its neighbour', () => {
    const r = new ByteReader(Uint8Array.from([1, 2, 3, 4, 5, 6]), 'TEST');
    const s = r.sub(2, 'rec');
    expect(s.u16()).toBe(0x0201);
    expect(() => s.u8('x')).toThrow(NvError);
    expect(r.u8()).toBe(3);
  });
  it('need() refuses counts beyond the data before anything is allocated', () => {
    const r = new ByteReader(new Uint8Array(16), 'TEST');
    expect(() => r.need(0xffffffff * 8, 'lines')).toThrow(/needs 34359738360 bytes but only 16 remain/);
  });
  it('writer and reader agree on little-endian values of every width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.nat(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (a, b, c, d) => {
        const w = new ByteWriter(1);
        w.u8(a);
        w.u16(b);
        w.u32(c >>> 0);
        w.u64(d);
        const bytes = w.finish();
        expect(bytes.length).toBe(15);
        const r = new ByteReader(bytes, 'T');
        return r.u8() === a && r.u16() === b && r.u32() === c >>> 0 && r.u64() === d && r.remaining === 0;
      }),
    );
  });
});

/**
 * The BTT's direct flog paths against the declarations they stand in for: decodeLogGroups gives
 * what decodeStruct(logGroup) gives, putLogEntry the bytes encodeStruct(logEntry) gives, and a
 * sector read into a caller's buffer equals the one into fresh bytes (trimmed sectors included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { isNvError } from '../../src/core/errors.js';
import { decodeStruct, encodeStruct } from '../../src/core/schema/index.js';
import { Btt } from '../../src/infoblocks/btt.js';
import { LOG_ENT_SIZE, LOG_GRP_SIZE, decodeLogGroups, logEntry, logGroup, putLogEntry } from '../../src/infoblocks/bttLog.js';

describe('flog fast paths equal the declarations', () => {
  it('decodeLogGroups(bytes, n) = decodeStruct(logGroup) of each 64-byte group (arbitrary bytes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }).chain((n) => fc.tuple(fc.constant(n), fc.uint8Array({ minLength: n * LOG_GRP_SIZE, maxLength: n * LOG_GRP_SIZE + 70 }))), ([n, bytes]) => {
        const want = Array.from({ length: n }, (_, i) => decodeStruct(logGroup, bytes.subarray(i * LOG_GRP_SIZE)).value);
        expect(decodeLogGroups(bytes, n)).toEqual(want);
      }),
      { numRuns: 200, seed: 13 },
    );
  });

  it('decodeLogGroups refuses a count the bytes do not hold (NvError, nothing allocated)', () => {
    const e = (() => {
      try {
        decodeLogGroups(new Uint8Array(100), 2, 4096);
      } catch (x) {
        return x;
      }
    })();
    expect(isNvError(e)).toBe(true);
    expect(() => decodeLogGroups(new Uint8Array(64), 2 ** 40)).toThrow(/log groups need/);
  });

  it('putLogEntry writes the bytes encodeStruct(logEntry) gives (arbitrary entries)', () => {
    fc.assert(
      fc.property(logEntry.arbitrary(), fc.integer({ min: 0, max: 48 }), (v, at) => {
        const b = new Uint8Array(64).fill(0xa5);
        putLogEntry(new DataView(b.buffer), at, v.lba, v.oldMap, v.newMap, v.seq);
        const want = new Uint8Array(64).fill(0xa5);
        want.set(encodeStruct(logEntry, v), at);
        expect(b).toEqual(want);
        expect(LOG_ENT_SIZE).toBe(logEntry.requiredSize);
      }),
      { numRuns: 200, seed: 14 },
    );
  });
});

describe('Btt.readInto', () => {
  it('equals Btt.read for written, never-written and trimmed sectors; refuses a wrong-sized buffer', () => {
    const store = new MemoryBlockIO(new Uint8Array(16 * 1024 * 1024 + 4096));
    const btt = Btt.create(store, { uuid: '0f0e0d0c-0b0a-0908-0706-050403020100', lbasize: 512, version: { major: 1, minor: 1 } });
    const data = Uint8Array.from({ length: 512 }, (_, i) => (i * 3 + 1) & 0xff);
    btt.write(5, data);
    // sector 6: a trimmed entry (Z only) pointing at block 6
    const a = btt.arenas[0]!;
    const z = new Uint8Array(4);
    new DataView(z.buffer).setUint32(0, (0x80000000 | 6) >>> 0, true);
    store.write(a.mapAt + 6 * 4, z);
    store.write(a.dataAt + 6 * a.info.internalLbasize, data);
    const re = Btt.open(store);
    const out = new Uint8Array(512).fill(0xee);
    for (const lba of [5, 6, 7, re.nlba - 1]) {
      re.readInto(lba, out);
      expect(out, `lba ${lba}`).toEqual(re.read(lba));
    }
    re.readInto(5, out);
    expect(out).toEqual(data);
    re.readInto(6, out);
    expect(out.every((x) => x === 0)).toBe(true);
    expect(() => re.readInto(5, new Uint8Array(4096))).toThrow(/512-byte buffer/);
  });
});

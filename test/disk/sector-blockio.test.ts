import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBlockIO, SectorBlockIO } from '../../src/core/blockio.js';

/** A sector device over memory that only accepts whole, in-range sectors (as the BTT does). */
function sectorDevice(ss: number, nlba: number) {
  const m = new Uint8Array(ss * nlba);
  let writes = 0;
  return {
    sectorSize: ss, nlba, m, get writes() { return writes; },
    read: (lba: number) => { if (lba < 0 || lba >= nlba) throw new Error('lba'); return m.slice(lba * ss, (lba + 1) * ss); },
    write: (lba: number, d: Uint8Array) => { if (lba < 0 || lba >= nlba || d.length !== ss) throw new Error('sector'); writes++; m.set(d, lba * ss); },
  };
}

describe('SectorBlockIO: byte access over whole-sector I/O', () => {
  it('any sequence of byte-range writes reads back as on a plain byte array', () => {
    fc.assert(fc.property(fc.constantFrom(512, 4096), fc.array(fc.record({ at: fc.nat(40000), len: fc.integer({ min: 0, max: 9000 }), v: fc.integer({ min: 1, max: 255 }) }), { maxLength: 12 }), (ss, ops) => {
      const dev = sectorDevice(ss, Math.ceil(50000 / ss));
      const io = new SectorBlockIO(dev);
      const ref = new MemoryBlockIO(new Uint8Array(io.size));
      for (const o of ops) {
        const len = Math.min(o.len, io.size - o.at);
        const d = new Uint8Array(len).fill(o.v);
        io.write(o.at, d);
        ref.write(o.at, d);
        expect(Buffer.from(io.read(o.at, len)).equals(d)).toBe(true);
      }
      expect(Buffer.from(io.read(0, io.size)).equals(ref.read(0, ref.size))).toBe(true);
    }), { numRuns: 200 });
  });

  it('whole aligned sectors are written once each, without reading first', () => {
    const dev = sectorDevice(4096, 8);
    new SectorBlockIO(dev).write(4096, new Uint8Array(3 * 4096).fill(7));
    expect(dev.writes).toBe(3);
    expect(() => new SectorBlockIO(dev).read(8 * 4096 - 1, 2)).toThrow(/outside/);
  });
});

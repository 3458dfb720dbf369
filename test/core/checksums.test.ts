import { execFileSync } from 'node:child_process';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acpiByteSum, acpiChecksumFor } from '../../src/core/checksum/acpi.js';
import { crc32 } from '../../src/core/checksum/crc32.js';
import { guidAt, guidFromString, guidToString } from '../../src/core/guid.js';
import { qemuFixtures } from '../support/fixtures.js';

describe('CRC32 (UEFI, GPT)', () => {
  it('equals zlib crc32 on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => crc32(b) === zlibCrc32(b)));
  });
  it('with a zeroed field equals zlib crc32 of the bytes with that field zeroed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 512 }), fc.nat(), (b, at) => {
        const pos = at % (b.length - 3);
        const z = b.slice();
        z.fill(0, pos, pos + 4);
        return crc32(b, pos) === zlibCrc32(z);
      }),
    );
  });
});

describe('ACPI byte-sum checksum', () => {
  it('every table SeaBIOS finalised in guest memory sums to zero, and nvtool computes the same checksum byte', () => {
    const tables = qemuFixtures().flatMap((f) => [f.nfit, f.ssdt].filter((t): t is Uint8Array => t !== undefined));
    expect(tables.length).toBeGreaterThan(40);
    for (const t of tables) {
      expect(acpiByteSum(t)).toBe(0);
      expect(acpiChecksumFor(t, 9)).toBe(t[9]);
    }
  });
  it('the word-at-a-time sum equals a byte-by-byte sum modulo 256, at any alignment and length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(3), fc.nat(3), fc.boolean(), (b, head, tail, ones) => {
        if (ones) b.fill(0xff); // the largest lane sums
        const view = b.subarray(Math.min(head, b.length), Math.max(Math.min(head, b.length), b.length - tail));
        let ref = 0;
        for (const x of view) ref += x;
        return acpiByteSum(view) === ref % 256;
      }),
      { numRuns: 300 },
    );
  });
});

describe('GUID byte orders', () => {
  it('efi order equals Python uuid.bytes_le and rfc order equals uuid.bytes', () => {
    const guids = fc.sample(fc.uuid({ version: [1, 2, 3, 4, 5] }), { numRuns: 50, seed: 3 });
    const py = execFileSync('python3', ['-c', 'import sys,uuid\nfor l in sys.stdin.read().split():\n  u=uuid.UUID(l); print(u.bytes_le.hex(), u.bytes.hex())'], {
      input: guids.join('\n'),
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    guids.forEach((g, i) => {
      const [le, be] = py[i]!.split(' ');
      expect(Buffer.from(guidFromString(g, 'efi')).toString('hex')).toBe(le);
      expect(Buffer.from(guidFromString(g, 'rfc')).toString('hex')).toBe(be);
      expect(guidToString(guidFromString(g, 'efi'), 'efi')).toBe(g.toLowerCase());
    });
  });
  it('guidAt (remembering recent GUIDs) gives what guidToString gives, repeats and both orders mixed', () => {
    const pool = fc.sample(fc.uint8Array({ minLength: 16, maxLength: 16 }), { numRuns: 12, seed: 5 });
    pool.push(new Uint8Array(16));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(pool.length - 1), fc.constantFrom('efi' as const, 'rfc' as const), fc.nat(7)), { maxLength: 40 }), (picks) => {
        for (const [k, order, at] of picks) {
          const buf = new Uint8Array(32);
          buf.set(pool[k]!, at);
          if (guidAt(buf, at, order) !== guidToString(pool[k]!, order)) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });
  it("the PM range GUID is stored as QEMU's NFIT stores it", () => {
    const nfit = qemuFixtures().find((f) => f.name === 'pc-1dimm')!.nfit!;
    expect(Buffer.from(nfit.subarray(56, 72)).toString('hex')).toBe(Buffer.from(guidFromString('66f0d379-b4f3-4074-ac43-0d3318b78cdb', 'efi')).toString('hex'));
  });
});

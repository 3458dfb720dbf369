import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NvError } from '../../src/core/errors.js';
import { XenStore } from '../../src/sim/xenstore.js';
import { findTables } from '../../src/acpi/tables/index.js';
import { GuestMemory } from '../../src/sim/hvmloader/index.js';

describe('xenstore-ls -f text', () => {
  it('format then parse gives the same nodes and values (escapes included)', () => {
    const seg = fc.stringMatching(/^[a-zA-Z0-9_-]{1,6}$/);
    fc.assert(fc.property(fc.array(fc.tuple(fc.array(seg, { minLength: 1, maxLength: 4 }), fc.string({ maxLength: 12 })), { maxLength: 12 }), (nodes) => {
      const xs = new XenStore();
      for (const [p, v] of nodes) xs.write('/' + p.join('/'), v);
      const text = xs.format();
      expect(XenStore.parse(text).format()).toBe(text);
      for (const [p] of nodes) expect(XenStore.parse(text).read('/' + p.join('/'))).toBe(xs.read('/' + p.join('/')));
    }), { numRuns: 200 });
  });

  it('lines as xenstore-ls -f prints them; a malformed line names its line', () => {
    const xs = new XenStore();
    xs.write('/local/domain/1/hvmloader/dm-acpi/address', '0xfc000000');
    expect(xs.format()).toBe('/local = ""\n/local/domain = ""\n/local/domain/1 = ""\n/local/domain/1/hvmloader = ""\n/local/domain/1/hvmloader/dm-acpi = ""\n/local/domain/1/hvmloader/dm-acpi/address = "0xfc000000"\n');
    expect(() => XenStore.parse('/a = "x"\nbroken\n', 'xs.txt')).toThrow(/xs\.txt:2/);
  });
});

describe("the guest's table walk over arbitrary memory", () => {
  it('throws only NvError, never loops or allocates what a length claims', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 0x1ffff }), fc.uint8Array({ minLength: 1, maxLength: 64 })), { maxLength: 20 }), fc.integer({ min: 0, max: 0x1fff }), (writes, slot) => {
      const mem = new GuestMemory();
      // a checksum-valid RSDP so the walk goes on into random pointers
      const r = new Uint8Array(36);
      r.set([...'RSD PTR '].map((c) => c.charCodeAt(0)));
      r[15] = 2;
      for (const [a, b] of writes) mem.write(0xe0000 + (a % 0x1ff00), b.subarray(0, 32));
      for (const [a, b] of writes) r.set(b.subarray(0, 4), 16 + (a % 16));
      r[8] = 0;
      r[8] = (256 - r.subarray(0, 20).reduce((s, x) => (s + x) & 0xff, 0)) & 0xff;
      mem.write(0xe0000 + (slot % 0x1ffe) * 16, r);
      try {
        findTables((a, n) => mem.read(a, n));
      } catch (e) {
        if (!(e instanceof NvError)) throw e;
      }
    }), { numRuns: 200 });
  });
});

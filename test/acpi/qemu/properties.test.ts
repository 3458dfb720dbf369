/**
 * Properties of the platform model that hold whatever the input: the GLib simulation yields a
 * deterministic permutation of its keys, and parse/resolve throw nothing but NvError; when a
 * platform resolves, its dimms are disjoint, in range, on distinct valid slots.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NvError } from '../../../src/core/errors.js';
import { gHashTableOrder, nvdimmListOrder, parsePlatform, resolvePlatform } from '../../../src/acpi/qemu/index.js';

/** Names QEMU accepts as `id=` (id_wellformed), plus anything else for the hash table itself. */
const qemuId = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,11}$/);

describe('GLib 2.74 hash-table simulation', () => {
  it('iterates a permutation of the inserted keys, the same every time', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 300 }), (keys) => {
        const order = gHashTableOrder(keys);
        expect([...order].sort()).toEqual([...keys].sort());
        expect(gHashTableOrder(keys)).toEqual(order);
      }),
      { numRuns: 300 },
    );
  });

  it('nvdimmListOrder is a permutation of the -device indices', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.option(qemuId, { nil: undefined }), { maxLength: 40, selector: (x) => x ?? Symbol() }), (ids) => {
        const order = nvdimmListOrder(ids.map((id) => ({ id })));
        expect([...order].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
      }),
    );
  });
});

const size = fc.oneof(
  fc.constantFrom('4K', '64K', '128K', '130K', '1M', '2M', '129M', '256M', '1G', '3G', '3584M', '4G', '8G', '64G', '0', '1T'),
  fc.integer({ min: 0, max: 2 ** 34 }),
  fc.constantFrom('0x1000', '0x40000000', '256', '1000000', '1.5G', 'lots', ''),
);

const description = fc.record(
  {
    machine: fc.record({ type: fc.constantFrom('pc', 'q35'), nvdimmPersistence: fc.constantFrom('cpu', 'mem-ctrl', 'foo') }, { requiredKeys: ['type'] }),
    memory: fc.record({ size, slots: fc.integer({ min: -1, max: 300 }), maxmem: size }, { requiredKeys: ['size'] }),
    numa: fc.array(fc.record({ nodeid: fc.integer({ min: 0, max: 130 }), size }, { requiredKeys: ['nodeid'] }), { maxLength: 4 }),
    nvdimms: fc.array(
      fc.record(
        {
          id: fc.oneof(qemuId, fc.constantFrom('nv0', 'nv1', '1bad', 'device[0]')),
          size,
          labelSize: size,
          node: fc.integer({ min: 0, max: 4 }),
          slot: fc.integer({ min: -2, max: 9 }),
          addr: fc.oneof(fc.constantFrom('0x100000000', '0x140000000', '0x100001000', '0x80000000', 0, '0x3ec000000'), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((b) => `0x${b.toString(16)}`)),
          align: fc.constantFrom('4K', '2K', '64K', '2M', '3M', '1G'),
          unarmed: fc.boolean(),
        },
        { requiredKeys: ['size'] },
      ),
      { maxLength: 8 },
    ),
    dsmBuffer: fc.oneof(fc.integer({ min: 0, max: 2 ** 33 }), fc.constant('0xfffff000')),
  },
  { requiredKeys: ['machine', 'memory', 'nvdimms'] },
);

/** Mostly bootable platforms: sane RAM/maxmem, labels of 128 KiB and up, no NUMA. */
const plausible = fc.record({
  machine: fc.record({ type: fc.constantFrom('pc', 'q35') }),
  memory: fc.record({ size: fc.constantFrom('256M', '3G', '3584M', '4G'), slots: fc.integer({ min: 1, max: 16 }), maxmem: fc.constantFrom('16G', '64G', '1T') }),
  nvdimms: fc.array(
    fc.record(
      {
        id: qemuId,
        size: fc.constantFrom('4K', '1M', '129M', '1G', '1025M', 1000000),
        labelSize: fc.constantFrom('128K', '130K', '256K'),
        slot: fc.integer({ min: 0, max: 15 }),
        addr: fc.integer({ min: 0, max: 255 }).map((n) => `0x${(0x100000000 + n * 0x1000000).toString(16)}`),
        align: fc.constantFrom('4K', '64K', '2M'),
        unarmed: fc.boolean(),
      },
      { requiredKeys: ['size'] },
    ),
    { maxLength: 8 },
  ),
});

function outcome(json: unknown): 'ok' | 'nverror' {
  try {
    const resolved = resolvePlatform(parsePlatform(json));
    const slots = new Set(resolved.dimms.map((d) => d.slot));
    expect(slots.size).toBe(resolved.dimms.length);
    const byAddr = [...resolved.dimms].sort((a, b) => (a.addr < b.addr ? -1 : 1));
    byAddr.forEach((d, i) => {
      expect(d.slot).toBeGreaterThanOrEqual(0);
      expect(d.slot).toBeLessThan(resolved.slots);
      expect(d.pmemSize).toBeGreaterThan(0n);
      expect(d.addr % d.align).toBe(0n);
      expect(d.pmemSize + d.labelSize).toBeLessThanOrEqual(d.backendSize);
      expect(d.addr).toBeGreaterThanOrEqual(resolved.deviceMemory.base);
      expect(d.addr + d.pmemSize).toBeLessThanOrEqual(resolved.deviceMemory.base + resolved.deviceMemory.size);
      const next = byAddr[i + 1];
      if (next) expect(d.addr + d.pmemSize).toBeLessThanOrEqual(next.addr);
    });
    const total = resolved.dimms.reduce((s, d) => s + d.pmemSize, 0n);
    expect(total).toBeLessThanOrEqual(resolved.ram.maxRamSize - resolved.ram.ramSize);
    return 'ok';
  } catch (err) {
    if (err instanceof NvError) {
      expect(err.format).toBe('platform');
      return 'nverror';
    }
    throw err;
  }
}

describe('parsePlatform + resolvePlatform on random input', () => {
  it('resolve consistently or throw NvError, nothing else', () => {
    const seen = { ok: 0, nverror: 0 };
    fc.assert(fc.property(description, (json) => void seen[outcome(json)]++), { numRuns: 2000 });
    expect(seen.nverror).toBeGreaterThan(0);
  });

  it('resolve plausible platforms often, with the same invariants', () => {
    const seen = { ok: 0, nverror: 0 };
    fc.assert(fc.property(plausible, (json) => void seen[outcome(json)]++), { numRuns: 1000 });
    expect(seen.ok).toBeGreaterThan(100);
  });

  it('throw only NvError for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        expect(outcome(json)).toBe('nverror');
      }),
      { numRuns: 500 },
    );
  });
});

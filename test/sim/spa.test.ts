/**
 * SPA → image byte through the NFIT (src/sim/host/spa.ts) against the QEMU platform model's own
 * placement (resolvePlatform: each DIMM's address and pmem size, which the NFIT is built from and
 * fixtures/qemu prove against real QEMU): for random platforms and addresses, `locateSpa` finds the
 * DIMM and offset the model says, `spaOfImageOffset` inverts it, and ranges that leave a DIMM or
 * miss every DIMM are refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNfit } from '../../src/acpi/build/index.js';
import { slotToHandle } from '../../src/acpi/qemu/identifiers.js';
import { NvError } from '../../src/core/errors.js';
import { locateSpa, pmemMappings, spaOfImageOffset, type HostDimm } from '../../src/sim/index.js';

const MiB = 2n ** 20n;
const platforms = fc.array(fc.record({ size: fc.integer({ min: 1, max: 48 }), label: fc.boolean() }), { minLength: 1, maxLength: 4 }).map((ds) => ({
  machine: { type: 'pc' as const }, memory: { size: '512M', slots: 4, maxmem: '16G' },
  nvdimms: ds.map((d, i) => ({ id: `nv${i}`, size: `${d.size * 64}M`, ...(d.label ? { labelSize: '128K' } : {}) })),
}));

describe('SPA → (DIMM, image offset) through the NFIT', () => {
  it('agrees with the QEMU model\'s placement, both ways (fast-check)', () => {
    fc.assert(fc.property(platforms, fc.array(fc.tuple(fc.nat(3), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })), { minLength: 1, maxLength: 8 }), (platform, picks) => {
      const built = buildNfit(platform);
      const dimms: HostDimm[] = built.platform!.dimms.map((d) => ({
        id: d.id!, handle: slotToHandle(d.slot), slot: d.slot, image: `host/${d.id}.img`, size: `0x${d.fileSize.toString(16)}`,
        pmemSize: `0x${d.pmemSize.toString(16)}`, labelSize: `0x${d.labelSize.toString(16)}`, node: d.node,
      }));
      const maps = pmemMappings(built.table, dimms);
      expect(maps.length).toBe(dimms.length);
      for (const [i, frac] of picks) {
        const d = built.platform!.dimms[i % built.platform!.dimms.length]!;
        const off = BigInt(Math.floor(frac * Number(d.pmemSize)));
        const at = locateSpa(maps, d.addr + off);
        expect([at.dimm.id, at.image, at.offset]).toEqual([d.id, `host/${d.id}.img`, off]);
        expect(spaOfImageOffset(maps, d.id!, off)).toBe(d.addr + off);
        if (d.labelSize > 0n) expect(spaOfImageOffset(maps, d.id!, d.pmemSize + (off % d.labelSize))).toBe(undefined);
        expect(() => locateSpa(maps, d.addr + off, d.pmemSize - off + 1n)).toThrow(NvError);
        expect(locateSpa(maps, d.addr + off, d.pmemSize - off).offset).toBe(off);
      }
      expect(() => locateSpa(maps, 0x1000n)).toThrow(/is in no persistent-memory range/);
    }), { numRuns: 150, seed: 3 });
  });

  it('the issue\'s host: SPA 0x140000000 is byte 0 of nv0.img, 0x940000000 byte 32 GiB', () => {
    const built = buildNfit({ machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms: [{ id: 'nv0', size: '64G', labelSize: '128K' }] });
    const maps = pmemMappings(built.table, [{ id: 'nv0', handle: 1, slot: 0, image: 'host/nv0.img', size: '0x1000000000', pmemSize: '0xffffe0000', labelSize: '0x20000', node: 0 }]);
    expect(locateSpa(maps, 0x140000000n).offset).toBe(0n);
    expect(locateSpa(maps, 0x940000000n).offset).toBe(32n * 1024n * MiB);
  });
});

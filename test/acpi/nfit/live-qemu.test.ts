import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNfit, type NfitDescription } from '../../../src/acpi/build/index.js';
import { isNvError } from '../../../src/core/errors.js';
import { captureAcpi, QemuRefusedError, requireQemuBinary, type Platform } from '../../harness/qemu.js';

/**
 * Random platforms, built by nvtool and booted in real QEMU 7.2: where QEMU boots, its NFIT must
 * equal build-nfit's byte for byte; where it refuses, nvtool must refuse with QEMU's message.
 * NVTOOL_SEED picks another set of platforms (the default seed keeps CI reproducible).
 */
const SEED = Number(process.env.NVTOOL_SEED ?? 7202211);
const RUNS = Number(process.env.NVTOOL_LIVE_RUNS ?? 16);

const idArb = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const platformArb: fc.Arbitrary<Platform> = fc
  .record({
    type: fc.constantFrom('pc' as const, 'q35' as const),
    ramMiB: fc.constantFrom(256, 512, 1024, 3072, 4096),
    slots: fc.integer({ min: 1, max: 8 }),
    maxmem: fc.constantFrom('2G', '16G', '64G', '64G'),
    numaNodes: fc.integer({ min: 0, max: 3 }),
    persistence: fc.constantFrom(undefined, 'cpu', 'mem-ctrl'),
    dimms: fc.array(
      fc.record({
        id: fc.option(idArb, { nil: undefined }),
        size: fc.constantFrom<string | number>('64M', '129M', '256M', '1G', 1000000, '64M'),
        labelSize: fc.constantFrom(undefined, '128K', '130K', '1M'),
        node: fc.integer({ min: 0, max: 3 }),
        slot: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined, freq: 3 }),
        align: fc.constantFrom(undefined, undefined, '2M'),
        unarmed: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map((r) => {
    const numa = Array.from({ length: r.numaNodes }, (_, i) => ({ nodeid: i, size: `${i === 0 ? r.ramMiB - 128 * (r.numaNodes - 1) : 128}M` }));
    const ids = new Set<string>();
    const nvdimms = r.dimms.map((d) => {
      const dimm: Platform['nvdimms'][number] = { size: d.size };
      if (d.id !== undefined && !ids.has(d.id)) {
        ids.add(d.id);
        dimm.id = d.id;
      }
      if (d.labelSize) dimm.labelSize = d.labelSize;
      if (r.numaNodes > 0) dimm.node = d.node % r.numaNodes;
      // Mostly slots that exist (a few out of range, which QEMU must refuse).
      if (d.slot !== undefined) dimm.slot = d.slot === 8 ? r.slots : d.slot % r.slots;
      if (d.align) dimm.align = d.align;
      if (d.unarmed) dimm.unarmed = true;
      return dimm;
    });
    const p: Platform = { machine: { type: r.type }, memory: { size: `${r.ramMiB}M`, slots: r.slots, maxmem: r.maxmem }, nvdimms };
    if (r.persistence) p.machine.nvdimmPersistence = r.persistence;
    if (numa.length) p.numa = numa;
    return p;
  });

describe('build-nfit against live QEMU 7.2 on random platforms', () => {
  it('qemu-system-x86_64 is installed', () => {
    expect(requireQemuBinary()).toBeTruthy();
  });

  const platforms = fc.sample(platformArb, { numRuns: RUNS, seed: SEED });
  const outcomes = { booted: 0, refused: 0 };
  it.each(platforms.map((p, i) => [i, p] as const))(`seed ${SEED} #%i`, async (_i, platform) => {
    let built: Uint8Array | undefined;
    let refusal: string | undefined;
    try {
      built = buildNfit(platform as NfitDescription).bytes;
    } catch (e) {
      if (!isNvError(e)) throw e;
      refusal = e.reason;
    }
    try {
      const cap = await captureAcpi(platform, { timeoutMs: 30_000 });
      expect(refusal, `QEMU booted ${JSON.stringify(platform)} but nvtool refused: ${refusal}`).toBeUndefined();
      expect(Buffer.from(built!).toString('hex')).toBe(Buffer.from(cap.nfit!.bytes).toString('hex'));
      outcomes.booted++;
    } catch (e) {
      if (!(e instanceof QemuRefusedError)) throw e;
      expect(refusal, `QEMU refused ${JSON.stringify(platform)} (${e.message}) but nvtool built an NFIT`).toBeDefined();
      expect(e.message).toContain(refusal!.split('\n')[0]);
      outcomes.refused++;
    }
  });

  it('exercised platforms QEMU boots as well as ones it refuses', () => {
    expect(outcomes.booted).toBeGreaterThanOrEqual(RUNS / 4);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../src/core/fuzz.js';
import { decodeStruct, encodeStruct } from '../../src/core/schema/index.js';
import {
  areaRecipe, buildArea, geometryFor, indexBlockStruct, labelV11, labelV12, labelsFuzzTarget, namespacesOf, readLabelArea, FUZZ_SET,
  slotOffset, nextSeq, bestSeq, selectCurrent, cxlNamespaceLabel, cxlRegionLabel,
} from '../../src/labels/index.js';

describe('geometry (Linux sizeof_namespace_index / nvdimm_num_label_slots)', () => {
  it('matches the worked values, kernel-confirmed for 128 KiB', () => {
    expect(geometryFor(128 * 1024, 128)).toMatchObject({ indexSize: 256, nslot: 1020, labelOffset: 512 });
    expect(geometryFor(128 * 1024, 256)).toMatchObject({ indexSize: 256, nslot: 510 });
    expect(geometryFor(256 * 1024, 128)).toMatchObject({ indexSize: 512, nslot: 2040 });
    expect(geometryFor(256 * 1024, 256)).toMatchObject({ indexSize: 256, nslot: 1022 });
    expect(geometryFor(1024, 256)).toMatchObject({ indexSize: 256, nslot: 2 });
    expect(geometryFor(1023, 256)).toBeUndefined();
  });
  it('always fits: 2·S + nslot·L ≤ size and the bitmap covers nslot, for any size from 1 KiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: 1 << 24 }), fc.constantFrom(128 as const, 256 as const), (size, L) => {
        const g = geometryFor(size, L);
        if (!g) return;
        expect(2 * g.indexSize + g.nslot * g.labelSize).toBeLessThanOrEqual(size);
        expect((g.indexSize - 72) * 8).toBeGreaterThanOrEqual(g.nslot);
      }),
    );
  });
});

describe('sequence numbers', () => {
  it('cycle 1 → 2 → 3 → 1 and best_seq picks the newer, index 1 on ties', () => {
    expect([1, 2, 3].map(nextSeq)).toEqual([2, 3, 1]);
    expect(bestSeq(3, 1)).toBe(1);
    expect(bestSeq(1, 3)).toBe(1);
    expect(bestSeq(2, 2)).toBe(2);
    expect(bestSeq(0, 2)).toBe(2);
    expect(bestSeq(2, 0)).toBe(2);
  });
});

describe('engine-built areas (fast-check)', () => {
  it('always validate: a current index, no error findings, every namespace active', () => {
    fc.assert(
      fc.property(areaRecipe, (r) => {
        const area = buildArea(r);
        const view = readLabelArea(area);
        expect(view.current).toBeDefined();
        expect(view.checks.every((c) => c.valid)).toBe(true);
        const ns = namespacesOf(view, FUZZ_SET);
        expect([...view.findings, ...ns.findings].filter((f) => f.severity === 'error')).toEqual([]);
        expect(ns.namespaces.every((n) => n.status === 'active')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('round trip: index blocks and live labels re-encode to their bytes', () => {
    fc.assert(
      fc.property(areaRecipe, (r) => {
        const area = buildArea(r);
        const view = readLabelArea(area);
        const g = view.geometry!;
        const S = indexBlockStruct(g.indexSize);
        for (const i of [0, 1]) {
          const bytes = area.subarray(i * g.indexSize, (i + 1) * g.indexSize);
          expect(Buffer.from(encodeStruct(S, decodeStruct(S, bytes).value, { pins: 'all' })).equals(Buffer.from(bytes))).toBe(true);
        }
        for (const l of view.live) {
          const bytes = area.subarray(slotOffset(g, l.slot), slotOffset(g, l.slot) + g.labelSize);
          const L = g.labelSize === 128 ? labelV11 : labelV12;
          expect(Buffer.from(encodeStruct(L as typeof labelV12, decodeStruct(L as typeof labelV12, bytes).value)).equals(Buffer.from(bytes))).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('label declarations round-trip arbitrary values both ways', () => {
    for (const S of [labelV11, labelV12, cxlNamespaceLabel, cxlRegionLabel] as const) {
      fc.assert(
        fc.property((S as typeof labelV12).arbitrary(), (v) => {
          const b = encodeStruct(S as typeof labelV12, v);
          const d = decodeStruct(S as typeof labelV12, b);
          expect(d.findings.filter((f) => f.code === 'checksum')).toEqual([]);
          expect(Buffer.from(encodeStruct(S as typeof labelV12, d.value)).equals(Buffer.from(b))).toBe(true);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('mutated and arbitrary areas never crash the reader (runFuzz)', () => {
    const report = runFuzz(labelsFuzzTarget, 150, 4242);
    expect(report.failures).toEqual([]);
  });

  it('selection gives reasons', () => {
    const area = buildArea({ size: 2048, version: '1.2', variant: 'linux', ops: [] });
    area[5]! ^= 1; // corrupt index 0's signature
    const view = readLabelArea(area);
    expect(view.current).toBe(1);
    expect(view.checks[0]!.failed).toBe('signature');
    expect(selectCurrent(view.checks).selection).toMatch(/only valid block/);
  });
});

/**
 * fast-check: sequences of XENPF_pmem_add reports against an independent reference model of the
 * v1 rules (xen.md §1A and the nvdimm-rfc-v1 code, restated here in set terms): same result for
 * every report, same region list after every sequence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootMaps, newXenState, pmemAdd } from '../../src/sim/xen/index.js';
import type { XenpfPmemAdd } from '../../src/xen/hypercalls/index.js';

const G = 0x10000n; // frames per PDX group (2 MiB of 32-byte page_info)
const RAM: [bigint, bigint][] = [[0n, 0xc0000n], [0x100000n, 0x140000n]]; // QEMU pc, 4 GiB: 3 GiB low + 1 GiB from 4 GiB

/** The model: what Xen v1 accepts, in words close to the design doc and the code's comments. */
class Model {
  regions: [bigint, bigint][] = [];
  valid = new Set<bigint>();
  constructor() {
    for (const [s, e] of RAM) for (let g = s / G; g <= (e - 1n) / G; g++) this.valid.add(g);
  }
  add(r: XenpfPmemAdd): string {
    const ranges: [bigint, bigint][] = [[r.spfn, r.epfn], [r.rsvSpfn, r.rsvEpfn], [r.dataSpfn, r.dataEpfn]];
    if (ranges.some(([s, e]) => !(s < e))) return '-EINVAL';
    const inside = ([s, e]: [bigint, bigint]) => r.spfn <= s && e <= r.epfn;
    if (!inside([r.rsvSpfn, r.rsvEpfn]) || !inside([r.dataSpfn, r.dataEpfn])) return '-EINVAL';
    if (r.rsvSpfn < r.dataEpfn && r.dataSpfn < r.rsvEpfn) return '-EINVAL';
    const n = r.epfn - r.spfn;
    if (r.rsvEpfn - r.rsvSpfn < n / 128n + n / 512n) return '-EINVAL'; // 32 and 8 bytes a page, each rounded down to pages
    if (r.spfn % 512n || r.epfn % 512n || r.epfn > 1n << 32n) return '-EINVAL'; // 2 MiB alignment, frame table reach
    // v1 mem_hotadd_check: the groups from the first whole one up to (not including) the last must
    // exist, and once one of them is new, none after it may already be present.
    const first = (r.spfn + G - 1n) / G;
    const last = (r.epfn - 1n) / G;
    if (first >= last) return '-EINVAL';
    let sawNew = false;
    for (let g = first; g < last; g++) {
      if (!this.valid.has(g)) sawNew = true;
      else if (sawNew) return '-EINVAL';
    }
    if (this.regions.some(([s, e]) => s < r.epfn && r.spfn < e)) return '-EINVAL';
    this.regions.push([r.spfn, r.epfn]);
    this.regions.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (let g = r.spfn / G; g <= (r.epfn - 1n) / G; g++) this.valid.add(g);
    return '0';
  }
}

const U = 0x8000n; // 128 MiB
const BASE = 0x140000n;
const report = fc.record({
  u1: fc.integer({ min: 0, max: 24 }), u2: fc.integer({ min: -1, max: 10 }), skew: fc.constantFrom(0n, 0n, 0n, 0x200n, 1n),
  r1: fc.integer({ min: -1, max: 3 }), d: fc.integer({ min: -2, max: 3 }), gap: fc.constantFrom(0n, 0x200n, -1n), t: fc.integer({ min: -1, max: 1 }),
}).map(({ u1, u2, skew, r1, d, gap, t }): XenpfPmemAdd => {
  const spfn = BASE + BigInt(u1) * U + skew;
  const epfn = spfn - skew + BigInt(u2) * U;
  const n = epfn > spfn ? epfn - spfn : 0n;
  const rsvSpfn = spfn + BigInt(r1) * 0x200n;
  const rsvEpfn = rsvSpfn + ((32n * n) >> 12n) + ((8n * n) >> 12n) + BigInt(d);
  const dataSpfn = rsvEpfn + gap;
  return { spfn, epfn, rsvSpfn, rsvEpfn, dataSpfn, dataEpfn: epfn - BigInt(t) * 0x200n };
});

describe('v1 pmem_add against a reference model (fast-check)', () => {
  it('every report gets the model\'s result; the region lists agree', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(report, { minLength: 1, maxLength: 8 }), (reports) => {
        const st = newXenState('v1', bootMaps(RAM));
        const m = new Model();
        for (const r of reports) {
          const want = m.add(r);
          const got = pmemAdd(st, undefined, r).result;
          if (got === '0') accepted++;
          expect(got, JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).toBe(want);
        }
        expect(st.v1.map((x) => [x.spfn, x.epfn])).toEqual(m.regions);
      }),
      { numRuns: 300, seed: 20261207 },
    );
    expect(accepted).toBeGreaterThan(50); // the generator reaches the accepting path, not only refusals
  });
});

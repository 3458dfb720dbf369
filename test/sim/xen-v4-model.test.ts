/**
 * fast-check: sequences of `xl pmem-setup -m/-d` (XEN_SYSCTL_nvdimm_pmem_setup) against an
 * independent reference model of the v4 rules (xen.md §1B; nvdimm-rfc-v4 pmem.c and
 * pmem_arch_setup, restated here): same result for every call, same mgmt and data lists after.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootMaps, newXenState, pmemSetup } from '../../src/sim/xen/index.js';
import type { PmemSetup } from '../../src/xen/hypercalls/index.js';

const G = 0x10000n;
const RAM: [bigint, bigint][] = [[0n, 0xc0000n], [0x100000n, 0x140000n]];
const RAW = { s: 0x140000n, e: 0x940000n }; // one 32 GiB PMEM range on PXM 0
const pages = (bytes: bigint) => (bytes + 4095n) / 4096n;
const need = (n: bigint) => n / 128n + n / 512n;
const up = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;
const down = (v: bigint, a: bigint) => v - (v % a);

class Model {
  mgmt: { s: bigint; e: bigint; used: bigint }[] = [];
  data: { s: bigint; e: bigint; ms: bigint; me: bigint }[] = [];
  present = new Set<bigint>();
  constructor() {
    for (const [s, e] of RAM) for (let g = s / G; g <= (e - 1n) / G; g++) this.present.add(g);
  }
  /** v4's overlap test as the code words it: an endpoint of the new range falls in the old one. */
  private touches(s: bigint, e: bigint, os: bigint, oe: bigint) {
    return (s >= os && s < oe) || (e > os && e <= oe);
  }
  /** The fixed mem_hotadd_check: alignment, reach, present groups only before new ones, room for its own tables. */
  private hotadd(s: bigint, e: bigint): boolean {
    if (s % 512n || e % 512n || e > 1n << 32n) return false;
    let fresh = false;
    for (let g = s / G; g < (e - 1n) / G; g++) {
      if (!this.present.has(g)) fresh = true;
      else if (fresh) return false;
    }
    const m2p = (up(e, 1n << 18n) - down(s, 1n << 18n)) * 8n;
    const compat = (up(e, 1n << 19n) < 1n << 28n ? up(e, 1n << 19n) : 1n << 28n) - down(s, 1n << 19n);
    const ft = (up(e, G) - down(s, G)) * 32n;
    return (m2p + (compat > 0n ? compat * 4n : 0n) + ft) >> 12n <= e - s;
  }
  private take(s: bigint, e: bigint) {
    for (let g = s / G; g <= (e - 1n) / G; g++) this.present.add(g);
    return pages((e - s) * 32n) + pages((e - s) * 8n);
  }
  setup(c: PmemSetup): string {
    const covered = (s: bigint, e: bigint) => s < e && s >= RAW.s && e <= RAW.e;
    if (c.type === 1) {
      if (c.mgmtSmfn !== c.smfn || c.mgmtEmfn !== c.emfn || !covered(c.smfn, c.emfn)) return '-EINVAL';
      if (this.mgmt.some((m) => this.touches(c.smfn, c.emfn, m.s, m.e))) return '-EEXIST';
      if (!this.hotadd(c.smfn, c.emfn)) return '-EINVAL';
      this.mgmt.push({ s: c.smfn, e: c.emfn, used: this.take(c.smfn, c.emfn) });
      this.mgmt.sort((a, b) => (a.s < b.s ? -1 : 1));
      return '0';
    }
    if (!covered(c.smfn, c.emfn) || !(c.mgmtSmfn < c.mgmtEmfn)) return '-EINVAL';
    const m = this.mgmt.find((x) => c.mgmtSmfn >= x.s && c.mgmtEmfn <= x.e);
    if (!m) return '-ENXIO';
    const cursor = m.s + m.used;
    const free = (c.mgmtEmfn - cursor) & ((1n << 64n) - 1n);
    if (free < need(c.emfn - c.smfn)) return '-ENOSPC';
    if (this.data.some((d) => this.touches(c.smfn, c.emfn, d.s, d.e))) return '-EEXIST';
    if (cursor >= c.mgmtEmfn) return '-EINVAL'; // pmem_arch_setup gets [cursor, mgmt_emfn) and checks it is a range
    if (this.touches(c.smfn, c.emfn, cursor, c.mgmtEmfn)) return '-EINVAL';
    if (!this.hotadd(c.smfn, c.emfn)) return '-EINVAL';
    const used = pages((c.emfn - c.smfn) * 32n) + pages((c.emfn - c.smfn) * 8n);
    if (cursor + used > c.mgmtEmfn) return 'panic';
    this.take(c.smfn, c.emfn);
    m.used += used;
    this.data.push({ s: c.smfn, e: c.emfn, ms: cursor, me: m.s + m.used });
    this.data.sort((a, b) => (a.s < b.s ? -1 : 1));
    return '0';
  }
}

const U = 0x10000n; // 256 MiB
const pad = new Uint8Array(7);
const LENS = [0n, 0x200n, 0x1000n, 0x4000n, U, 2n * U];
const call = fc.record({
  mgmt: fc.boolean(), a: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 31 })), len: fc.integer({ min: 0, max: 8 }), skew: fc.constantFrom(0n, 0n, 0n, 0x200n, 3n),
  mgmtLen: fc.constantFrom(...LENS), m: fc.integer({ min: 0, max: 3 }), sub: fc.constantFrom(0n, 0n, 0x200n, 0x4000n), subLen: fc.constantFrom(...LENS),
}).map(({ mgmt, a, len, skew, mgmtLen, m, sub, subLen }): PmemSetup => {
  const s = RAW.s + BigInt(a) * U + skew;
  if (mgmt) return { smfn: s, emfn: s - skew + mgmtLen, mgmtSmfn: s, mgmtEmfn: s - skew + mgmtLen, type: 1, pad };
  const ms = RAW.s + BigInt(m) * U + sub;
  return { smfn: s, emfn: s - skew + BigInt(len) * U, mgmtSmfn: ms, mgmtEmfn: ms + subLen, type: 2, pad };
});

describe('v4 pmem setup against a reference model (fast-check)', () => {
  it('every call gets the model\'s result; the mgmt and data lists agree', () => {
    let ok = 0;
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 10 }), (calls) => {
        const st = newXenState('v4', bootMaps(RAM));
        st.raw = [{ smfn: RAW.s, emfn: RAW.e, pxm: 0 }];
        const model = new Model();
        for (const c of calls) {
          const want = model.setup(c);
          const got = pmemSetup(st, undefined, c).result;
          if (got === "0") ok++;
          seen[got] = (seen[got] ?? 0) + 1;
          expect(got, JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v instanceof Uint8Array ? undefined : v))).toBe(want);
        }
        expect(st.mgmt.map((x) => [x.smfn, x.emfn, x.used])).toEqual(model.mgmt.map((x) => [x.s, x.e, x.used]));
        expect(st.data.map((x) => [x.smfn, x.emfn, x.mgmtSmfn, x.mgmtEmfn])).toEqual(model.data.map((x) => [x.s, x.e, x.ms, x.me]));
      }),
      { numRuns: 300, seed: 20261207 },
    );
    expect(ok).toBeGreaterThan(100);
    expect(Object.keys(seen).sort()).toEqual(['-EEXIST', '-EINVAL', '-ENOSPC', '-ENXIO', '0']); // every rule was reached
  });
});

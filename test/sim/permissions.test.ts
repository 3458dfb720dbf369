/**
 * Model checking of the five permission designs (issue 15): random command sequences (grant,
 * revoke, check, destroy) run against every design behind `PmemPermissions` and against a plain
 * reference model: a set of pages per domain, with the data regions, the one-holder rule and, for
 * the capped rangeset, Xen's allocation rule for range structs written out in terms of the set.
 * Every answer must be identical, and after every command the simulation's invariants must hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fail, type XenRc } from '../../src/xen/hypercalls/errno.js';

const EBUSY = fail('EBUSY');
const EINVAL = fail('EINVAL');
const ENOMEM = fail('ENOMEM');
const ENXIO = fail('ENXIO');
import {
  BitmapStore,
  createStore,
  DESIGNS,
  HybridStore,
  PageOwnerStore,
  PmemPermissions,
  Rangeset,
  RangesetStore,
  type PageRange,
  type PermissionStore,
} from '../../src/sim/permissions/index.js';

/** Host pmem: 256 pages at an unaligned base; two data regions, the rest reserved/management. */
const HOST = { first: 0x140000 + 7, last: 0x140000 + 7 + 255 };
const DATA: PageRange[] = [
  { first: HOST.first + 16, last: HOST.first + 127 },
  { first: HOST.first + 144, last: HOST.last },
];
const CAP = 3;
const DOMS = [1, 2, 3, 4];

/** The reference: pages per domain. `cap` models rangeset_limit (Xen's rangeset.c, see below). */
class Reference {
  readonly held = new Map<number, Set<number>>();
  constructor(private readonly cap?: number) {}

  private pages(dom: number): Set<number> {
    let p = this.held.get(dom);
    if (!p) this.held.set(dom, (p = new Set()));
    return p;
  }

  static isData(p: number): boolean {
    return DATA.some((r) => r.first <= p && p <= r.last);
  }

  /** Maximal runs of consecutive pages: the number of range structs a Xen rangeset holds. */
  static runs(p: Set<number>): PageRange[] {
    const out: PageRange[] = [];
    for (const x of [...p].sort((a, b) => a - b)) {
      const last = out[out.length - 1];
      if (last && last.last + 1 === x) last.last = x;
      else out.push({ first: x, last: x });
    }
    return out;
  }

  grant(dom: number, s: number, e: number): XenRc {
    if (s > e) return EINVAL;
    for (let p = s; p <= e; p++) if (!Reference.isData(p)) return ENXIO;
    for (const [d, set] of this.held) if (d !== dom) for (let p = s; p <= e; p++) if (set.has(p)) return EBUSY;
    const mine = this.pages(dom);
    if (this.cap !== undefined) {
      // rangeset_add_range allocates a struct when neither s-1 nor any page of [s, e] is held
      // (it allocates before merging with a range starting at e+1).
      let touches = mine.has(s - 1);
      for (let p = s; p <= e && !touches; p++) touches = mine.has(p);
      if (!touches && Reference.runs(mine).length >= this.cap) return ENOMEM;
    }
    for (let p = s; p <= e; p++) mine.add(p);
    return 0;
  }

  revoke(dom: number, s: number, e: number): XenRc {
    if (s > e) return EINVAL;
    const mine = this.held.get(dom);
    if (!mine) return 0;
    if (this.cap !== undefined) {
      // rangeset_remove_range allocates when one range holds s-1 .. e+1 (a split).
      let inside = true;
      for (let p = s - 1; p <= e + 1 && inside; p++) inside = mine.has(p);
      if (inside && Reference.runs(mine).length >= this.cap) return ENOMEM;
    }
    for (let p = s; p <= e; p++) mine.delete(p);
    return 0;
  }

  check(dom: number, s: number, e: number): boolean {
    if (s > e) return false;
    const mine = this.held.get(dom);
    for (let p = s; p <= e; p++) if (!mine?.has(p)) return false;
    return true;
  }

  destroy(dom: number): void {
    this.held.delete(dom);
  }
}

type Cmd = { op: 'grant' | 'revoke' | 'check'; dom: number; s: number; len: number } | { op: 'destroy'; dom: number };

/**
 * Commands over `doms`; start pages anywhere on the host (and just outside it) or, more often, in a
 * 32-page window across the first data region's start, so that ranges of one domain fragment,
 * touch and split as often as they would in a long-lived host.
 */
function commands(doms: number[]): fc.Arbitrary<Cmd[]> {
  const hot = DATA[0]!.first - 4;
  const page = fc.oneof({ weight: 1, arbitrary: fc.integer({ min: HOST.first - 2, max: HOST.last + 2 }) }, { weight: 3, arbitrary: fc.integer({ min: hot, max: hot + 31 }) });
  const len = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 120 }) });
  const dom = fc.constantFrom(...doms);
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('grant' as const), dom, s: page, len: fc.oneof(len, fc.constant(0)) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('revoke' as const), dom, s: page, len }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('check' as const), dom, s: page, len }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('destroy' as const), dom }) },
  );
  return fc.array(cmd, { maxLength: 40, size: 'max' });
}

function makeTable(store: PermissionStore): PmemPermissions {
  const t = new PmemPermissions(store);
  for (const r of DATA) t.addDataRegion(r.first, r.last);
  return t;
}

/** Run `cmds` on the design and the reference; every answer and every domain's ranges must agree; invariants after each step. */
function agree(store: PermissionStore, cap: number | undefined, cmds: Cmd[]): void {
  const t = makeTable(store);
  const ref = new Reference(cap);
  const destroyed = new Set<number>();
  cmds.forEach((c, i) => {
    const at = `command ${i} ${JSON.stringify(c)}`;
    if (c.op === 'destroy') {
      t.destroy(c.dom);
      ref.destroy(c.dom);
      destroyed.add(c.dom);
    } else {
      const e = c.s + c.len - 1; // len 0 gives an inverted range
      const got = c.op === 'check' ? t.check(c.dom, c.s, e) : t[c.op](c.dom, c.s, e);
      const want = c.op === 'check' ? ref.check(c.dom, c.s, e) : ref[c.op](c.dom, c.s, e);
      expect(got, at).toEqual(want);
      if (c.op === 'grant' && got === 0) destroyed.delete(c.dom);
    }
    const owner = new Map<number, number>();
    for (const d of DOMS) {
      const ranges = t.ranges(d);
      expect(ranges, `${at}: ranges of d${d}`).toEqual(Reference.runs(ref.held.get(d) ?? new Set()));
      for (const r of ranges)
        for (let p = r.first; p <= r.last; p++) {
          expect(Reference.isData(p), `${at}: d${d} holds reserved/management page ${p}`).toBe(true);
          expect(owner.get(p), `${at}: page ${p} held by d${owner.get(p)} and d${d}`).toBeUndefined();
          owner.set(p, d);
        }
      if (destroyed.has(d)) {
        expect(ranges, `${at}: destroyed d${d} holds pages`).toEqual([]);
        expect(t.check(d, DATA[0]!.first, DATA[0]!.first)).toBe(false);
      }
    }
  });
}

const stores: [string, () => PermissionStore, number | undefined][] = [
  ['rangeset', () => new RangesetStore('rangeset'), undefined],
  [`capped (limit ${CAP})`, () => new RangesetStore('capped', CAP), CAP],
  ['capped (limit 128, the 4 KiB page)', () => createStore('capped', { host: HOST }), 128],
  ['bitmap', () => new BitmapStore(HOST), undefined],
  ['hybrid (chunk 32)', () => new HybridStore(32), undefined],
  ['hybrid (chunk 64)', () => new HybridStore(64), undefined],
  ['pageowner', () => new PageOwnerStore(HOST), undefined],
];

describe('permission designs against the reference model', () => {
  it('covers every design', () => {
    expect(new Set(stores.map(([n]) => n.split(' ')[0]))).toEqual(new Set(DESIGNS));
  });

  for (const [name, make, cap] of stores) {
    it(`${name}: same answers, invariants hold`, () => {
      fc.assert(
        fc.property(commands(DOMS), (cmds) => agree(make(), cap, cmds)),
        { numRuns: 120, seed: 15 },
      );
    });
  }

  it('the capped rangeset refuses with -ENOMEM, also a revoke that would split, and a grant that would merge only rightwards', () => {
    const t = makeTable(new RangesetStore('capped', 2));
    const a = DATA[0]!.first;
    expect(t.grant(1, a, a + 1)).toBe(0);
    expect(t.grant(1, a + 10, a + 11)).toBe(0);
    expect(t.grant(1, a + 20, a + 20)).toEqual(ENOMEM); // a third range
    expect(t.grant(1, a + 8, a + 9)).toEqual(ENOMEM); // merges with [a+10, a+11] only after allocating
    expect(t.grant(1, a + 2, a + 9)).toBe(0); // extends the first range, then merges
    expect(t.ranges(1)).toEqual([{ first: a, last: a + 11 }]);
    expect(t.grant(1, a + 20, a + 20)).toBe(0);
    expect(t.revoke(1, a + 5, a + 5)).toEqual(ENOMEM); // a split needs a third struct
    expect(t.ranges(1)).toEqual([{ first: a, last: a + 11 }, { first: a + 20, last: a + 20 }]);
    expect(t.revoke(1, a, a + 5)).toBe(0);
  });

  it('refusal order: inverted, outside data regions, held by another domain', () => {
    for (const d of DESIGNS) {
      const t = makeTable(createStore(d, { host: HOST, chunkPages: 32 }));
      const a = DATA[0]!.first;
      expect(t.grant(1, a + 3, a + 2), d).toEqual(EINVAL);
      expect(t.grant(1, HOST.first, a), d).toEqual(ENXIO); // starts in the management area
      expect(t.grant(1, DATA[0]!.last, DATA[1]!.first), d).toEqual(ENXIO); // spans the gap
      expect(t.grant(1, a, a + 40), d).toBe(0);
      expect(t.grant(2, a + 40, a + 41), d).toEqual(EBUSY);
      t.destroy(1);
      expect(t.grant(2, a + 40, a + 41), d).toBe(0);
    }
  });
});

describe('Xen rangeset', () => {
  it('remove: the case fixed in 2025 ({[0,1],[4,5]} - {[3,4]} = {[0,1],[5,5]}, Xen gave {[0,2],[5,5]} before)', () => {
    // Expected sets from the patch description "xen/rangeset: fix incorrect subtraction" (xen-devel, 11 Apr 2025).
    const fixed = new Rangeset('x');
    const old = new Rangeset('x', { preFix2025: true });
    for (const r of [fixed, old]) {
      r.addRange(0, 1);
      r.addRange(4, 5);
      r.removeRange(3, 4);
    }
    expect(fixed.toString()).toBe('{ 0-1, 5 }');
    expect(old.toString()).toBe('{ 0-2, 5 }');
  });

  it('the model check finds the pre-2025 remove (the reference model catches real rangeset bugs)', () => {
    const r = fc.check(
      fc.property(commands(DOMS), (cmds) => agree(new RangesetStore('rangeset', undefined, { preFix2025: true }), undefined, cmds)),
      { numRuns: 300, seed: 15 },
    );
    expect(r.failed).toBe(true);
  });
});

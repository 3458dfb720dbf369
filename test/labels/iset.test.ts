/**
 * Namespaces across the DIMMs of an interleave set. Expected values are Linux's rules as written
 * in the kernel source (cited per test), computed here by hand, not taken from nvtool's output:
 * - drivers/acpi/nfit/core.c acpi_nfit_init_interleave_set: per DIMM {region_offset u64,
 *   serial_number u32, pad u32} (v1.1) / {region_offset u64, serial u32, vendor u16, date u16,
 *   location u8, reserved[31]} (v1.2), sorted by region_offset (cmp_map / cmp_map2), then
 *   nd_fletcher64; altcookie = v1.1 elements sorted by memcmp of the LE offsets (cmp_map_compat).
 * - drivers/acpi/nfit/core.c acpi_nfit_register_region: mappings in NFIT memdev order.
 * - drivers/nvdimm/label.c nd_pmem_namespace_label_update / __pmem_label_update: UPDATING pass on
 *   mapping 0..n-1, then the final pass; position = mapping index, nlabel = ndr_mappings.
 * - drivers/nvdimm/namespace_devs.c scan_labels / create_namespace_pmem / has_uuid_at_pos /
 *   select_pmem_id: DIMM 0's labels start namespaces; a missing position fails the region.
 * - drivers/nvdimm/region_devs.c default_align; namespace_devs.c space_valid (align / mappings).
 * - namespace_devs.c alt_name_store / holder_class_store / sector_size_store →
 *   nd_namespace_label_update → label.c nd_pmem_namespace_label_update: the same two passes as a
 *   create; __pmem_label_update writes every field from the namespace (nspm: name, lbasize,
 *   claim class) and the set (cookie, nlabel, position = i, type GUID, align 0, flags).
 * - namespace_devs.c create_namespace_pmem: nspm's name, lbasize and claim class come from the
 *   label with position 0 (mapping 0's); has_uuid_at_pos does not compare names or classes.
 */
import { crashPoints as enumerateCrashPoints } from '../../src/core/mediaWrites.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNfit } from '../../src/acpi/build/index.js';
import { decodeNfit } from '../../src/acpi/nfit/index.js';
import { fletcher64 } from '../../src/core/checksum/fletcher64.js';
import {
  applySetWrite, applyWrite, collectWrites, createSetNamespace, deleteNamespace, deleteSetNamespace, initArea, interleaveSetsFromNfit, logicalSetView,
  listSetNamespacesJson, pickNfitSet,
  makeInterleaveSet, readInterleaveSet, readLabelArea, regionDefaultAlign, renameNamespace, renameSetNamespace, repairSet, updateSetNamespace,
  type InterleaveSet, type SetDimm, type SetWrite, type LabelV12,
} from '../../src/labels/index.js';
import { kernelFixtures } from './fixtures.js';

const MiB = 1n << 20n;

interface Ident { offset: bigint; serial: number; vendor: number; date: number; loc: number }

/** acpi_nfit_init_interleave_set, written out by hand from core.c. */
function kernelCookies(ds: Ident[]): { cookie1: bigint; cookie2: bigint; altcookie: bigint } {
  const v11 = (d: Ident) => {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, d.offset, true);
    v.setUint32(8, d.serial, true);
    return b;
  };
  const v12 = (d: Ident) => {
    const b = new Uint8Array(48);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, d.offset, true);
    v.setUint32(8, d.serial, true);
    v.setUint16(12, d.vendor, true);
    v.setUint16(14, d.date, true);
    v.setUint8(16, d.loc);
    return b;
  };
  const cat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
  const byOffset = [...ds].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  const le = (x: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, x, true); return b; };
  const memcmp = (a: Ident, b: Ident) => { const x = le(a.offset), y = le(b.offset); for (let i = 0; i < 8; i++) if (x[i] !== y[i]) return x[i]! - y[i]!; return 0; };
  return {
    cookie1: fletcher64(cat(byOffset.map(v11))),
    cookie2: fletcher64(cat(byOffset.map(v12))),
    altcookie: fletcher64(cat([...ds].sort(memcmp).map(v11))),
  };
}

function dimmsOf(ds: Ident[], dpaSize: bigint, dpaStart = 0n): SetDimm[] {
  return ds.map((d, i) => ({
    member: { regionOffset: d.offset, serial: d.serial, vendorId: d.vendor, manufacturingDate: d.date, manufacturingLocation: d.loc },
    dpaStart, dpaSize, name: `0x${(i + 1).toString(16)}`, handle: i + 1,
  }));
}

function freshAreas(n: number, version: '1.1' | '1.2', size = 16384): Uint8Array[] {
  return Array.from({ length: n }, () => {
    const a = new Uint8Array(size);
    for (const w of collectWrites(initArea(a, { version, variant: 'linux' })).writes) applyWrite(a, w);
    return a;
  });
}

function run<R>(areas: Uint8Array[], gen: Generator<SetWrite, R>): { writes: SetWrite[]; result: R } {
  const r = collectWrites(gen);
  for (const w of r.writes) applySetWrite(areas, w);
  return r;
}

const labelOf = (area: Uint8Array, uuid: string) => readLabelArea(area).live.find((l) => (l.value as { uuid: string }).uuid === uuid)!.value as LabelV12;

// Memdev order (B first) differs from region-offset order (A first): positions follow memdev order.
const B: Ident = { offset: 0x40000000n, serial: 0xb0b0, vendor: 0x8086, date: 0x1907, loc: 2 };
const A: Ident = { offset: 0n, serial: 0xa0a0, vendor: 0x8086, date: 0x1907, loc: 1 };

describe('interleave set: create across DIMMs (label.c nd_pmem_namespace_label_update)', () => {
  it('2 DIMMs, v1.2: one label per DIMM, same uuid/name, nlabel 2, position = memdev order, cookie2, half the size each', () => {
    const set = makeInterleaveSet(dimmsOf([B, A], 512n * MiB));
    const k = kernelCookies([B, A]);
    expect(set.cookies.cookie2).toBe(k.cookie2);
    expect(set.align).toBe(16n * MiB); // default_align: 16M divisible by 2
    const areas = freshAreas(2, '1.2');
    const uuid = '11111111-2222-4333-8444-555555555555';
    const { writes, result } = run(areas, createSetNamespace(areas, set, { uuid, name: 'striped', size: 64n * MiB }));
    // UPDATING pass on mapping 0 then 1, final pass on 0 then 1; each pass: label, index.
    expect(writes.map((w) => `${w.dimm}:${w.kind}`)).toEqual(['0:label', '0:index', '1:label', '1:index', '0:label', '0:index', '1:label', '1:index']);
    expect(result.size).toBe(64n * MiB);
    for (const [i, area] of areas.entries()) {
      const l = labelOf(area, uuid);
      expect({ name: l.name, nlabel: l.nlabel, position: l.position, isetcookie: l.isetcookie, rawsize: l.rawsize, dpa: l.dpa, flags: l.flags }).toEqual({
        name: 'striped', nlabel: 2, position: i, isetcookie: k.cookie2, rawsize: 32n * MiB, dpa: 0n, flags: 0,
      });
      expect(readLabelArea(area).live).toHaveLength(1);
    }
    const sv = readInterleaveSet(areas, set);
    expect(sv.regionActive).toBe(true);
    expect(sv.namespaces).toHaveLength(1);
    expect(sv.namespaces[0]).toMatchObject({ uuid, name: 'striped', size: 64n * MiB, state: 'active', isetcookie: k.cookie2 });
    expect(sv.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('v1.1 areas get cookie1; a label with the altcookie is still assembled (create_namespace_pmem)', () => {
    const ds = [{ ...A, offset: 0x100n }, { ...B, offset: 0x10000n }]; // memcmp order differs from numeric order
    const k = kernelCookies(ds);
    expect(k.altcookie).not.toBe(k.cookie1);
    const set = makeInterleaveSet(dimmsOf(ds, 256n * MiB));
    const areas = freshAreas(2, '1.1');
    const uuid = '00000000-0000-4000-8000-0000000000aa';
    run(areas, createSetNamespace(areas, set, { uuid, size: 32n * MiB }));
    expect(areas.map((a) => labelOf(a, uuid).isetcookie)).toEqual([k.cookie1, k.cookie1]);
    expect(readInterleaveSet(areas, set).namespaces[0]!.state).toBe('active');
  });

  it('region align (region_devs.c default_align): 3 DIMMs → 48 MiB (16 MiB per DIMM); 4 DIMMs → 16 MiB (4 MiB per DIMM)', () => {
    expect(regionDefaultAlign(3, 3n << 30n)).toBe(48n * MiB);
    expect(regionDefaultAlign(4, 4n << 30n)).toBe(16n * MiB);
    expect(regionDefaultAlign(2, 8n * MiB)).toBe(4096n);
    const ds3 = [A, B, { ...A, serial: 3, offset: 0x80000000n }];
    const set3 = makeInterleaveSet(dimmsOf(ds3, 256n * MiB));
    const areas = freshAreas(3, '1.2');
    expect(() => collectWrites(createSetNamespace(areas, set3, { size: 32n * MiB }))).toThrow(/multiple of the region align 50331648/);
    run(areas, createSetNamespace(areas, set3, { uuid: '00000000-0000-4000-8000-000000000003', size: 48n * MiB }));
    expect(areas.map((a) => readLabelArea(a).live[0]!.value as LabelV12).map((l) => l.rawsize)).toEqual([16n * MiB, 16n * MiB, 16n * MiB]);
  });

  it('refuses a partial set (fewer areas than DIMMs), mixed label versions, a uuid already on a DIMM', () => {
    const set = makeInterleaveSet(dimmsOf([A, B], 256n * MiB));
    const two = freshAreas(2, '1.2');
    expect(() => collectWrites(createSetNamespace(two.slice(0, 1), set, {}))).toThrow(/2 DIMM\(s\) but 1 label area/);
    const mixed = [freshAreas(1, '1.1')[0]!, freshAreas(1, '1.2')[0]!];
    expect(() => collectWrites(createSetNamespace(mixed, set, {}))).toThrow(/mix label versions/);
    run(two, createSetNamespace(two, set, { uuid: '00000000-0000-4000-8000-00000000000b', size: 32n * MiB }));
    expect(() => collectWrites(createSetNamespace(two, set, { uuid: '00000000-0000-4000-8000-00000000000b', size: 32n * MiB }))).toThrow(/already has a live label/);
  });

  it('a second namespace goes after the first at the same offset on every DIMM', () => {
    const set = makeInterleaveSet(dimmsOf([A, B], 256n * MiB, 0x1000000n));
    const areas = freshAreas(2, '1.2');
    run(areas, createSetNamespace(areas, set, { uuid: '00000000-0000-4000-8000-000000000001', size: 32n * MiB }));
    run(areas, createSetNamespace(areas, set, { uuid: '00000000-0000-4000-8000-000000000002', size: 64n * MiB }));
    const sv = readInterleaveSet(areas, set);
    expect(sv.namespaces.map((n) => n.shares.map((s) => [s.dpa, s.rawsize]))).toEqual([
      [[0x1000000n, 16n * MiB], [0x1000000n, 16n * MiB]],
      [[0x1000000n + 16n * MiB, 32n * MiB], [0x1000000n + 16n * MiB, 32n * MiB]],
    ]);
  });
});

describe('interleave set: reading (namespace_devs.c scan_labels)', () => {
  const set = makeInterleaveSet(dimmsOf([A, B], 256n * MiB));
  const u1 = '00000000-0000-4000-8000-0000000000c1';
  const u2 = '00000000-0000-4000-8000-0000000000c2';
  const built = () => {
    const areas = freshAreas(2, '1.2');
    run(areas, createSetNamespace(areas, set, { uuid: u1, name: 'one', size: 32n * MiB }));
    run(areas, createSetNamespace(areas, set, { uuid: u2, name: 'two', size: 32n * MiB }));
    return areas;
  };

  it('a missing position makes the namespace incomplete and the whole region fail (create_namespace_pmem -EINVAL)', () => {
    const areas = built();
    for (const w of collectWrites(deleteNamespace(areas[1]!, u1)).writes) applyWrite(areas[1]!, w);
    const sv = readInterleaveSet(areas, set);
    expect(sv.regionActive).toBe(false);
    const byUuid = Object.fromEntries(sv.namespaces.map((n) => [n.uuid, n.state]));
    expect(byUuid).toEqual({ [u1]: 'incomplete', [u2]: 'ignored' });
    expect(sv.findings.find((f) => f.code === 'set-incomplete')!.message).toMatch(/no label for position 1 of 2/);
  });

  it('a label only on DIMM 1 is an orphan: Linux never assembles it (scan_labels walks mapping 0)', () => {
    const areas = built();
    for (const w of collectWrites(deleteNamespace(areas[0]!, u1)).writes) applyWrite(areas[0]!, w);
    const sv = readInterleaveSet(areas, set);
    expect(sv.regionActive).toBe(true);
    expect(sv.namespaces.map((n) => [n.uuid, n.state])).toEqual([[u2, 'active']]);
    expect(sv.orphans).toEqual([{ dimm: 1, slot: expect.any(Number), uuid: u1 }]);
  });

  it('labels made for another set (other cookie) are skipped, not assembled', () => {
    const areas = built();
    const other = makeInterleaveSet(dimmsOf([{ ...A, serial: 9 }, B], 256n * MiB));
    const sv = readInterleaveSet(areas, other);
    expect(sv.namespaces.map((n) => n.state)).toEqual(['ignored', 'ignored']);
    expect(sv.regionActive).toBe(true);
  });

  it('delete across the set frees every DIMM (del_labels per mapping) and repairs an incomplete set', () => {
    const areas = built();
    const before = logicalSetView(areas, set);
    const { writes } = run(areas, deleteSetNamespace(areas, set, u1));
    expect(writes.map((w) => `${w.dimm}:${w.kind}`)).toEqual(['0:index', '1:index']);
    expect(readInterleaveSet(areas, set).namespaces.map((n) => n.uuid)).toEqual([u2]);
    expect(logicalSetView(areas, set)).not.toBe(before);
  });
});

describe('interleave set: crash points across DIMMs', () => {
  for (const [n, version] of [[2, '1.2'], [3, '1.1'], [4, '1.2']] as const) {
    it(`create on ${n} DIMMs (v${version}): old before DIMM 0's first index, new after the last DIMM's first index, incomplete (region fails) in between; delete recovers`, () => {
      const ds: Ident[] = Array.from({ length: n }, (_, i) => ({ offset: BigInt(n - 1 - i) << 30n, serial: 0x100 + i, vendor: 0x8086, date: 0, loc: i }));
      const set = makeInterleaveSet(dimmsOf(ds, 1n << 30n));
      const start = freshAreas(n, version);
      run(start, createSetNamespace(start, set, { uuid: '00000000-0000-4000-8000-0000000000e0', name: 'old', size: set.align * 2n }));
      const uuid = '00000000-0000-4000-8000-0000000000e1';
      const { writes } = collectWrites(createSetNamespace(start, set, { uuid, name: 'new', size: set.align }));
      expect(writes).toHaveLength(4 * n);
      const oldV = logicalSetView(start, set);
      const after = start.map((a) => a.slice());
      for (const w of writes) applySetWrite(after, w);
      const newV = logicalSetView(after, set);
      // The first-pass index write on DIMM i is write 2i+1: the last one is 2(n-1)+1.
      const firstIndex0 = 1;
      const lastFirstPassIndex = 2 * (n - 1) + 1;
      let incomplete = 0;
      // After `done` complete writes: old until DIMM 0's first index write (write 1) is done, new once
      // the last DIMM's first index write (write 2(n-1)+1) is done, incomplete in between. A torn
      // write reads as before it or (when its missing tail already held the same bytes) as after it.
      const phase = (done: number) => (done <= firstIndex0 ? 'old' : done > lastFirstPassIndex ? 'new' : 'incomplete');
      for (const p of crashPoints(start, writes, set)) {
        const allowed = p.torn ? [phase(p.k), phase(p.k + 1)] : [phase(p.k)];
        const got = p.view === oldV ? 'old' : p.view === newV ? 'new' : 'incomplete';
        expect(allowed, `k=${p.k} torn=${p.torn}: ${p.view}`).toContain(got);
        if (got === 'incomplete') {
          expect(p.view).toMatch(/^region failed/);
          expect(p.view).toContain(`${uuid} "new"`);
          expect(p.view).toContain('incomplete');
          incomplete++;
          // nvtool labels delete on the set brings back exactly the old state.
          const fix = p.areas.map((a) => a.slice());
          run(fix, deleteSetNamespace(fix, set, uuid));
          expect(logicalSetView(fix, set)).toBe(oldV);
        }
      }
      expect(incomplete).toBeGreaterThan(0);
    });
  }

  it('delete on 3 DIMMs: every point reads as old or new (leftovers on later DIMMs are orphans, not namespaces)', () => {
    const ds: Ident[] = [A, B, { ...A, serial: 7, offset: 0x80000000n }];
    const set = makeInterleaveSet(dimmsOf(ds, 1n << 30n));
    const start = freshAreas(3, '1.2');
    const uuid = '00000000-0000-4000-8000-0000000000d1';
    run(start, createSetNamespace(start, set, { uuid, size: set.align }));
    run(start, createSetNamespace(start, set, { uuid: '00000000-0000-4000-8000-0000000000d2', size: set.align }));
    const { writes } = collectWrites(deleteSetNamespace(start, set, uuid));
    const oldV = logicalSetView(start, set);
    const after = start.map((a) => a.slice());
    for (const w of writes) applySetWrite(after, w);
    const newV = logicalSetView(after, set);
    let orphaned = 0;
    for (const p of crashPoints(start, writes, set)) {
      expect([oldV, newV]).toContain(p.view);
      if (readInterleaveSet(p.areas, set).orphans.length) orphaned++;
    }
    expect(orphaned).toBeGreaterThan(0);
  });
});

describe('interleave set: property (fast-check)', () => {
  it('random sets of 2-4 DIMMs, v1.1 and v1.2: built, written, read back as exactly one namespace with the kernel cookie', () => {
    const ident = fc.record({ serial: fc.integer({ min: 0, max: 0xffffffff }), vendor: fc.integer({ min: 0, max: 0xffff }), date: fc.integer({ min: 0, max: 0xffff }), loc: fc.integer({ min: 0, max: 0xff }) });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((n) =>
          fc.record({
            ids: fc.array(ident, { minLength: n, maxLength: n }),
            offsets: fc.uniqueArray(fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), { minLength: n, maxLength: n }),
            version: fc.constantFrom('1.1' as const, '1.2' as const),
            units: fc.integer({ min: 1, max: 4 }),
            name: fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
          }),
        ),
        ({ ids, offsets, version, units, name }) => {
          const n = ids.length;
          const ds: Ident[] = ids.map((d, i) => ({ ...d, offset: offsets[i]! << 12n }));
          const set = makeInterleaveSet(dimmsOf(ds, 256n * MiB));
          const k = kernelCookies(ds);
          const areas = freshAreas(n, version, 8192);
          const uuid = crypto.randomUUID();
          run(areas, createSetNamespace(areas, set, { uuid, name, size: set.align * BigInt(units) }));
          const sv = readInterleaveSet(areas, set);
          expect(sv.regionActive).toBe(true);
          expect(sv.namespaces).toHaveLength(1);
          const ns = sv.namespaces[0]!;
          expect(ns).toMatchObject({ uuid, name, state: 'active', size: set.align * BigInt(units), isetcookie: version === '1.1' ? k.cookie1 : k.cookie2 });
          expect(ns.shares.map((s) => [s.dimm, s.position, s.nlabel])).toEqual(ds.map((_, i) => [i, i, n]));
          expect(sv.findings.filter((f) => f.severity !== 'info')).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('interleave set: tied to the real kernel', () => {
  const fixtures = kernelFixtures();
  // QEMU's NFIT for slot 0 (hw/acpi/nvdimm.c): serial 0x123456, vendor 0x8086, region offset 0.
  const qemu0: Ident = { offset: 0n, serial: 0x123456, vendor: 0x8086, date: 0, loc: 0 };

  it("a 1-DIMM set's cookies equal the kernel's iset_id / set_cookie in the fixtures", () => {
    const v12 = fixtures.find((f) => f.name === 'raw-v1.2')!;
    const v11 = fixtures.find((f) => f.name === 'labels-v1.1')!;
    const regionSize = BigInt(v12.expected.create.reports.ndctl_list.json.regions[0].size);
    const set = makeInterleaveSet(dimmsOf([qemu0], regionSize));
    expect('0x' + set.cookies.cookie2.toString(16)).toBe(v12.expected.create.reports.sysfs['region0/set_cookie']);
    expect(String(set.cookies.cookie2)).toBe(String(v12.expected.create.reports.ndctl_list.json.regions[0].iset_id));
    expect(String(set.cookies.cookie1)).toBe(String(v11.expected.create.reports.ndctl_list.json.regions[0].iset_id));
    expect(set.align).toBe(BigInt(v12.expected.create.reports.ndctl_list.json.regions[0].align));
  });

  it('a 1-DIMM set create on the ndctl-initialized area writes the bytes the kernel wrote (raw-v1.2)', () => {
    const f = fixtures.find((x) => x.name === 'raw-v1.2')!;
    const base = fixtures.find((x) => x.name === 'labels-v1.2')!;
    const label = f.expected.create.reports.read_labels.json.label.find((l: any) => l.flags === 0);
    const set = makeInterleaveSet(dimmsOf([qemu0], BigInt(f.expected.create.reports.ndctl_list.json.regions[0].size)));
    const areas = [base.area.slice()];
    run(areas, createSetNamespace(areas, set, { uuid: label.uuid, name: label.name, size: BigInt(label.rawsize), lbasize: BigInt(label.lbasize) }));
    expect(Buffer.from(areas[0]!).equals(Buffer.from(f.area))).toBe(true);
  });

  it("every kernel fixture reads as the guest's ndctl list namespaces through the set reader", () => {
    for (const f of fixtures) {
      const set = makeInterleaveSet(dimmsOf([qemu0], BigInt(f.expected.create.reports.ndctl_list.json.regions[0].size)));
      const listed = f.expected.create.reports.ndctl_list.json.regions[0].namespaces ?? [];
      const sv = readInterleaveSet([f.area], set);
      expect(sv.regionActive).toBe(true);
      expect(sv.namespaces.map((n) => n.uuid).sort()).toEqual(sv.labelless ? [] : listed.map((n: any) => String(n.raw_uuid ?? n.uuid)).sort());
      expect(sv.namespaces.every((n) => n.state === 'active')).toBe(true);
      // fixtures/linux/blank: no index block, so the region is one raw namespace without uuid, as the guest listed.
      const json = listSetNamespacesJson(sv, set);
      expect(json.map((n) => [n.mode, String(n.size ?? '-'), n.uuid ?? (n as { raw_uuid?: string }).raw_uuid])).toEqual(
        sv.labelless ? listed.map((n: any) => [n.mode, String(n.size), n.uuid]) : json.map((n) => [n.mode, String(n.size ?? '-'), n.uuid ?? (n as { raw_uuid?: string }).raw_uuid]),
      );
      expect(sv.labelless !== undefined).toBe(f.name === 'blank');
    }
  });
});

describe('interleave set from an NFIT (build-nfit generic profile)', () => {
  const spa = { type: 0, rangeIndex: 1, flags: 0, rangeGuid: 'persistent', address: '0x100000000', rangeLength: '0x80000000', memoryMapping: '0x8008' };
  const memdev = (deviceHandle: number, regionIndex: number, regionOffset: string) => ({
    type: 1, deviceHandle, rangeIndex: 1, regionIndex, regionSize: '0x40000000', regionOffset, address: '0x0', interleaveIndex: 1, interleaveWays: 2,
  });
  const dcr = (regionIndex: number, serialNumber: number) => ({ type: 4, regionIndex, vendorId: 0x8086, serialNumber, code: 0x301, manufacturingLocation: 1, manufacturingDate: 0x1907 });
  const idt = { type: 2, interleaveIndex: 1, lineSize: 256, lineOffsets: [0, 1] };

  it('memdevs in table order are the mappings; cookie from the DCR identities sorted by region offset', () => {
    // Table order: handle 0x20 (offset 0x40000000) first, then 0x10 (offset 0).
    const bytes = buildNfit({ profile: 'generic', structures: [spa, memdev(0x20, 2, '0x40000000'), memdev(0x10, 1, '0x0'), dcr(1, 0x1111), dcr(2, 0x2222), idt] }).bytes;
    const sets = interleaveSetsFromNfit(decodeNfit(bytes).table);
    expect(sets).toHaveLength(1);
    const set = sets[0]!.set;
    expect(set.dimms.map((d) => d.handle)).toEqual([0x20, 0x10]);
    const k = kernelCookies([
      { offset: 0x40000000n, serial: 0x2222, vendor: 0x8086, date: 0x1907, loc: 1 },
      { offset: 0n, serial: 0x1111, vendor: 0x8086, date: 0x1907, loc: 1 },
    ]);
    expect(set.cookies).toMatchObject(k);
    expect(pickNfitSet(sets, 2, [0x10, 0x20]).order).toEqual([1, 0]);
    expect(pickNfitSet(sets, 2, []).order).toEqual([0, 1]);
    expect(() => pickNfitSet(sets, 3, [])).toThrow(/no persistent-memory SPA range has 3 DIMM/);
  });
});

/** Every prefix and every write torn at each 8-byte boundary (k = writes fully done before it), via the library's enumerator. */
function crashPoints(start: Uint8Array[], writes: SetWrite[], set: InterleaveSet): Array<{ k: number; torn: boolean; view: string; areas: Uint8Array[] }> {
  return [...enumerateCrashPoints(start, writes, (w) => w.dimm)].map((p) => ({ k: p.completed, torn: p.torn !== undefined, view: logicalSetView(p.devices, set), areas: p.devices }));
}

describe('interleave set: rename and claim class / lbasize across DIMMs (nd_pmem_namespace_label_update)', () => {
  const u = '00000000-0000-4000-8000-0000000000f1';
  const made = (n: number, version: '1.1' | '1.2') => {
    const ds: Ident[] = Array.from({ length: n }, (_, i) => ({ offset: BigInt(n - 1 - i) << 30n, serial: 0x200 + i, vendor: 0x8086, date: 0x1907, loc: i }));
    const set = makeInterleaveSet(dimmsOf(ds, 1n << 30n));
    const areas = freshAreas(n, version);
    run(areas, createSetNamespace(areas, set, { uuid: u, name: 'before', size: set.align }));
    return { set, areas, k: kernelCookies(ds) };
  };

  it('rename on 2 DIMMs (v1.2): UPDATING pass on mapping 0 then 1, final pass on 0 then 1; every label gets the name, the rest kept', () => {
    const { set, areas, k } = made(2, '1.2');
    const before = areas.map((a) => labelOf(a, u));
    const { writes } = run(areas, renameSetNamespace(areas, set, u, 'after'));
    expect(writes.map((w) => `${w.dimm}:${w.kind}`)).toEqual(['0:label', '0:index', '1:label', '1:index', '0:label', '0:index', '1:label', '1:index']);
    // After create on a fresh area the final label sits in slot 1 (slot 0, the UPDATING copy, freed);
    // nd_label_alloc_slot takes the lowest free slot: UPDATING → slot 0 (reaps 1), final → slot 1.
    expect(writes.filter((w) => w.kind === 'label').map((w) => w.what)).toEqual([
      `label[0] ${u} UPDATING`, `label[0] ${u} UPDATING`, `label[1] ${u}`, `label[1] ${u}`,
    ]);
    for (const [i, area] of areas.entries()) {
      const l = labelOf(area, u);
      expect(readLabelArea(area).live).toHaveLength(1);
      expect({ name: l.name, flags: l.flags, nlabel: l.nlabel, position: l.position, isetcookie: l.isetcookie, dpa: l.dpa, rawsize: l.rawsize, lbasize: l.lbasize, slot: l.slot })
        .toEqual({ name: 'after', flags: 0, nlabel: 2, position: i, isetcookie: k.cookie2, dpa: before[i]!.dpa, rawsize: before[i]!.rawsize, lbasize: 512n, slot: 1 });
    }
    expect(readInterleaveSet(areas, set).namespaces[0]).toMatchObject({ uuid: u, name: 'after', state: 'active', size: set.align });
  });

  it('claim class + lbasize on 2 DIMMs (holder_class_store, sector_size_store): every label carries them; names follow position 0 (nspm->alt_name)', () => {
    const { set, areas } = made(2, '1.2');
    // DIMM 1's label renamed alone (one DIMM at a time): Linux still shows position 0's name.
    for (const w of collectWrites(renameNamespace(areas[1]!, u, 'odd')).writes) applyWrite(areas[1]!, w);
    expect(readInterleaveSet(areas, set).namespaces[0]!.name).toBe('before');
    run(areas, updateSetNamespace(areas, set, u, { claimClass: 'pfn', lbasize: 4096n }));
    for (const area of areas) {
      const l = labelOf(area, u);
      // label.h NVDIMM_PFN_GUID; __pmem_label_update writes nspm->alt_name on every mapping.
      expect({ name: l.name, abstractionGuid: l.abstractionGuid, lbasize: l.lbasize }).toEqual({ name: 'before', abstractionGuid: '266400ba-fb9f-4677-bcb0-968f11d0d225', lbasize: 4096n });
    }
    expect(readInterleaveSet(areas, set).namespaces[0]).toMatchObject({ claimClass: 'pfn', lbasize: 4096n, state: 'active' });
  });

  it('refuses what Linux could not do: an incomplete namespace, an orphan, a claim class on v1.1 labels, lbasize 520', () => {
    const { set, areas } = made(2, '1.2');
    expect(() => collectWrites(updateSetNamespace(areas, set, u, { lbasize: 520n }))).toThrow(/512 or 4096/);
    const inc = areas.map((a) => a.slice());
    for (const w of collectWrites(deleteNamespace(inc[1]!, u)).writes) applyWrite(inc[1]!, w);
    expect(() => collectWrites(renameSetNamespace(inc, set, u, 'x'))).toThrow(/is incomplete/);
    const orph = areas.map((a) => a.slice());
    for (const w of collectWrites(deleteNamespace(orph[0]!, u)).writes) applyWrite(orph[0]!, w);
    expect(() => collectWrites(renameSetNamespace(orph, set, u, 'x'))).toThrow(/only an orphan label on DIMM\(s\) 0x2/);
    const v11 = made(2, '1.1');
    expect(() => collectWrites(updateSetNamespace(v11.areas, v11.set, u, { claimClass: 'dax' }))).toThrow(/v1\.1 labels have no claim class/);
  });

  for (const [n, version, change] of [
    [2, '1.2', { name: 'after' }],
    [3, '1.1', { name: 'after', lbasize: 4096n }],
    [4, '1.2', { claimClass: 'dax', name: 'after' }],
  ] as const) {
    it(`power cut during ${JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? String(v) : v))} on ${n} DIMMs (v${version}): old until DIMM 0's first index write, then what Linux shows is new (position 0's label); re-running completes it`, () => {
      const { set, areas: start } = made(n, version);
      const { writes } = collectWrites(updateSetNamespace(start, set, u, change));
      expect(writes).toHaveLength(4 * n);
      const oldV = logicalSetView(start, set);
      const after = start.map((a) => a.slice());
      for (const w of writes) applySetWrite(after, w);
      const newV = logicalSetView(after, set);
      expect(newV).not.toBe(oldV);
      // Linux takes name/lbasize/claim class from the position-0 label (create_namespace_pmem), and
      // has_uuid_at_pos matches uuid/cookie/nlabel/position only: once DIMM 0's first-pass index
      // (write 1) is written every position is still found exactly once, and the namespace shows
      // the new values, while DIMMs 1..n-1 may still carry the old label.
      const phase = (done: number) => (done <= 1 ? 'old' : 'new');
      let mixed = 0;
      for (const p of crashPoints(start, writes, set)) {
        const allowed = p.torn ? [phase(p.k), phase(p.k + 1)] : [phase(p.k)];
        const got = p.view === oldV ? 'old' : p.view === newV ? 'new' : `other:\n${p.view}`;
        expect(allowed, `k=${p.k} torn=${p.torn}`).toContain(got);
        if (!p.torn && p.k >= 2 && p.k <= 2 * n) {
          // DIMM i's own first-pass index is write 2i+1: before it, DIMM i still has the old label.
          const names = p.areas.map((a) => labelOf(a, u).name);
          expect(names).toEqual(Array.from({ length: n }, (_, i) => (p.k > 2 * i + 1 ? 'after' : 'before')));
          const sv = readInterleaveSet(p.areas, set);
          expect(sv.regionActive).toBe(true);
          expect(sv.namespaces[0]!.name).toBe('after');
          if (names.includes('before')) {
            mixed++;
            expect(sv.findings.some((f) => f.code === 'set-names')).toBe(true);
          }
        }
        // Running the same change again from this point finishes it: the new state, no UPDATING left.
        const fix = p.areas.map((a) => a.slice());
        run(fix, updateSetNamespace(fix, set, u, change));
        expect(logicalSetView(fix, set)).toBe(newV);
        expect(fix.map((a) => labelOf(a, u).flags)).toEqual(Array(n).fill(0));
      }
      expect(mixed).toBe(2 * (n - 1)); // k = 2 .. 2n-1
    });
  }
});

describe('interleave set: repair', () => {
  const u = '00000000-0000-4000-8000-0000000000a1';
  const ds: Ident[] = [A, B];
  const set = makeInterleaveSet(dimmsOf(ds, 256n * MiB));
  const S = 256; // 16 KiB area, 256-byte labels: geometryFor → index blocks of 256 bytes
  const damage = (area: Uint8Array, block: number) => { area[block * S + 100]! ^= 0xff; };

  it("rewrites each DIMM's damaged index from its good copy (repairArea per mapping); the set reads the same", () => {
    const areas = freshAreas(2, '1.2');
    run(areas, createSetNamespace(areas, set, { uuid: u, name: 'r', size: 32n * MiB }));
    const before = logicalSetView(areas, set);
    const nexts = areas.map((a) => readLabelArea(a).next!);
    areas.forEach((a, i) => damage(a, nexts[i]!));
    expect(areas.map((a) => readLabelArea(a).checks[nexts[0]!]!.valid)).toEqual([false, false]);
    const { writes, result } = run(areas, repairSet(areas, set));
    expect(writes.map((w) => [w.dimm, w.kind, w.offset])).toEqual([[0, 'index', nexts[0]! * S], [1, 'index', nexts[1]! * S]]);
    expect(areas.every((a) => readLabelArea(a).checks.every((c) => c.valid))).toBe(true);
    expect(logicalSetView(areas, set)).toBe(before);
    expect(result).toMatchObject({ regionActive: true, problems: [] });
  });

  it('a DIMM whose label for the set is missing: reported as an incomplete set (Linux fails the region), no label invented', () => {
    const areas = freshAreas(2, '1.2');
    run(areas, createSetNamespace(areas, set, { uuid: u, size: 32n * MiB }));
    // DIMM 1 loses its label (its index frees the slot), then the older index that still
    // referenced it is damaged: repair can only rebuild from the surviving (newer) index.
    for (const w of collectWrites(deleteNamespace(areas[1]!, u)).writes) applyWrite(areas[1]!, w);
    damage(areas[1]!, readLabelArea(areas[1]!).next!);
    const slotsBefore = areas.map((a) => readLabelArea(a).live.map((l) => l.slot));
    const { writes, result } = run(areas, repairSet(areas, set));
    expect(writes.map((w) => `${w.dimm}:${w.kind}`)).toEqual(['1:index']);
    expect(areas.map((a) => readLabelArea(a).live.map((l) => l.slot))).toEqual(slotsBefore);
    // namespace_devs.c has_uuid_at_pos finds no position 1 → create_namespace_pmem -EINVAL →
    // scan_labels fails: no namespace of the region appears.
    expect(result.regionActive).toBe(false);
    const codes = result.problems.map((f) => f.code);
    expect(codes).toContain('set-incomplete');
    const inc = result.problems.find((f) => f.code === 'set-repair-incomplete')!;
    expect(inc.severity).toBe('error');
    expect(inc.message).toMatch(/does not invent labels/);
    expect(inc.message).toMatch(/DIMM 0x2 slot 1 still holds a label for it/);
  });
});

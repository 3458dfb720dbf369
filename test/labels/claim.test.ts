/**
 * Claim class through the label protocol (holder_class_store → nd_namespace_label_update: two
 * __pmem_label_update passes, UPDATING then cleared):
 *  - the label nvtool writes when a namespace's class changes equals, byte for byte, the label the
 *    kernel + ndctl wrote for that mode (fixtures/linux/*-v1.2);
 *  - crash safety, enumerated as in crash.test.ts: every prefix and every torn write reads back
 *    as the old or the new state.
 */
import { describe, expect, it } from 'vitest';
import { decodeStruct } from '../../src/core/schema/index.js';
import {
  CLAIM_CLASS_GUIDS, applyWrite, buildArea, collectWrites, createNamespace, labelV12, logicalView, readLabelArea, setClaimClass,
  setNamespaceLabel, slotOffset, FUZZ_SET, type MediaWrite,
} from '../../src/labels/index.js';
import { expectCrashSafe } from './crashPoints.js';
import { kernelFixtures } from './fixtures.js';

const MiB = 1n << 20n;
const fixtures = kernelFixtures();
const fx = (name: string) => {
  const f = fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`fixture ${name} missing (fixtures/linux, scripts/make-kernel-fixtures.ts)`);
  return f;
};
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;

function run(area: Uint8Array, gen: Generator<MediaWrite, unknown>): MediaWrite[] {
  const { writes } = collectWrites(gen);
  for (const w of writes) applyWrite(area, w);
  return writes;
}

/** The live label's 256 bytes for `uuid` (the kernel keeps exactly one per namespace per DIMM). */
function liveLabel(area: Uint8Array, uuid: string): Uint8Array {
  const view = readLabelArea(area);
  const l = view.live.filter((x) => (x.value as { uuid: string }).uuid === uuid);
  expect(l).toHaveLength(1);
  const off = slotOffset(view.geometry!, l[0]!.slot);
  return area.slice(off, off + view.geometry!.labelSize);
}

describe('claim class: nvtool equals what Linux 6.1 + ndctl wrote', () => {
  // The kernel's final label for each mode, from ndctl create-namespace -m MODE on an ndctl init-labels -V 1.2 area.
  const cases: Array<[string, 'pfn' | 'dax' | 'btt2', bigint | undefined]> = [
    ['fsdax-v1.2', 'pfn', undefined],
    ['devdax-v1.2', 'dax', undefined],
    ['sector-v1.2', 'btt2', 4096n], // ndctl also writes the namespace sector_size (pmem: 512 or 4096) for sector mode
  ];
  for (const [name, cls, lbasize] of cases) {
    it(`${name}: a raw namespace reclassed ${cls} carries the kernel's label bytes`, () => {
      const made = fx(name);
      const area = fx('labels-v1.2').area.slice();
      const label = made.expected.create.reports.read_labels.json.label.find((l: any) => l.flags === 0);
      run(area, createNamespace(area, {
        uuid: label.uuid, name: label.name, size: BigInt(label.rawsize), lbasize: 512n, claimClass: 'none',
        dpaStart: 0n, dpaSize: BigInt(made.expected.create.reports.ndctl_list.json.regions[0].size), align: 16n * MiB, set: FUZZ_SET,
      }));
      const writes = run(area, setNamespaceLabel(area, label.uuid, { claimClass: cls, ...(lbasize ? { lbasize } : {}) }));
      // Two passes of __pmem_label_update: label UPDATING, index, label final, index.
      expect(writes.map((w) => w.kind)).toEqual(['label', 'index', 'label', 'index']);
      expect(writes[0]!.what).toMatch(/UPDATING/);
      const mine = liveLabel(area, label.uuid);
      const kernel = liveLabel(made.area, label.uuid);
      expect(Buffer.from(mine).toString('hex')).toBe(Buffer.from(kernel).toString('hex'));
      // read-labels prints the abstraction GUID as stored bytes (EFI order), as in expected.json.
      expect(readLabelArea(area).live.map((l) => (l.value as any).abstractionGuid)).toEqual([CLAIM_CLASS_GUIDS[cls]]);
    });
  }

  it('raw: reclassing the kernel fsdax namespace to none gives the kernel raw label (uuid aside)', () => {
    const area = fx('fsdax-v1.2').area.slice();
    const u = fx('fsdax-v1.2').expected.create.reports.read_labels.json.label[1].uuid;
    run(area, setClaimClass(area, u, 'none'));
    const rawU = fx('raw-v1.2').expected.create.reports.read_labels.json.label[1].uuid;
    const strip = (b: Uint8Array) => {
      const { uuid: _u, checksum: _c, ...rest } = decodeStruct(labelV12, b).value;
      return rest;
    };
    expect(strip(liveLabel(area, u))).toEqual(strip(liveLabel(fx('raw-v1.2').area, rawU)));
  });

  it('refuses what Linux refuses: a class on v1.1 labels, lbasize other than 512/4096, an unknown uuid', () => {
    const v11 = fx('sector-v1.1');
    const u = v11.expected.create.reports.read_labels.json.label[1].uuid;
    expect(() => collectWrites(setClaimClass(v11.area, u, 'pfn'))).toThrow(/v1\.1 labels have no claim class/);
    expect(() => collectWrites(setNamespaceLabel(v11.area, u, { lbasize: 520n }))).toThrow(/512 or 4096/);
    expect(() => collectWrites(setClaimClass(fx('raw-v1.2').area, uuid(), 'pfn'))).toThrow(/no live label/);
    // lbasize alone is allowed on v1.1 (the kernel's sector-v1.1 label carries 4096).
    expect(collectWrites(setNamespaceLabel(v11.area, u, { lbasize: 512n })).writes).toHaveLength(4);
  });
});


describe('claim class changes are crash safe (every prefix, every torn write)', () => {
  const states: Array<{ name: string; area: Uint8Array }> = [
    { name: 'v1.2 engine, 3 namespaces after churn', area: buildArea({ size: 16384, version: '1.2', variant: 'ndctl', ops: [{ op: 'create', units: 1, name: 'x' }, { op: 'create', units: 1, name: 'y' }, { op: 'delete', which: 0 }, { op: 'create', units: 2, name: 'z' }] }, uuid) },
    { name: 'v1.2 engine, smallest area (2 slots: one namespace + the update slot)', area: buildArea({ size: 1024, version: '1.2', variant: 'linux', ops: [{ op: 'create', units: 1, name: 'only' }] }, uuid) },
    ...['raw-v1.2', 'fsdax-v1.2', 'sector-v1.2', 'two-named-v1.2'].map((name) => ({ name: `kernel ${name}`, area: fx(name).area.slice() })),
  ];
  const changes: Array<[string, Parameters<typeof setNamespaceLabel>[2]]> = [
    ['pfn', { claimClass: 'pfn' }], ['dax', { claimClass: 'dax' }], ['btt2 + lbasize 4096', { claimClass: 'btt2', lbasize: 4096n }],
    ['btt', { claimClass: 'btt' }], ['none', { claimClass: 'none' }],
  ];
  for (const s of states) {
    for (const [cname, change] of changes) {
      it(`${s.name}: every live namespace → ${cname}`, () => {
        for (const l of readLabelArea(s.area).live) {
          const u = (l.value as { uuid: string }).uuid;
          const { writes } = collectWrites(setNamespaceLabel(s.area, u, change));
          expect(writes).toHaveLength(4);
          expect(expectCrashSafe(s.area, writes)).toBeGreaterThan(writes.length);
          const after = s.area.slice();
          for (const w of writes) applyWrite(after, w);
          const got = readLabelArea(after).live.find((x) => (x.value as { uuid: string }).uuid === u)!.value as any;
          expect(got.abstractionGuid).toBe(CLAIM_CLASS_GUIDS[change.claimClass!]);
          expect(got.flags & 8).toBe(0);
        }
      });
    }
  }
});

/**
 * nvtool against label areas the real Linux kernel and ndctl wrote (fixtures/linux, made by
 * scripts/make-kernel-fixtures.ts in a QEMU guest): what ndctl read-labels -j and ndctl list
 * printed there is the expected value.
 */
import { describe, expect, it } from 'vitest';
import {
  applyWrite, collectWrites, createNamespace, initArea, interleaveSetCookies, listNamespacesJson, qemuSetMember,
  readLabelArea, readLabelsJson, namespacesOf, geometryFor,
} from '../../src/labels/index.js';
import { kernelFixtures, normalize } from './fixtures.js';

const fixtures = kernelFixtures();
const SET = { ...interleaveSetCookies([qemuSetMember(0)]), mappings: 1, position: 0 };

describe('kernel-written fixtures', () => {
  it('exist (fixtures/linux, from scripts/make-kernel-fixtures.ts)', () => {
    expect(fixtures.map((f) => f.name)).toEqual(expect.arrayContaining(['labels-v1.1', 'labels-v1.2', 'raw-v1.2']));
  });

  it('QEMU slot 0 interleave-set cookies equal the kernel region set_cookie / iset_id', () => {
    const v12 = fixtures.find((f) => f.name === 'raw-v1.2')!;
    const v11 = fixtures.find((f) => f.name === 'labels-v1.1')!;
    expect('0x' + SET.cookie2.toString(16)).toBe(v12.expected.create.reports.sysfs['region0/set_cookie']);
    expect(String(SET.cookie1)).toBe(String(v11.expected.create.reports.ndctl_list.json.regions[0].iset_id));
  });

  for (const f of fixtures) {
    describe(f.name, () => {
      it('read-labels -j: same index and label JSON as ndctl', () => {
        const mine = readLabelsJson(f.area, 'nmem0');
        expect(normalize(mine)).toEqual(normalize(f.expected.create.reports.read_labels.json));
      });

      it('current index, nslot and geometry as the kernel sees them', () => {
        const view = readLabelArea(f.area);
        const rl = f.expected.create.reports.read_labels.json;
        if (rl.index[0].signature === '') {
          // fixtures/linux/blank: no index block at all, as read-labels printed (Linux: label-less).
          expect(view.current).toBeUndefined();
          expect(view.checks.every((c) => !c.valid && c.failed === 'signature')).toBe(true);
          return;
        }
        expect(view.current).toBeDefined();
        expect(view.checks.every((c) => c.valid)).toBe(true);
        expect(view.checks[view.current!]!.value.nslot).toBe(rl.index[0].nslot);
        const g = geometryFor(f.area.length, view.geometry!.labelSize)!;
        expect(g.nslot).toBe(rl.index[0].nslot);
        // sysfs available_slots = nd_label_nfree() - 1 (one slot is kept for updates; dimm_devs.c)
        const cur = view.checks[view.current!]!.value;
        let free = 0;
        for (let s = 0; s < cur.nslot; s++) if ((cur.free[s >> 3]! >> (s & 7)) & 1) free++;
        const avail = f.expected.create.reports.sysfs['nmem0/available_slots'];
        if (avail !== undefined) expect(String(free - 1)).toBe(String(avail).trim());
      });

      it('namespaces: the live labels are the namespaces ndctl list shows', () => {
        const listed = f.expected.create.reports.ndctl_list.json.regions[0].namespaces ?? [];
        const view = readLabelArea(f.area);
        const { namespaces } = namespacesOf(view, SET);
        // A label-less DIMM (no valid index block) has no labelled namespaces; its one io namespace is the region.
        expect(namespaces.map((n) => n.status)).toEqual(view.current === undefined ? [] : listed.map(() => 'active'));
        const key = (n: any) => String(n.raw_uuid ?? n.uuid);
        const region = { size: BigInt(f.image.length - f.area.length) }; // QEMU: pmem = file size - label-size
        const mine = listNamespacesJson(f.area, SET, region).sort((a, b) => key(a).localeCompare(key(b)));
        listed.sort((a: any, b: any) => key(a).localeCompare(key(b)));
        expect(mine.map(key)).toEqual(listed.map(key));
        for (const [i, n] of listed.entries()) {
          if (n.name !== undefined) expect(mine[i]!.name).toBe(n.name);
          if (n.mode === 'raw') {
            expect(mine[i]!.mode).toBe('raw');
            expect(String(mine[i]!.size)).toBe(String(n.size));
          }
          if (f.name.endsWith('v1.2')) expect(mine[i]!.mode).toBe(n.mode);
          if (n.sector_size !== undefined) expect(mine[i]!.sector_size).toBe(n.sector_size);
          if (view.current === undefined) {
            const { numa_node: _n, target_node: _t, ...fields } = n;
            expect(normalize({ dev: mine[i]!.dev, mode: mine[i]!.mode, size: mine[i]!.size, sector_size: mine[i]!.sector_size, blockdev: mine[i]!.blockdev })).toEqual(normalize(fields));
            expect(mine[i]!.uuid).toBeUndefined();
          }
        }
      });
    });
  }

  it('init (ndctl variant) on a zero area gives the exact index blocks ndctl init-labels wrote', () => {
    for (const name of ['labels-v1.1', 'labels-v1.2']) {
      const f = fixtures.find((x) => x.name === name)!;
      const area = new Uint8Array(f.area.length);
      for (const w of collectWrites(initArea(area, { version: name.endsWith('1.1') ? '1.1' : '1.2', variant: 'ndctl' })).writes) applyWrite(area, w);
      expect(Buffer.from(area).equals(Buffer.from(f.area))).toBe(true);
    }
  });

  it('create on the ndctl-initialized area reproduces the kernel-written area byte for byte', () => {
    const pairs: Array<[string, string, 'none' | 'pfn' | 'dax' | 'btt2' | undefined]> = [
      ['raw-v1.2', 'labels-v1.2', 'none'],
      ['fsdax-v1.2', 'labels-v1.2', 'pfn'],
      ['devdax-v1.2', 'labels-v1.2', 'dax'],
      ['sector-v1.2', 'labels-v1.2', 'btt2'],
      ['sector-v1.1', 'labels-v1.1', undefined],
    ];
    let compared = 0;
    for (const [made, base, claim] of pairs) {
      const f = fixtures.find((x) => x.name === made);
      const b = fixtures.find((x) => x.name === base);
      if (!f || !b) continue;
      const label = f.expected.create.reports.read_labels.json.label.find((l: any) => l.flags === 0);
      const area = b.area.slice();
      const gen = createNamespace(area, {
        uuid: label.uuid, name: label.name, size: BigInt(label.rawsize), lbasize: BigInt(label.lbasize),
        ...(claim ? { claimClass: claim } : {}), dpaStart: 0n, dpaSize: BigInt(f.expected.create.reports.ndctl_list.json.regions[0].size),
        align: 16n << 20n, set: SET,
      });
      const { writes } = collectWrites(gen);
      expect(writes.map((w) => w.kind)).toEqual(['label', 'index', 'label', 'index']);
      for (const w of writes) applyWrite(area, w);
      expect({ made, same: Buffer.from(area).equals(Buffer.from(f.area)) }).toEqual({ made, same: true });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  });
});

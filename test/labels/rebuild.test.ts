/**
 * Repair with both index blocks invalid: the index is rebuilt from a scan of the label slots.
 * Expected namespaces are what the guest's ndctl list printed for the kernel-written fixtures
 * (expected.json), never nvtool's own reading of the undamaged area.
 */
import { describe, expect, it } from 'vitest';
import {
  applyWrite, buildArea, collectWrites, createNamespace, deleteNamespace, listNamespacesJson, logicalView, readLabelArea,
  renameNamespace, repairArea, FUZZ_SET, type MediaWrite,
} from '../../src/labels/index.js';
import { kernelFixtures } from './fixtures.js';

const fixtures = kernelFixtures();
const MiB = 1n << 20n;
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;

type Damage = 'checksum' | 'zeroed';
function damageBoth(area: Uint8Array, how: Damage): Uint8Array {
  const a = area.slice();
  const S = readLabelArea(area).geometry!.indexSize;
  for (const i of [0, 1]) {
    if (how === 'zeroed') a.fill(0, i * S, (i + 1) * S);
    else a[i * S + 40]! ^= 0x5a; // inside myoff/mysize: the checksum no longer holds
  }
  expect(readLabelArea(a).current).toBeUndefined();
  return a;
}

function repaired(area: Uint8Array): { area: Uint8Array; writes: MediaWrite[]; report: ReturnType<typeof collectWrites<any>>['result'] } {
  const { writes, result } = collectWrites(repairArea(area));
  const out = area.slice();
  for (const w of writes) applyWrite(out, w);
  return { area: out, writes, report: result };
}

function crashSafe(area: Uint8Array, writes: MediaWrite[]): void {
  const after = area.slice();
  for (const w of writes) applyWrite(after, w);
  const allowed = new Set([logicalView(area, FUZZ_SET), logicalView(after, FUZZ_SET)]);
  const work = area.slice();
  for (const [k, w] of writes.entries()) {
    for (let cut = 8; cut < w.bytes.length; cut += 8) {
      const torn = work.slice();
      const b = work.slice(w.offset, w.offset + w.bytes.length);
      b.set(w.bytes.subarray(0, cut));
      torn.set(b, w.offset);
      expect(allowed.has(logicalView(torn, FUZZ_SET)), `write ${k} torn at ${cut}`).toBe(true);
    }
    applyWrite(work, w);
    expect(allowed.has(logicalView(work, FUZZ_SET)), `after write ${k}`).toBe(true);
  }
}

describe('repair with both index blocks invalid: rebuilt from a slot scan', () => {
  // Namespaces that come from labels (not the label-less one of fixtures/linux/blank, whose area holds no index).
  const withNamespaces = fixtures.filter((f) => (f.expected.create.reports.ndctl_list.json?.regions?.[0]?.namespaces ?? []).length > 0 && f.expected.create.reports.read_labels.json.index[0].signature !== '');
  it('has kernel fixtures with namespaces to damage', () => {
    expect(withNamespaces.map((f) => f.name)).toEqual(expect.arrayContaining(['fsdax-v1.2', 'sector-v1.1', 'two-named-v1.2']));
  });
  for (const f of withNamespaces) {
    for (const how of ['checksum', 'zeroed'] as const) {
      it(`${f.name}, both blocks ${how}: lists the namespaces the guest's ndctl listed`, () => {
        const listed = f.expected.create.reports.ndctl_list.json.regions[0].namespaces as any[];
        const damaged = damageBoth(f.area, how);
        const { area, writes, report } = repaired(damaged);
        expect(writes.map((w) => w.what)).toEqual([expect.stringMatching(/^index\[1\] seq 2/), expect.stringMatching(/^index\[0\] seq 3/)]);
        const view = readLabelArea(area);
        expect(view.checks.every((c) => c.valid)).toBe(true);
        expect(view.format).toBe(f.name.endsWith('v1.1') ? 'v1.1' : 'v1.2');
        const key = (x: any) => String(x.raw_uuid ?? x.uuid);
        const mine = listNamespacesJson(area, FUZZ_SET);
        expect(mine.map((x) => x.state)).toEqual(mine.map(() => 'active'));
        expect(mine.map(key).sort()).toEqual(listed.map(key).sort());
        for (const l of listed) {
          const m = mine.find((x) => key(x) === key(l))!;
          expect(m.name ?? '').toBe(l.name ?? '');
          if (f.name.endsWith('v1.2')) expect(m.mode).toBe(l.mode);
          if (l.mode === 'raw') expect(String(m.size)).toBe(String(l.size));
        }
        // Nothing uncertain here: the extra labels are the stale UPDATING copies of the same updates.
        expect(report.findings.filter((x: any) => x.code === 'rebuild-uncertain' || x.code === 'rebuild-conflict')).toEqual([]);
        expect(report.findings.some((x: any) => x.code === 'rebuild-unknowable')).toBe(true);
        expect(report.rebuilt.restored.map((r: any) => r.uuid).sort()).toEqual(listed.map(key).sort());
        // Label slots untouched; only the two index blocks written.
        const S = view.geometry!.indexSize;
        expect(Buffer.from(area.subarray(2 * S)).equals(Buffer.from(f.area.subarray(2 * S)))).toBe(true);
        crashSafe(damaged, writes);
      });
    }
  }

  it('an initialized area with no namespace: nothing to rebuild (init instead)', () => {
    for (const name of ['labels-v1.1', 'labels-v1.2']) {
      const f = fixtures.find((x) => x.name === name)!;
      expect(() => collectWrites(repairArea(damageBoth(f.area, 'checksum')))).toThrow(/nothing to rebuild/);
    }
  });

  it('a deleted namespace whose range was reused: neither is restored, both reported', () => {
    const area = buildArea({ size: 8192, version: '1.2', variant: 'linux', ops: [] });
    const [x, a, b, c] = [uuid(), uuid(), uuid(), uuid()];
    const mk = (u: string, size: bigint) => collectWrites(createNamespace(area, { uuid: u, name: u.slice(-2), size, dpaStart: 0n, dpaSize: 256n * MiB, align: 16n * MiB, set: FUZZ_SET })).writes.forEach((w) => applyWrite(area, w));
    const del = (u: string) => collectWrites(deleteNamespace(area, u)).writes.forEach((w) => applyWrite(area, w));
    mk(x, 16n * MiB); // final label in slot 1
    mk(a, 16n * MiB); // slot 2, DPA 16M..32M
    mk(b, 16n * MiB); // slot 3
    del(x);
    del(a);
    mk(c, 32n * MiB); // lowest free slots 0 (UPDATING) and 1 (final): a's label in slot 2 survives; c covers DPA 0..32M
    const before = readLabelArea(area);
    expect(before.live.map((l) => (l.value as any).uuid).sort()).toEqual([b, c].sort());
    expect(before.findings.some((f) => f.code === 'free-slot-label' && f.message.includes(a))).toBe(true);
    const { area: out, report } = repaired(damageBoth(area, 'checksum'));
    expect(readLabelArea(out).live.map((l) => (l.value as any).uuid)).toEqual([b]);
    expect(report.rebuilt.excluded.map((e: any) => e.uuid).sort()).toEqual([a, c].sort());
    expect(report.findings.filter((f: any) => f.code === 'rebuild-conflict')).toHaveLength(2);
  });

  it('a rename whose old label survives in a free slot is restored with a warning saying which version was taken', () => {
    const area = buildArea({ size: 4096, version: '1.2', variant: 'linux', ops: [] });
    const u = uuid();
    collectWrites(createNamespace(area, { uuid: u, name: 'old', size: 16n * MiB, dpaStart: 0n, dpaSize: 256n * MiB, align: 16n * MiB, set: FUZZ_SET })).writes.forEach((w) => applyWrite(area, w));
    // Interrupt a rename after its first index write: the live label is the UPDATING "new" one,
    // the complete "old" label lingers in the slot just freed.
    const { writes } = collectWrites(renameNamespace(area, u, 'new'));
    writes.slice(0, 2).forEach((w) => applyWrite(area, w));
    expect(readLabelArea(area).live.map((l) => (l.value as any).name)).toEqual(['new']);
    const { area: out, report } = repaired(damageBoth(area, 'zeroed'));
    expect(readLabelArea(out).live).toHaveLength(1);
    const unc = report.findings.filter((x: any) => x.code === 'rebuild-uncertain');
    expect(unc).toHaveLength(1);
    expect(unc[0].message).toMatch(/UPDATING label with other contents/);
  });
});

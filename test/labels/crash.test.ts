/**
 * Crash safety, enumerated: for every operation, cut power after each write of its sequence and
 * inside each write (torn at every 8-byte boundary); the area must read back, under Linux's rules
 * (readLabelArea + namespacesOf), as exactly the old or the new state.
 */
import { describe, expect, it } from 'vitest';
import {
  applyWrite, buildArea, collectWrites, createNamespace, deleteNamespace, initArea, logicalView, readLabelArea, renameNamespace,
  repairArea, FUZZ_SET, type MediaWrite,
} from '../../src/labels/index.js';
import { expectCrashSafe } from './crashPoints.js';
import { kernelFixtures } from './fixtures.js';

const MiB = 1n << 20n;
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;

function states(): Array<{ name: string; area: Uint8Array }> {
  const out = [
    { name: 'fresh v1.2 (linux init)', area: buildArea({ size: 4096, version: '1.2', variant: 'linux', ops: [] }, uuid) },
    { name: 'v1.1 with 2 namespaces', area: buildArea({ size: 8192, version: '1.1', variant: 'ndctl', ops: [{ op: 'create', units: 1, name: 'a' }, { op: 'create', units: 2, name: 'b' }] }, uuid) },
    { name: 'v1.2 after churn', area: buildArea({ size: 16384, version: '1.2', variant: 'ndctl', ops: [{ op: 'create', units: 1, name: 'x' }, { op: 'create', units: 1, name: 'y' }, { op: 'delete', which: 0 }, { op: 'create', units: 2, name: 'z' }] }, uuid) },
  ];
  for (const f of kernelFixtures()) if (['raw-v1.2', 'sector-v1.1', 'two-named-v1.2'].includes(f.name)) out.push({ name: `kernel ${f.name}`, area: f.area.slice() });
  return out;
}

function ops(area: Uint8Array): Array<{ name: string; gen: () => Generator<MediaWrite, unknown> }> {
  const view = readLabelArea(area);
  const live = view.live.map((l) => (l.value as { uuid: string }).uuid);
  const list: Array<{ name: string; gen: () => Generator<MediaWrite, unknown> }> = [
    { name: 'create', gen: () => createNamespace(area, { uuid: uuid(), name: 'new', size: 16n * MiB, dpaStart: 0n, dpaSize: 512n * MiB, align: 16n * MiB, set: FUZZ_SET }) },
    { name: 'init v1.2 linux', gen: () => initArea(area, { version: '1.2', variant: 'linux' }) },
    { name: 'init v1.1 ndctl', gen: () => initArea(area, { version: '1.1', variant: 'ndctl' }) },
    { name: 'repair', gen: () => repairArea(area) },
  ];
  if (live[0]) {
    list.push({ name: 'delete', gen: () => deleteNamespace(area, live[0]!) });
    list.push({ name: 'rename', gen: () => renameNamespace(area, live[0]!, 'renamed') });
  }
  return list;
}


describe('crash safety: every prefix and every torn write reads back as old or new', () => {
  for (const s of states()) {
    for (const op of ops(s.area)) {
      it(`${s.name}: ${op.name}`, () => {
        const { writes } = collectWrites(op.gen());
        const points = expectCrashSafe(s.area, writes);
        expect(points).toBeGreaterThan(writes.length);
      });
    }
  }

  it('Linux write order for init (index 0 first) is NOT crash safe when index 0 is current; nvtool orders the other block first', () => {
    const area = buildArea({ size: 4096, version: '1.2', variant: 'linux', ops: [{ op: 'create', units: 1, name: 'a' }, { op: 'create', units: 1, name: 'b' }] }, uuid);
    const view = readLabelArea(area);
    const { writes } = collectWrites(initArea(area, { version: '1.2', variant: 'linux' }));
    expect(writes.map((w) => w.offset / view.geometry!.indexSize)).toEqual(view.current === 0 ? [1, 0] : [0, 1]);
  });
});

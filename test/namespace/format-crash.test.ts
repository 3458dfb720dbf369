/**
 * `namespace format` on a labelled namespace records the claim class in the label first (Linux:
 * holder_class_store → two __pmem_label_update passes), then writes the info block. Observed here
 * through a recording BlockIO over the kernel-written raw-v1.2 image (fixtures/linux): every label
 * write is flushed before the next write is issued, and the crash-point enumerator, walking that
 * same recorded sequence, finds only the old (raw, no claim class) or the new (pfn) namespace at
 * every write boundary and inside every torn write.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBlockIO, type BlockIO } from '../../src/core/blockio.js';
import { crashPoints, type MediaWrite } from '../../src/core/mediaWrites.js';
import { namespacesOf, readLabelArea } from '../../src/labels/index.js';
import { formatLabelledNamespace } from '../../src/namespace/format.js';
import { findLabelledNamespace } from '../../src/namespace/labelsGlue.js';
import { loadFixture } from '../infoblocks/helpers.js';

type Op = { op: 'write'; offset: number; bytes: Uint8Array } | { op: 'flush' };

class RecordingBlockIO implements BlockIO {
  readonly ops: Op[] = [];
  constructor(private readonly inner: BlockIO) {}
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number): Uint8Array {
    return this.inner.read(offset, length);
  }
  write(offset: number, data: Uint8Array): void {
    this.ops.push({ op: 'write', offset, bytes: data.slice() });
    this.inner.write(offset, data);
  }
  flush(): void {
    this.ops.push({ op: 'flush' });
    this.inner.flush();
  }
}

describe('namespace format: the claim-class update is flushed write by write and crash safe', () => {
  const fx = loadFixture('raw-v1.2');
  const labelSize = fx.expected.image.labelSize as number;
  const areaOffset = fx.expected.image.labelAreaOffset as number;
  const uuid = fx.listed.uuid as string;
  const before = fx.image.slice(areaOffset);

  const image = new RecordingBlockIO(new MemoryBlockIO(fx.image.slice()));
  const ns = findLabelledNamespace(image, uuid, labelSize);
  const r = formatLabelledNamespace(image, ns, { mode: 'fsdax', uuid: '00000000-0000-4000-8000-00000000f5da' });
  const labelOps = image.ops.filter((o) => o.op === 'flush' || o.offset >= areaOffset);
  const labelWrites: MediaWrite[] = image.ops.flatMap((o) => (o.op === 'write' && o.offset >= areaOffset ? [{ offset: o.offset - areaOffset, bytes: o.bytes, what: `area+${o.offset - areaOffset}` }] : []));

  it('the guest listed a raw namespace; after format its label says pfn', () => {
    expect(fx.listed.mode).toBe('raw');
    expect(ns.claimClass).toBe('none');
    expect(r.ns.claimClass).toBe('pfn');
    expect(r.label?.writes).toHaveLength(4); // label UPDATING, index, label final, index
  });

  it('every label-area write is followed by a flush before any other write', () => {
    expect(labelWrites).toHaveLength(4);
    const firstInfo = image.ops.findIndex((o) => o.op === 'write' && o.offset < areaOffset);
    const lastLabel = image.ops.map((o) => o.op === 'write' && o.offset >= areaOffset).lastIndexOf(true);
    expect(firstInfo).toBeGreaterThan(lastLabel); // the label records the class before the info block exists
    for (let i = 0; i < image.ops.length; i++) {
      const o = image.ops[i]!;
      if (o.op === 'write' && o.offset >= areaOffset) expect(image.ops[i + 1], `write ${i} at ${o.offset}`).toEqual({ op: 'flush' });
    }
    expect(labelOps.filter((o) => o.op === 'flush').length).toBeGreaterThanOrEqual(4);
  });

  it('every crash point of that sequence reads back as the raw or the pfn namespace', () => {
    const classOf = (area: Uint8Array) => {
      const view = readLabelArea(area);
      const live = namespacesOf(view).namespaces.filter((n) => n.uuid === uuid && n.status === 'active');
      expect(live).toHaveLength(1);
      return `${live[0]!.claimClass ?? 'none'} dpa ${live[0]!.dpa} size ${live[0]!.rawsize}`;
    };
    const old = classOf(before);
    const after = before.slice();
    for (const w of labelWrites) after.set(w.bytes, w.offset);
    const done = classOf(after);
    expect(old).toMatch(/^none /);
    expect(done).toMatch(/^pfn /);
    let points = 0;
    const seen = new Set<string>();
    for (const p of crashPoints([before], labelWrites)) {
      const got = classOf(p.devices[0]!);
      expect([old, done], `after ${p.completed} writes${p.torn !== undefined ? `, torn at ${p.torn}` : ''}`).toContain(got);
      seen.add(got);
      points++;
    }
    expect(seen.size).toBe(2);
    expect(points).toBeGreaterThan(4 * 20);
  });
});

/**
 * Images nvtool builds with every layer (labels, fsdax namespace, GPT, Xen placement a, host
 * mkfs.ext4), the same images damaged in each layer, and random mutations of them.
 */
import fc from 'fast-check';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingReader, inspectFile, inspectReader, walk, type Layer } from '../../src/inspect/index.js';
import { buildImage, run, type Built } from './build.js';
import { all, blkidExport, ofKind } from './helpers.js';

const SIZE = 128 * 1024 * 1024;
let dir: string;
let b: Built;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-'));
  b = buildImage(join(dir, 'built.img'), SIZE, { frameTable: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errors = (ls: readonly Layer[]) => all(ls).flatMap((l) => l.findings).filter((f) => f.severity === 'error');
const codes = (ls: readonly Layer[]) => all(ls).flatMap((l) => l.findings.map((f) => f.code));

function everyFindingInside(layers: readonly Layer[], size: number): void {
  for (const { layer } of walk(layers)) {
    expect(layer.offset).toBeGreaterThanOrEqual(0);
    expect(layer.offset).toBeLessThan(size);
    for (const f of layer.findings) {
      expect(Number.isInteger(f.offset), f.message).toBe(true);
      expect(f.offset, f.message).toBeGreaterThanOrEqual(0);
      expect(f.offset, f.message).toBeLessThan(size);
    }
  }
}

describe('an image nvtool built with every layer', () => {
  it('is explained layer by layer, as blkid sees the partition table and file system', () => {
    const { report } = inspectFile(b.path);
    const ls = report.layers;
    expect(errors(ls)).toEqual([]);
    const [ns] = ofKind(ls, 'namespace');
    expect(ns!.fields).toMatchObject({ uuid: b.nsUuid, mode: 'fsdax', name: 'nvtool-ns', size: b.dataSize, dataOffset: b.dataOffset });
    expect(ofKind(ls, 'pfn-info')[0]!.offset).toBe(b.nsOffset + 4096);
    const [gpt] = ofKind(ls, 'gpt');
    expect(gpt!.offset).toBe(b.dataOffset);
    expect(ofKind(ls, 'mbr')[0]!.offset).toBe(b.dataOffset);
    const [sb] = ofKind(ls, 'xen-superblock');
    expect(sb!.offset).toBe(b.sbOffset);
    expect(sb!.fields).toMatchObject({ placement: 1, frameTableInitialized: true, containerUuid: gpt!.fields.diskGuid });
    const [rsv] = ofKind(ls, 'xen-reserved');
    expect(rsv!.offset).toBe(b.sbOffset + 4096);
    expect(rsv!.fields.frameTableSample).toEqual({ first: 'state_free | pmem_page | count 0', last: 'state_free | pmem_page | count 0' });
    const [part] = ofKind(ls, 'partition');
    expect(part!.offset).toBe(b.partOffset);
    expect(part!.length).toBe(b.partSize);
    const [fs] = ofKind(ls, 'filesystem');
    // Independent oracle: blkid probing the same bytes.
    const pt = blkidExport(run('blkid', ['-p', '-o', 'export', '-O', String(b.dataOffset), b.path], 'util-linux'));
    expect(pt.PTTYPE).toBe('gpt');
    expect(gpt!.fields.diskGuid).toBe(pt.PTUUID);
    const fsb = blkidExport(run('blkid', ['-p', '-o', 'export', '-O', String(b.partOffset), b.path], 'util-linux'));
    expect(fs!.fields).toMatchObject({ type: fsb.TYPE, label: fsb.LABEL, uuid: fsb.UUID, blockSize: Number(fsb.BLOCK_SIZE) });
    expect(fs!.offset).toBe(b.partOffset);
    expect(Number(fs!.fields.size)).toBeLessThanOrEqual(b.partSize);
    const [area] = ofKind(ls, 'label-area');
    expect(area!.offset).toBe(SIZE - 128 * 1024);
  });

  const damages: { layer: string; at: () => number; bytes: number[]; expect: string[]; still: Layer['kind'][] }[] = [
    { layer: 'label index blocks (both)', at: () => SIZE - 128 * 1024 + 60, bytes: [0x55], expect: ['no-valid-index', 'label-less-fallback', 'info-block-refused'], still: ['namespace', 'gpt', 'partition', 'filesystem', 'xen-superblock'] },
    { layer: 'PFN info block', at: () => b.nsOffset + 4096 + 200, bytes: [0xff], expect: ['checksum', 'info-block-refused'], still: ['pfn-info', 'gpt', 'partition', 'filesystem', 'xen-superblock'] },
    { layer: 'GPT primary header', at: () => b.dataOffset + 512 + 40, bytes: [0x77], expect: ['main-header-crc'], still: ['partition', 'filesystem', 'xen-superblock'] },
    { layer: 'Xen super block', at: () => b.sbOffset + 100, bytes: [0x12], expect: ['checksum'], still: ['xen-superblock', 'xen-reserved', 'partition', 'filesystem'] },
    { layer: 'ext4 super block (block count)', at: () => b.partOffset + 1024 + 4, bytes: [0xff, 0xff, 0xff, 0x0f], expect: ['fs-larger-than-container'], still: ['filesystem', 'partition'] },
    { layer: 'frame table entry 0', at: () => b.sbOffset + 4096 + 8, bytes: [0x01], expect: ['frame-table-used'], still: ['xen-reserved', 'filesystem'] },
  ];
  for (const d of damages) {
    it(`damaged ${d.layer}: findings, and the rest is still explained`, () => {
      const path = join(dir, 'damaged.img');
      copyFileSync(b.path, path);
      const patch = (at: number) => {
        const f = openSync(path, 'r+');
        writeSync(f, Uint8Array.from(d.bytes), 0, d.bytes.length, at);
        closeSync(f);
      };
      patch(d.at());
      if (d.layer.startsWith('label')) patch(SIZE - 128 * 1024 + 256 + 60); // index 1 too
      const { report } = inspectFile(path);
      const got = codes(report.layers);
      for (const c of d.expect) expect(got, `${d.layer}: ${got.join(', ')}`).toContain(c);
      const kinds = new Set(all(report.layers).map((l) => l.kind));
      for (const k of d.still) expect(kinds.has(k), `${d.layer}: ${k}`).toBe(true);
      everyFindingInside(report.layers, SIZE);
      rmSync(path);
    });
  }

  it('fast-check: random mutations of metadata never crash inspect, and every finding names an offset inside the file', () => {
    const image = new Uint8Array(readFileSync(b.path));
    const clean = inspectReader(CountingReader.fromBytes(image)).report.layers;
    // Where mutations land: the first 8 KiB of every layer found, and anywhere at all.
    const targets = all(clean).map((l) => ({ at: l.offset, len: Math.min(l.length, 8192) }));
    const mutation = fc.record({
      target: fc.nat({ max: targets.length }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
    });
    fc.assert(
      fc.property(mutation, ({ target, edits }) => {
        const t = targets[target] ?? { at: 0, len: image.length };
        const saved: [number, number][] = [];
        for (const [pos, v] of edits) {
          const at = t.at + (pos % Math.max(1, t.len));
          saved.push([at, image[at]!]);
          image[at] = v;
        }
        try {
          const r = CountingReader.fromBytes(image);
          const { report } = inspectReader(r);
          everyFindingInside(report.layers, image.length);
          expect(r.stats.bytesRead).toBeLessThan(4 * 1024 * 1024);
        } finally {
          for (const [at, v] of saved.reverse()) image[at] = v;
        }
      }),
      { numRuns: 120, seed: Number(process.env.NVTOOL_SEED ?? 6) },
    );
  }, 120_000);
});

describe('scale', () => {
  it('a 1 TiB sparse image with every layer: only metadata is read', () => {
    const path = join(dir, 'tib.img');
    try {
      const big = buildImage(path, 2 ** 40, { frameTable: false, partSize: 64 * 1024 * 1024 });
      const { report, stats } = inspectFile(path);
      const kinds = new Set(all(report.layers).map((l) => l.kind));
      for (const k of ['label-area', 'namespace', 'pfn-info', 'gpt', 'mbr', 'xen-superblock', 'xen-reserved', 'partition', 'filesystem'] as const) expect(kinds.has(k), k).toBe(true);
      expect(ofKind(report.layers, 'namespace')[0]!.fields.size).toBe(big.dataSize);
      expect(errors(report.layers)).toEqual([]);
      // Labels (128 KiB) + info block + GPT copies + Xen super block + two page_info + ext4 block.
      expect(stats.bytesRead).toBeLessThan(256 * 1024);
      // No frame table was written (flags clear, entries 0 and N-1 zero): it is not sampled either.
      expect(stats.reads).toBeLessThan(64);
      expect(ofKind(report.layers, 'xen-frame-table')).toEqual([]);
      const smallPath = join(dir, 'small-noft.img');
      buildImage(smallPath, SIZE, { frameTable: false });
      const small = inspectFile(smallPath).stats;
      rmSync(smallPath, { force: true });
      expect(stats).toEqual(small);
    } finally {
      rmSync(path, { force: true });
    }
  }, 60_000);
});

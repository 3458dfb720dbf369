/**
 * The ext4 extent reader against e2fsprogs: images made with mke2fs and debugfs (written, sparse,
 * fallocated = unwritten, fragmented with a depth-1 and a depth-2 extent tree, 64-bit and 32-bit
 * group descriptors, 1 KiB blocks), and every file's leaf extents compared with `debugfs -R "ex"`.
 * Corrupted images: the reader throws only NvError (fast-check).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { NvError } from '../../src/core/errors.js';
import { runFuzz } from '../../src/core/fuzz.js';
import { Ext4, FIEMAP_EXTENT, ext4FuzzTargets, fiemap } from '../../src/fs/ext4/index.js';
import { mulberry32 } from '../support/prng.js';
import { requireTool, runTool } from '../support/tools.js';

interface Leaf { logical: number; physical: number; length: number; unwritten: boolean }

/** Leaf rows of `debugfs -R "ex PATH"`: level L/L, "logical - last  physical - last  length [Uninit]". */
function debugfsLeaves(image: string, path: string): Leaf[] {
  const out = runTool('debugfs', ['-R', `ex ${path}`, image]);
  const rows: Leaf[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\/\s*(\d+)\s+\d+\/\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)\s*(Uninit)?/.exec(line);
    if (m && m[1] === m[2]) rows.push({ logical: +m[3]!, physical: +m[4]!, length: +m[5]!, unwritten: m[6] === 'Uninit' });
  }
  return rows;
}

function debugfsDepth(image: string, path: string): number {
  const m = /^\s*\d+\/\s*(\d+)/m.exec(runTool('debugfs', ['-R', `ex ${path}`, image]).split('\n').slice(1).join('\n'));
  return m ? +m[1]! : -1;
}

const rand = mulberry32(0x4e7);
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (rand() * 256) | 0);

interface Img { path: string; files: string[]; io: MemoryBlockIO }
let dir: string;
const imgs: Record<string, Img> = {};

function make(name: string, mkfsArgs: string[], sizeMiB: number, script: string[], files: string[]): void {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(0));
  runTool('truncate', ['-s', `${sizeMiB}M`, path]);
  runTool('mke2fs', ['-q', '-F', '-t', 'ext4', ...mkfsArgs, path]);
  writeFileSync(join(dir, `${name}.cmds`), script.join('\n') + '\n');
  runTool('debugfs', ['-w', '-f', join(dir, `${name}.cmds`), path]);
  imgs[name] = { path, files, io: new MemoryBlockIO(new Uint8Array(readFileSync(path))) };
}

beforeAll(() => {
  requireTool('mke2fs', 'e2fsprogs');
  requireTool('debugfs', 'e2fsprogs');
  dir = mkdtempSync(join(tmpdir(), 'nvtool-ext4-'));
  writeFileSync(join(dir, 'w'), randomBytes(300_000));
  // zeros in the middle: debugfs writes them as a hole
  writeFileSync(join(dir, 's'), Uint8Array.from([...randomBytes(20_000), ...new Uint8Array(200_000), ...randomBytes(9_000)]));
  writeFileSync(join(dir, 'small'), randomBytes(4096));
  const basic = (d: string) => [
    `write ${join(d, 'w')} written`, `write ${join(d, 's')} sparse`,
    'write /dev/null falloc', 'fallocate falloc 0 99', 'sif falloc size 409600',
    'mkdir a', 'mkdir a/b', `write ${join(d, 'w')} a/b/deep`,
  ];
  const fragment = (files: number, blocks: number) => [
    ...Array.from({ length: files }, (_, i) => `write ${join(dir, 'small')} f${i}`),
    ...Array.from({ length: files / 2 }, (_, i) => `rm f${2 * i}`),
    'mkdir d', 'write /dev/null d/frag', `fallocate d/frag 0 ${blocks - 1}`, `sif d/frag size ${blocks * 4096}`,
  ];
  make('ext4-64bit', ['-b', '4096', '-O', '64bit'], 64, [...basic(dir), ...fragment(1500, 700)], ['written', 'sparse', 'falloc', 'a/b/deep', 'd/frag']);
  make('ext4-32bit-depth2', ['-b', '4096', '-O', '^64bit,^metadata_csum'], 64, [...basic(dir), ...fragment(3200, 1500)], ['written', 'sparse', 'falloc', 'd/frag']);
  make('ext4-1k', ['-b', '1024'], 32, basic(dir), ['written', 'sparse', 'falloc', 'a/b/deep']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ext4 reader vs debugfs', () => {
  it('each file: leaf extents equal debugfs "ex" (written, hole, Uninit), trees of depth 0, 1 and 2', () => {
    const depths = new Set<number>();
    let n = 0;
    for (const img of Object.values(imgs)) {
      const fs = new Ext4(img.io);
      for (const f of img.files) {
        const want = debugfsLeaves(img.path, f);
        expect(want.length).toBeGreaterThan(0);
        expect(fs.extents(fs.lookup(f)), `${img.path}:${f}`).toEqual(want);
        depths.add(debugfsDepth(img.path, f));
        n++;
      }
    }
    expect(n).toBe(13);
    expect([...depths].sort()).toEqual([0, 1, 2]);
  });

  it('FIEMAP: bytes, UNWRITTEN on fallocated extents, LAST on the final extent only', () => {
    const fs = new Ext4(imgs['ext4-64bit']!.io);
    const sparse = fiemap(fs, 'sparse');
    const leaves = debugfsLeaves(imgs['ext4-64bit']!.path, 'sparse');
    expect(sparse.map((e) => [e.logical, e.physical, e.length, e.flags])).toEqual(leaves.map((l, i) => [BigInt(l.logical * 4096), BigInt(l.physical * 4096), BigInt(l.length * 4096), i === leaves.length - 1 ? FIEMAP_EXTENT.LAST : 0]));
    const fa = fiemap(fs, '/falloc');
    expect(fa.every((e) => e.flags & FIEMAP_EXTENT.UNWRITTEN)).toBe(true);
    expect(fa.at(-1)!.flags & FIEMAP_EXTENT.LAST).toBeTruthy();
  });

  it('the super block and geometry agree with dumpe2fs', () => {
    for (const img of Object.values(imgs)) {
      const fs = new Ext4(img.io);
      const h = runTool('dumpe2fs', ['-h', img.path]);
      const field = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(h)![1]);
      expect(fs.blockSize).toBe(field('Block size'));
      expect(Number(fs.blocksCount)).toBe(field('Block count'));
      expect(fs.inodeSize).toBe(field('Inode size'));
      expect(fs.sb.uuid).toBe(/^Filesystem UUID:\s+(\S+)/m.exec(h)![1]);
    }
  });

  it('missing paths and non-directories are NvErrors naming the part', () => {
    const fs = new Ext4(imgs['ext4-64bit']!.io);
    expect(() => fs.lookup('a/nope')).toThrow(/no entry "nope"/);
    expect(() => fs.lookup('written/x')).toThrow(/not a directory/);
    expect(() => new Ext4(new MemoryBlockIO(new Uint8Array(8192)))).toThrow(/s_magic/);
  });

  it('corrupted metadata: only NvError, never a hang (fast-check, 200 runs)', () => {
    const base = imgs['ext4-32bit-depth2']!.io.bytes;
    const fs0 = new Ext4(imgs['ext4-32bit-depth2']!.io);
    // the blocks that matter: super block, group descriptors, the inode tables' first blocks, the tree blocks
    const hot = [1024, 4096, fs0.inodeTableBlock(0) * 4096];
    fc.assert(fc.property(fc.array(fc.record({ at: fc.constantFrom(...hot), off: fc.nat(8191), v: fc.nat(255) }), { minLength: 1, maxLength: 8 }), (edits) => {
      // the image with the edits laid over it, copied only where read
      const io = { size: base.length, read: (o: number, n: number) => {
        const r = base.slice(o, o + n);
        for (const e of edits) if (e.at + e.off >= o && e.at + e.off < o + n) r[e.at + e.off - o] = e.v;
        return r;
      }, write: () => undefined, flush: () => undefined };
      try {
        const fs = new Ext4(io);
        for (const f of ['written', 'd/frag']) fs.extents(fs.lookup(f));
      } catch (e) {
        if (!(e instanceof NvError)) throw e;
      }
    }), { numRuns: 200 });
  });

  it('each structure: round trips, mutated and arbitrary bytes (runFuzz, 150 runs each)', () => {
    for (const t of ext4FuzzTargets) expect(runFuzz(t, 150, 20261207).failures, t.name).toEqual([]);
  });
});

/**
 * Extents of real files, from ext4 images e2fsprogs makes (no mount, no loop device): mke2fs, then
 * debugfs -w writes, fallocates and grows files the way an administrator's VM images end up, and
 * `debugfs -R "ex FILE"` lists each file's extents as ext4 allocated them. These shapes are what a
 * domain's grants look like when its vNVDIMM is a file on an fsdax namespace (xen.md §3: each
 * extent becomes its own mapping).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, runTool } from '../../test/support/tools.js';

/** One leaf extent: file block `logical`, disk block `physical`, `length` 4 KiB blocks. */
export interface Extent {
  logical: number;
  physical: number;
  length: number;
}

export interface FileShape {
  name: string;
  how: string;
  extents: Extent[];
}

/**
 * Leaf lines of `debugfs -R "ex FILE"`: ` 1/ 1   2/  5 12760 - 45526  98561 - 131327  32767 Uninit`
 * (level/depth, entry/entries, logical range, physical range, length, flags). Index lines (level <
 * depth) carry one physical block and are skipped.
 */
export function parseDebugfsExtents(text: string): Extent[] {
  const out: Extent[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\/\s*(\d+)\s+\d+\/\s*\d+\s+(\d+)\s*-\s*(\d+)\s+(\d+)\s*-\s*(\d+)\s+(\d+)/.exec(line);
    if (!m || m[1] !== m[2]) continue;
    const [logical, physical, length] = [Number(m[3]), Number(m[5]), Number(m[7])];
    if (Number(m[6]) - physical + 1 !== length) throw new Error(`debugfs extent line with inconsistent length: ${line}`);
    out.push({ logical, physical, length });
  }
  return out;
}

/** Blocks of `step` 4 KiB blocks appended alternately to two files: what two VMs growing side by side leave. */
function interleave(a: string, b: string, blocks: number, step: number): string[] {
  const cmds: string[] = [];
  for (let s = 0; s < blocks; s += step) for (const f of [a, b]) cmds.push(`fallocate ${f} ${s} ${s + step - 1}`);
  return cmds;
}

/**
 * Make one 20 GiB sparse ext4 image (4 KiB blocks, mke2fs defaults: flex_bg, sparse_super) and the
 * files whose extents the bench uses: written (128 MiB copied in), fallocated (12 GiB at once, so the
 * pattern spans 96 block groups: flex_bg metadata and backup superblocks included), grown (4 GiB in
 * 16 steps of 256 MiB while another file grows beside it), fragmented (two 64 MiB files grown
 * alternately in 64 KiB steps).
 */
export function makeFileShapes(): FileShape[] {
  requireTool('mke2fs', 'e2fsprogs');
  requireTool('debugfs', 'e2fsprogs');
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-perm-ext4-'));
  try {
    const img = join(dir, 'pmem.img');
    const src = join(dir, 'written.src');
    writeFileSync(src, new Uint8Array(128 << 20).fill(0x5a));
    writeFileSync(img, new Uint8Array(0));
    runTool('truncate', ['-s', '20G', img]);
    runTool('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-U', 'c0ffee00-0000-4000-8000-000000000015', '-E', 'hash_seed=c0ffee00-0000-4000-8000-000000000015', img]);
    const MiB = 256; // blocks per MiB
    const cmds = [
      `write ${src} written`,
      'write /dev/null fallocated',
      `fallocate fallocated 0 ${12 * 1024 * MiB - 1}`,
      'write /dev/null grown',
      'write /dev/null neighbour',
      ...Array.from({ length: 16 }, (_, i) => [`fallocate grown ${i * 256 * MiB} ${(i + 1) * 256 * MiB - 1}`, `fallocate neighbour ${i * 16 * MiB} ${(i + 1) * 16 * MiB - 1}`]).flat(),
      'write /dev/null fragA',
      'write /dev/null fragB',
      ...interleave('fragA', 'fragB', 64 * MiB, 16),
    ];
    const cmdFile = join(dir, 'cmds');
    writeFileSync(cmdFile, cmds.join('\n') + '\n');
    runTool('debugfs', ['-w', '-f', cmdFile, img]);
    const ex = (f: string) => parseDebugfsExtents(runTool('debugfs', ['-R', `ex ${f}`, img]));
    return [
      { name: 'written', how: '128 MiB copied in with debugfs write', extents: ex('written') },
      { name: 'fallocated', how: '12 GiB fallocated at once', extents: ex('fallocated') },
      { name: 'grown', how: '4 GiB fallocated in 16 steps of 256 MiB, a neighbour file growing 16 MiB in between', extents: ex('grown') },
      { name: 'fragmented', how: 'two 64 MiB files grown alternately in 64 KiB steps', extents: ex('fragA') },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Physical extents sorted and merged where adjacent: the ranges a rangeset would hold for the file. */
export function physicalRuns(extents: Extent[]): { first: number; last: number }[] {
  const out: { first: number; last: number }[] = [];
  for (const e of [...extents].sort((a, b) => a.physical - b.physical)) {
    const prev = out[out.length - 1];
    if (prev && prev.last + 1 === e.physical) prev.last = e.physical + e.length - 1;
    else out.push({ first: e.physical, last: e.physical + e.length - 1 });
  }
  return out;
}

/**
 * The administrator's file system, made with Debian's e2fsprogs on the host image, as an
 * administrator would on the block device (specs/sim.md §5): `mke2fs -t ext4 -E offset=` at the
 * block device's byte offset in the image, then `debugfs -w` to create directories and files.
 * Reproducible: fixed uuid (-U), hash seed (-E hash_seed=) and time (E2FSPROGS_FAKE_TIME).
 *
 * A file's blocks are preallocated (`fallocate`) and its extents then marked written (`extent_open`,
 * `replace_node` without --uninit), which is what writing zeros over a fresh preallocated file
 * leaves, without writing gigabytes: the file has real extents (FIEMAP reports them with no flags
 * but LAST) and reads as zeros. `content: "pattern"` writes a seed-derived byte pattern for real.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { NvError } from '../../core/errors.js';
import type { FileHow, FilesystemSpec } from '../scenario/scenario.js';
import type { SimSeed } from '../seed.js';

export const EXT4_BLOCK_SIZE = 4096;

export interface Ext4Target {
  /** Host image file. */
  image: string;
  /** Byte offset of the block device (or partition) in the image. */
  offset: number;
  /** Bytes of the block device. */
  size: number;
}

export interface MadeFile {
  path: string;
  size: bigint;
  content: 'allocated' | 'pattern';
  how: FileHow;
  /** Extents as debugfs reports them: logical block, physical block (fs blocks), length in blocks; unwritten only for a fallocated file. */
  extents: { logical: number; physical: number; length: number; unwritten?: true }[];
}

/** A fragmented file's neighbours, one block each between its pieces, removed once all files are made. */
const FILLER = '.nvtool-filler';

/**
 * Which block ranges `[a, b)` of an `n`-block file are allocated, by `how`: all of it; sparse:
 * the first and last third (the middle a hole); fragmented: 8 pieces (fewer for small files).
 */
export function allocationPlan(how: FileHow, n: number): [number, number][] {
  if (n === 0) return [];
  if (how === 'sparse') {
    const third = Math.floor(n / 3);
    return third === 0 ? [[0, n]] : [[0, third], [n - third, n]];
  }
  if (how === 'fragmented') {
    const pieces = Math.min(8, n);
    const step = Math.ceil(n / pieces);
    const out: [number, number][] = [];
    for (let a = 0; a < n; a += step) out.push([a, Math.min(n, a + step)]);
    return out;
  }
  return [[0, n]];
}

export interface MadeFilesystem {
  uuid: string;
  hashSeed: string;
  blocks: number;
  files: MadeFile[];
}

function tool(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  const r = spawnSync(cmd, args, { env, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new NvError('sim.dom0', '', undefined, `${cmd}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed (Debian package e2fsprogs)' : r.error.message}`);
  if (r.status !== 0) throw new NvError('sim.dom0', '', undefined, `${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  return r.stdout + r.stderr;
}

/** The debugfs spelling of an image at a byte offset (unix_io's offset= option). */
const at = (t: Ext4Target) => `${t.image}?offset=${t.offset}`;

/** The pattern a `content: "pattern"` file holds: SHA-256 blocks of the seed, path and block number. */
export function filePattern(seed: SimSeed, path: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) out.set(seed.bytes(`file:${path}:${i}`).subarray(0, Math.min(32, size - off)), off);
  return out;
}

/** Leaf extents of a file, from `debugfs -R "ex PATH"`. */
function extentsOf(t: Ext4Target, env: NodeJS.ProcessEnv, path: string): { logical: number; physical: number; length: number; uninit: boolean }[] {
  const out = tool('debugfs', ['-R', `ex /${path}`, at(t)], env);
  const rows: { logical: number; physical: number; length: number; uninit: boolean }[] = [];
  for (const line of out.split('\n')) {
    // " 0/ 0   1/  4     0 -  3807  4385 -  8192   3808 Uninit": leaves are level L/L (depth == max)
    const m = /^\s*(\d+)\/\s*(\d+)\s+\d+\/\s*\d+\s+(\d+)\s*-\s*(\d+)\s+(\d+)\s*-\s*(\d+)\s+(\d+)\s*(Uninit)?/.exec(line);
    if (!m || m[1] !== m[2]) continue;
    rows.push({ logical: Number(m[3]), physical: Number(m[5]), length: Number(m[7]), uninit: m[8] === 'Uninit' });
  }
  return rows;
}

export function makeExt4(t: Ext4Target, fs: FilesystemSpec, seed: SimSeed, purpose: string): MadeFilesystem {
  const env = { ...process.env, E2FSPROGS_FAKE_TIME: String(seed.time()), MKE2FS_CONFIG: '/etc/mke2fs.conf', E2FSPROGS_LIBMAGIC_SUPPRESS: '1' };
  const uuid = seed.uuid(`${purpose}.uuid`);
  const hashSeed = seed.uuid(`${purpose}.hash_seed`);
  const blocks = Math.floor(t.size / EXT4_BLOCK_SIZE);
  tool('mke2fs', [
    '-q', '-F', '-F', '-t', 'ext4', '-b', String(EXT4_BLOCK_SIZE), '-U', uuid, ...(fs.label ? ['-L', fs.label] : []),
    '-E', `offset=${t.offset},hash_seed=${hashSeed},lazy_itable_init=1,lazy_journal_init=1,nodiscard`,
    t.image, String(blocks),
  ], env);
  const tmp = mkdtempSync(join(tmpdir(), 'nvtool-sim-'));
  try {
    const dirs = new Set<string>();
    const cmds: string[] = [];
    for (const f of fs.files) {
      for (let d = posix.dirname(f.path); d !== '.' && d !== '/'; d = posix.dirname(d)) dirs.add(d);
    }
    for (const d of [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))) cmds.push(`mkdir /${d}`);
    fs.files.forEach((f, i) => {
      const nblocks = Number((f.size + BigInt(EXT4_BLOCK_SIZE) - 1n) / BigInt(EXT4_BLOCK_SIZE));
      if (f.content === 'pattern') {
        const src = join(tmp, `f${i}`);
        writeFileSync(src, filePattern(seed, f.path, Number(f.size)));
        cmds.push(`write ${src} /${f.path}`);
      } else {
        cmds.push(`write /dev/null /${f.path}`);
        for (const [a, b] of allocationPlan(f.how, nblocks)) {
          cmds.push(`fallocate /${f.path} ${a} ${b - 1}`);
          if (f.how === 'fragmented' && b < nblocks) cmds.push(`write /dev/null /${FILLER}${i}.${a}`, `fallocate /${FILLER}${i}.${a} 0 0`);
        }
        cmds.push(`sif /${f.path} size ${f.size}`);
      }
    });
    // the fragmented files' fillers go once every file is made: their blocks stay free between the pieces
    fs.files.forEach((f, i) => {
      if (f.how !== 'fragmented' || f.content === 'pattern') return;
      const n = Number((f.size + BigInt(EXT4_BLOCK_SIZE) - 1n) / BigInt(EXT4_BLOCK_SIZE));
      for (const [a, b] of allocationPlan('fragmented', n)) if (b < n) cmds.push(`rm /${FILLER}${i}.${a}`);
    });
    if (cmds.length) {
      const script = join(tmp, 'cmds');
      writeFileSync(script, cmds.join('\n') + '\n');
      tool('debugfs', ['-w', '-f', script, at(t)], env);
    }
    // Mark preallocated extents written (replace_node without --uninit).
    const fix: string[] = [];
    const files: MadeFile[] = [];
    for (const [i, f] of fs.files.entries()) {
      const ex = extentsOf(t, env, f.path);
      const want = f.content === 'pattern' ? Math.ceil(Number(f.size) / EXT4_BLOCK_SIZE) : allocationPlan(f.how, Math.ceil(Number(f.size) / EXT4_BLOCK_SIZE)).reduce((n, [x, y]) => n + y - x, 0);
      const got = ex.reduce((n, e) => n + e.length, 0);
      // debugfs reports a failed fallocate/write on its output and exits 0: check what it made.
      if (got !== want) throw new NvError('sim.dom0', `files[${i}]`, undefined, `/${f.path}: ${f.size} bytes do not fit: debugfs allocated ${got} of its ${want} blocks in a ${blocks}-block file system`);
      if (f.how !== 'fallocated' && ex.some((e) => e.uninit)) {
        fix.push(`eo /${f.path}`);
        for (const e of ex.filter((x) => x.uninit)) fix.push(`goto ${e.logical}`, `replace_node ${e.logical} ${e.length} ${e.physical}`);
        fix.push('ec');
      }
      files.push({ path: f.path, size: f.size, content: f.content, how: f.how, extents: ex.map(({ logical, physical, length, uninit }) => ({ logical, physical, length, ...(uninit && f.how === 'fallocated' ? { unwritten: true } : {}) })) });
    }
    if (fix.length) {
      const script = join(tmp, 'fix');
      writeFileSync(script, fix.join('\n') + '\n');
      tool('debugfs', ['-w', '-f', script, at(t)], env);
      for (const f of fs.files) {
        if (f.how !== 'fallocated' && extentsOf(t, env, f.path).some((e) => e.uninit)) throw new NvError('sim.dom0', '', undefined, `debugfs left uninitialized extents in /${f.path}`);
      }
    }
    return { uuid, hashSeed, blocks, files };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `e2fsck -fn` on the file system at an image offset: its exit status and output (tests, checks). */
export function fsckExt4(t: Ext4Target): { status: number; output: string } {
  const r = spawnSync('e2fsck', ['-fn', at(t)], { encoding: 'utf8' });
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}


/**
 * The write gate for a directory of many files (a simulation's run directory), where the file
 * gate's overlays do not fit: the same guarantees, by a temporary directory instead of a plan
 * (specs/writes.md "Directories"):
 *  1. nothing is written unless the command line parsed clean;
 *  2. `DIR.nvtool-lock` (beside DIR, so it survives the rename) is held for the whole command;
 *  3. an existing DIR that is a file or holds anything is replaced only with --force;
 *  4. the command builds everything in `.DIR.nvtool-PID.tmp` next to DIR;
 *  5. --dry-run lists each file it made there (file, 0, length, what) and removes it;
 *  6. otherwise every file and folder is fsync'd, the old DIR (with --force) is moved aside, the
 *     new one renamed into place, the parent fsync'd, and the old one removed.
 * A directory that already holds a run and is continued in place (a later stage) is only locked
 * and fsync'd afterwards (`updateDirectory`).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { CliError } from '../io.js';
import { parsedClean } from '../parseState.js';
import type { PlannedWrite, WriteOutcome } from './gate.js';
import { lockFile } from './lock.js';

function fsyncPath(p: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(p, 'r');
    fsyncSync(fd);
  } catch {
    /* a directory cannot be fsync'd on every platform */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Every regular file under `root` with its size, in a stable order. */
function filesUnder(root: string, at = root, out: { path: string; size: number }[] = []): { path: string; size: number }[] {
  for (const e of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(at, e.name);
    if (e.isDirectory()) filesUnder(root, p, out);
    else if (e.isFile()) out.push({ path: p, size: statSync(p).size });
  }
  return out;
}

/** fsync every file, then every folder bottom-up, then `root` itself. */
function fsyncTree(root: string): void {
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) fsyncTree(p);
    else if (e.isFile()) fsyncPath(p);
  }
  fsyncPath(root);
}

function assertClean(): void {
  if (!parsedClean()) throw new CliError('internal: a write was attempted without a clean parse of the command line', 70);
}

/** Why `dir` may not be replaced without --force (undefined: it is absent or an empty folder). */
function occupied(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `${dir}: exists and is not a directory; pass --force to replace it`;
  const n = readdirSync(dir).length;
  return n ? `${dir}: exists and is not empty (${n} entries); pass --force to replace it` : undefined;
}

/** Build a new directory `dir` through `build(tmp)`; see the module comment. */
export async function withNewDirectory<T>(dir: string, o: { force: boolean; dryRun: boolean }, build: (tmp: string) => Promise<T>): Promise<WriteOutcome<T>> {
  assertClean();
  const lock = lockFile(dir);
  const parent = dirname(dir);
  const tmp = join(parent, `.${basename(dir)}.nvtool-${process.pid}.tmp`);
  const old = join(parent, `.${basename(dir)}.nvtool-${process.pid}.old`);
  try {
    const why = occupied(dir);
    if (why && !o.force) throw new CliError(why);
    if (!existsSync(parent)) throw new CliError(`${dir}: its parent folder ${parent} does not exist`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    let result: T;
    try {
      result = await build(tmp);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    const writes: PlannedWrite[] = filesUnder(tmp).map((f) => ({ file: join(dir, relative(tmp, f.path)), offset: 0, length: f.size, what: 'new file of the directory' }));
    if (o.dryRun) {
      rmSync(tmp, { recursive: true, force: true });
      return { result, dryRun: true, writes };
    }
    fsyncTree(tmp);
    const replacing = existsSync(dir);
    if (replacing) renameSync(dir, old);
    renameSync(tmp, dir);
    fsyncPath(parent);
    if (replacing) rmSync(old, { recursive: true, force: true });
    return { result, dryRun: false, writes };
  } finally {
    lock.release();
  }
}

/** Change an existing directory in place under its lock, everything in it fsync'd afterwards. */
export async function updateDirectory<T>(dir: string, change: () => Promise<T>): Promise<T> {
  assertClean();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir}: no such directory`);
  const lock = lockFile(dir);
  try {
    const r = await change();
    fsyncTree(dir);
    return r;
  } finally {
    lock.release();
  }
}

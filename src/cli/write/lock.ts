/**
 * Exclusive write locks for image files. Node has no flock(2), so a lock is a file created with
 * O_CREAT|O_EXCL next to the target (`IMAGE.nvtool-lock`, holding the owner's PID and host): the
 * create is atomic on local file systems and NFSv3+, and it also keeps out a second nvtool on a
 * machine that shares the directory. A lock whose PID no longer runs on this host (the owner was
 * killed) is stale and is broken — under a second O_EXCL file, so two waiters cannot both break
 * it and then remove each other's fresh lock. Other writers wait (poll) for the lock, then fail.
 * Tools other than nvtool do not look at these files.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { CliError } from '../io.js';

const POLL_MS = 20;
/** A `.break` file older than this was left by a process killed while breaking a stale lock. */
const BREAK_STALE_MS = 10_000;

export const lockPathOf = (file: string) => `${file}.nvtool-lock`;

/** How long a writer waits for another one (NVTOOL_LOCK_WAIT_MS, default 60 s). */
function waitLimitMs(): number {
  const v = Number(process.env.NVTOOL_LOCK_WAIT_MS);
  return Number.isSafeInteger(v) && v >= 0 ? v : 60_000;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o644);
    try {
      writeSync(fd, `${process.pid}\n${hostname()}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CliError(`${path}: cannot create the write lock: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function owner(path: string): { pid: number; host: string } | undefined {
  try {
    const [pid, host] = readFileSync(path, 'utf8').split('\n');
    return { pid: Number(pid), host: host ?? '' };
  } catch {
    return undefined; // released meanwhile
  }
}

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const remove = (p: string) => {
  try {
    unlinkSync(p);
  } catch {
    /* already gone */
  }
};

/** Break `lock` if its owner is dead on this host; true when it was broken (or vanished). */
function breakIfStale(lock: string): boolean {
  const o = owner(lock);
  if (!o) return true;
  if (o.host !== hostname() || alive(o.pid)) return false;
  const brk = `${lock}.break`;
  if (!tryCreate(brk)) {
    try {
      if (Date.now() - statSync(brk).mtimeMs > BREAK_STALE_MS) remove(brk);
    } catch {
      /* gone */
    }
    return false;
  }
  try {
    const again = owner(lock);
    if (again && again.pid === o.pid && again.host === o.host) remove(lock);
    return true;
  } finally {
    remove(brk);
  }
}

export interface HeldLock {
  file: string;
  release(): void;
}

/** Take the write lock of `file`, waiting for another writer up to the limit. */
export function lockFile(file: string): HeldLock {
  const lock = lockPathOf(file);
  const deadline = Date.now() + waitLimitMs();
  for (;;) {
    if (tryCreate(lock)) break;
    if (breakIfStale(lock)) continue;
    if (Date.now() >= deadline) {
      const o = owner(lock);
      throw new CliError(`${file}: another nvtool (pid ${o?.pid ?? '?'}${o && o.host !== hostname() ? ` on ${o.host}` : ''}) is writing it; gave up after ${waitLimitMs()} ms (if none runs, remove ${lock})`);
    }
    sleep(POLL_MS);
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    remove(lock);
  };
  process.on('exit', release);
  return { file, release };
}

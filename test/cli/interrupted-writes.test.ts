/**
 * A writer killed with SIGKILL between any two of its writes leaves a state the checks explain:
 * the old state, the new one, or an error — never "clean" for a half-done format. The kill points
 * come from the write gate's test hook (`nvtool-test: write N` on stderr before each write;
 * NVTOOL_TEST_WRITE_PAUSE_AT=k holds the process before write k until the test kills it), chosen
 * by a seeded PRNG among all the writes a full run makes. Images are large and sparse (4 GiB for Xen: a 32 MiB frame table; the kernel-written
 * 256 MiB raw-v1.2 image for the BTT).
 *
 * The second part kills at random times instead (a timer with a seeded delay started at the first
 * write's mark, the process not held), so a kill lands inside a write as well as between two; there a
 * check may call the image clean only when it is byte for byte the complete result (sparse digest;
 * the Xen super block's random uuid aside), and every other state must read as the old one or as an
 * error.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { spawnNvtool } from '../support/process.js';
import { mulberry32 } from '../support/prng.js';
import { validateCliJson } from '../support/schemas.js';
import { loadFixture } from '../infoblocks/helpers.js';
import { REPO } from '../support/fixtures.js';
import { readRange } from '../support/files.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-interrupted-'));
// the sparse images are gigabytes once written into: never leave them behind
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GiB = 2 ** 30;
const HOOK = { NVTOOL_TEST_WRITE_PAUSE_MS: '0' };
const MARK = /^nvtool-test: write (\d+)$/;

function sparse(name: string, size: number, content?: Uint8Array): string {
  const f = join(dir, name);
  writeFileSync(f, new Uint8Array(0));
  truncateSync(f, size);
  if (content) {
    const fd = openSync(f, 'r+');
    for (let o = 0; o < content.length; o += 65536) {
      const b = content.subarray(o, o + 65536);
      if (b.some((x) => x !== 0)) writeSync(fd, b, 0, b.length, o);
    }
    closeSync(fd);
  }
  return f;
}

/** Writes a full run makes (the hook's marks), on a scratch image. */
async function countWrites(argv: (img: string) => string[], make: (name: string) => string): Promise<number> {
  const img = make('count.img');
  const r = await spawnNvtool(argv(img), { env: HOOK });
  expect(r.code, r.stderr).toBe(0);
  return r.stderr.split('\n').filter((l) => MARK.test(l)).length;
}

/** Run, and SIGKILL while the hook pauses before write `k` (so writes 1..k-1 are done). */
async function killBefore(k: number, argv: string[]): Promise<void> {
  const r = await spawnNvtool(argv, {
    env: { NVTOOL_TEST_WRITE_PAUSE_MS: '60000', NVTOOL_TEST_WRITE_PAUSE_AT: String(k) },
    onStderr: (line, kill) => {
      const m = MARK.exec(line);
      if (m && Number(m[1]) === k) kill();
    },
  });
  expect(r.signal, `expected the kill before write ${k}; stderr: ${r.stderr}`).toBe('SIGKILL');
}

/** Kill points: the first and last write, and a few in between, the same on every run. */
function killPoints(n: number, seed: number, between: number): number[] {
  const rnd = mulberry32(seed);
  const ks = new Set([1, n]);
  while (ks.size < Math.min(n, between + 2)) ks.add(2 + Math.floor(rnd() * (n - 2)));
  return [...ks].sort((a, b) => a - b);
}

describe('interrupted writes are visible', () => {
  it('xen format (4 GiB sparse, placement c): killed before any write, xen check says half-done, never clean', async () => {
    const make = (name: string) => sparse(name, 4 * GiB);
    const argv = (img: string) => ['xen', 'format', img, '--placement', 'c', '-q', '--container-uuid', '11111111-2222-4333-8444-555555555555'];
    const n = await countWrites(argv, make);
    expect(n).toBeGreaterThanOrEqual(4); // super block (in progress), frame table chunks, M2P, super block (done)
    for (const k of killPoints(n, 9, 2)) {
      const img = make(`xen-${k}.img`);
      await killBefore(k, argv(img));
      const c = await runCli(['xen', 'check', img, '--json']);
      if (k > 1) validateCliJson('xen-check', c.stdout);
      // k = 1: nothing written (no super block, as before); else a super block still marked in progress
      expect(c.code, `killed before write ${k} of ${n}`).toBe(1);
      if (k > 1) expect(c.stdout, `killed before write ${k}`).toContain('format-interrupted');
      const i = await runCli(['inspect', img, '--json']);
      if (k > 1) expect(i.stdout, `inspect after a kill before write ${k}`).toContain('format-interrupted');
    }
    const done = make('xen-done.img');
    expect((await spawnNvtool(argv(done), { env: HOOK })).code).toBe(0);
    expect((await runCli(['xen', 'check', done])).code).toBe(0);
  }, 180_000);

  it('namespace format --mode sector on a kernel-written raw namespace: old (raw), new (sector) or an error, never a silent raw btt2 claim', async () => {
    const fx = loadFixture('raw-v1.2');
    const uuid = fx.listed.uuid as string;
    const make = (name: string) => sparse(name, fx.image.length, fx.image);
    const argv = (img: string) => ['namespace', 'format', img, '-n', uuid, '--label-size', '128K', '--mode', 'sector'];
    const n = await countWrites(argv, make);
    expect(n).toBeGreaterThan(6); // 4 label-area writes (two passes), then the BTT: map, flog, info2, info last
    for (const k of killPoints(n, 11, 2)) {
      const img = make(`ns-${k}.img`);
      await killBefore(k, argv(img));
      const s = await runCli(['namespace', 'show', img, '-n', uuid, '--label-size', '128K', '--json']);
      const j = validateCliJson('namespace-show', s.stdout) as { mode: string; namespace: { claimClass: string }; findings: { code: string; severity: string }[] };
      const old = s.code === 0 && j.mode === 'raw' && j.namespace.claimClass === 'none';
      const half = s.code === 1 && j.findings.some((f) => f.code === 'claim-unfulfilled' && f.severity === 'error');
      expect({ k, old, half, mode: j.mode }).toMatchObject({ k });
      expect(old || half, `killed before write ${k} of ${n}: ${s.stdout}`).toBe(true);
      if (half) expect((await runCli(['inspect', img, '--json'])).stdout).toContain('claim-unfulfilled');
    }
    const done = make('ns-done.img');
    expect((await spawnNvtool(argv(done), { env: HOOK })).code).toBe(0);
    const s = await runCli(['namespace', 'show', done, '-n', uuid, '--label-size', '128K', '--json']);
    expect(s.code).toBe(0);
    expect((validateCliJson('namespace-show', s.stdout) as any).mode).toBe('sector');
  }, 240_000);

  it('labels create on a large sparse backing file: labels check finds the old or the new namespace set (an interrupted second pass as a warning)', async () => {
    const make = (name: string) => {
      const img = sparse(name, 64 * GiB + 128 * 1024);
      return img;
    };
    const init = async (img: string) => expect((await runCli(['labels', 'init', img, '--label-size', '128K'])).code).toBe(0);
    const argv = (img: string) => ['labels', 'create', img, '--label-size', '128K', '--size', '1G', '--name', 'big'];
    const scratch = make('labels-count.img');
    await init(scratch);
    const r = await spawnNvtool(argv(scratch), { env: HOOK });
    const n = r.stderr.split('\n').filter((l) => MARK.test(l)).length;
    expect(n).toBeGreaterThanOrEqual(2); // labels, then the index that makes them live (Linux's update protocol)
    for (let k = 1; k <= n; k++) {
      const img = make(`labels-${k}.img`);
      await init(img);
      await killBefore(k, argv(img));
      // the update protocol keeps one index valid: the namespace set is the old (none) or the new one;
      // between Linux's two passes the live label still says UPDATING, which check reports (exit 1)
      const c = await runCli(['labels', 'check', img, '--label-size', '128K']);
      expect([0, 1], `killed before write ${k} of ${n}: ${c.stdout}`).toContain(c.code);
      if (c.code === 1) expect(c.stdout).toMatch(/UPDATING/);
      const l = await runCli(['labels', 'list', img, '--label-size', '128K', '--json']);
      const names = (validateCliJson('labels-list', l.stdout) as { name?: string }[]).map((x) => x.name);
      expect([[], ['big']], `killed before write ${k} of ${n}`).toContainEqual(names);
    }
    const c = await runCli(['labels', 'check', scratch, '--label-size', '128K']);
    expect(c.code, c.stdout).toBe(0);
    expect(c.stdout).toContain('big');
  }, 120_000);
});

/** SHA-256 of a sparse file's non-zero 4 KiB blocks (test/support/sparse-digest.py), leaving out `skip` ranges. */
function digest(file: string, ...skip: string[]): string {
  const r = spawnSync('python3', [join(REPO, 'test/support/sparse-digest.py'), file, ...skip], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split(/\s+/)[0]!;
}

/**
 * Run with no pause and SIGKILL `delayMs` after the first write of the commit was announced (the
 * hook's mark, PAUSE_MS=0: announced, not held), so the kill lands wherever the process then is:
 * inside a write, between two, or after the last. Returns whether it was killed and the writes begun.
 */
async function killAfter(delayMs: number, argv: string[]): Promise<{ killed: boolean; begun: number }> {
  let timer: NodeJS.Timeout | undefined;
  let begun = 0;
  const r = await spawnNvtool(argv, {
    env: HOOK,
    onStderr: (line, kill) => {
      const m = MARK.exec(line);
      if (!m) return;
      begun = Number(m[1]);
      if (!timer) timer = setTimeout(kill, delayMs);
    },
  });
  clearTimeout(timer);
  if (r.signal !== 'SIGKILL') expect(r.code, r.stderr).toBe(0);
  return { killed: r.signal === 'SIGKILL', begun };
}

/**
 * A complete run on a scratch image: its writes, and the ms from the first write's mark to the
 * process's end (the marks arrive in batches through the pipe, so the end is the firmer bound).
 */
async function commitOf(argv: string[]): Promise<{ writes: number; span: number }> {
  let writes = 0;
  let t0 = 0;
  const r = await spawnNvtool(argv, { env: HOOK, onStderr: (line) => void (MARK.test(line) && (writes++, (t0 ||= Date.now()))) });
  expect(r.code, r.stderr).toBe(0);
  return { writes, span: Math.max(2, Date.now() - t0) };
}

/** Seeded kill delays over the commit, denser early (the writes come first, the exit last). */
function delays(seed: number, n: number, span: number): number[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(rnd() ** 2 * span));
}

const KILLS = 5;

/** At least one kill landed before the last write began: the run tested a cut, not only the ends. */
function cutSomewhere(seen: string[], writes: number): void {
  const cut = seen.some((x) => Number(/killed in write (\d+)/.exec(x)?.[1] ?? writes) < writes);
  expect(cut, `no kill before the last of ${writes} writes: ${seen.join(' ')}`).toBe(true);
}

describe('SIGKILL at random times (timer-based, seeded): the checks report old, new or half-done as an error; "clean" only for the complete new state', () => {
  it('xen format (4 GiB sparse): exit 0 from xen check only with the frame table and M2P byte-identical to a complete format', async () => {
    const make = (name: string) => sparse(name, 4 * GiB);
    const argv = (img: string) => ['xen', 'format', img, '--placement', 'c', '-q', '--container-uuid', '11111111-2222-4333-8444-555555555555'];
    const done = make('rt-xen-done.img');
    const { writes, span } = await commitOf(argv(done));
    // the super block holds a random uuid (and its CRC): compared field by field by xen check, the rest by digest
    const doneRest = digest(done, '0:4096');
    const seen: string[] = [];
    for (const [i, ms] of delays(21, KILLS, span).entries()) {
      const img = make(`rt-xen-${i}.img`);
      const k = await killAfter(ms, argv(img));
      const c = await runCli(['xen', 'check', img, '--json']);
      const state = c.code === 0 ? 'new' : /format-interrupted/.test(c.stdout) ? 'half-done' : digest(img) === digest(make('rt-xen-zero.img')) ? 'old' : 'UNEXPLAINED';
      seen.push(`${ms}ms:${k.killed ? `killed in write ${k.begun}` : 'finished'}:${state}`);
      expect(state, seen.join(' ')).not.toBe('UNEXPLAINED');
      if (c.stdout.trim().startsWith('{')) validateCliJson('xen-check', c.stdout);
      if (state === 'new') expect(digest(img, '0:4096'), `clean after ${seen.at(-1)}`).toBe(doneRest);
      if (state === 'half-done') expect(c.code).toBe(1);
    }
    cutSomewhere(seen, writes);
  }, 240_000);

  it('namespace format --mode sector (kernel-written raw-v1.2): "sector" with no error only when the image equals a complete format', async () => {
    const fx = loadFixture('raw-v1.2');
    const uuid = fx.listed.uuid as string;
    const original = sparse('rt-ns-original.img', fx.image.length, fx.image);
    const make = (name: string) => (copyFileSync(original, join(dir, name)), join(dir, name));
    const argv = (img: string) => ['namespace', 'format', img, '-n', uuid, '--label-size', '128K', '--mode', 'sector', '--uuid', '6e5b3c1a-9f2d-4e8b-a7c6-0d1e2f3a4b5c'];
    const done = make('rt-ns-done.img');
    const { writes, span } = await commitOf(argv(done));
    const doneDigest = digest(done);
    const again = make('rt-ns-again.img');
    await commitOf(argv(again));
    expect(digest(again), 'a complete format is deterministic with --uuid').toBe(doneDigest);
    const seen: string[] = [];
    for (const [i, ms] of delays(22, KILLS, span).entries()) {
      const img = make(`rt-ns-${i}.img`);
      const k = await killAfter(ms, argv(img));
      const s = await runCli(['namespace', 'show', img, '-n', uuid, '--label-size', '128K', '--json']);
      const j = validateCliJson('namespace-show', s.stdout) as { mode: string; namespace: { claimClass: string }; findings: { code: string; severity: string }[] };
      const errors = j.findings.filter((f) => f.severity === 'error').map((f) => f.code);
      const state = s.code === 0 && j.mode === 'sector' ? 'new' : s.code === 0 && j.mode === 'raw' && j.namespace.claimClass === 'none' ? 'old' : s.code === 1 && errors.includes('claim-unfulfilled') ? 'half-done' : 'UNEXPLAINED';
      seen.push(`${ms}ms:${k.killed ? `killed in write ${k.begun}` : 'finished'}:${state}`);
      expect(state, `${seen.join(' ')}\n${s.stdout}`).not.toBe('UNEXPLAINED');
      if (state === 'new') expect(digest(img), `clean sector namespace after ${seen.at(-1)}`).toBe(doneDigest);
    }
    cutSomewhere(seen, writes);
  }, 240_000);

  it('labels create on a 64 GiB sparse backing file: the namespace listed with a clean check only when the label area equals a complete update', async () => {
    const size = 64 * GiB + 128 * 1024;
    const original = sparse('rt-labels-original.img', size);
    expect((await runCli(['labels', 'init', original, '--label-size', '128K'])).code).toBe(0);
    const make = (name: string) => {
      const f = sparse(name, size);
      const fd = openSync(f, 'r+');
      writeSync(fd, readRange(original, 64 * GiB, 128 * 1024), 0, 128 * 1024, 64 * GiB);
      closeSync(fd);
      return f;
    };
    const argv = (img: string) => ['labels', 'create', img, '--label-size', '128K', '--size', '1G', '--name', 'big', '--uuid', '0b6f7c2e-3d4a-4b5c-8d6e-7f8091a2b3c4'];
    const done = make('rt-labels-done.img');
    const { writes, span } = await commitOf(argv(done));
    const doneDigest = digest(done);
    const seen: string[] = [];
    for (const [i, ms] of delays(23, KILLS, span).entries()) {
      const img = make(`rt-labels-${i}.img`);
      const k = await killAfter(ms, argv(img));
      const c = await runCli(['labels', 'check', img, '--label-size', '128K']);
      const l = await runCli(['labels', 'list', img, '--label-size', '128K', '--json']);
      const names = (validateCliJson('labels-list', l.stdout) as { name?: string }[]).map((x) => x.name);
      const state = names.length === 0 && c.code === 0 ? 'old' : names.join() === 'big' && c.code === 0 ? 'new' : names.join() === 'big' && c.code === 1 && /UPDATING/.test(c.stdout) ? 'half-done' : 'UNEXPLAINED';
      seen.push(`${ms}ms:${k.killed ? `killed in write ${k.begun}` : 'finished'}:${state}`);
      expect(state, `${seen.join(' ')}\n${c.stdout}`).not.toBe('UNEXPLAINED');
      if (state === 'new') expect(digest(img), `clean namespace after ${seen.at(-1)}`).toBe(doneDigest);
    }
    cutSomewhere(seen, writes);
  }, 240_000);
});


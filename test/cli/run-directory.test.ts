/**
 * `nvtool sim run|host --out DIR` through the directory gate (src/cli/write/directory.ts,
 * specs/writes.md "Directories"): a non-empty DIR is kept without --force, --dry-run lists the files
 * and keeps nothing, a run appears whole (built beside DIR, renamed into place) with no temporary
 * or lock file left, a held lock keeps a second writer out, and a later stage locks DIR.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { REPO } from '../support/fixtures.js';
import { validateCliJson } from '../support/schemas.js';

const base = mkdtempSync(join(tmpdir(), 'nvtool-rundir-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const SCENARIO = join(REPO, 'fixtures/examples/xen-v4/scenario.json');

/** Every file under `dir`: relative path → inode, size and mtime (the images are sparse GiBs; a write changes the mtime). */
function tree(dir: string, at = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const n of readdirSync(at).sort()) {
    const p = join(at, n);
    if (statSync(p).isDirectory()) tree(dir, p, out);
    else {
      const st = statSync(p);
      out[relative(dir, p)] = `${st.ino}:${st.size}:${st.mtimeMs}`;
    }
  }
  return out;
}

describe('sim run --out DIR through the directory gate', () => {
  it('refuses a non-empty DIR without --force (one line, exit 2, DIR untouched); --dry-run lists and keeps nothing', async () => {
    const out = join(base, 'occupied');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    const before = tree(out);
    const r = await runCli(['sim', 'run', SCENARIO, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`nvtool: ${out}: exists and is not empty (1 entries); pass --force to replace it`]);
    expect(tree(out)).toEqual(before);

    const dry = await runCli(['sim', 'run', SCENARIO, '--out', out, '--force', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const doc = validateCliJson('writes', dry.stdout) as { dryRun: boolean; writes: { file: string; length: number }[] };
    expect(doc.dryRun).toBe(true);
    const files = doc.writes.map((w) => relative(out, w.file));
    expect(files).toEqual(expect.arrayContaining(['run.json', 'scenario.json', 'host/nfit.aml', 'guests/vm1/memory.img']));
    expect(tree(out)).toEqual(before);
    expect(readdirSync(base).sort()).toEqual(['occupied']); // no temporary directory or lock left

    // --force replaces it whole: exactly the files the dry run listed, the old one gone
    const r2 = await runCli(['sim', 'run', SCENARIO, '--out', out, '--force', '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(validateCliJson('sim-run', r2.stdout)).toMatchObject({ dir: out, stages: expect.arrayContaining(['host']) });
    expect(Object.keys(tree(out)).sort()).toEqual([...files].sort());
    expect(readdirSync(base).sort()).toEqual(['occupied']);
  }, 60_000);

  it('a new DIR (and an empty one) needs no --force; sim host then a stage, each under the lock', async () => {
    const out = join(base, 'fresh');
    const r = await runCli(['sim', 'host', SCENARIO, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'host/nfit.aml'))).toBe(true);
    const empty = join(base, 'empty');
    mkdirSync(empty);
    expect((await runCli(['sim', 'host', SCENARIO, '--out', empty])).code).toBe(0);

    // a stage on DIR while another nvtool holds DIR's lock: fails with one line naming the owner, DIR unchanged
    const before = tree(out);
    const lock = `${out}.nvtool-lock`;
    writeFileSync(lock, `${process.pid}\n${hostname()}\n`);
    const prev = process.env.NVTOOL_LOCK_WAIT_MS;
    process.env.NVTOOL_LOCK_WAIT_MS = '50';
    try {
      const held = await runCli(['sim', 'run', SCENARIO, '--out', out, '--force']);
      expect(held.code).toBe(2);
      expect(held.stderr).toMatch(new RegExp(`another nvtool \\(pid ${process.pid}\\) is writing it`));
      const stage = await runCli(['sim', 'xen', out]);
      expect(stage.code).toBe(2);
      expect(stage.stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      if (prev === undefined) delete process.env.NVTOOL_LOCK_WAIT_MS;
      else process.env.NVTOOL_LOCK_WAIT_MS = prev;
      rmSync(lock);
    }
    expect(tree(out)).toEqual(before);
    const next = await runCli(['sim', 'resume', out]);
    expect(next.code, next.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it('a scenario error leaves no DIR and no temporary directory', async () => {
    const bad = join(base, 'bad.json');
    writeFileSync(bad, '{"design": "v9"}');
    const out = join(base, 'never');
    const r = await runCli(['sim', 'run', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(base).filter((n) => n.includes('nvtool'))).toEqual([]);
  });
});

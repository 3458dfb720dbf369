/**
 * Writers on one image at once (real processes): each takes the image's write lock before it reads
 * the label area, so N parallel `labels create` all land (each namespace survives, none overlaps),
 * round after round; a writer that cannot get the lock in time fails with one line and writes
 * nothing; a lock left by a killed writer is broken.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { spawnNvtool } from '../support/process.js';
import { validateCliJson } from '../support/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-concurrent-'));
const MiB = 1 << 20;
const N = 4;
const ROUNDS = 2;

async function freshImage(name: string): Promise<string> {
  const img = join(dir, name);
  writeFileSync(img, new Uint8Array(0));
  truncateSync(img, 256 * MiB + 128 * 1024);
  const r = await runCli(['labels', 'init', img, '--label-size', '128K']);
  expect(r.code, r.stderr).toBe(0);
  return img;
}

interface Listed {
  uuid: string;
  name?: string;
  dpa: string | number;
  size: string | number;
}

async function namespaces(img: string): Promise<Listed[]> {
  const r = await runCli(['labels', 'list', img, '--label-size', '128K', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const j = validateCliJson('labels-list', r.stdout) as Listed[];
  return j;
}

describe('concurrent writers never interleave', () => {
  it(`${N} parallel labels create on one image, ${ROUNDS} rounds: every command succeeds and every namespace survives`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const img = await freshImage(`round${round}.img`);
      const runs = await Promise.all(
        Array.from({ length: N }, (_, i) => spawnNvtool(['labels', 'create', img, '--label-size', '128K', '--size', '32M', '--name', `p${i}`, '--json'])),
      );
      for (const r of runs) {
        expect(r.code, r.stderr).toBe(0);
        validateCliJson('writes', r.stdout);
      }
      const ns = await namespaces(img);
      expect(ns.map((n) => n.name).sort()).toEqual(Array.from({ length: N }, (_, i) => `p${i}`));
      // no two namespaces share DPA space
      const spans = ns.map((n) => [Number(n.dpa), Number(n.dpa) + Number(n.size)] as const).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
      const check = await runCli(['labels', 'check', img, '--label-size', '128K']);
      expect(check.code, check.stdout).toBe(0);
      expect(existsSync(`${img}.nvtool-lock`)).toBe(false);
    }
  }, 120_000);

  it('a writer that cannot get the lock fails with one line and writes nothing; a dead owner\'s lock is broken', async () => {
    const img = await freshImage('locked.img');
    const sha = () => createHash('sha256').update(readFileSync(img)).digest('hex');
    const before = sha();
    // held by a live process (this one)
    writeFileSync(`${img}.nvtool-lock`, `${process.pid}\n${(await import('node:os')).hostname()}\n`);
    const r = await spawnNvtool(['labels', 'create', img, '--label-size', '128K', '--size', '32M'], { env: { NVTOOL_LOCK_WAIT_MS: '200' } });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('nvtool: '))).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`another nvtool \\(pid ${process.pid}\\) is writing it`));
    expect(sha()).toBe(before);
    // left by a process that no longer runs: broken, and the write goes ahead
    writeFileSync(`${img}.nvtool-lock`, `2147483646\n${(await import('node:os')).hostname()}\n`);
    const ok = await spawnNvtool(['labels', 'create', img, '--label-size', '128K', '--size', '32M'], { env: { NVTOOL_LOCK_WAIT_MS: '200' } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(await namespaces(img)).toHaveLength(1);
    expect(existsSync(`${img}.nvtool-lock`)).toBe(false);
  }, 60_000);
});

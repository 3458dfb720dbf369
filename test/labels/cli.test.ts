import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelArea } from '../../src/labels/index.js';
import { runCli } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'nvtool-labels-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function nv(...args: string[]): Promise<{ code: number; out: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout };
}

describe('nvtool labels CLI', () => {
  it('check exits 0 clean, 1 on warnings, 2 on errors; repair rewrites only the damaged index', async () => {
    const f = join(work, 'nv.img');
    writeFileSync(f, '');
    truncateSync(f, 64 << 20);
    expect((await nv('labels', 'init', '--label-size', '128K', f)).code).toBe(0);
    expect((await nv('labels', 'init', '--label-size', '128K', f)).code).toBe(0); // no live labels: allowed
    expect((await nv('labels', 'create', '--size', '16M', '--name', 'a', f)).code).toBe(0);
    expect((await nv('labels', 'init', f)).code).toBe(2); // would drop a live label without --force
    expect((await nv('labels', 'check', f)).code).toBe(0);
    const lsaAt = (64 << 20) - (128 << 10);
    const img = readFileSync(f);
    const area = new Uint8Array(img.subarray(lsaAt));
    const view = readLabelArea(area);
    const stale = view.next! * 256;
    img[lsaAt + stale + 100]! ^= 0xff; // damage the non-current index block
    writeFileSync(f, img);
    const warn = await nv('labels', 'check', f);
    expect(warn.code).toBe(1);
    expect(warn.out).toMatch(/fails its checksum check|is not valid \(checksum/);
    const rep = await nv('labels', 'repair', f);
    expect(rep.code).toBe(0);
    expect(rep.out.match(/^wrote /gm)).toHaveLength(1);
    expect((await nv('labels', 'check', f)).code).toBe(0);
    // Damage the live label: Linux skips it, check reports an error.
    const img2 = readFileSync(f);
    const v2 = readLabelArea(new Uint8Array(img2.subarray(lsaAt)));
    const slot = v2.live[0]!.slot;
    img2[lsaAt + 512 + slot * 256 + 20]! ^= 1;
    writeFileSync(f, img2);
    expect((await nv('labels', 'check', f)).code).toBe(2);
  });
});

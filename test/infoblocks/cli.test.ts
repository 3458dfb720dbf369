/** nvtool namespace format|show|view and `nvtool decode` on info blocks, through main(). */
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { tool } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-ns-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

function image(name: string, size: number): string {
  const f = join(dir, name);
  const fd = openSync(f, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return f;
}

describe('nvtool namespace', () => {
  it('format sector, refuse to overwrite without --force, view write/read round trip, show --json', async () => {
    const f = image('a.img', 64 * 1024 * 1024);
    const r = await cli(['namespace', 'format', f, '--mode', 'sector', '--sector-size', '512', '--uuid', '12345678-1234-4234-8234-123456789abc', '--json']);
    expect(r.code).toBe(0);
    const j = (validateCliJson('writes', r.out) as any);
    expect(j).toMatchObject({ mode: 'sector', sectorSize: 512, btt: { version: '1.1', uuid: '12345678-1234-4234-8234-123456789abc' } });
    const again = await cli(['namespace', 'format', f, '--mode', 'fsdax']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/BTT info block.*--force/);
    const data = join(dir, 'd.bin');
    writeFileSync(data, Buffer.alloc(1024, 0x5a));
    expect((await cli(['namespace', 'view', f, '--write', '3', '-i', data])).code).toBe(0);
    const back = join(dir, 'back.bin');
    expect((await cli(['namespace', 'view', f, '--read', '3', '--count', '2', '-o', back])).code).toBe(0);
    expect(readFileSync(back).equals(Buffer.alloc(1024, 0x5a))).toBe(true);
    const show = await cli(['namespace', 'show', f, '--json']);
    expect((validateCliJson('namespace-show', show.out) as any).btt.nlba).toBe(j.btt.nlba);
  });

  it('format fsdax --force over a BTT; ndctl read-infoblock agrees with show --json; decode finds the block', async () => {
    const f = image('b.img', 64 * 1024 * 1024);
    expect((await cli(['namespace', 'format', f, '--mode', 'sector'])).code).toBe(0);
    const r = await cli(['namespace', 'format', f, '--mode', 'fsdax', '--align', '2M', '--force', '--json']);
    expect(r.code).toBe(0);
    const j = (validateCliJson('writes', r.out) as any);
    expect(j.mode).toBe('fsdax');
    const nd = JSON.parse(tool('ndctl', ['read-infoblock', '-j', '-i', f], 'ndctl'))[0];
    expect(nd.uuid).toBe(j.infoBlock.uuid);
    expect(nd.dataoff).toBe(Number(j.infoBlock.dataoff));
    expect(j.size).toBe(64 * 1024 * 1024 - nd.dataoff);
    const d = await cli(['decode', f, '--json']);
    expect(d.code).toBe(0);
    expect(validateCliJson('decode', d.out)).toMatchObject({ format: 'pfn-info', title: 'PFN info block', value: { uuid: nd.uuid } });
  });

  it('a damaged info block is reported, and the namespace shows as raw', async () => {
    const f = image('c.img', 64 * 1024 * 1024);
    await cli(['namespace', 'format', f, '--mode', 'devdax']);
    const b = readFileSync(f);
    b[4096 + 60] = b[4096 + 60]! ^ 1; // npfns: checksum no longer matches
    writeFileSync(f, b);
    const s = await cli(['namespace', 'show', f, '--json']);
    expect((validateCliJson('namespace-show', s.out) as any).mode).toBe('raw');
    const d = await cli(['decode', f]);
    expect(d.code).toBe(1);
    expect(d.out).toMatch(/checksum/);
  });
});

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
  it('--spa: the info block is aligned to the namespace SPA (Linux nd_pfn_init), and a misaligned SPA is refused as Linux refuses it', async () => {
    const MiB = 1024 * 1024;
    const f = image('spa.img', 64 * MiB);
    // the namespace is the window [1 MiB, 1 MiB + 32 MiB); IMAGE's byte 0 at SPA 0x100100000, so the namespace is at 0x100200000
    const win = ['--window-offset', '1M', '--window-size', '32M'];
    const bad = await cli(['namespace', 'format', f, ...win, '--mode', 'fsdax']);
    expect([bad.code, bad.err.trim().split('\n').length]).toEqual([2, 1]);
    expect(bad.err).toMatch(/namespace at offset 1048576 .*: its SPA 0x100000 is not 2 MiB-aligned: Linux refuses fsdax there \(nd_pfn_init: -EINVAL\); that SPA is assumed from its offset in the image: pass the DIMM's with --spa$/m);
    const off = await cli(['namespace', 'format', f, ...win, '--mode', 'devdax', '--spa', '0x100000000']);
    expect(off.code).toBe(2);
    expect(off.err).toMatch(/its SPA 0x100100000 is not 2 MiB-aligned: Linux refuses devdax there/);
    const r = await cli(['namespace', 'format', f, ...win, '--mode', 'fsdax', '--spa', '0x100100000', '--json']);
    expect([r.code, r.err]).toEqual([0, '']);
    // nd_pfn_init (Linux 6.1): start = 0x100200000 is aligned, end_trunc = 0, npfns = (32M - 8K) / 4K;
    // dataoff = ALIGN(start + 8K + 64 * npfns, 2M) - start = 2 MiB; with the SPA 1 MiB further on, end_trunc would be 1 MiB.
    expect(JSON.parse(r.out).infoBlock).toMatchObject({ dataoff: 2097152, endTrunc: 0, startPad: 0 });
    const U = '01234567-89ab-4def-8123-456789abcdef';
    const shifted = await cli(['namespace', 'format', f, '--window-offset', '1M', '--window-size', '31M', '--mode', 'fsdax', '--spa', '0x100100000', '--uuid', U, '--force', '--json']);
    expect(shifted.code).toBe(0);
    expect(JSON.parse(shifted.out).infoBlock).toMatchObject({ endTrunc: MiB });
    // ndctl write-infoblock --offset is "the actual physical address offset of the namespace": its block, byte for byte
    const ib = join(dir, 'spa.ib');
    tool('ndctl', ['write-infoblock', '-o', ib, '-s', '31M', '-O', String(0x100200000), '-m', 'fsdax', '-a', '2M', '-M', 'dev', '-u', U, '-p', '00000000-0000-0000-0000-000000000000'], 'ndctl');
    expect(Buffer.compare(readFileSync(ib).subarray(4096, 8192), readFileSync(f).subarray(MiB + 4096, MiB + 8192))).toBe(0);
    // the same SPA from the machine: QEMU maps nv1 right after nv0's 256 MiB - 128 KiB of pmem (a real
    // guest showed region resource 0x10ffe0000 for this layout, test/infoblocks/guest.test.ts)
    const platform = join(dir, 'spa-platform.json');
    writeFileSync(platform, JSON.stringify({ machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '2G' }, nvdimms: [{ id: 'nv0', size: '256M', labelSize: '128K' }, { id: 'nv1', size: '64M', labelSize: '128K' }] }));
    const nfit = join(dir, 'spa-nfit.aml');
    expect((await cli(['build-nfit', platform, '-o', nfit])).code).toBe(0);
    const nv1 = image('spa-nv1.img', 64 * MiB);
    const ns1 = ['--window-offset', '128K', '--window-size', '32M', '--mode', 'fsdax', '--uuid', U, '--force'];
    const blocks: Buffer[] = [];
    for (const where of [['--spa', '0x10ffe0000'], ['--platform', platform, '--dimm', 'nv1'], ['--nfit', nfit, '--dimm', '2']]) {
      const r1 = await cli(['namespace', 'format', nv1, ...ns1, ...where]);
      expect([r1.code, r1.err]).toEqual([0, '']);
      blocks.push(readFileSync(nv1).subarray(128 * 1024 + 4096, 128 * 1024 + 8192));
    }
    expect(blocks[1]!.equals(blocks[0]!) && blocks[2]!.equals(blocks[0]!)).toBe(true);
    // nv0 (handle 1) is at 4 GiB: the namespace at 128 KiB is misaligned there
    expect((await cli(['namespace', 'format', nv1, ...ns1, '--nfit', nfit, '--dimm', '1'])).err).toMatch(/its SPA 0x100020000 is not 2 MiB-aligned/);
    expect((await cli(['namespace', 'format', nv1, ...ns1, '--dimm', '1'])).err).toMatch(/--dimm needs --platform or --nfit/);
    expect((await cli(['namespace', 'format', nv1, ...ns1, '--spa', '0', '--nfit', nfit])).code).toBe(2);
    const show = await cli(['namespace', 'show', f, '--window-offset', '1M', '--window-size', '31M', '--spa', '0x100100000', '--json']);
    expect(JSON.parse(show.out)).toMatchObject({ mode: 'fsdax', size: 31 * MiB - 2 * MiB - MiB });
    // the same bytes judged with IMAGE at offset 0's alignment: Linux would not accept the block there
    const unaligned = await cli(['namespace', 'show', f, '--window-offset', '1M', '--window-size', '31M', '--json']);
    expect(JSON.parse(unaligned.out).mode).toBe('raw');
  });

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

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { FIXTURES, iaslCompile, sameBytes } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const tmp = mkdtempSync(join(tmpdir(), 'nvtool-aml-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += typeof s === 'string' ? s : Buffer.from(s).toString()), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += typeof s === 'string' ? s : Buffer.from(s).toString()), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('nvtool build-ssdt / disasm / decode / fuzz on AML', () => {
  it('build-ssdt writes the QEMU bytes, refuses to replace without --force', async () => {
    const platform = join(tmp, 'platform.json');
    const fixture = readFileSync(join(FIXTURES, 'pc-m4g', 'SSDT-NVDIMM.aml'));
    const p = JSON.parse(readFileSync(join(FIXTURES, 'pc-m4g', 'platform.json'), 'utf8'));
    const idx = JSON.parse(readFileSync(join(FIXTURES, 'pc-m4g', 'index.json'), 'utf8'));
    writeFileSync(platform, JSON.stringify({ ...p, dsmBuffer: idx.mema }));
    const out = join(tmp, 'ssdt.aml');
    expect((await run(['build-ssdt', platform, '-o', out])).code).toBe(0);
    expect(sameBytes(new Uint8Array(readFileSync(out)), new Uint8Array(fixture))).toBe(true);
    const again = await run(['build-ssdt', platform, '-o', out]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists; pass --force/);
    expect((await run(['build-ssdt', platform, '-o', out, '--force'])).code).toBe(0);
  });

  it('build-ssdt rejects a platform QEMU refuses', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ machine: { type: 'pc' }, memory: { size: '256M' }, nvdimms: [{ size: '1G' }] }));
    const r = await run(['build-ssdt', bad, '-o', join(tmp, 'never.aml')]);
    expect(r.code).toBe(2);
    expect(existsSync(join(tmp, 'never.aml'))).toBe(false);
  });

  it('disasm -o writes ASL iasl compiles to the same body; --ref resolves the DSDT external', async () => {
    const dsdt = join(FIXTURES, 'q35-1dimm', 'DSDT.aml');
    const dsl = join(tmp, 'dsdt.dsl');
    const r = await run(['disasm', dsdt, '--ref', join(FIXTURES, 'q35-1dimm', 'SSDT-NVDIMM.aml'), '-o', dsl]);
    expect(r.code).toBe(0);
    const c = iaslCompile(dsl, join(tmp, 'dsdt-re'), ['-f']);
    expect(sameBytes(c.aml!.subarray(36), new Uint8Array(readFileSync(dsdt)).subarray(36))).toBe(true);
    const j = await run(['disasm', dsdt, '--json']);
    expect((validateCliJson('disasm', j.out) as any).value.header.signature).toBe('DSDT');
  });

  it('decode shows the disassembly of an SSDT, --json the model', async () => {
    const ssdt = join(FIXTURES, 'pc-1dimm', 'SSDT-NVDIMM.aml');
    const r = await run(['decode', ssdt]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Method \(NCAL, 5, Serialized\)/);
    expect(r.out).toMatch(/Store \(Index \(Arg3, Zero\), Local2\)/);
    const j = await run(['decode', ssdt, '--json']);
    expect((validateCliJson('decode', j.out) as any).value.terms[0].op).toBe('Scope');
  });

  it('disasm of hostile bytes: one line naming the offset, exit 2', async () => {
    const f = join(tmp, 'bad.aml');
    const b = new Uint8Array(readFileSync(join(FIXTURES, 'pc-1dimm', 'SSDT-NVDIMM.aml'))).slice(0, 300);
    b[4] = 44; b[5] = 1; // header length = 300
    writeFileSync(f, b);
    const r = await run(['disasm', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/AML at offset \d+ \(0x[0-9a-f]+\): .*runs past the end/);
  });

  it('fuzz aml', async () => {
    const r = await run(['fuzz', 'aml', '--runs', '30', '--seed', '5']);
    expect(r.code).toBe(0);
  });
});

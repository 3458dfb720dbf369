import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { acpiexecEvaluate } from '../../support/acpiexec.js';
import { FIXTURES } from '../helpers.js';
import { validateCliJson } from '../../support/schemas.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const dsdt = join(FIXTURES, 'pc-1dimm', 'DSDT.aml');
const ssdt = join(FIXTURES, 'pc-1dimm', 'SSDT-NVDIMM.aml');

describe('nvtool aml eval', () => {
  it('_CRS of the PCI host bridge: the buffer acpiexec returns', async () => {
    const [want] = acpiexecEvaluate([dsdt], [{ path: '\\_SB.PCI0._CRS' }]);
    const r = await run(['aml', 'eval', dsdt, '\\_SB.PCI0._CRS', '--json']);
    expect(r.code).toBe(0);
    expect(validateCliJson('aml-eval', r.out)).toMatchObject({ status: 'AE_OK', result: want!.result });
  });

  it('--trace prints each region access of _LSI (DSM buffer writes, the 0x0A18 port write); the AML error acpiexec reports, exit 1', async () => {
    const [want] = acpiexecEvaluate([dsdt, ssdt], [{ path: '\\_SB.NVDR.NV00._LSI' }]);
    const r = await run(['aml', 'eval', dsdt, ssdt, '\\_SB.NVDR.NV00._LSI', '--trace']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(want!.status);
    expect(r.err).toMatch(/^SystemIO write 0x00000a18 \[32\] = 0x[0-9a-f]{8}$/m);
    expect(r.err).toMatch(/^SystemMemory write 0x[0-9a-f]+ \[32\] = 0x00000001$/m);
  });

  it('arguments as acpiexec takes them; usage errors exit 2 with one line', async () => {
    const r = await run(['aml', 'eval', dsdt, '\\_SB.LNKA._STA']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\[Integer\] = [0-9A-F]{16}\n$/);
    const missing = await run(['aml', 'eval', dsdt]);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    const nothing = await run(['aml', 'eval', dsdt, '\\NOPE']);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toContain('AE_NOT_FOUND');
  });
});

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAcpidumpText, parseAcpidump } from '../../src/acpi/acpidump.js';
import { NvError } from '../../src/core/errors.js';
import { runCli } from '../support/cli.js';
import { qemuFixtures } from '../support/fixtures.js';
import { inTempDir, inTempDirAsync } from '../support/iasl.js';
import { requireTool, runTool } from '../support/tools.js';
import { validateCliJson } from '../support/schemas.js';

describe('acpidump hex listings', () => {
  const fx = qemuFixtures().find((f) => f.name === 'pc-1dimm')!;
  const files = ['NFIT.aml', 'SSDT-NVDIMM.aml', 'DSDT.aml'].map((f) => join(fx.dir, f));

  it('tables acpidump -f lists parse to the same bytes acpixtract extracts', () => {
    requireTool('acpidump', 'acpica-tools');
    inTempDir((dir) => {
      const text = files.map((f) => runTool('acpidump', ['-f', f])).join('\n');
      writeFileSync(join(dir, 'tables.txt'), text);
      runTool('acpixtract', ['-a', 'tables.txt'], { cwd: dir });
      const extracted = readdirSync(dir).filter((f) => f.endsWith('.dat')).map((f) => new Uint8Array(readFileSync(join(dir, f))));
      const parsed = parseAcpidump(text);
      expect(isAcpidumpText(Buffer.from(text))).toBe(true);
      expect(parsed.map((t) => t.signature).sort()).toEqual(['DSDT', 'NFIT', 'SSDT']);
      expect(extracted).toHaveLength(3);
      for (const t of parsed) {
        expect(extracted.some((x) => Buffer.from(x).equals(Buffer.from(t.bytes)))).toBe(true);
        expect(files.some((f) => readFileSync(f).equals(Buffer.from(t.bytes)))).toBe(true);
      }
    });
  });

  it('nvtool decode reads a listing: every table, or the ones --table names', async () => {
    await inTempDirAsync(async (dir) => {
      const text = files.map((f) => runTool('acpidump', ['-f', f])).join('\n');
      writeFileSync(join(dir, 'tables.txt'), text);
      const all = await runCli(['decode', join(dir, 'tables.txt'), '--json']);
      expect(all.code).toBe(0);
      expect(((validateCliJson('decode', all.stdout) as any) as { tables: { signature: string }[] }).tables.map((t) => t.signature)).toEqual(['NFIT', 'SSDT', 'DSDT']);
      const nfit = await runCli(['decode', join(dir, 'tables.txt'), '--table', 'NFIT']);
      expect(nfit.stdout).toMatch(/^== NFIT @ 0x0 \(224 bytes\) ==/);
      expect(nfit.stdout).toContain('NFIT: 0 error(s), 0 warning(s)');
    });
  });

  it('rows out of order are an NvError naming the line', () => {
    expect(() => parseAcpidump('NFIT @ 0x0\n    0010: 00 01\n')).toThrow(NvError);
    expect(() => parseAcpidump('NFIT @ 0x0\n    0010: 00 01\n')).toThrow(/line 2: row offset 0x10 but 0x0 bytes read/);
  });
});

describe('_FIT buffers', () => {
  it("QEMU's NFIT structures without the header decode as FIT and re-encode", async () => {
    const nfit = qemuFixtures().find((f) => f.name === 'pc-2dimm')!.nfit!;
    await inTempDirAsync(async (dir) => {
      writeFileSync(join(dir, 'fit.bin'), nfit.subarray(40));
      const r = await runCli(['decode', join(dir, 'fit.bin'), '--format', 'FIT', '--json']);
      expect(r.code).toBe(0);
      const doc = (validateCliJson('decode', r.stdout) as any) as { value: { structures: { type: number }[] }; findings: unknown[] };
      expect(doc.value.structures.map((s) => s.type)).toEqual([0, 1, 4, 0, 1, 4]);
      expect(doc.findings).toEqual([]);
      writeFileSync(join(dir, 'fit.json'), r.stdout);
      const e = await runCli(['encode', join(dir, 'fit.json'), '--format', 'FIT', '-o', join(dir, 'again.bin')]);
      expect(e.code).toBe(0);
      expect(readFileSync(join(dir, 'again.bin')).equals(Buffer.from(nfit.subarray(40)))).toBe(true);
    });
  });
});

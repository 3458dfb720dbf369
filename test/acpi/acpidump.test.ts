import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatAcpidump, isAcpidumpText, parseAcpidump } from '../../src/acpi/acpidump.js';
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
      const none = await runCli(['decode', join(dir, 'tables.txt'), '--table', 'FACS', '--json']);
      expect([none.code, none.stdout, none.stderr]).toEqual([2, '', `nvtool: ${join(dir, 'tables.txt')}: --table FACS: the listing holds NFIT, SSDT, DSDT\n`]);
    });
  });

  it('decode --json | encode gives the listing acpidump printed back byte for byte (every table of a QEMU guest, and one --table), and acpixtract reads the same tables from it', async () => {
    requireTool('acpidump', 'acpica-tools');
    const all = readdirSync(fx.dir).filter((f) => f.endsWith('.aml')).map((f) => join(fx.dir, f));
    await inTempDirAsync(async (dir) => {
      const check = async (name: string, text: string, extra: string[] = []) => {
        writeFileSync(join(dir, `${name}.txt`), text);
        const d = await runCli(['decode', join(dir, `${name}.txt`), '--json', ...extra]);
        expect(d.stderr).toBe('');
        const doc = validateCliJson('decode', d.stdout) as { format: string; tables: { format: string; input: { patches: unknown[] } }[] };
        expect(doc.format).toBe('acpidump');
        writeFileSync(join(dir, `${name}.json`), d.stdout);
        const e = await runCli(['encode', join(dir, `${name}.json`), '-o', join(dir, `${name}.out.txt`), '--json']);
        expect(e.code, e.stderr).toBe(0);
        expect((validateCliJson('encode', e.stderr) as { format: string }).format).toBe('acpidump');
        expect(readFileSync(join(dir, `${name}.out.txt`), 'latin1'), name).toBe(text);
        return doc;
      };
      // acpidump -f with several files prints them one after the other, as a live dump does
      const doc = await check('all', runTool('acpidump', all.flatMap((f) => ['-f', f])));
      expect(doc.tables.map((t) => t.format).sort()).toEqual(['ACPI', 'ACPI', 'ACPI', 'ACPI', 'AML', 'AML', 'FACS', 'MADT', 'NFIT', 'RSDT']) // FACP (rev 1, 116 bytes), HPET, SRAT, WAET as generic tables;
      await check('nfit', runTool('acpidump', ['-f', files[0]!]), ['--table', 'NFIT']);
      // an edited table: the listing carries the re-encoded bytes, and acpixtract (ACPICA) extracts them
      const edited = JSON.parse(readFileSync(join(dir, 'nfit.json'), 'utf8'));
      edited.tables[0].value.oemRevision = 7;
      writeFileSync(join(dir, 'edited.json'), JSON.stringify(edited));
      expect((await runCli(['encode', join(dir, 'edited.json'), '-o', join(dir, 'edited.txt')])).code).toBe(0);
      runTool('acpixtract', ['-a', 'edited.txt'], { cwd: dir });
      const x = new Uint8Array(readFileSync(join(dir, 'nfit.dat')));
      expect(x.length).toBe(224);
      runTool('iasl', ['-d', '-p', join(dir, 'nfit-dis'), join(dir, 'nfit.dat')]); // throws when iasl fails
      const dis = readFileSync(join(dir, 'nfit-dis.dsl'), 'utf8');
      expect(dis).toMatch(/Oem Revision : 00000007/);
      expect(dis).not.toMatch(/Invalid checksum|incorrect checksum/i);
    });
  }, 60_000);

  it('fast-check: formatAcpidump then parseAcpidump gives every table back (signature, address, bytes)', () => {
    const table = fc.record({
      signature: fc.stringMatching(/^[A-Z0-9_]{4}$/),
      address: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      bytes: fc.uint8Array({ maxLength: 300 }).filter((b) => b.length > 0),
    });
    fc.assert(
      fc.property(fc.array(table, { minLength: 1, maxLength: 4 }), (tables) => {
        const text = formatAcpidump(tables);
        expect(isAcpidumpText(Buffer.from(text))).toBe(true);
        expect(parseAcpidump(text).map(({ signature, address, bytes }) => ({ signature, address, bytes }))).toEqual(tables);
      }),
      { numRuns: 200 },
    );
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

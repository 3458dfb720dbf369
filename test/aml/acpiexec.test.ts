import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNfit } from '../../src/acpi/build/index.js';
import { encodeFit } from '../../src/acpi/nfit/index.js';
import { buildQemuNvdimmSsdt } from '../../src/aml/qemuNvdimmSsdt.js';
import { requireTool } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'nvtool-acpiexec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function acpiexec(file: string, command: string): string {
  const bin = requireTool('acpiexec');
  try {
    return execFileSync(bin, ['-b', command, file], { encoding: 'utf8', stdio: 'pipe', timeout: 20000 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
}

function build(name: string, slots: number, dsmBuffer = 0): string {
  const file = join(tmp, name);
  writeFileSync(file, buildQemuNvdimmSsdt({ slots, dsmBuffer }));
  return file;
}

/**
 * acpiexec has no QEMU behind the NVDIMM IO port: its simulated SystemMemory region keeps what the
 * AML wrote, so the DSM "reply length" RLEN reads back the handle NCAL stored at page offset 0.
 * For slot 15 (handle 16) that makes a 12-byte reply, exactly the _LSI shape; see specs/aml.md.
 */
describe('acpiexec (ACPICA interpreter) runs nvtool-built SSDTs', () => {
  it.each([1, 4, 16, 256])('slots=%i: the table loads with no AML error and the namespace has every NVxx', (slots) => {
    const out = acpiexec(build(`load-${slots}.aml`, slots, 0x0ffff000), `evaluate \\_SB.NVDR.NV${(slots - 1).toString(16).toUpperCase().padStart(2, '0')}._ADR`);
    expect(out).toMatch(/2 ACPI AML tables successfully acquired and loaded/);
    expect(out).toMatch(new RegExp(`\\[Integer\\] = 0*${slots.toString(16).toUpperCase()}\\b`));
    expect(out).not.toMatch(/ACPI Error|Exception|AE_AML/);
  });

  it('\\_SB.NVDR.NV0F._LSI evaluates without errors to Package {STTS, SLSA, MAXT}', () => {
    const out = acpiexec(build('lsi.aml', 16, 0x0ffff000), 'evaluate \\_SB.NVDR.NV0F._LSI');
    expect(out).toMatch(/Evaluation of \\_SB\.NVDR\.NV0F\._LSI returned object/);
    expect(out).toMatch(/\[Package\] Contains 3 Elements/);
    expect(out).not.toMatch(/ACPI Error|Exception|AE_AML/);
  });

  it('\\_SB.NVDR.NV00._LSI runs NCAL; with MEMA 0 (unpatched) NCAL answers Buffer {1} and _LSI stops where QEMU says it would', () => {
    const out = acpiexec(build('lsi0.aml', 4, 0), 'evaluate \\_SB.NVDR.NV00._LSI');
    expect(out).toMatch(/Evaluating \\_SB\.NVDR\.NV00\._LSI/);
    expect(out).toMatch(/Local0: .*Buffer\(1\) 01/);
    expect(out).toMatch(/AE_AML_BUFFER_LIMIT, Field \[STTS\]/);
  });

  it('with a static FIT, \\_SB.NVDR._FIT returns exactly those bytes (the structures of an NFIT nvtool built)', () => {
    const platform = { machine: { type: 'pc' as const }, memory: { size: '256M', slots: 2, maxmem: '4G' }, nvdimms: [{ id: 'nv0', size: '256M', labelSize: '128K' }, { id: 'nv1', size: '256M', labelSize: '128K' }] };
    const fit = encodeFit(buildNfit(platform).table);
    const file = join(tmp, 'static-fit.aml');
    writeFileSync(file, buildQemuNvdimmSsdt({ slots: 2, dsmBuffer: 0x0ffff000, fit, oemRevision: 2 }));
    const out = acpiexec(file, 'evaluate \\_SB.NVDR._FIT');
    expect(out).not.toMatch(/ACPI Error|Exception|AE_AML/);
    // acpiexec prints the returned buffer as a hex dump: "0000: 00 00 38 00 ...  // text".
    const hex = [...out.matchAll(/^\s*[0-9A-F]{4}: ((?:[0-9A-F]{2} )+)/gm)].map((m) => m[1]!.trim()).join(' ');
    expect(hex).toBe(Buffer.from(fit).toString('hex').toUpperCase().match(/../g)!.join(' '));
  });
});

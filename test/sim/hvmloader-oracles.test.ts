/**
 * The guest's tables hvmloader leaves in memory.img, checked by independent tools: the test
 * harness's own ACPI walker (RSDP scan, XSDT, FADT children, checksums; it uses none of nvtool's
 * decoders), `iasl -d` of every table, and `acpiexec` loading the DSDT with every SSDT.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTables, tableFileNames } from '../../src/acpi/tables/index.js';
import { GuestMemory } from '../../src/sim/hvmloader/index.js';
import { findRsdp, walkAcpiTables, sum8, memaOf } from '../harness/acpi-walk.js';
import { iaslDisassemble, parseIaslDataDump } from '../support/iasl.js';
import { decodeStruct } from '../../src/core/schema/index.js';
import { fadt, madt, xsdt } from '../../src/acpi/tables/index.js';
import { requireTool, runToolStatus } from '../support/tools.js';
import { bootFwCfg, bootXenstore, guestNfit, tmpDir, type Guest } from './hvmloader-guest.js';

const tmp = tmpDir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const guests: [string, () => Guest][] = [
  ['v1', () => bootXenstore('v1')],
  ['v3', () => bootXenstore('v3')],
  ['v4', () => bootFwCfg()],
];

describe.each(guests)('%s guest: memory.img as a guest OS reads it', (design, boot) => {
  const g = boot();
  const img = join(tmp, `${design}.img`);
  g.mem.save(img);
  const reader = GuestMemory.reader(img);
  afterAll(() => reader.close());

  it('the independent walker finds the RSDP in the BIOS area and every table with a valid checksum; nvtool finds the same tables', async () => {
    const rsdp = findRsdp(reader.read(0xe0000, 0x20000), 0xe0000);
    expect(rsdp?.address).toBe(0xea020);
    const walked = await walkAcpiTables(async (a, n) => reader.read(a, n), rsdp!);
    for (const t of walked) if (t.signature !== 'FACS') expect(sum8(t.bytes), t.signature).toBe(0);
    const ours = findTables(reader.read);
    expect(ours.rsdpAddr).toBe(rsdp!.address);
    expect(ours.rsdpChecksumOk && ours.rsdpExtendedChecksumOk).toBe(true);
    const key = (t: { signature: string; address?: number; addr?: number }) => `${t.signature}@${(t.address ?? t.addr)!.toString(16)}`;
    expect([ours.root, ...ours.tables].map(key).sort()).toEqual(walked.map(key).sort());
    expect(walked.map((t) => t.signature).sort()).toEqual(['APIC', 'DSDT', 'FACP', 'FACS', 'NFIT', 'SSDT', 'XSDT'].sort());
  });

  it('the NFIT is the bytes QEMU built, its checksum set (by hvmloader in v1/v3, by the loader in v4)', () => {
    const nfit = findTables(reader.read).tables.find((t) => t.signature === 'NFIT')!;
    const want = guestNfit();
    expect(nfit.checksumOk).toBe(true);
    expect(Buffer.from(nfit.bytes).equals(Buffer.from(want))).toBe(true);
  });

  it('iasl -d disassembles every table without errors or checksum complaints', () => {
    const found = findTables(reader.read);
    const tables = [found.root, ...found.tables];
    const dsl = iaslDisassemble(tables.map((t) => t.bytes));
    dsl.forEach((text, i) => {
      expect(text, tables[i]!.signature).not.toMatch(/Incorrect checksum|Error|Invalid/i);
    });
    const ssdt = dsl[tables.findIndex((t) => t.signature === 'SSDT')]!;
    expect(ssdt).toMatch(/Scope \(_SB\)|Scope \(\\_SB\)/);
    expect(ssdt).toMatch(/Device \(NVDR\)/);
    expect(ssdt).toMatch(/Device \(NV01\)/);
  });

  it("iasl's reading of the FADT, MADT and XSDT fields equals nvtool's declarations' (addresses, PM blocks, entries)", () => {
    const found = findTables(reader.read);
    const get = (sig: string) => found.tables.find((t) => t.signature === sig) ?? found.root;
    const [fDsl, mDsl, xDsl] = iaslDisassemble([get('FACP').bytes, get('APIC').bytes, found.root.bytes]);
    const rows = (d: string) => parseIaslDataDump(d!);
    const val = (d: string, label: string) => rows(d).find((r) => r.label === label)?.value;
    const f = decodeStruct(fadt, get('FACP').bytes).value;
    expect(parseInt(val(fDsl!, 'FACS Address')!, 16)).toBe(f.firmwareCtrl);
    expect(parseInt(val(fDsl!, 'DSDT Address')!, 16)).toBe(f.dsdt);
    expect(parseInt(val(fDsl!, 'PM1A Event Block Address')!, 16)).toBe(f.pm1aEvtBlk);
    expect(parseInt(val(fDsl!, 'PM Timer Block Address')!, 16)).toBe(f.pmTmrBlk);
    expect(BigInt('0x' + val(fDsl!, 'DSDT Address')!)).toBe(BigInt(f.dsdt));
    const m = decodeStruct(madt, get('APIC').bytes).value;
    expect(parseInt(val(mDsl!, 'Local Apic Address')!, 16)).toBe(m.localApicAddress);
    expect(rows(mDsl!).filter((r) => r.label === 'Subtable Type').map((r) => parseInt(r.value, 16))).toEqual([1, 0, 0]);
    const x = decodeStruct(xsdt, found.root.bytes).value;
    const ent = rows(xDsl!).filter((r) => /^ACPI Table Address/.test(r.label)).map((r) => BigInt('0x' + r.value));
    expect(ent).toEqual(x.entry);
  });

  it('acpiexec loads the DSDT with the SSDT without errors and finds \\_SB.NVDR.NV01', () => {
    const bin = requireTool('acpiexec', 'acpica-tools');
    const found = findTables(reader.read);
    const names = tableFileNames(found.tables);
    const files: string[] = [];
    found.tables.forEach((t, i) => {
      if (t.signature !== 'DSDT' && t.signature !== 'SSDT') return;
      const f = join(tmp, `${design}-${names[i]}`);
      writeFileSync(f, t.bytes);
      files.push(f);
    });
    const r = runToolStatus(bin, ['-b', 'evaluate \\_SB.NVDR.NV01._ADR', ...files]);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/2 ACPI AML tables successfully acquired and loaded/);
    expect(out).toMatch(/\[Integer\] = 0*2\b/);
    expect(out).not.toMatch(/ACPI Error|AE_ALREADY_EXISTS|AE_NOT_FOUND/);
  });

  if (design === 'v4') {
    it("MEMA points at the allocated etc/acpi/nvdimm-mem page; QEMU's own RSDP and RSDT are zeroed", () => {
      const ssdt = findTables(reader.read).tables.find((t) => t.signature === 'SSDT')!;
      const mema = memaOf(ssdt.bytes);
      expect(mema % 4096).toBe(0);
      expect(mema).toBeGreaterThan(0xfc000000);
      // Nothing else in memory still carries QEMU's RSDT signature: hvmloader zeroed it.
      const rsdtSig = Buffer.from('RSDT');
      const pages = g.mem.writtenPages();
      const hits = pages.filter((p) => Buffer.from(g.mem.read(p, 4096)).includes(rsdtSig));
      const ours = findTables(reader.read);
      const rsdtAddr = ours.rsdp.rsdtAddress;
      expect(hits.every((p) => p === Math.floor(rsdtAddr / 4096) * 4096)).toBe(true);
    });
  }
});

it('memory.img is sparse: 4 GiB long, a few pages allocated', () => {
  const g = bootXenstore('v3');
  const img = join(tmp, 'sparse.img');
  g.mem.save(img);
  const r = runToolStatus('du', ['-k', img]);
  expect(Number(r.stdout.split('\t')[0])).toBeLessThan(1024);
  expect(statSync(img).size).toBe(2 ** 32);
});

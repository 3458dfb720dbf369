import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAmlTable, encodeAmlTable } from '../../src/aml/table.js';
import { disassembleTable } from '../../src/aml/disasm.js';
import { buildQemuNvdimmSsdt } from '../../src/aml/qemuNvdimmSsdt.js';
import { FIXTURES, iaslCompile, qemuAmlFixtures, sameBytes } from './helpers.js';

const fixtures = qemuAmlFixtures();
const tmp = mkdtempSync(join(tmpdir(), 'nvtool-aml-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('QEMU AML fixtures', () => {
  it('has the corpus (NVDIMM SSDTs for many slot counts and pc/q35 DSDTs)', () => {
    expect(fixtures.filter((f) => f.file === 'SSDT-NVDIMM.aml').length).toBeGreaterThanOrEqual(40);
    expect(fixtures.filter((f) => f.file === 'DSDT.aml').length).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures.map((f) => [`${f.config}/${f.file}`, f] as const))('%s: decode → encode is byte-identical', (_n, f) => {
    const d = decodeAmlTable(f.bytes);
    expect(d.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(sameBytes(encodeAmlTable(d.table, { preserveHeader: true }), f.bytes)).toBe(true);
    // Length and checksum recomputed: still identical (the guest's tables are valid).
    expect(sameBytes(encodeAmlTable(d.table), f.bytes)).toBe(true);
  });

  it.each(fixtures.map((f) => [`${f.config}/${f.file}`, f] as const))('%s: disassemble → iasl -oa → same body bytes', (_n, f) => {
    const d = decodeAmlTable(f.bytes);
    const dis = disassembleTable(d, { unresolved: d.unresolved.keys() });
    expect(dis.notes).toEqual([]);
    const base = join(tmp, `${f.config}-${f.file.replace(/\.aml$/, '')}`);
    writeFileSync(`${base}.dsl`, dis.text);
    // Names defined in another table (the DSDT notifies \_SB.NVDR) need -f: declaring them
    // External would make iasl add AML (see specs/aml.md).
    const r = iaslCompile(`${base}.dsl`, `${base}-out`, d.unresolved.size ? ['-f'] : []);
    expect(r.aml, r.log).toBeDefined();
    expect(r.aml!.length).toBe(f.bytes.length);
    expect(sameBytes(r.aml!.subarray(36), f.bytes.subarray(36)), r.log).toBe(true);
  });
});

describe('build-ssdt (QEMU 7.2 NVDIMM SSDT)', () => {
  const ssdts = fixtures.filter((f) => f.file === 'SSDT-NVDIMM.aml');
  it.each(ssdts.map((f) => [f.config, f] as const))('%s: equals the guest table for its slot count and MEMA', (_n, f) => {
    const platform = JSON.parse(readFileSync(join(FIXTURES, f.config, 'platform.json'), 'utf8')) as { memory: { slots: number } };
    const index = JSON.parse(readFileSync(join(FIXTURES, f.config, 'index.json'), 'utf8')) as { mema: number | string };
    const built = buildQemuNvdimmSsdt({ slots: platform.memory.slots, dsmBuffer: Number(index.mema) });
    expect(built.length).toBe(f.bytes.length);
    expect(sameBytes(built, f.bytes)).toBe(true);
  });

  it('size per slot count follows 633 + 394·slots (+2 from 10 slots, +5 at 255)', () => {
    for (const [slots, size] of [[1, 1027], [4, 2209], [10, 4575], [255, 101105], [256, 101504]] as const) {
      expect(buildQemuNvdimmSsdt({ slots }).length).toBe(size);
    }
  });

  it('MEMA is the DWordConst in the last 4 bytes; 0 by default (QEMU unpatched blob)', () => {
    const b = buildQemuNvdimmSsdt({ slots: 2 });
    expect(Array.from(b.subarray(b.length - 10, b.length))).toEqual([0x08, 0x4d, 0x45, 0x4d, 0x41, 0x0c, 0, 0, 0, 0]);
    const p = buildQemuNvdimmSsdt({ slots: 2, dsmBuffer: 0xbffff000 });
    expect(Array.from(p.subarray(p.length - 4))).toEqual([0x00, 0xf0, 0xff, 0xbf]);
  });
});

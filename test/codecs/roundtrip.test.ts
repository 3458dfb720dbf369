/**
 * `nvtool decode --json | nvtool encode` gives the input back byte for byte, for every format
 * decode reads, over every fixture nvtool did not write: QEMU 7.2's ACPI tables (fixtures/qemu) and
 * the label areas, info blocks, MBR and GPT the real kernel, ndctl and sgdisk wrote
 * (fixtures/linux). The Xen super block has no outside writer: it is taken from `xen format`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACPI_HEADER_SIZE } from '../../src/acpi/header.js';
import { runCli } from '../support/cli.js';
import { QEMU_FIXTURES } from '../support/fixtures.js';
import { kernelFixtures } from '../labels/fixtures.js';
import { validateCliJson } from '../support/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-roundtrip-'));

/** decode → JSON document (validated against its schema) → encode; returns the format named. */
async function roundTrip(name: string, bytes: Uint8Array, extra: string[] = []): Promise<string> {
  const file = join(dir, name.replace(/[^\w.-]+/g, '_'));
  writeFileSync(file, bytes);
  const d = await runCli(['decode', file, '--json', ...extra]);
  expect(d.stderr).toBe('');
  const doc = validateCliJson('decode', d.stdout) as { format: string };
  writeFileSync(`${file}.json`, d.stdout);
  const e = await runCli(['encode', `${file}.json`, '-o', `${file}.out`, '--force']);
  expect(e.code, e.stderr).toBe(0);
  const out = readFileSync(`${file}.out`);
  expect(out.length).toBe(bytes.length);
  expect(Buffer.compare(out, Buffer.from(bytes)), `${name} (${doc.format}) differs`).toBe(0);
  return doc.format;
}

describe('decode --json | encode is byte-identical', () => {
  it('every distinct ACPI table QEMU 7.2 gave a guest (NFIT, SSDT, DSDT, APIC, FACP, ...), and each NFIT body as a _FIT buffer', async () => {
    const seen = new Set<string>();
    const formats = new Set<string>();
    for (const fx of readdirSync(QEMU_FIXTURES, { withFileTypes: true })) {
      if (!fx.isDirectory() || fx.name === 'rejected') continue;
      for (const t of readdirSync(join(QEMU_FIXTURES, fx.name)).filter((f) => f.endsWith('.aml'))) {
        const bytes = new Uint8Array(readFileSync(join(QEMU_FIXTURES, fx.name, t)));
        const h = createHash('sha256').update(bytes).digest('hex');
        if (seen.has(h)) continue;
        seen.add(h);
        formats.add(await roundTrip(`${fx.name}-${t}`, bytes));
        if (t === 'NFIT.aml') formats.add(await roundTrip(`${fx.name}-FIT`, bytes.subarray(ACPI_HEADER_SIZE), ['--format', 'FIT']));
      }
    }
    expect([...formats].sort()).toEqual(['ACPI', 'AML', 'FACS', 'FADT', 'FIT', 'MADT', 'NFIT', 'RSDT']);
    expect(seen.size).toBeGreaterThan(40);
  }, 120_000);

  it('label areas, info blocks, MBR and GPT header the kernel, ndctl and sgdisk wrote', async () => {
    const formats = new Set<string>();
    for (const f of kernelFixtures()) {
      // fixtures/linux/blank holds no index block, so nothing says it is a label area: name the format.
      formats.add(await roundTrip(`${f.name}-area`, f.area, f.name === 'blank' ? ['--format', 'labels'] : []));
      // The first 8 KiB of the namespace (all start at DPA 0): a BTT 2.0 info block at 0, or PFN/DAX/BTT 1.1 at 4 KiB
      const head = new Uint8Array(f.image.subarray(0, 8192));
      if (/fsdax|devdax|sector/.test(f.name)) formats.add(await roundTrip(`${f.name}-info`, head));
      if (f.name === 'gpt-ext4-fsdax-v1.2') {
        const dataoff = 4 << 20; // the PFN info block's dataoff (fixtures/linux/README.md)
        formats.add(await roundTrip(`${f.name}-mbr`, f.image.subarray(dataoff, dataoff + 512)));
        formats.add(await roundTrip(`${f.name}-gpt`, f.image.subarray(dataoff + 512, dataoff + 1024)));
        // a window with the protective MBR at its start: the GPT and entries after it come back as patches
        formats.add(await roundTrip(`${f.name}-window`, f.image.subarray(dataoff, dataoff + (1 << 20))));
      }
    }
    expect([...formats].sort()).toEqual(['btt-info', 'gpt-header', 'labels', 'mbr', 'pfn-info']);
  }, 120_000);

  it('the Xen super block (from xen format; no other tool writes one)', async () => {
    const img = join(dir, 'xen.img');
    writeFileSync(img, new Uint8Array(0));
    const { truncateSync } = await import('node:fs');
    truncateSync(img, 64 << 20);
    const r = await runCli(['xen', 'format', img, '--placement', 'c', '--container-uuid', '5a3a8a0e-1c1e-4a7e-9d0b-1f2e3d4c5b6a', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const sb = new Uint8Array(readFileSync(img).subarray(0, 4096));
    expect(await roundTrip('xen-sb', sb)).toBe('xen-superblock');
  });
});

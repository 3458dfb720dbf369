/**
 * `nvtool decode --json | nvtool encode` gives the input back byte for byte, for every format
 * decode reads, over every fixture nvtool did not write: QEMU 7.2's ACPI tables (fixtures/qemu) and
 * the label areas, info blocks, MBR and GPT the real kernel, ndctl and sgdisk wrote
 * (fixtures/linux). The Xen super block has no outside writer: it is taken from `xen format`.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACPI_HEADER_SIZE } from '../../src/acpi/header.js';
import { runCli } from '../support/cli.js';
import { QEMU_FIXTURES } from '../support/fixtures.js';
import { kernelFixtures } from '../labels/fixtures.js';
import { validateCliJson } from '../support/schemas.js';
import { buildNfit } from '../../src/acpi/build/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-roundtrip-'));

/**
 * Every integer in the document is a JSON number, or a decimal string only past 2^53-1 (no "0x"
 * strings, no numbers that lost precision); returns how many big ones were seen.
 */
function numbersAsNumbers(j: unknown, path: string): number {
  if (typeof j === 'number') {
    expect(Number.isSafeInteger(j) || !Number.isInteger(j), `${path}: ${j} is past 2^53 as a number`).toBe(true);
    return 0;
  }
  if (typeof j === 'string') {
    expect(j, `${path}: an integer as a hex string`).not.toMatch(/^0x[0-9a-f]+$/i);
    // a decimal integer string (hex byte strings, e.g. a ByteList, keep their leading zeros and even length)
    if (/^[1-9][0-9]{15,19}$/.test(j) && !/\.(bytes|pad|reserved\w*)$/.test(path)) {
      expect(BigInt(j) > BigInt(Number.MAX_SAFE_INTEGER), `${path}: "${j}" is a string but fits a number`).toBe(true);
      return 1;
    }
    return 0;
  }
  if (Array.isArray(j)) return j.reduce<number>((n, x, i) => n + numbersAsNumbers(x, `${path}[${i}]`), 0);
  if (j && typeof j === 'object' && (j as { t?: unknown }).t === 'str') return 0; // an AML String is text ("0x00" is its value)
  if (j && typeof j === 'object') return Object.entries(j).reduce<number>((n, [k, x]) => n + numbersAsNumbers(x, `${path}.${k}`), 0);
  return 0;
}
let bigStrings = 0;
/** The last document roundTrip decoded. */
let lastDoc: { format: string; value: any; input: { patches: unknown[] } };

/** decode → JSON document (validated against its schema) → encode; returns the format named. */
async function roundTrip(name: string, bytes: Uint8Array, extra: string[] = []): Promise<string> {
  const file = join(dir, name.replace(/[^\w.-]+/g, '_'));
  writeFileSync(file, bytes);
  const d = await runCli(['decode', file, '--json', ...extra]);
  expect(d.stderr).toBe('');
  const doc = validateCliJson('decode', d.stdout) as typeof lastDoc;
  lastDoc = doc;
  bigStrings += numbersAsNumbers(doc.value, 'value') + numbersAsNumbers(doc.input, 'input');
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

  it('64-bit fields past 2^53-1 are decimal strings and come back exact', async () => {
    // a SPA range at the top of the 64-bit space (QEMU never places one there; a generic NFIT can)
    const spa = { type: 0, rangeIndex: 1, flags: 0, rangeGuid: 'persistent', address: '0xfffffffffff00000', rangeLength: '0x100000', memoryMapping: '0x8008' };
    const bytes = buildNfit({ profile: 'generic', structures: [spa] }).bytes;
    bigStrings = 0;
    expect(await roundTrip('nfit-top-of-space', bytes)).toBe('NFIT');
    expect(bigStrings).toBe(1);
    const d = await runCli(['decode', join(dir, 'nfit-top-of-space'), '--json']);
    const s = ((validateCliJson('decode', d.stdout) as any) as { value: { structures: { address: unknown; rangeLength: unknown }[] } }).value.structures[0]!;
    expect([s.address, s.rangeLength]).toEqual([(0xfffffffffff00000n).toString(), 0x100000]);
    // encode reads "0x…" strings as well as numbers and decimal strings: every integer of the SPA range (its type too) as hex gives the same bytes
    const doc = JSON.parse(d.stdout) as { value: { structures: Record<string, unknown>[] } };
    const spaJson = doc.value.structures[0]!;
    for (const [k, v] of Object.entries(spaJson)) if (typeof v === 'number' || k === 'address') spaJson[k] = '0x' + BigInt(v as number | string).toString(16);
    writeFileSync(join(dir, 'nfit-hex.json'), JSON.stringify(doc));
    const e = await runCli(['encode', join(dir, 'nfit-hex.json'), '-o', join(dir, 'nfit-hex.out'), '--force']);
    expect(e.code, e.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'nfit-hex.out')), Buffer.from(bytes))).toBe(0);
  }, 120_000);

  it('label areas, info blocks, MBR and GPT header the kernel, ndctl and sgdisk wrote', async () => {
    const formats = new Set<string>();
    let freeSlots = 0;
    for (const f of kernelFixtures()) {
      // fixtures/linux/blank holds no index block, so nothing says it is a label area: name the format.
      formats.add(await roundTrip(`${f.name}-area`, f.area, f.name === 'blank' ? ['--format', 'labels'] : []));
      // every byte of the area is a value: index blocks, live labels, and the labels left in free slots
      expect(lastDoc.input.patches, f.name).toEqual([]);
      freeSlots += lastDoc.value.freeSlots?.length ?? 0;
      // The first 8 KiB of the namespace (all start at DPA 0): a BTT 2.0 info block at 0, or PFN/DAX/BTT 1.1 at 4 KiB
      const head = new Uint8Array(f.image.subarray(0, 8192));
      if (/fsdax|devdax|sector/.test(f.name)) formats.add(await roundTrip(`${f.name}-info`, head));
      if (f.name === 'gpt-ext4-fsdax-v1.2') {
        const dataoff = 4 << 20; // the PFN info block's dataoff (fixtures/linux/README.md)
        formats.add(await roundTrip(`${f.name}-mbr`, f.image.subarray(dataoff, dataoff + 512)));
        formats.add(await roundTrip(`${f.name}-gpt`, f.image.subarray(dataoff + 512, dataoff + 1024)));
        // a window with the protective MBR at its start: MBR, GPT header and every entry that is not zero as values, no patches
        formats.add(await roundTrip(`${f.name}-window`, f.image.subarray(dataoff, dataoff + (1 << 20))));
        expect(lastDoc.input.patches).toEqual([]);
        expect(lastDoc.value.primary.entries.map((e: { index: number }) => e.index)).toEqual([0]);
      }
    }
    expect([...formats].sort()).toEqual(['btt-info', 'gpt', 'gpt-header', 'labels', 'mbr', 'pfn-info']);
    expect(freeSlots, 'the kernel left old labels in free slots of some fixture').toBeGreaterThan(0);
  }, 120_000);

  it('whole GPT disks: MBR, both headers and both arrays as values, no patches (512: sgdisk wrote it; 4096: nvtool gpt, as no tool here writes a 4Kn GPT into a file)', async () => {
    const check = async (name: string, bytes: Uint8Array, ss: number, indexes: number[]) => {
      expect(await roundTrip(name, bytes)).toBe('gpt');
      expect(lastDoc.input.patches).toEqual([]);
      expect(lastDoc.value.sectorSize).toBe(ss);
      for (const c of [lastDoc.value.primary, lastDoc.value.backup]) expect(c.entries.map((e: { index: number }) => e.index)).toEqual(indexes);
      expect(lastDoc.value.backup.lba).toBe(bytes.length / ss - 1);
    };
    const img = join(dir, 'sgdisk.img');
    writeFileSync(img, new Uint8Array(0));
    truncateSync(img, 16 << 20);
    const r = spawnSync('sgdisk', ['-n', '1:0:+2M', '-c', '1:alpha', '-n', '3:0:+1M', '-t', '3:8300', '-A', '3:set:2', img], { encoding: 'utf8' });
    if (r.error) throw new Error('sgdisk is missing: install the Debian package gdisk');
    expect(r.status, r.stderr).toBe(0);
    await check('sgdisk', new Uint8Array(readFileSync(img)), 512, [0, 2]);
    expect(lastDoc.value.primary.entries[0].entry.partitionName).toBe('alpha');

    const img4k = join(dir, 'gpt4k.img');
    expect((await runCli(['gpt', 'create', img4k, '--image-size', '16M', '--sector-size', '4096'])).code).toBe(0);
    expect((await runCli(['gpt', 'add', img4k, '--sector-size', '4096', '--part-size', '1M'])).code).toBe(0);
    await check('gpt4k', new Uint8Array(readFileSync(img4k)), 4096, [0]);
  }, 60_000);

  it('the Xen super block (from xen format; no other tool writes one)', async () => {
    const img = join(dir, 'xen.img');
    writeFileSync(img, new Uint8Array(0));
    truncateSync(img, 64 << 20);
    const r = await runCli(['xen', 'format', img, '--placement', 'c', '--container-uuid', '5a3a8a0e-1c1e-4a7e-9d0b-1f2e3d4c5b6a', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const sb = new Uint8Array(readFileSync(img).subarray(0, 4096));
    expect(await roundTrip('xen-sb', sb)).toBe('xen-superblock');
  });
});

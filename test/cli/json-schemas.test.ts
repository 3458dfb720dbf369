/**
 * Every nvtool `--json` document, produced from fixtures, checked with ajv (an independent JSON
 * Schema validator) against the schema nvtool ships in schemas/.
 */
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-json-'));
const q = (f: string) => join('fixtures/qemu/pc-1dimm', f);
const t = (f: string) => join(dir, f);

async function json(schema: string, args: string[], stream: 'stdout' | 'stderr' = 'stdout'): Promise<Record<string, unknown>> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(0);
  const v = validateCliJson(schema, r[stream]) as Record<string, unknown>;
  expect(v.schemaVersion).toBe(1);
  return v;
}

describe('each command --json matches its schema in schemas/ and carries schemaVersion 1', () => {
  it('inspect (with and without --stats)', async () => {
    const v = await json('inspect', ['inspect', q('NFIT.aml'), '--json', '--stats']);
    expect(v.size).toBe(224);
    expect(v.stats).toBeDefined();
    await json('inspect', ['inspect', q('SSDT-NVDIMM.aml'), '--json']);
  });

  it('build-nfit and build-ssdt: addresses and sizes are numbers', async () => {
    const n = await json('build-nfit', ['build-nfit', 'fixtures/examples/platform.json', '-o', t('nfit.aml'), '--json']);
    // platform.json: nv0 addr 0x180000000, size 1G, label 128K, align 2M; QEMU's hw/mem/nvdimm.c
    // nvdimm_prepare_memory_region: pmem = ALIGN_DOWN(size - label, align)
    expect((n.dimms as { addr: number; labelSize: number; pmemSize: number }[])[0]).toMatchObject({ addr: 0x180000000, labelSize: 0x20000, pmemSize: Math.floor((0x40000000 - 0x20000) / 0x200000) * 0x200000 });
    await json('build-ssdt', ['build-ssdt', 'fixtures/examples/platform.json', '-o', t('ssdt.aml'), '--json']);
  });

  it('encode (its report on stderr) and disasm', async () => {
    const d = await runCli(['decode', q('NFIT.aml'), '--json']);
    writeFileSync(t('nfit.json'), d.stdout);
    const e = await json('encode', ['encode', t('nfit.json'), '-o', t('nfit2.aml'), '--json'], 'stderr');
    expect(e.bytes).toBe(224);
    await json('disasm', ['disasm', q('SSDT-NVDIMM.aml'), '--json']);
  });

  it('gpt create, add, list, delete (partitiontable in sfdisk\'s shape)', async () => {
    const img = t('disk.img');
    await json('gpt-list', ['gpt', 'create', img, '--image-size', '8M', '--json']);
    const a = await json('gpt-list', ['gpt', 'add', img, '--json']);
    expect((a.partitiontable as { partitions: unknown[] }).partitions).toHaveLength(1);
    await json('gpt-list', ['gpt', 'list', img, '--json']);
    await json('gpt-list', ['gpt', 'delete', img, '--number', '1', '--json']);
  });

  it('aml eval', async () => {
    const v = await json('aml-eval', ['aml', 'eval', q('DSDT.aml'), '\\_SB.PCI0._CRS', '--json']);
    expect(v.status).toBe('AE_OK');
  });

  it('fuzz', async () => {
    await json('fuzz', ['fuzz', 'nfit', '--runs', '5', '--seed', '1', '--json']);
  });

  it('sim check, size, run, mappings', async () => {
    await json('sim-check', ['sim', 'check', 'fixtures/examples/xen-v4/scenario.json', '--json']);
    await json('sim-size', ['sim', 'size', '64G', '--json']);
    const out = t('run');
    const r = await json('sim-run', ['sim', 'run', 'fixtures/examples/xen-v4/scenario.json', '--out', out, '--json', '--report', join(out, 'report.html')]);
    expect(r.next).toBeNull();
    expect(r.report).toBe(join(out, 'report.html'));
    await json('sim-mappings', ['sim', 'mappings', out, '--json']);
    const w = await json('writes', ['sim', 'report', out, '--out', t('report.html'), '--json']);
    expect(w.writes).toEqual([expect.objectContaining({ file: t('report.html'), offset: 0 })]);
  });

  it('labels check (one area) on a label area nvtool initialised with a namespace', async () => {
    const f = t('nv.img');
    writeFileSync(f, '');
    truncateSync(f, 64 << 20);
    expect((await runCli(['labels', 'init', '--label-size', '128K', f])).code).toBe(0);
    expect((await runCli(['labels', 'create', '--size', '16M', '--name', 'a', f])).code).toBe(0);
    const c = await json('labels-check', ['labels', 'check', f, '--json']);
    expect(c.exit).toBe(0);
  });

  it('namespace show, view and view --read on the kernel-written fsdax namespace (fixtures/linux)', async () => {
    const fx = 'fixtures/linux/gpt-ext4-fsdax-v1.2';
    const img = t('fsdax.img');
    writeFileSync(img, gunzipSync(readFileSync(join(fx, 'image.img.gz'))));
    const ndctl = JSON.parse(JSON.parse(readFileSync(join(fx, 'expected.json'), 'utf8')).reboot.reports.ndctl_list.stdout) as { regions: { namespaces: { raw_uuid: string; size: number; mode: string }[] }[] };
    const ns = ndctl.regions[0]!.namespaces[0]!;
    const s = await json('namespace-show', ['namespace', 'show', img, '-n', ns.raw_uuid, '--json']);
    expect([s.mode, s.size]).toEqual([ns.mode, ns.size]);
    const v = await json('namespace-view', ['namespace', 'view', img, '-n', ns.raw_uuid, '--json']);
    expect(v.size).toBe(ns.size);
    const r = await json('namespace-read', ['namespace', 'view', img, '-n', ns.raw_uuid, '--read', '0', '--count', '1', '--json']);
    expect(String(r.hex).slice(510 * 2, 512 * 2)).toBe('55aa'); // sgdisk's protective MBR signature
  });
});

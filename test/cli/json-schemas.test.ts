/**
 * Every nvtool `--json` document, produced from fixtures, checked with ajv (an independent JSON
 * Schema validator) against the schema nvtool ships in schemas/.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { requireTool, runTool } from '../support/tools.js';
import { acceptsCliJson, acceptsCliJsonAt, validateCliJson } from '../support/schemas.js';
import { readLabelArea } from '../../src/labels/index.js';
import { buildNfit } from '../../src/acpi/build/index.js';
import { generatedSchemas } from '../../src/codecs/jsonSchemas.js';
import { inspectSchema } from '../../src/inspect/jsonSchema.js';
import { LAYER_KINDS } from '../../src/inspect/layer.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-json-'));
const q = (f: string) => join('fixtures/qemu/pc-1dimm', f);
const t = (f: string) => join(dir, f);

/** Every document the tests below produced, with its schema, for the strictness checks at the end. */
const produced: { schema: string; doc: unknown }[] = [];

async function json(schema: string, args: string[], stream: 'stdout' | 'stderr' = 'stdout'): Promise<Record<string, unknown>> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(0);
  const v = validateCliJson(schema, r[stream]) as Record<string, unknown>;
  if (!schema.startsWith('labels-list') && !schema.startsWith('labels-dump')) expect(v.schemaVersion).toBe(1);
  produced.push({ schema, doc: v });
  return v;
}

/** Parts of documents that are open by design: free text lists. */
const OPEN = /^(trace.*|.*\.details.*)$/;

/** Paths of every object and every integer in `j` outside the open parts. */
function leaves(j: unknown, path = '', out: { objects: string[]; integers: string[] } = { objects: [], integers: [] }) {
  if (OPEN.test(path)) return out;
  if (Array.isArray(j)) j.forEach((x, i) => leaves(x, `${path}[${i}]`, out));
  else if (j && typeof j === 'object') {
    out.objects.push(path);
    for (const [k, x] of Object.entries(j)) leaves(x, path ? `${path}.${k}` : k, out);
  } else if (typeof j === 'number' && Number.isInteger(j)) out.integers.push(path);
  return out;
}

function at(j: unknown, path: string): { parent: Record<string, unknown> | unknown[]; key: string | number } {
  const parts = path.match(/[^.[\]]+/g)!;
  let cur: any = j;
  for (const p of parts.slice(0, -1)) cur = cur[/^\d+$/.test(p) ? Number(p) : p];
  const last = parts.at(-1)!;
  return { parent: cur, key: /^\d+$/.test(last) ? Number(last) : last };
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

  it('decode of each kind of value: NFIT, AML, a label area the kernel wrote, a GPT disk sgdisk wrote, an acpidump listing', async () => {
    await json('decode', ['decode', q('NFIT.aml'), '--json']);
    const ssdt = await json('decode', ['decode', q('SSDT-NVDIMM.aml'), '--json']);
    // the AML grammar's schema and encode's reader refuse the same edits: an argument missing, an unknown operator, a ByteConst past 255
    const edits: [string, (v: any) => void][] = [
      ['an argument missing', (v) => v.terms[0].args.pop()],
      ['an unknown operator', (v) => (v.terms[0].op = 'Scop')],
      ['a byte constant past 255', (v) => (v.terms[0].args[1].terms[0].args[1].terms[1].args[1] = { t: 'u8', value: 256 })],
    ];
    for (const [what, edit] of edits) {
      const bad = structuredClone(ssdt) as any;
      edit(bad.value);
      expect(acceptsCliJson('decode', bad), what).toBe(false);
      writeFileSync(t('bad-ssdt.json'), JSON.stringify(bad));
      const e = await runCli(['encode', t('bad-ssdt.json'), '-o', t('bad-ssdt.aml'), '--force']);
      expect(e.code, what).toBe(2);
    }
    const fsdax = t('fsdax-area.img');
    const image = gunzipSync(readFileSync('fixtures/linux/fsdax-v1.2/image.img.gz'));
    writeFileSync(fsdax, image.subarray(image.length - (128 << 10))); // its 128 KiB label area (expected.json image.labelSize)
    expect((await json('decode', ['decode', fsdax, '--json'])).format).toBe('labels');
    const disk = t('sgdisk.img');
    writeFileSync(disk, '');
    truncateSync(disk, 4 << 20);
    runTool(requireTool('sgdisk', 'gdisk'), ['-n', '1:0:+1M', '-c', '1:alpha', disk]);
    expect((await json('decode', ['decode', disk, '--json'])).format).toBe('gpt');
    writeFileSync(t('listing.txt'), runTool(requireTool('acpidump', 'acpica-tools'), ['-f', q('NFIT.aml')]));
    expect((await json('decode', ['decode', t('listing.txt'), '--json'])).format).toBe('acpidump');
  });

  it('encode (its report on stderr) and disasm', async () => {
    const d = await runCli(['decode', q('NFIT.aml'), '--json']);
    writeFileSync(t('nfit.json'), d.stdout);
    const e = await json('encode', ['encode', t('nfit.json'), '-o', t('nfit2.aml'), '--json'], 'stderr');
    expect(e.bytes).toBe(224);
    await json('disasm', ['disasm', q('SSDT-NVDIMM.aml'), '--json']);
  });

  it('gpt create, add, list, delete (partitiontable in sfdisk\'s shape), verify and repair', async () => {
    const img = t('disk.img');
    await json('gpt-list', ['gpt', 'create', img, '--image-size', '8M', '--json']);
    const a = await json('gpt-list', ['gpt', 'add', img, '--json']);
    expect((a.partitiontable as { partitions: unknown[] }).partitions).toHaveLength(1);
    await json('gpt-list', ['gpt', 'list', img, '--json']);
    await json('gpt-list', ['gpt', 'delete', img, '--number', '1', '--json']);
    expect(await json('gpt-verify', ['gpt', 'verify', img, '--json'])).toMatchObject({ problems: 0, damaged: false });
    // damage the backup header (the image's last sector): verify reports it, repair rebuilds it from the primary
    const bytes = readFileSync(img);
    const at = bytes.length - 512 + 20; // a byte of the backup header (its CRC no longer matches)
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(img, bytes);
    const bad = await runCli(['gpt', 'verify', img, '--json']);
    expect(bad.code).toBe(1);
    expect(validateCliJson('gpt-verify', bad.stdout)).toMatchObject({ damaged: true });
    produced.push({ schema: 'gpt-verify', doc: JSON.parse(bad.stdout) });
    expect(await json('gpt-repair', ['gpt', 'repair', img, '--json'])).toMatchObject({ from: 'primary', remainingProblems: [] });
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

  it('labels list and labels dump (ndctl mirrors), xen format and namespace format (writers)', async () => {
    const f = t('mirror.img');
    writeFileSync(f, '');
    truncateSync(f, 64 << 20);
    expect((await runCli(['labels', 'init', '--label-size', '128K', f])).code).toBe(0);
    expect((await runCli(['labels', 'create', '--size', '16M', '--name', 'a', '--uuid', '11111111-2222-4333-8444-555555555555', f])).code).toBe(0);
    expect(await json('labels-list', ['labels', 'list', f, '--json'])).toMatchObject([{ mode: 'raw', name: 'a' }]);
    await json('labels-dump', ['labels', 'dump', f, '--json']);
    await json('writes', ['namespace', 'format', f, '-n', '11111111-2222-4333-8444-555555555555', '--mode', 'sector', '--json']);
    const x = t('xen.img');
    writeFileSync(x, '');
    truncateSync(x, 64 << 20);
    await json('writes', ['xen', 'format', x, '--placement', 'c', '--container-uuid', '11111111-2222-4333-8444-555555555555', '--json']);
    await json('xen-check', ['xen', 'check', x, '--json']);
  });
});

describe('inspect: every layer kind, its fields closed and chosen by kind', () => {
  it('kernel label images (fsdax, devdax, sector, GPT + ext4), an MBR with an extended partition, a Xen super block, a run\'s host image and guest memory.img', async () => {
    const kinds = new Set<string>();
    const walk = (ls: { kind: string; children: unknown[] }[]) => ls.forEach((l) => (kinds.add(l.kind), walk(l.children as any)));
    const inspect = async (file: string, ...extra: string[]) => {
      const r = await runCli(['inspect', file, '--json', ...extra]);
      expect(r.code, `${file}: ${r.stderr}`).toBeLessThan(2);
      const doc = validateCliJson('inspect', r.stdout) as { layers: any[] };
      produced.push({ schema: 'inspect', doc });
      walk(doc.layers);
    };
    await inspect(q('NFIT.aml'));
    await inspect(q('SSDT-NVDIMM.aml'));
    for (const fx of ['fsdax-v1.2', 'devdax-v1.2', 'sector-v1.2', 'gpt-ext4-fsdax-v1.2']) {
      const img = t(`inspect-${fx}.img`);
      writeFileSync(img, gunzipSync(readFileSync(join('fixtures/linux', fx, 'image.img.gz'))));
      await inspect(img);
    }
    const dos = t('dos.img');
    writeFileSync(dos, '');
    truncateSync(dos, 16 << 20);
    runTool(requireTool('sfdisk', 'fdisk'), [dos], { input: Buffer.from('label: dos\n,2M,83\n,8M,5\n,2M,83\n') });
    await inspect(dos);
    const x = t('inspect-xen.img');
    writeFileSync(x, '');
    truncateSync(x, 64 << 20);
    expect((await runCli(['xen', 'format', x, '--placement', 'c', '--container-uuid', '11111111-2222-4333-8444-555555555555'])).code).toBe(0);
    await inspect(x);
    const cut = t('inspect-xen-cut.img');
    writeFileSync(cut, readFileSync(x).subarray(0, 2048)); // a super block cut off by the end of the file: no fields
    await inspect(cut);
    const run = t('run'); // the sim test's run; made here when that test did not run
    if (!existsSync(run)) expect((await runCli(['sim', 'run', 'fixtures/examples/xen-v4/scenario.json', '--out', run])).code).toBe(0);
    await inspect(join(run, 'host/nv0.img'));
    const mem = join(run, 'guests/vm1/memory.img');
    await inspect(mem);
    // the root table's signature overwritten in place (the file is this test's): its layer and the walk still described
    const root = (produced.at(-1)!.doc as any).layers[0].fields.tables[0].address as number;
    const fd = openSync(mem, 'r+');
    writeSync(fd, Buffer.from('JUNK'), 0, 4, root);
    closeSync(fd);
    await inspect(mem);
    expect((produced.at(-1)!.doc as any).layers[0].fields.root).toBe('JUNK');
    expect([...kinds].sort()).toEqual([...LAYER_KINDS].sort());
  });
});

describe("each writer's summary is one closed variant of writes.schema.json", () => {
  const SUMMARIES = '/anyOf/0/properties/summary/anyOf';
  const titles = (JSON.parse(readFileSync('schemas/writes.schema.json', 'utf8')).anyOf[0].properties.summary.anyOf as { title: string }[]).map((v) => v.title);
  const seen = new Set<string>();

  /** A writer's --json: the writes schema, and its summary matches the variant `title` (and no other). */
  async function summary(title: string, args: string[], exit = 0): Promise<Record<string, any>> {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(exit);
    const doc = validateCliJson('writes', r.stdout) as Record<string, any>;
    produced.push({ schema: 'writes', doc });
    const matching = titles.filter((_, i) => acceptsCliJsonAt('writes', `${SUMMARIES}/${i}`, doc.summary));
    expect(matching, args.join(' ')).toEqual([title]);
    seen.add(title);
    return doc.summary;
  }

  it('labels init, create, rename, repair (an index rewritten; both rebuilt from a slot scan), delete on one area', async () => {
    const f = t('summary.img');
    writeFileSync(f, '');
    truncateSync(f, 64 << 20);
    const uuid = '21111111-2222-4333-8444-555555555555';
    expect(await summary('labels init', ['labels', 'init', '--label-size', '128K', f, '--json'])).toMatchObject({ labelSize: 256 });
    await summary('labels create', ['labels', 'create', '--size', '16M', '--name', 'a', '--uuid', uuid, f, '--json']);
    await summary('labels rename', ['labels', 'rename', '--uuid', uuid, '--name', 'b', f, '--json']);
    const lsaAt = (64 << 20) - (128 << 10);
    const damage = (which: 'next' | 'both') => {
      const img = readFileSync(f);
      const v = readLabelArea(new Uint8Array(img.subarray(lsaAt)));
      for (const c of v.checks) if (which === 'both' || c.index === v.next) img[lsaAt + c.offset + 100]! ^= 0xff;
      writeFileSync(f, img);
    };
    damage('next');
    expect((await summary('labels repair', ['labels', 'repair', f, '--json'])).rebuilt).toBeUndefined();
    damage('both');
    expect((await summary('labels repair', ['labels', 'repair', f, '--json'])).rebuilt.restored).toMatchObject([{ uuid, name: 'b' }]);
    await summary('labels delete', ['labels', 'delete', '--uuid', uuid, f, '--json']);
  });

  it('labels create, rename, repair, delete across a 2-DIMM interleave set (--nfit); sim report', async () => {
    const memdev = (deviceHandle: number, regionIndex: number, regionOffset: string) => ({
      type: 1, deviceHandle, rangeIndex: 1, regionIndex, regionSize: '0x10000000', regionOffset, address: '0x0', interleaveIndex: 1, interleaveWays: 2,
    });
    const dcr = (regionIndex: number, serialNumber: number) => ({ type: 4, regionIndex, vendorId: 0x8086, serialNumber, code: 0x301 });
    const nfit = t('set-nfit.aml');
    writeFileSync(nfit, buildNfit({ profile: 'generic', structures: [
      { type: 0, rangeIndex: 1, flags: 0, rangeGuid: 'persistent', address: '0x100000000', rangeLength: '0x20000000', memoryMapping: '0x8008' },
      memdev(0x1, 1, '0x0'), memdev(0x101, 2, '0x10000000'), dcr(1, 0xaaaa), dcr(2, 0xbbbb), { type: 2, interleaveIndex: 1, lineSize: 256, lineOffsets: [0, 1] },
    ] }).bytes);
    const [a, b] = [t('set-a.lsa'), t('set-b.lsa')];
    for (const f of [a, b]) {
      writeFileSync(f, new Uint8Array(128 << 10));
      expect((await runCli(['labels', 'init', f])).code).toBe(0);
    }
    const uuid = '31111111-2222-4333-8444-555555555555';
    const set = ['--nfit', nfit, a, b, '--json'];
    expect((await summary('labels create (interleave set)', ['labels', 'create', '--size', '64M', '--name', 'old', '--uuid', uuid, ...set])).dimms).toHaveLength(2);
    await summary('labels rename (interleave set)', ['labels', 'rename', '--uuid', uuid, '--name', 'new', ...set]);
    const img = readFileSync(b);
    img[readLabelArea(new Uint8Array(img)).next! * 256 + 100]! ^= 0xff; // b's non-current index block
    writeFileSync(b, img);
    expect(await summary('labels repair (interleave set)', ['labels', 'repair', ...set])).toMatchObject({ regionActive: true });
    await summary('labels delete (interleave set)', ['labels', 'delete', '--uuid', uuid, ...set]);
    expect((await runCli(['labels', 'create', '--size', '64M', '--uuid', uuid, '--nfit', nfit, a, b])).code).toBe(0);
    expect((await runCli(['labels', 'delete', '--uuid', uuid, b])).code).toBe(0); // b's label alone: an incomplete set
    expect(await summary('labels repair (interleave set)', ['labels', 'repair', ...set], 1)).toMatchObject({ regionActive: false, regionReason: expect.any(String) });
    const run = t('summary-run');
    expect((await runCli(['sim', 'run', 'fixtures/examples/xen-v4/scenario.json', '--out', run])).code).toBe(0);
    await summary('sim report', ['sim', 'report', run, '--out', t('summary-report.html'), '--json']);
  });

  it('every variant was printed above', () => {
    expect([...seen].sort()).toEqual([...titles].sort());
  });
});

describe('the shipped schemas generated from the declarations', () => {
  it('the generated schemas/ files are what src/codecs/jsonSchemas.ts and src/inspect/jsonSchema.ts derive (npm run schemas writes them)', () => {
    for (const [name, schema] of Object.entries({ ...generatedSchemas(), 'inspect.schema.json': inspectSchema() })) expect(JSON.parse(readFileSync(join('schemas', name), 'utf8')), name).toEqual(schema);
  });

  it('the package ships schemas/ (package.json files)', () => {
    expect((JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[] }).files).toContain('schemas');
  });
});

/** Keys named by data, not by nvtool: a map's keys (type codes, page sizes, frame-table states), and the parts that mirror another tool's names. */
const NOT_KEY_STYLE = /^(partitiontable\b.*|.*\.byType|.*\.totals|dom0\.\w+|(tables\[\d+\]\.)?value\.(readLabels|namespaces)\b.*)$/;

/** Every key of `j` that is not camelCase (nor a "$" key of the value model), with its path. */
function keyStyle(j: unknown, path = '', out: string[] = []): string[] {
  if (NOT_KEY_STYLE.test(path)) return out;
  if (Array.isArray(j)) j.forEach((x, i) => keyStyle(x, `${path}[${i}]`, out));
  else if (j && typeof j === 'object') {
    for (const [k, x] of Object.entries(j)) {
      if (!/^([a-z][a-zA-Z0-9]*|\$[a-z]+)$/.test(k)) out.push(`${path ? `${path}.` : ''}${k}`);
      keyStyle(x, path ? `${path}.${k}` : k, out);
    }
  }
  return out;
}

describe('one key style per document', () => {
  it("nvtool's documents use camelCase keys; only the parts that mirror ndctl or sfdisk use theirs (labels list/dump, partitiontable)", () => {
    expect(produced.length).toBeGreaterThan(15);
    expect(keyStyle({ ok: { snake_case: 1, 'kebab-key': 2 } })).toEqual(['ok.snake_case', 'ok.kebab-key']);
    const mirrors = new Set(['labels-list', 'labels-dump']);
    const off = produced.filter((p) => !mirrors.has(p.schema)).flatMap((p) => keyStyle(p.doc).map((k) => `${p.schema}: ${k}`));
    expect([...new Set(off.map((k) => k.replace(/\[\d+\]/g, '[]')))]).toEqual([]);
  });
});

describe('each schema is strict where its document is closed', () => {
  it('an added key (another key style) anywhere, or a "0x…" string for any integer, fails validation', () => {
    expect(produced.length).toBeGreaterThan(15);
    const lax: string[] = [];
    for (const { schema, doc } of produced) {
      const { objects, integers } = leaves(doc);
      // one of each place (array indexes aside): a large AML value has thousands of alike objects
      const firstOfEach = (paths: string[]) => [...new Map(paths.map((p) => [p.replace(/\[\d+\]/g, '[]'), p])).values()];
      for (const p of firstOfEach(objects)) {
        const o = (p ? (at(doc, p).parent as any)[at(doc, p).key] : doc) as Record<string, unknown>;
        o.some_key = 1;
        if (acceptsCliJson(schema, doc)) lax.push(`${schema}: an added key at ${p || '(top)'}`);
        delete o.some_key;
      }
      for (const p of firstOfEach(integers)) {
        const { parent, key } = at(doc, p);
        const was = (parent as any)[key] as number;
        (parent as any)[key] = '0x' + was.toString(16);
        if (acceptsCliJson(schema, doc)) lax.push(`${schema}: a hex string at ${p}`);
        (parent as any)[key] = was;
      }
    }
    expect(lax).toEqual([]);
  });
});

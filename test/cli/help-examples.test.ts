/**
 * Every example `nvtool <command> --help` shows (the `examples` each command declares) and the
 * README's concrete shell commands, run as a user runs them: `sh -c LINE` with `nvtool` on PATH
 * (bin/nvtool.cjs, the installed command) in a directory holding the files the examples name.
 * A command's examples run in order in one directory, as a session, so later ones see what
 * earlier ones wrote. Each must exit with the status it documents (0 unless it says otherwise),
 * without a stack trace; where its description states a fact another tool can check (iasl,
 * acpiexec, sgdisk/sfdisk, acpidump, ndctl, what the kernel reported in fixtures/linux), that tool
 * checks it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllCommands } from '../../src/cli/registry.js';
import { captureAcpi } from '../harness/qemu.js';
import { acpiexecEvaluate } from '../support/acpiexec.js';
import { REPO } from '../support/fixtures.js';
import { sameBodyIgnoringCreator } from '../support/iasl.js';
import { requireTool, runTool } from '../support/tools.js';
import { normalize } from '../labels/fixtures.js';

const QEMU = join(REPO, 'fixtures/qemu/pc-1dimm');
const work = mkdtempSync(join(tmpdir(), 'nvtool-help-examples-'));
const store = join(work, 'fixtures');
const bin = join(work, 'bin');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The uuid (label uuid, what --namespace takes) of the kernel fixtures' namespaces. */
function kernelUuid(name: string): string {
  const e = JSON.parse(readFileSync(join(REPO, 'fixtures/linux', name, 'expected.json'), 'utf8'));
  const ns = e.reboot.reports.ndctl_list.json.regions[0].namespaces[0];
  return (ns.raw_uuid ?? ns.uuid) as string;
}

function kernelImage(name: string) {
  return (to: string) => void runTool('sh', ['-c', `gzip -dc '${join(REPO, 'fixtures/linux', name, 'image.img.gz')}' | cp --sparse=always /dev/stdin '${to}'`]);
}
const zeros = (size: string) => (to: string) => void runTool('truncate', ['-s', size, to]);
const copyOf = (from: string) => (to: string) => cpSync(from, to, { recursive: true });
const json = (v: unknown) => (to: string) => writeFileSync(to, JSON.stringify(v, null, 2));

/** A 2-DIMM interleave set (one SPA range, DIMM handles 0x1 then 0x101), as `"profile": "generic"`. */
const memdev = (deviceHandle: number, regionIndex: number, regionOffset: string) => ({
  type: 1, deviceHandle, rangeIndex: 1, regionIndex, regionSize: '0x10000000', regionOffset, address: '0x0', interleaveIndex: 1, interleaveWays: 2,
});
const GENERIC = { profile: 'generic', structures: [
  { type: 0, rangeIndex: 1, flags: 0, rangeGuid: 'persistent', address: '0x100000000', rangeLength: '0x20000000', memoryMapping: '0x8008' },
  memdev(0x1, 1, '0x0'), memdev(0x101, 2, '0x10000000'),
  { type: 4, regionIndex: 1, vendorId: 0x8086, serialNumber: 0xaaaa, code: 0x301 },
  { type: 4, regionIndex: 2, vendorId: 0x8086, serialNumber: 0xbbbb, code: 0x301 },
  { type: 2, interleaveIndex: 1, lineSize: 256, lineOffsets: [0, 1] },
] };

interface Fixture {
  make(to: string): void;
  /** What `UUID` stands for in an example naming this file. */
  uuid?: string;
}

/**
 * The files the examples name. One name, one meaning across every command's help: nvdimm0.img
 * is a QEMU backing file the kernel gave an fsdax namespace with a GPT and ext4, nvdimm1.img one
 * it never wrote, raw.img / sector.img a raw / sector namespace Linux made.
 */
const FIXTURES: Record<string, Fixture> = {
  'nvdimm0.img': { make: kernelImage('gpt-ext4-fsdax-v1.2'), uuid: kernelUuid('gpt-ext4-fsdax-v1.2') },
  'nvdimm1.img': { make: kernelImage('blank') },
  'raw.img': { make: kernelImage('raw-v1.2'), uuid: kernelUuid('raw-v1.2') },
  'sector.img': { make: kernelImage('sector-v1.2'), uuid: kernelUuid('sector-v1.2') },
  'pmem.img': { make: zeros('256M') },
  'disk.img': { make: zeros('2G') },
  'ns.img': { make: zeros('64M'), uuid: '3a0e2b1c-5d4f-4e6a-8b7c-9d0e1f2a3b4c' },
  // a GPT sgdisk wrote into the 254 MiB window at 2 MiB of a 256 MiB image
  'image.raw': { make: (to) => {
    const part = `${to}.part`;
    runTool('truncate', ['-s', '254M', part]);
    runTool('sgdisk', ['-n', '1:0:0', '-t', '1:8300', '-c', '1:inner', part]);
    runTool('truncate', ['-s', '256M', to]);
    runTool('dd', [`if=${part}`, `of=${to}`, 'bs=1M', 'seek=2', 'conv=notrunc,sparse', 'status=none']);
    rmSync(part);
  } },
  // the label areas of two DIMMs, initialized
  'dimm0.img': { make: labelArea, uuid: '5e0c4b0e-1d7b-4c1e-9d2e-0123456789ab' },
  'dimm1.img': { make: labelArea },
  'data.bin': { make: (to) => writeFileSync(to, Buffer.alloc(4096, 0x5a)) },
  'SSDT.aml': { make: copyOf(join(QEMU, 'SSDT-NVDIMM.aml')) },
  'DSDT.aml': { make: copyOf(join(QEMU, 'DSDT.aml')) },
  'platform.json': { make: copyOf(join(QEMU, 'platform.json')) },
  // the machine fixtures/linux were written in (fixtures/linux/README.md)
  'vm.json': { make: json({ machine: { type: 'pc' }, memory: { size: '512M', slots: 1, maxmem: '2048M' }, nvdimms: [{ id: 'nv0', size: '256M', labelSize: '128K' }] }) },
  'generic.json': { make: json(GENERIC) },
  'nfit.aml': { make: (to) => nvtoolSync(['build-nfit', join(store, 'generic.json'), '-o', to]) },
  // a _FIT buffer: the NFIT's structures, without its 40-byte header (ACPI 6.4 §6.5.9)
  'fit.bin': { make: (to) => writeFileSync(to, readFileSync(join(QEMU, 'NFIT.aml')).subarray(40)) },
  'tables.txt': { make: (to) => writeFileSync(to, acpidumpListing()) },
  // decode --json of QEMU's NFIT with a wrong checksum / with the checksum pinned to 0 and a field edited
  'bad.json': { make: (to) => json({ ...decodedNfit(), checksum: (decodedNfit().checksum + 1) & 0xff })(to) },
  't.json': { make: (to) => json({ ...decodedNfit(), oemRevision: 2, checksum: { $pin: 0 } })(to) },
  'scenario.json': { make: copyOf(join(REPO, 'fixtures/examples/xen-v4/scenario.json')) },
  'vm1.cfg': { make: copyOf(join(REPO, 'fixtures/examples/xen-v4/vm1.cfg')) },
  'run1': { make: (to) => nvtoolSync(['sim', 'run', join(store, 'scenario.json'), '--out', to]) },
};
/** Files a fixture needs beside it (scenario.json names vm1.cfg). */
const COMPANIONS: Record<string, string[]> = { 'scenario.json': ['vm1.cfg'] };

function labelArea(to: string): void {
  writeFileSync(to, new Uint8Array(128 << 10));
  nvtoolSync(['labels', 'init', to]);
}

function acpidumpListing(): string {
  return ['NFIT.aml', 'SSDT-NVDIMM.aml', 'DSDT.aml'].map((f) => runTool('acpidump', ['-f', join(QEMU, f)])).join('');
}

let nfitJson: any;
function decodedNfit(): any {
  nfitJson ??= JSON.parse(nvtoolSync(['decode', join(QEMU, 'NFIT.aml'), '--json'])).value;
  return nfitJson;
}

function nvtoolSync(args: string[]): string {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/nvtool.cjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`fixture: nvtool ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

interface Result { status: number | null; stdout: string; stderr: string }

function sh(line: string, cwd: string): Promise<Result> {
  return new Promise((done) => {
    const p = spawn('sh', ['-c', line], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, EDITOR: 'true', NVTOOL_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => done({ status, stdout, stderr }));
    p.stdin.end();
  });
}

const OUTPUT = /(?:^|\s)(?:-o|--out|--svg|--report|>)\s+(\S+)/g;

/** Names an example reads and writes: the fixtures it needs are those read before any example of the session wrote them. */
function namesOf(line: string): { reads: string[]; writes: string[] } {
  const top = (w: string) => w.replace(/^["']|["']$/g, '').split('/')[0]!;
  const writes = [...line.matchAll(OUTPUT)].map((m) => top(m[1]!));
  const created = /gpt create (\S+) .*--image-size/.exec(line);
  if (created) writes.push(created[1]!);
  const reads = line.split(/\s+|&&|\|/).map(top).filter((w) => w in FIXTURES && !writes.includes(w));
  return { reads, writes };
}

/** `$0` is nvtool; `UUID` the uuid of the first file of the line that has one. */
function expand(line: string): string {
  const withUuid = Object.keys(FIXTURES).find((f) => FIXTURES[f]!.uuid && line.split(/\s+/).includes(f));
  let out = line.replace(/\$0/g, 'nvtool');
  if (/\bUUID\b/.test(out)) {
    if (!withUuid) throw new Error(`${line}: UUID but no file with a uuid in the fixture map`);
    out = out.replace(/\bUUID\b/g, FIXTURES[withUuid]!.uuid!);
  }
  return out;
}

const STACK = /^\s+at .*(?:\.[cm]?[jt]s:\d+:\d+|\(node:)/m;

type Check = (dir: string, r: Result) => void | Promise<void>;

const sgdiskClean = (file: string): Check => (dir) => {
  expect(runTool('sgdisk', ['-v', file], { cwd: dir })).toMatch(/No problems found/);
};
/** What the guest that wrote nvdimm0.img reported after a fresh boot (fixtures/linux/README.md). */
const gptGuest = (): any => JSON.parse(readFileSync(join(REPO, 'fixtures/linux/gpt-ext4-fsdax-v1.2/expected.json'), 'utf8')).reboot.reports;
/** Equal contents; multi-GiB sparse images (host DIMMs, guest memory) compared by their data segments. */
function sameContent(a: string, b: string): boolean {
  const size = statSync(a).size;
  if (statSync(b).size !== size) return false;
  if (size < 16 << 20) return readFileSync(a).equals(readFileSync(b));
  const digest = (f: string) => runTool('python3', [join(REPO, 'test/support/sparse-digest.py'), f]);
  return digest(a) === digest(b);
}
const sum8 = (b: Uint8Array) => b.reduce((s, x) => (s + x) & 0xff, 0);

/**
 * What an example's description promises beyond its exit status, checked by another tool; keyed
 * by the example as declared (a key no example has fails the test, so a reworded example cannot
 * silently lose its check).
 */
const CHECKS: Record<string, Check> = {
  '$0 build-nfit platform.json -o nfit.aml': (dir) => {
    expect(readFileSync(join(dir, 'nfit.aml')).equals(readFileSync(join(QEMU, 'NFIT.aml')))).toBe(true);
  },
  '$0 build-ssdt platform.json -o ssdt.aml': (dir) => {
    // QEMU's table before SeaBIOS patched MEMA (the last 4 bytes, platform.json has no dsmBuffer)
    // and the checksum
    const qemu = new Uint8Array(readFileSync(join(QEMU, 'SSDT-NVDIMM.aml')));
    qemu.fill(0, qemu.length - 4);
    qemu[9] = 0;
    qemu[9] = (256 - sum8(qemu)) & 0xff;
    expect(Buffer.from(qemu).equals(readFileSync(join(dir, 'ssdt.aml')))).toBe(true);
  },
  '$0 disasm SSDT.aml -o ssdt.dsl': (dir) => {
    runTool('iasl', ['-oa', '-p', 'back', 'ssdt.dsl'], { cwd: dir });
    expect(sameBodyIgnoringCreator(new Uint8Array(readFileSync(join(dir, 'back.aml'))), new Uint8Array(readFileSync(join(dir, 'SSDT.aml'))))).toBe(true);
  },
  '$0 decode nfit.aml --json > nfit.json && $EDITOR nfit.json && $0 encode nfit.json -o new.aml': (dir) => {
    expect(readFileSync(join(dir, 'new.aml')).equals(readFileSync(join(dir, 'nfit.aml')))).toBe(true);
  },
  '$0 encode bad.json -o bad.aml --preserve': (dir) => {
    const b = new Uint8Array(readFileSync(join(dir, 'bad.aml')));
    expect(b[9]).toBe(JSON.parse(readFileSync(join(dir, 'bad.json'), 'utf8')).checksum);
    expect(sum8(b)).not.toBe(0);
  },
  '$0 encode t.json -o t.aml': (dir) => {
    const b = new Uint8Array(readFileSync(join(dir, 't.aml')));
    expect([b[9], b[24]]).toEqual([0, 2]);
  },
  '$0 decode SSDT.aml --json > ssdt.json && $0 encode ssdt.json -o ssdt2.aml': (dir) => {
    expect(readFileSync(join(dir, 'ssdt2.aml')).equals(readFileSync(join(dir, 'SSDT.aml')))).toBe(true);
  },
  '$0 decode tables.txt --json > t.json && $0 encode t.json -o tables2.txt': (dir) => {
    expect(readFileSync(join(dir, 'tables2.txt'), 'utf8')).toBe(readFileSync(join(dir, 'tables.txt'), 'utf8'));
  },
  '$0 aml eval DSDT.aml SSDT.aml \\_SB.NVDR.NV00._LSI --trace': (dir, r) => {
    const [ref] = acpiexecEvaluate([join(dir, 'DSDT.aml'), join(dir, 'SSDT.aml')], [{ path: '\\_SB.NVDR.NV00._LSI' }]);
    expect(ref!.status).toBe('AE_AML_BUFFER_LIMIT');
    expect(r.stdout + r.stderr).toContain('AE_AML_BUFFER_LIMIT');
  },
  '$0 aml eval SSDT.aml \\_SB.NVDR.NV00._DSM "(01 02)" 1 0x10 "abc" --json': (dir, r) => {
    const [ref] = acpiexecEvaluate([join(dir, 'SSDT.aml')], [{ path: '\\_SB.NVDR.NV00._DSM', args: ['(01 02)', '1', '0x10', '"abc"'] }]);
    const got = JSON.parse(r.stdout);
    expect([got.status, got.result]).toEqual([ref!.status, ref!.result]);
    expect(got.result).toEqual({ type: 'Buffer', hex: '01' });
  },
  '$0 gpt create disk.img --image-size 64M': sgdiskClean('disk.img'),
  '$0 gpt add disk.img --start 2048 --part-size 10M --type 8300 --name data': (dir) => {
    sgdiskClean('disk.img')(dir, undefined as never);
    const info = runTool('sgdisk', ['-i', '1', 'disk.img'], { cwd: dir });
    expect(info).toMatch(/Partition GUID code: 0FC63DAF-8483-4772-8E79-3D69D8477DE4/);
    expect(info).toMatch(/First sector: 2048 /);
    expect(info).toMatch(/Partition size: 20480 sectors/);
    expect(info).toMatch(/Partition name: 'data'/);
  },
  '$0 gpt list disk.img --dump': (dir, r) => {
    expect(r.stdout).toBe(runTool('sfdisk', ['--dump', 'disk.img'], { cwd: dir }));
  },
  '$0 gpt list disk.img --json': (dir, r) => {
    expect(JSON.parse(r.stdout).partitiontable).toEqual(JSON.parse(runTool('sfdisk', ['--json', 'disk.img'], { cwd: dir })).partitiontable);
  },
  '$0 gpt delete disk.img --number 1': (dir) => {
    sgdiskClean('disk.img')(dir, undefined as never);
    expect(runTool('sgdisk', ['-p', 'disk.img'], { cwd: dir })).not.toMatch(/^\s+1\s+2048/m);
  },
  '$0 gpt verify disk.img': sgdiskClean('disk.img'),
  '$0 gpt list image.raw --window-offset 2M --window-size 254M': (_dir, r) => {
    expect(r.stdout).toMatch(/inner/);
  },
  '$0 xen format pmem.img --placement a': sgdiskClean('pmem.img'),
  '$0 xen format disk.img --placement b --part-size 1G': (dir) => {
    sgdiskClean('disk.img')(dir, undefined as never);
    expect(runTool('sgdisk', ['-i', '1', 'disk.img'], { cwd: dir })).toMatch(/Partition size: 2097152 sectors/);
  },
  '$0 labels dump --json nvdimm0.img': (_dir, r) => {
    // ndctl read-labels -j of the same image, in the guest that wrote it
    // integers above 2^53 compared as their decimal text, as expected.json keeps them
    expect(normalize({ ...JSON.parse(r.stdout.replace(/(:\s*)(\d{16,})/g, '$1"$2"')), dev: 'nmem0' })).toEqual(normalize(gptGuest().read_labels.json));
  },
  '$0 labels list --json --platform vm.json --dimm nv0 nvdimm0.img': (_dir, r) => {
    const region = gptGuest().ndctl_list.json.regions[0];
    const [ns] = JSON.parse(r.stdout);
    expect([ns.raw_uuid, ns.mode, ns.sector_size, ns.state]).toEqual([region.namespaces[0].raw_uuid, region.namespaces[0].mode, region.namespaces[0].sector_size, 'active']);
  },
  '$0 gpt list nvdimm0.img --namespace UUID --label-size 128K': (_dir, r) => {
    // sgdisk -p /dev/pmem0 in the guest: the disk's GUID and size, partition 1's sectors and name
    const guest = gptGuest().sgdisk.stdout as string;
    const row = (t: string) => /^\s+1\s+(\d+)\s+(\d+)\s.*?(\S+)$/m.exec(t)?.slice(1);
    expect(row(r.stdout)).toEqual(row(guest));
    expect(r.stdout).toContain(/^Disk identifier \(GUID\): \S+$/m.exec(guest)![0]);
    expect(r.stdout).toContain(`: ${/^Disk \/dev\/pmem0: (\d+ sectors)/m.exec(guest)![1]}`);
  },
  '$0 namespace show nvdimm0.img -n UUID --json': (_dir, r) => {
    const ns = gptGuest().ndctl_list.json.regions[0].namespaces[0];
    const got = JSON.parse(r.stdout);
    expect([got.mode, got.size, got.sectorSize, got.infoBlock.uuid]).toEqual([ns.mode, ns.size, ns.sector_size, ns.uuid]);
  },
  '$0 decode nvdimm0.img --window-offset 4K --window-size 4K --format pfn-info': (_dir, r) => {
    // the pfn device's uuid ndctl listed
    expect(r.stdout).toContain(gptGuest().ndctl_list.json.regions[0].namespaces[0].uuid);
  },
  '$0 sim run scenario.json --out run2 --permissions rangeset': (dir) => {
    const files = (run: string) => (readdirSync(join(dir, run), { recursive: true }) as string[]).filter((f) => statSync(join(dir, run, f)).isFile()).sort();
    expect(files('run2')).toEqual(files('run1'));
    expect(files('run1').filter((f) => !sameContent(join(dir, 'run1', f), join(dir, 'run2', f)))).toEqual(['xen/permissions.json']);
  },
  '$0 namespace format pmem.img --window-offset 128K --window-size 32M --mode fsdax --spa 0x10ffe0000': (dir) => {
    // ndctl writes the same info block for a 32 MiB namespace at SPA 0x110000000 (its uuid is nvtool's random one)
    const img = readFileSync(join(dir, 'pmem.img'));
    const block = img.subarray((128 << 10) + 4096, (128 << 10) + 8192);
    const u = block.subarray(16, 32).toString('hex');
    const uuid = `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
    runTool('ndctl', ['write-infoblock', '-o', 'ndctl.ib', '-s', '32M', '-O', String(0x110000000), '-m', 'fsdax', '-a', '2M', '-M', 'dev', '-u', uuid, '-p', '00000000-0000-0000-0000-000000000000'], { cwd: dir });
    expect(readFileSync(join(dir, 'ndctl.ib')).subarray(4096, 8192).equals(block)).toBe(true);
  },
  '$0 sim schema > scenario.schema.json': (dir) => {
    // ajv (an independent validator) takes the schema and accepts the example scenario
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(dir, 'scenario.schema.json'), 'utf8')));
    expect([validate(JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8'))), validate.errors ?? null]).toEqual([true, null]);
  },
  '$0 inspect pmem.img --json --stats': (dir, r) => {
    JSON.parse(r.stdout);
    const [, bytes] = /^read (\d+) bytes in \d+ reads/m.exec(r.stderr) ?? [];
    expect(Number(bytes)).toBeGreaterThan(0);
    expect(Number(bytes)).toBeLessThan(statSync(join(dir, 'pmem.img')).size);
  },
  '$0 sim report run1 --out run1.html': (dir) => {
    // self-contained (nothing fetched), and every link into run1 names a file there
    const html = readFileSync(join(dir, 'run1.html'), 'utf8');
    expect(html).not.toMatch(/(?:src|href)="https?:/);
    const links = [...html.matchAll(/href="(run1\/[^"#]*)"/g)].map((m) => decodeURIComponent(m[1]!));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(join(dir, l)))).toEqual([]);
  },
  '$0 sim run scenario.json --out run2 --dry-run': (dir) => {
    expect(existsSync(join(dir, 'run2'))).toBe(false);
  },
  '$0 sim resume run3': (dir) => {
    expect(existsSync(join(dir, 'run3/guests/vm1/ndctl-list.json'))).toBe(true);
  },
  '$0 inspect nvdimm0.img --svg layout.svg': (dir) => {
    runTool('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg"), r.tag', 'layout.svg'], { cwd: dir });
  },
};

/** Exit statuses other than 0 that an example's description documents. */
const STATUS: Record<string, number> = {
  '$0 aml eval DSDT.aml SSDT.aml \\_SB.NVDR.NV00._LSI --trace': 1,
};

const commands = await loadAllCommands();

beforeAll(() => {
  for (const [tool, pkg] of [['sgdisk', 'gdisk'], ['sfdisk', 'fdisk'], ['iasl', 'acpica-tools'], ['acpidump', 'acpica-tools'], ['acpiexec', 'acpica-tools'], ['ndctl', 'ndctl'], ['python3', 'python3']] as const) requireTool(tool, pkg);
  if (!existsSync(join(REPO, 'dist/cli-bundle/nvtool.cjs'))) throw new Error('dist/cli-bundle/nvtool.cjs missing: run `npm run build` (npm ci does)');
  mkdirSync(store);
  mkdirSync(bin);
  writeFileSync(join(bin, 'nvtool'), `#!/bin/sh\nexec '${process.execPath}' '${join(REPO, 'bin/nvtool.cjs')}' "$@"\n`);
  // acpidump reads the machine's tables (root only): here it lists QEMU's, as `acpidump -f` does
  writeFileSync(join(bin, 'acpidump'), `#!/bin/sh\nfor t in NFIT SSDT-NVDIMM DSDT; do '${requireTool('acpidump', 'acpica-tools')}' -f '${QEMU}'/$t.aml; done\n`);
  for (const f of ['nvtool', 'acpidump']) chmodSync(join(bin, f), 0o755);
  // order: what a fixture is made from first
  for (const name of ['generic.json', 'vm1.cfg', 'scenario.json', ...Object.keys(FIXTURES)]) if (!existsSync(join(store, name))) FIXTURES[name]!.make(join(store, name));
}, 300_000);

/** Copies the fixtures the session reads (cp keeps their holes), runs each example in order, collects what went wrong. */
async function session(examples: readonly (readonly [string, string])[]): Promise<string[]> {
  const dir = mkdtempSync(join(work, 'session-'));
  const written = new Set<string>();
  for (const [line] of examples) {
    const { reads, writes } = namesOf(line);
    for (const f of reads) {
      if (written.has(f) || existsSync(join(dir, f))) continue;
      for (const g of [f, ...(COMPANIONS[f] ?? [])]) runTool('cp', ['-a', '--reflink=auto', join(store, g), join(dir, g)]);
    }
    for (const f of writes) written.add(f);
  }
  const problems: string[] = [];
  for (const [line] of examples) {
    const r = await sh(expand(line), dir);
    const want = STATUS[line] ?? 0;
    const what = `${line}\n  exit ${r.status}\n  stderr: ${r.stderr.trim().split('\n').slice(0, 4).join('\n          ')}`;
    if (r.status !== want) problems.push(`${what}\n  (expected exit ${want})`);
    else if (STACK.test(r.stderr)) problems.push(`${what}\n  (a stack trace)`);
    else if (CHECKS[line]) {
      try {
        await CHECKS[line]!(dir, r);
      } catch (e) {
        problems.push(`${what}\n  check: ${String((e as Error).message).split('\n').slice(0, 12).join('\n  ')}`);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return problems;
}

describe('the examples of nvtool <command> --help', () => {
  it('every check and documented status belongs to a declared example, and the built nvtool shows the declared examples', () => {
    const declared = new Set(commands.flatMap((c) => c.examples.map(([l]) => l)));
    expect([...Object.keys(CHECKS), ...Object.keys(STATUS)].filter((k) => !declared.has(k))).toEqual([]);
    for (const c of commands) {
      const help = spawnSync(process.execPath, [join(REPO, 'bin/nvtool.cjs'), ...c.name.split(' '), '--help'], { encoding: 'utf8' }).stdout;
      for (const [l] of c.examples) expect(help, `${c.name}: dist is older than src (npm run build)`).toContain(`  ${l.replace(/\$0/g, 'nvtool')}\n`);
    }
  });

  it.concurrent.each(commands.map((c) => [c.name, c] as const))('nvtool %s: each example does what its help says', async (_n, c) => {
    expect(c.examples.length).toBeGreaterThan(0);
    expect(await session(c.examples)).toEqual([]);
  });
});

describe("the README's shell commands outside its first two blocks", () => {
  it('run, exit 0, no stack trace; build-nfit gives the NFIT real QEMU 7.2 gives for that platform', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/^```sh\n[\s\S]*?^```$/gm)];
    const rest = readme.slice(blocks[1]!.index! + blocks[1]![0].length);
    // inline commands with concrete arguments (the table's IMAGE, FILE, DIR... are templates)
    const lines = [...rest.matchAll(/`((?:npx )?nvtool [^`]*)`/g)].map((m) => m[1]!).filter((l) => {
      const words = l.split(' ').slice(l.startsWith('npx') ? 2 : 1);
      const template = words.some((w) => /\\\||^\[|^[A-Z][A-Z_]*(?:\.\w+|\.\.\.)?$/.test(w));
      return !template && words.slice(1).some((w) => !w.startsWith('-'));
    });
    expect(lines).toEqual(['npx nvtool decode /tmp/nvsim/guests/vm1/acpi/NFIT.aml', 'npx nvtool build-nfit fixtures/examples/platform.json -o nfit.aml', 'nvtool sim size 64G']);
    const dir = mkdtempSync(join(work, 'readme-'));
    symlinkSync(join(REPO, 'fixtures'), join(dir, 'fixtures'));
    // the run the README's first command made, at /tmp/nvsim
    nvtoolSync(['sim', 'run', join(REPO, 'fixtures/examples/xen-v4/scenario.json'), '--out', join(dir, 'nvsim')]);
    for (const l of lines) {
      const r = await sh(l.replace(/^npx nvtool /, 'nvtool ').replace(/\/tmp\/nvsim/g, 'nvsim'), dir);
      expect([l, r.status, STACK.test(r.stderr)]).toEqual([l, 0, false]);
    }
    const platform = JSON.parse(readFileSync(join(REPO, 'fixtures/examples/platform.json'), 'utf8'));
    const capture = await captureAcpi(platform, { timeoutMs: 60_000 });
    expect(Buffer.from(capture.nfit!.bytes).equals(readFileSync(join(dir, 'nfit.aml')))).toBe(true);
  });
});

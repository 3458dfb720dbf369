/**
 * Usage errors never write: every command that writes, given a misspelled action, a misspelled
 * option, an invalid choice, an empty value, a malformed UUID, an out-of-range value or a repeated
 * option, exits 2 with one line on stderr, and every file in its directory is byte-identical
 * afterwards (sha256 of each file, and no file added or removed); the unmutated command line then
 * runs with exit 0. Most cases run through the CLI's
 * entry point in process; a few run as real processes (node + tsx on the sources).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nvtool-usage-matrix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => join(dir, name);
const NS = '5a3a8a0e-1c1e-4a7e-9d0b-1f2e3d4c5b6a';

function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) {
    const p = f(n);
    out[n] = statSync(p).isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'dir';
  }
  return out;
}

beforeAll(async () => {
  // State to protect: a GPT disk with a partition, an NVDIMM image with labels and a namespace,
  // existing output files, inputs for encode/build/disasm.
  const ok = async (...argv: string[]) => expect((await runCli(argv)).code).toBe(0);
  await ok('gpt', 'create', f('disk.img'), '--image-size', '8M');
  await ok('gpt', 'add', f('disk.img'), '--part-size', '256K', '--name', 'keep');
  writeFileSync(f('nv.img'), '');
  truncateSync(f('nv.img'), (4 << 20) + (128 << 10));
  await ok('labels', 'init', f('nv.img'), '--label-size', '128K');
  await ok('labels', 'create', f('nv.img'), '--label-size', '128K', '--size', '1M', '--uuid', NS, '--name', 'keep');
  copyFileSync(join(root, 'fixtures/examples/platform.json'), f('platform.json'));
  copyFileSync(join(root, 'fixtures/qemu/pc-1dimm/NFIT.aml'), f('nfit.aml'));
  copyFileSync(join(root, 'fixtures/qemu/pc-1dimm/SSDT-NVDIMM.aml'), f('ssdt.aml'));
  writeFileSync(f('nfit.json'), (await runCli(['decode', f('nfit.aml'), '--json'])).stdout);
  writeFileSync(f('out.bin'), 'existing output\n');
  writeFileSync(f('sector.bin'), new Uint8Array(512));
});

/** A valid command line of each writer, and the mutations that must each be a usage error. */
interface Writer {
  argv: () => string[];
  /** [what, argv] */
  bad: () => [string, string[]][];
}

const typoOption = (argv: string[]): string[] => [...argv, '--froce'];
const repeated = (argv: string[], opt: string, value?: string): string[] => [...argv, opt, ...(value !== undefined ? [value] : []), opt, ...(value !== undefined ? [value] : [])];

const WRITERS: Record<string, Writer> = {
  'gpt add': {
    argv: () => ['gpt', 'add', f('disk.img'), '--part-size', '128K'],
    bad: () => [
      ['misspelled action', ['gpt', 'ad', f('disk.img'), '--part-size', '1M']],
      ['invalid choice', ['gpt', 'add', f('disk.img'), '--sector-size', '1024']],
      ['empty value', ['gpt', 'add', f('disk.img'), '--part-size', '']],
      ['malformed UUID', ['gpt', 'add', f('disk.img'), '--guid', '1234-5678']],
      ['out-of-range value', ['gpt', 'add', f('disk.img'), '--number', '0']],
      ['fractional value', ['gpt', 'add', f('disk.img'), '--number', '1.5']],
      ['repeated option', repeated(['gpt', 'add', f('disk.img')], '--part-size', '1M')],
    ],
  },
  'gpt delete': {
    argv: () => ['gpt', 'delete', f('disk.img'), '--number', '1'],
    bad: () => [
      ['misspelled action (lst falls through to delete)', ['gpt', 'lst', f('disk.img'), '--number', '1']],
      ['option of another action', ['gpt', 'delete', f('disk.img'), '--number', '1', '--start', '2048']],
      ['missing --number', ['gpt', 'delete', f('disk.img')]],
      ['negative value', ['gpt', 'delete', f('disk.img'), '--number', '-1']],
      ['repeated option', repeated(['gpt', 'delete', f('disk.img')], '--number', '1')],
    ],
  },
  'gpt create': {
    argv: () => ['gpt', 'create', f('disk.img'), '--force'],
    bad: () => [
      ['out-of-range value', ['gpt', 'create', f('disk.img'), '--force', '--entries', '-1']],
      ['malformed UUID', ['gpt', 'create', f('disk.img'), '--force', '--disk-guid', 'not-a-guid']],
      ['empty value', ['gpt', 'create', f('disk.img'), '--force', '--disk-guid', '']],
      ['window and namespace together', ['gpt', 'create', f('nv.img'), '--force', '--namespace', NS, '--window-offset', '0']],
    ],
  },
  'xen format': {
    argv: () => ['xen', 'format', f('disk.img'), '--force', '--quiet'],
    bad: () => [
      ['misspelled action', ['xen', 'frmat', f('disk.img'), '--force']],
      ['invalid choice', ['xen', 'format', f('disk.img'), '--force', '--placement', 'z']],
      ['option of another placement', ['xen', 'format', f('disk.img'), '--force', '--placement', 'a', '--part-size', '1M']],
      ['malformed UUID', ['xen', 'format', f('disk.img'), '--force', '--placement', 'c', '--container-uuid', 'x']],
      ['out-of-range value', ['xen', 'format', f('disk.img'), '--force', '--window-size', '0']],
      ['repeated option', repeated(['xen', 'format', f('disk.img')], '--force')],
    ],
  },
  'labels create': {
    argv: () => ['labels', 'create', f('nv.img'), '--label-size', '128K', '--size', '1M'],
    bad: () => [
      ['invalid choice', ['labels', 'create', f('nv.img'), '--size', '4M', '--mode', 'fsdax2']],
      ['empty value', ['labels', 'create', f('nv.img'), '--size', '4M', '--uuid', '']],
      ['malformed UUID', ['labels', 'create', f('nv.img'), '--size', '4M', '--uuid', 'zzzzzzzz-1c1e-4a7e-9d0b-1f2e3d4c5b6a']],
      ['out-of-range value', ['labels', 'create', f('nv.img'), '--size', '4M', '--sector-size', '-1']],
      ['zero align', ['labels', 'create', f('nv.img'), '--size', '4M', '--align', '0']],
      ['repeated option', repeated(['labels', 'create', f('nv.img')], '--size', '4M')],
    ],
  },
  'labels delete': {
    argv: () => ['labels', 'delete', f('nv.img'), '--label-size', '128K', '--uuid', NS, '--dry-run'],
    bad: () => [
      ['misspelled option', ['labels', 'delete', f('nv.img'), '--uuid', NS, '--dryrun']],
      ['empty value', ['labels', 'delete', f('nv.img'), '--uuid', '']],
      ['nil UUID', ['labels', 'delete', f('nv.img'), '--uuid', '00000000-0000-0000-0000-000000000000']],
      ['missing --uuid', ['labels', 'delete', f('nv.img')]],
    ],
  },
  'labels rename': {
    argv: () => ['labels', 'rename', f('nv.img'), '--label-size', '128K', '--uuid', NS, '--name', 'renamed'],
    bad: () => [
      ['name too long', ['labels', 'rename', f('nv.img'), '--uuid', NS, '--name', 'x'.repeat(64)]],
      ['repeated option', repeated(['labels', 'rename', f('nv.img'), '--uuid', NS], '--name', 'a')],
      ['one target only', ['labels', 'init', f('nv.img'), f('disk.img'), '--force']],
    ],
  },
  'namespace view': {
    argv: () => ['namespace', 'view', f('nv.img'), '-n', NS, '--write', '0', '--input', f('sector.bin')],
    bad: () => [
      ['negative sector', ['namespace', 'view', f('nv.img'), '-n', NS, '--write', '-1', '--input', f('sector.bin')]],
      ['write without input', ['namespace', 'view', f('nv.img'), '-n', NS, '--write', '0']],
      ['read and write together', ['namespace', 'view', f('nv.img'), '-n', NS, '--write', '0', '--read', '0', '--input', f('sector.bin')]],
    ],
  },
  'namespace format': {
    argv: () => ['namespace', 'format', f('nv.img'), '-n', NS, '--mode', 'raw', '--force'],
    bad: () => [
      ['misspelled subcommand', ['namespace', 'fromat', f('nv.img'), '-n', NS, '--mode', 'fsdax']],
      ['missing --mode', ['namespace', 'format', f('nv.img'), '-n', NS, '--force']],
      ['empty namespace', ['namespace', 'format', f('nv.img'), '-n', '', '--mode', 'fsdax']],
      ['invalid choice', ['namespace', 'format', f('nv.img'), '-n', NS, '--mode', 'sector', '--sector-size', '1024']],
      ['size grammar', ['namespace', 'format', f('nv.img'), '-n', NS, '--mode', 'fsdax', '--align', '2.5M']],
      ['align for the wrong mode', ['namespace', 'format', f('nv.img'), '-n', NS, '--mode', 'raw', '--align', '2M']],
      ['repeated option', repeated(['namespace', 'format', f('nv.img'), '-n', NS], '--mode', 'fsdax')],
    ],
  },
  'labels init': {
    argv: () => ['labels', 'init', f('nv.img'), '--label-size', '128K', '--force'],
    bad: () => [
      ['misspelled action', ['labels', 'int', f('nv.img'), '--force']],
      ['invalid choice', ['labels', 'init', f('nv.img'), '--label-version', '1.3', '--force']],
      ['misspelled --dry-run', ['labels', 'init', f('nv.img'), '--force', '--dryrun']],
      ['out-of-range value', ['labels', 'init', f('nv.img'), '--force', '--label-size', '-1']],
      ['size grammar', ['labels', 'init', f('nv.img'), '--force', '--label-size', '128KB']],
    ],
  },
  encode: {
    argv: () => ['encode', f('nfit.json'), '-o', f('out.bin'), '--force'],
    bad: () => [
      ['misspelled command', ['encdoe', f('nfit.json'), '-o', f('out.bin'), '--force']],
      ['empty output', ['encode', f('nfit.json'), '-o', '', '--force']],
      ['repeated output', ['encode', f('nfit.json'), '-o', f('out.bin'), '-o', f('new.bin')]],
      ['flag with a value', ['encode', f('nfit.json'), '-o', f('out.bin'), '--force=yes']],
      ['invalid choice', ['encode', f('nfit.json'), '-o', f('out.bin'), '--force', '--format', 'nfitt']],
    ],
  },
  'build-nfit': {
    argv: () => ['build-nfit', f('platform.json'), '-o', f('out.bin'), '--force'],
    bad: () => [
      ['missing output', ['build-nfit', f('platform.json'), '--force']],
      ['extra argument', ['build-nfit', f('platform.json'), f('nfit.aml'), '-o', f('out.bin'), '--force']],
    ],
  },
  'build-ssdt': {
    argv: () => ['build-ssdt', f('platform.json'), '-o', f('out.bin'), '--force'],
    bad: () => [['repeated option', ['build-ssdt', f('platform.json'), '-o', f('out.bin'), '--force', '--force']]],
  },
  decode: {
    argv: () => ['decode', f('nfit.aml'), '-o', f('out.bin'), '--force'],
    bad: () => [
      ['out-of-range window', ['decode', f('nfit.aml'), '-o', f('out.bin'), '--force', '--window-offset', '18446744073709551616']],
      ['malformed signature', ['decode', f('nfit.aml'), '-o', f('out.bin'), '--force', '--table', 'NF']],
      ['invalid choice', ['decode', f('nfit.aml'), '-o', f('out.bin'), '--force', '--format', 'nfitt']],
    ],
  },
  disasm: {
    argv: () => ['disasm', f('ssdt.aml'), '-o', f('out.bin'), '--force'],
    bad: () => [['misspelled option', ['disasm', f('ssdt.aml'), '-o', f('out.bin'), '--forc']]],
  },
  inspect: {
    argv: () => ['inspect', f('nv.img'), '--svg', f('out.bin'), '--force'],
    bad: () => [['malformed UUID', ['inspect', f('nv.img'), '--svg', f('out.bin'), '--force', '--namespace', 'nope']]],
  },
  sim: {
    argv: () => ['sim', 'run', join(root, 'fixtures/examples/xen-v4/scenario.json'), '--out', f('run'), '--force'],
    bad: () => [
      ['invalid choice', ['sim', 'run', join(root, 'fixtures/examples/xen-v4/scenario.json'), '--out', f('run'), '--permissions', 'pageownr']],
      ['repeated option', ['sim', 'run', join(root, 'fixtures/examples/xen-v4/scenario.json'), '--out', f('run'), '--out', f('run2')]],
      ['option of another action', ['sim', 'xen', f('run'), '--dry-run']],
    ],
  },
  fuzz: {
    argv: () => ['fuzz', 'nfit', '--runs', '1', '--out', dir],
    bad: () => [
      ['fractional runs (used to hang)', ['fuzz', 'nfit', '--runs', '1.5', '--out', dir]],
      ['invalid target', ['fuzz', 'nfti', '--runs', '1', '--out', dir]],
    ],
  },
};

describe('usage errors: exit 2, one line, every file byte-identical', () => {
  for (const [name, w] of Object.entries(WRITERS)) {
    const cases = [...w.bad(), ['misspelled option', typoOption(w.argv())] as [string, string[]]];
    it(`${name}: ${cases.map((c) => c[0]).join('; ')}`, async () => {
      const before = snapshot();
      for (const [what, argv] of cases) {
        const r = await runCli(argv);
        expect({ what, code: r.code }).toEqual({ what, code: 2 });
        const lines = r.stderr.trimEnd().split('\n');
        expect({ what, lines: lines.length }).toEqual({ what, lines: 1 });
        expect(lines[0]).toMatch(/^nvtool: /);
        expect(r.stdout).toBe('');
        expect({ what, files: snapshot() }).toEqual({ what, files: before });
      }
      // the unmutated line is valid: each case failed for its mutation alone
      const r = await runCli(w.argv());
      expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    });
  }
});

/** The CLI as a real process, from the sources (node + tsx): what a shell sees. */
function spawnCli(argv: string[], cwd = root, stdin?: Uint8Array): Promise<{ code: number | null; stdout: string; stderr: string; bytes: Buffer }> {
  const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', tsx, join(root, 'test/support/nvtool-src.ts'), ...argv], { cwd });
    const out: Buffer[] = [];
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => done({ code, stdout: Buffer.concat(out).toString(), stderr, bytes: Buffer.concat(out) }));
    p.stdin.end(stdin ?? new Uint8Array());
  });
}

describe('as real processes', () => {
  it('a misspelled action, a repeated option and an invalid choice exit 2 with one line and write nothing', async () => {
    const before = snapshot();
    const runs = await Promise.all([
      spawnCli(['gpt', 'lst', f('disk.img'), '--number', '1']),
      spawnCli(['labels', 'create', f('nv.img'), '--size', '4M', '--size', '8M']),
      spawnCli(['xen', 'format', f('disk.img'), '--placement', 'z', '--force']),
    ]);
    expect(runs.map((r) => r.stderr.split(':')[1]?.trim())).toEqual(['gpt', '--size is given twice (nvtool labels --help)', '--placement']);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
    expect(snapshot()).toEqual(before);
  }, 30_000);

  it('- is stdin and stdout where documented: build-nfit -o - | decode -, encode - -o -, disasm -', async () => {
    const built = await spawnCli(['build-nfit', f('platform.json'), '-o', '-']);
    expect(built.code).toBe(0);
    expect(built.bytes.subarray(0, 4).toString('latin1')).toBe('NFIT');
    const [dec, json] = await Promise.all([spawnCli(['decode', '-'], root, built.bytes), spawnCli(['decode', '-', '--json'], root, built.bytes)]);
    expect(dec.code).toBe(0);
    expect(dec.stdout).toMatch(/NFIT: 0 error\(s\)/);
    const [enc, dis] = await Promise.all([spawnCli(['encode', '-', '-o', '-'], root, Buffer.from(json.stdout)), spawnCli(['disasm', '-'], root, readFileSync(f('ssdt.aml')))]);
    expect(enc.code).toBe(0);
    expect(Buffer.compare(enc.bytes, built.bytes)).toBe(0);
    expect(dis.code).toBe(0);
    expect(dis.stdout).toMatch(/DefinitionBlock/);
  }, 60_000);

  it("--version is nvtool's own, whatever package.json the working directory has", async () => {
    mkdirSync(f('other'));
    writeFileSync(f('other/package.json'), JSON.stringify({ name: 'other', version: '9.9.9' }));
    const r = await spawnCli(['--version'], f('other'));
    rmSync(f('other'), { recursive: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  }, 30_000);

  it('a closed stdout (nvtool ... | head) ends quietly, no EPIPE stack trace', async () => {
    const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const p = spawn(process.execPath, ['--import', tsx, join(root, 'test/support/nvtool-src.ts'), 'disasm', join(root, 'fixtures/qemu/q35-1dimm/DSDT.aml'), '--json'], { cwd: root });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.stdout.once('data', () => p.stdout.destroy());
      p.on('close', (code) => done({ code, stderr }));
    });
    expect(r.stderr).not.toMatch(/EPIPE|\bat .*\.(ts|js):\d+/);
    expect(r.code).toBe(0);
  }, 30_000);
});

describe('input errors name the file, never exit 70', () => {
  it('a directory, a missing file and a file over 2 GiB: exit 2, one line naming that file', async () => {
    const sub = f('inputs');
    mkdirSync(sub);
    const big = join(sub, 'big.img');
    writeFileSync(big, '');
    truncateSync(big, 3 * 2 ** 30); // sparse
    const missing = join(sub, 'missing.img');
    const lines: [string[], string, RegExp][] = [
      [['decode', sub], sub, /is a directory/],
      [['labels', 'check', sub], sub, /is a directory/],
      [['labels', 'list', f('nv.img'), sub, '--platform', f('platform.json')], sub, /is a directory/],
      [['gpt', 'list', sub], sub, /is a directory/],
      [['inspect', sub], sub, /is a directory/],
      [['namespace', 'show', sub], sub, /./],
      [['encode', missing, '-o', join(sub, 'out.bin')], missing, /no such file/],
      [['build-nfit', missing, '-o', join(sub, 'out.bin')], missing, /no such file/],
      [['decode', f('nfit.aml'), '--ref', missing], missing, /no such file/],
      [['xen', 'check', missing], missing, /no such file/],
      [['decode', big], big, /over 2 GiB.*--window-offset/],
    ];
    for (const [argv, file, why] of lines) {
      const r = await runCli(argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      const err = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('nvtool labels:'));
      expect({ argv, err }).toEqual({ argv, err: [expect.stringMatching(new RegExp(`^nvtool: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `))] });
      expect(err[0]).toMatch(why);
    }
    // and through a window, the same big file decodes
    const w = await runCli(['decode', big, '--window-offset', '2G', '--window-size', '4K', '--format', 'mbr']);
    expect(w.stderr).not.toMatch(/internal/);
    rmSync(sub, { recursive: true });
  }, 60_000);
});

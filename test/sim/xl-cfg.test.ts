/**
 * The xl.cfg parser against Xen's own libxlutil (Debian libxen-dev, 4.17): every config is read by
 * both; values of every key must be equal, and for a broken config the first error line xl prints
 * (file:line: config parsing error near `TEXT': syntax error, unexpected X / lexical error / the
 * escape messages) must be equal up to bison's "expecting" list. Then the vnvdimm forms of the
 * series are checked against the rules of xl_parse.c.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfgGet, parseXlConfig, strtoul, type CfgValue } from '../../src/sim/xl/cfg.js';
import { parseGuestConfig, parseMfnVnvdimm, XlConfigError } from '../../src/sim/xl/guest.js';
import { requireTool, runTool, runToolStatus } from '../support/tools.js';

let dir: string;
let oracle: string;

beforeAll(() => {
  requireTool('gcc', 'gcc');
  dir = mkdtempSync(join(tmpdir(), 'nvtool-xlcfg-'));
  oracle = join(dir, 'xlu-dump');
  try {
    runTool('gcc', ['-O0', '-o', oracle, join(import.meta.dirname, '..', 'support', 'xlu-dump.c'), '-lxlutil']);
  } catch (e) {
    throw new Error(`cannot build the libxlutil oracle (apt-get install libxen-dev): ${(e as Error).message}`);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const toJson = (v: CfgValue | undefined): unknown => (v === undefined ? null : v.kind === 'string' ? v.text : v.items.map(toJson));

function both(name: string, text: string, keys: string[]) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = runToolStatus(oracle, [file, ...keys]);
  const ours = parseXlConfig(text, file);
  return { r, ours };
}

const GOOD: Record<string, string> = {
  'series-v1.cfg': `builder = "hvm"\nname = "vm1"\nmemory = 2048\nvcpus = 2\nvnvdimms = [ '/dev/pmem0', '/mnt/dax/file' ]\n`,
  'series-v4.cfg': `name='vm4'\nmemory=0x800;maxmem=4096 # comment\nvnvdimms = [ 'type=mfn, backend=0x240000, nr_pages=0x10000, nr_label_pages=32', ]\n`,
  'seed-000.cfg': `vnvdimm = [ 'file=/dev/pmem0' ]\nname = "guest"\n`,
  'lists.cfg': `a = [\n  1,\n  "two",\n  [ 3, [ ], 'x', ],\n\n]\nb = []\nc=[\n]\n# only a comment\n;;\nd = 0777; e = 12abcx\n`,
  'escapes.cfg': `s = "tab\\there \\"q\\" \\\\ \\n \\a\\b\\f\\v\\r"\nt = 'it\\'s'\nu = "oct\\0123 gone"\n`,
  'repeat.cfg': `memory = 1\nmemory = 2\nname = "a"\nname = [ "b" ]\n`,
  'nonl.cfg': `name = "end"`,
};
const BAD: Record<string, string> = {
  'ident-value.cfg': `name = vm1\n`,
  'two-values.cfg': `memory = 1 2\n`,
  'upper.cfg': `Name = "x"\n`,
  'python.cfg': `memory = (1024)\n`,
  'hex-escape.cfg': `name = "\\x41"\n`,
  'octal-short.cfg': `name = "\\0"\n`,
  'bad-escape.cfg': `name = "\\q"\n`,
  'comment-eof.cfg': `name = "a" # no newline`,
  'empty-item.cfg': `a = [,]\n`,
  'eq-start.cfg': `a = 1\n= 2\n`,
  'unclosed.cfg': `a = [ 1, 2\nb = 3\n`,
  'unterminated.cfg': `name = "abc\n`,
  'missing-eq.cfg': `name "x"\n`,
};

describe('xl.cfg parser vs libxlutil', () => {
  it('valid configs: every key has the value libxlutil gives it (strings, numbers as text, nested lists, last setting wins)', () => {
    for (const [name, text] of Object.entries(GOOD)) {
      const keys = [...new Set(text.match(/^\s*[a-z][._0-9a-z]*(?=\s*=)|(?<=;\s*)[a-z][._0-9a-z]*(?=\s*=)/gm)!.map((k) => k.trim())), 'absent'];
      const { r, ours } = both(name, text, keys);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      expect(ours.errors, name).toEqual([]);
      const want = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(keys.map((k) => ({ [k]: toJson(cfgGet(ours, k)?.value) })), name).toEqual(want);
    }
  });

  it('broken configs: refused by both; the first error line equals xl\'s (up to "expecting"); Python warning when libxlutil gives it', () => {
    for (const [name, text] of Object.entries(BAD)) {
      const { r, ours } = both(name, text, ['name']);
      expect(r.status, name).not.toBe(0);
      expect(ours.errors.length, name).toBeGreaterThan(0);
      const strip = (l: string) => l.replace(/, expecting .*$/, '');
      const first = r.stderr.split('\n')[0]!;
      expect(strip(ours.errors[0]!.message), name).toBe(strip(first));
      expect(ours.likelyPython, name).toBe(r.stderr.includes('looks like it contains Python'));
      expect(ours.errors[0]!.col, name).toBeGreaterThan(0);
    }
  });
});

describe('strtoul (C semantics)', () => {
  it('base 0 prefixes, stops at a bad digit, wraps negatives, saturates', () => {
    expect(strtoul('0x10')).toEqual({ value: 16n, end: 4 });
    expect(strtoul('010')).toEqual({ value: 8n, end: 3 });
    expect(strtoul('  12z')).toEqual({ value: 12n, end: 4 });
    expect(strtoul('0x')).toEqual({ value: 0n, end: 1 });
    expect(strtoul('-1').value).toBe((1n << 64n) - 1n);
    expect(strtoul('99999999999999999999999').value).toBe((1n << 64n) - 1n);
    expect(strtoul('zz').end).toBe(0);
  });
});

describe('guest keys and vnvdimm forms (xl_parse.c rules)', () => {
  const cfg = (v: string, design: 'v1' | 'v4' = 'v4') => parseGuestConfig(`name = "g"\nmemory = 1024\nvnvdimms = [ '${v}' ]\n`, 'g.cfg', design);
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof XlConfigError) return e.lines.join('\n');
      throw e;
    }
    throw new Error('no error');
  };
  it('v1 paths and seed 000\'s file= spelling', () => {
    expect(cfg('/dev/pmem0', 'v1').vnvdimms).toEqual([{ kind: 'path', path: '/dev/pmem0', written: '/dev/pmem0' }]);
    expect(cfg('file=/dev/pmem0', 'v1').vnvdimms[0]).toMatchObject({ kind: 'path', path: '/dev/pmem0' });
    const g = parseGuestConfig(`name = "g"\nmemory = 2048\nmaxmem = 4096\nvcpus = 4\nvnvdimm = [ '/mnt/dax/f' ]\nextra = 1\n`, 'g.cfg', 'v1');
    expect(g).toMatchObject({ memory: 2048n, maxmem: 4096n, vcpus: 4, builder: 'hvm', deviceModelVersion: 'qemu-xen', unknownKeys: [{ name: 'extra', line: 6 }] });
  });
  it('v3+ type=mfn items: numbers by strtoul base 0, nr_label_pages base 10 and >= 32, nr_pages > nr_label_pages', () => {
    expect(parseMfnVnvdimm('type=mfn, backend=0x100000, nr_pages=0x8000, nr_label_pages=32')).toMatchObject({ mfn: 0x100000n, nrPages: 0x8000n, nrLabelPages: 32n });
    expect(parseMfnVnvdimm('backend=0400,nr_pages=10')).toMatchObject({ mfn: 256n, nrPages: 10n, nrLabelPages: 0n });
    expect(err(() => cfg('type=mfn, backend=1, nr_pages=100, nr_label_pages=31'))).toMatch(/label size \(31 pages\) smaller than the minimal requirement \(32 pages, 128KB\)/);
    expect(err(() => cfg('type=mfn, backend=1, nr_pages=32, nr_label_pages=32'))).toMatch(/vNVDIMM size \(32 pages\) not larger than its label size \(32 pages\)/);
    expect(err(() => cfg('type=file, backend=1, nr_pages=64'))).toMatch(/invalid vNVDIMM backend type 'file'/);
    expect(err(() => cfg('type=mfn, backend=zz, nr_pages=64'))).toMatch(/invalid start MFN of host NVDIMM 'zz'/);
    expect(err(() => cfg('type=mfn, nr_pages=64'))).toMatch(/invalid start MFN of host NVDIMM '\(null\)'/);
    expect(err(() => cfg('type=mfn, backend=1, nr_pages=-1'))).toMatch(/invalid number of vNVDIMM backend pages '-1'/);
    expect(err(() => cfg('/dev/pmem0'))).toMatch(/unknown string '\/dev\/pmem0' in vnvdimm spec/);
    expect(err(() => cfg('type=mfn, backend=1, nr_pages=64, nr_label_pages=0x40'))).toMatch(/label size \(0x40 pages\) smaller/);
  });
  it('syntax errors and bad keys: every problem, xl\'s wording, parse failure last', () => {
    const e = err(() => parseGuestConfig(`name = vm\nmemory = 1G\n`, 'b.cfg', 'v1'));
    expect(e.split('\n')).toEqual([
      "b.cfg:1: config parsing error near `vm': syntax error, unexpected IDENT, expecting STRING or NUMBER or '['",
      "b.cfg:2: config parsing error near `G': lexical error",
      'Failed to parse config: Invalid argument',
    ]);
    expect(err(() => parseGuestConfig(`name = "a"\nmemory = "lots"\ndevice_model_version = "qemu-xen-traditional"\n`, 'c.cfg', 'v1'))).toMatch(/parameter `memory' is not a valid number[\s\S]*qemu-xen-traditional/);
    expect(err(() => parseGuestConfig(`memory = 5\n`, 'd.cfg', 'v1'))).toMatch(/Domain name must be specified/);
  });
});

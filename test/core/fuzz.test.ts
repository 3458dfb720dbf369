import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NvError } from '../../src/core/errors.js';
import { runFuzz, type FuzzTarget } from '../../src/core/fuzz.js';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerFuzzTarget } from '../../src/cli/fuzzTargets.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';

/** A decoder with a planted bug: byte 0x42 at offset 0 makes it throw a TypeError. */
const buggy: FuzzTarget<number[]> = {
  name: 'buggy',
  values: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  encode: (v) => Uint8Array.from(v),
  decode: (b) => {
    if (b.length === 0) throw new NvError('buggy', '', 0, 'empty');
    if (b[0] === 0x42) throw new TypeError('planted bug');
    return [...b];
  },
};

// before the fuzz command loads (its target choice is made then)
registerFuzzTarget({ ...buggy, name: 'planted-bug' });

describe('runFuzz', () => {
  it('finds a decoder that throws something other than NvError, and returns an input that reproduces it', () => {
    const report = runFuzz(buggy, 2000, 1);
    const failure = report.failures.find((f) => f.property !== 'roundtrip');
    expect(failure).toBeDefined();
    expect(failure!.error).toMatch(/TypeError: planted bug/);
    expect(() => buggy.decode(failure!.input)).toThrow(TypeError);
  });

  it('reports nothing for a sound decoder', () => {
    const sound: FuzzTarget<number[]> = { ...buggy, decode: (b) => (b.length ? [...b] : (() => { throw new NvError('x', '', 0, 'empty'); })()) };
    expect(runFuzz(sound, 300, 2).failures).toEqual([]);
  });

  it('nvtool fuzz nfit runs the properties and exits 0', async () => {
    const r = await runCli(['fuzz', 'nfit', '--runs', '50', '--seed', '7', '--json']);
    expect(r.code).toBe(0);
    expect((validateCliJson('fuzz', r.stdout) as any).targets).toMatchObject([{ target: 'nfit', runs: 50, seed: 7, failures: [] }]);
  });

  it('failing inputs go through the write gate: saved once, another file of that name kept without --force, --dry-run writes nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nvtool-fuzz-out-'));
    type Doc = { targets: { failures: { file: string; saved: boolean; note?: string }[] }[] };
    const run = async (...extra: string[]) => {
      const r = await runCli(['fuzz', 'planted-bug', '--runs', '2000', '--seed', '1', '--out', out, '--json', ...extra]);
      expect(r.code, r.stderr).toBe(1);
      return { doc: validateCliJson('fuzz', r.stdout) as Doc, stderr: r.stderr };
    };
    const dry = await run('--dry-run');
    expect(readdirSync(out)).toEqual([]);
    const failures = dry.doc.targets[0]!.failures;
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => !f.saved)).toBe(true);

    const first = await run();
    expect(first.doc.targets[0]!.failures.map((f) => f.file)).toEqual(failures.map((f) => f.file));
    for (const f of first.doc.targets[0]!.failures) {
      expect(f.saved).toBe(true);
      expect(() => buggy.decode(new Uint8Array(readFileSync(f.file)))).toThrow(TypeError);
    }
    expect(readdirSync(out).filter((n) => n.includes('nvtool'))).toEqual([]); // no lock or temporary file left

    // the same failure again: the file already holds it
    expect((await run()).doc.targets[0]!.failures.every((f) => f.saved && f.note === 'saved before')).toBe(true);

    // a file of that name with other bytes (someone's edit) is not replaced without --force
    const victim = failures[0]!.file;
    writeFileSync(victim, 'keep me');
    const refused = await run();
    expect(refused.doc.targets[0]!.failures[0]).toMatchObject({ saved: false, note: expect.stringMatching(/exists; pass --force/) });
    expect(refused.stderr).toMatch(/^nvtool: .*exists; pass --force/m);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect((await run('--force')).doc.targets[0]!.failures[0]!.saved).toBe(true);
    expect(readFileSync(victim, 'utf8')).not.toBe('keep me');
    expect(existsSync(`${victim}.nvtool-lock`)).toBe(false);
  });

  it('--out DIR is made through the write gate: a dry run or a mistyped path makes nothing; a run makes DIR with the inputs and leaves no lock', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'nvtool-fuzz-dir-'));
    const out = join(parent, 'crashes');
    type Doc = { targets: { failures: { file: string; saved: boolean; note?: string }[] }[] };
    const run = async (dir: string, ...extra: string[]) => {
      const r = await runCli(['fuzz', 'planted-bug', '--runs', '2000', '--seed', '1', '--out', dir, '--json', ...extra]);
      expect(r.code, r.stderr).toBe(1);
      return (validateCliJson('fuzz', r.stdout) as Doc).targets[0]!.failures;
    };
    expect((await runCli(['fuzz', 'planted-bug', '--runs', '2000', '--out', out, '--sede', '1'])).code).toBe(2); // an option mistyped
    expect(readdirSync(parent)).toEqual([]);
    const dry = await run(out, '--dry-run');
    expect(dry.length).toBeGreaterThan(0);
    expect(dry.every((f) => !f.saved && f.file.startsWith(out))).toBe(true);
    expect(readdirSync(parent)).toEqual([]);
    const typo = await run(join(parent, 'crahses', 'today')); // a folder whose parent does not exist
    expect(typo.every((f) => !f.saved && /its parent folder .*crahses does not exist/.test(f.note ?? ''))).toBe(true);
    expect(readdirSync(parent)).toEqual([]);
    const made = await run(out);
    expect(made.every((f) => f.saved)).toBe(true);
    expect(readdirSync(parent)).toEqual(['crashes']);
    expect(readdirSync(out).sort()).toEqual(made.map((f) => f.file.slice(out.length + 1)).sort());
    writeFileSync(join(parent, 'file'), 'not a folder');
    expect((await run(join(parent, 'file'))).every((f) => !f.saved && /exists and is not a folder/.test(f.note ?? ''))).toBe(true);
  });
});

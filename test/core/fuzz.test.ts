import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NvError } from '../../src/core/errors.js';
import { runFuzz, type FuzzTarget } from '../../src/core/fuzz.js';
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
});

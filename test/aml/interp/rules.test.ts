import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acpiexecEvaluate } from '../../support/acpiexec.js';
import { iaslCompile, inTempDir } from '../../support/iasl.js';
import { normalize } from './compare.js';
import { nvtoolEvaluate } from './nvtoolEval.js';

/**
 * Rules that generated methods (`acpica.test.ts`, other seeds) or probes found, pinned so that
 * every run checks them: each `Txxx` method of the file (one rule per group, see its comments)
 * evaluated by acpiexec and by nvtool, in one namespace each.
 */
describe('AML interpreter rules pinned against acpiexec', () => {
  it.each([
    ['operands.asl', 'operand resolution, Index references, calls returning nothing, Targets evaluated first'],
    ['osi.asl', '_OSI strings and its 64-bit answer in a 32-bit table'],
    ['misc.asl', 'Fatal, Debug, edges of conversions and comparisons'],
    ['names.asl', 'forward names in packages, named references, what Store takes'],
    ['args.asl', "arguments share the caller's objects"],
    ['wide.asl', 'an external argument wider than a 32-bit table', '0x123456789ABCDEF0'],
  ])('asl/%s (%s): equal status and equal result for every method', (file, _what, arg = '0') => {
    const source = readFileSync(join(import.meta.dirname, 'asl', file), 'utf8');
    // Every Txxx method, each argument `arg`.
    const evals = [...source.matchAll(/Method \((T\w{3}), (\d)\)/g)].map((m) => ({ path: `\\${m[1]}`, args: new Array<string>(Number(m[2])).fill(arg) }));
    expect(evals.length).toBeGreaterThan(10);
    const aml = iaslCompile(source, ['-of', '-ot']);
    const want = inTempDir((dir) => {
      const f = join(dir, 'rules.aml');
      writeFileSync(f, aml);
      return acpiexecEvaluate([f], evals);
    });
    const got = nvtoolEvaluate([aml], evals);
    const show = (status: string, result: unknown) => `${status} ${status === 'AE_OK' ? JSON.stringify(result) : ''}`;
    expect(evals.map((e, i) => `${e.path}: ${show(got[i]!.status, normalize(got[i]!.result))}`)).toEqual(
      evals.map((e, i) => `${e.path}: ${show(want[i]!.status, normalize(want[i]!.result))}`),
    );
    // Different outcomes occur: the file checks more than one answer.
    expect(new Set(want.map((w) => show(w.status, w.result))).size).toBeGreaterThan(2);
  });
});

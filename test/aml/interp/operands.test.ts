import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acpiexecEvaluate } from '../../support/acpiexec.js';
import { iaslCompile, inTempDir } from '../../support/iasl.js';
import { normalize } from './compare.js';
import { nvtoolEvaluate } from './nvtoolEval.js';

/**
 * Rules the generated methods of `acpica.test.ts` found on other seeds, pinned so that every run
 * checks them: each `Txxx` method of `asl/operands.asl` (one rule per group, see its comments)
 * evaluated by acpiexec and by nvtool, in one namespace each.
 */
describe('AML operand resolution, against acpiexec', () => {
  it('every method of asl/operands.asl: equal status and equal result', () => {
    const source = readFileSync(join(import.meta.dirname, 'asl/operands.asl'), 'utf8');
    const evals = [...source.matchAll(/Method \((T\w{3}), 0\)/g)].map((m) => ({ path: `\\${m[1]}` }));
    expect(evals.length).toBeGreaterThan(20);
    const aml = iaslCompile(source, ['-of', '-ot']);
    const want = inTempDir((dir) => {
      const f = join(dir, 'operands.aml');
      writeFileSync(f, aml);
      return acpiexecEvaluate([f], evals);
    });
    const got = nvtoolEvaluate([aml], evals);
    const show = (status: string, result: unknown) => `${status} ${status === 'AE_OK' ? JSON.stringify(result) : ''}`;
    expect(evals.map((e, i) => `${e.path}: ${show(got[i]!.status, normalize(got[i]!.result))}`)).toEqual(
      evals.map((e, i) => `${e.path}: ${show(want[i]!.status, normalize(want[i]!.result))}`),
    );
    // Both outcomes occur: the file checks errors and values.
    expect(new Set(want.map((w) => w.status)).size).toBeGreaterThan(2);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AmlResultJson } from '../../../src/aml/interp/index.js';
import { nvtoolEvaluate } from './nvtoolEval.js';
import { acpiexecEvaluate } from '../../support/acpiexec.js';
import { inTempDir, requireIasl } from '../../support/iasl.js';
import { runToolStatus } from '../../support/tools.js';
import { tableArb, type GenTable } from './aslGen.js';

/**
 * acpiexec names objects by their last segment only in references, and prints a String as a C
 * string: a NUL stored into one (Index(str, n) = 0 keeps ACPICA's length) ends what it shows.
 */
function normalize(r: AmlResultJson | undefined): AmlResultJson | undefined {
  if (!r) return r;
  if (r.type === 'String' && 'value' in r && typeof r.value === 'string') return { ...r, value: r.value.split('\0')[0]! };
  if (r.type === 'Reference' && 'to' in r) return { type: 'Reference', to: r.to.split('.').pop()!.replace(/^\\/, '') };
  if (r.type === 'Package' && 'elements' in r) return { type: 'Package', elements: r.elements.map((e) => normalize(e)!) };
  return r;
}

function compile(dir: string, name: string, source: string): string | undefined {
  writeFileSync(join(dir, `${name}.asl`), source);
  const r = runToolStatus('iasl', ['-of', '-ot', '-p', join(dir, name), join(dir, `${name}.asl`)]);
  return r.status === 0 ? join(dir, `${name}.aml`) : undefined;
}

/** The first evaluation whose status or result differs, with the method's source; '' when all agree. */
function firstDifference(t: GenTable, want: ReturnType<typeof acpiexecEvaluate>, got: ReturnType<typeof nvtoolEvaluate>): string {
  for (let i = 0; i < t.evals.length; i++) {
    const w = { status: want[i]!.status, ...(want[i]!.status === 'AE_OK' ? { result: normalize(want[i]!.result) } : {}) };
    const g = { status: got[i]!.status, ...(got[i]!.status === 'AE_OK' ? { result: normalize(got[i]!.result) } : {}) };
    if (JSON.stringify(w) === JSON.stringify(g)) continue;
    const name = t.evals[i]!.path.slice(1);
    const src = t.source.slice(t.source.indexOf(`Method (${name}`));
    return `${t.evals[i]!.path}(${t.evals[i]!.args.join(', ')}): acpiexec ${JSON.stringify(w)} nvtool ${JSON.stringify(g)}\n${src.slice(0, src.indexOf('\n  }') + 4)}\n--- table head:\n${t.source.split('\n').slice(0, 13).join('\n')}`;
  }
  return '';
}

// A fixed seed keeps CI reproducible; NVTOOL_SEED=n explores other sets (each run prints its seed).
const SEED = Number(process.env.NVTOOL_SEED ?? 1328093132);

describe('AML interpreter against ACPICA (acpiexec 20200925)', () => {
  it(`fast-check methods: equal results and equal errors (10 tables x 100 methods, one acpiexec each; seed ${SEED})`, () => {
    requireIasl();
    const tables = fc.sample(tableArb(100), { numRuns: 10, seed: SEED });
    let compared = 0;
    inTempDir((dir) => {
      tables.forEach((t, k) => {
        const aml = compile(dir, `t${k}`, t.source);
        if (!aml) throw new Error(`iasl rejected generated table ${k} (seed ${SEED}):\n${t.source.slice(0, 2000)}`);
        const want = acpiexecEvaluate([aml], t.evals);
        const got = nvtoolEvaluate([new Uint8Array(readFileSync(aml))], t.evals);
        expect(firstDifference(t, want, got), `table ${k}, seed ${SEED}`).toBe('');
        compared += t.evals.length;
      });
    });
    expect(compared).toBe(1000);
  }, 120_000);
});

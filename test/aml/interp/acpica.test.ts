import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nvtoolEvaluate } from './nvtoolEval.js';
import { acpiexecEvaluateSkippingCrashes, type AcpiexecEval } from '../../support/acpiexec.js';
import { inTempDir, requireIasl } from '../../support/iasl.js';
import { runToolStatus } from '../../support/tools.js';
import { tableArb, type GenTable } from './aslGen.js';
import { normalize } from './compare.js';

/** The table compiled by iasl (no constant folding, no type checking); iasl's errors thrown. */
function compile(dir: string, name: string, source: string, seed: number): string {
  writeFileSync(join(dir, `${name}.asl`), source);
  const r = runToolStatus('iasl', ['-of', '-ot', '-p', join(dir, name), join(dir, `${name}.asl`)]);
  if (r.status !== 0) throw new Error(`iasl rejected generated table ${name} (seed ${seed}):\n${(r.stdout + r.stderr).split('\n').filter((l) => /Error|^\S+\.asl/.test(l)).slice(0, 20).join('\n')}`);
  return join(dir, `${name}.aml`);
}

/** The method's text in the generated table. */
function methodSource(t: GenTable, path: string): string {
  const src = t.source.slice(t.source.indexOf(`Method (${path.slice(1)}`));
  return src.slice(0, src.indexOf('\n  }') + 4);
}

/** Each evaluation whose status or result differs, with the method's source. */
function differences(t: GenTable, kept: number[], want: AcpiexecEval[], got: ReturnType<typeof nvtoolEvaluate>): string[] {
  const out: string[] = [];
  kept.forEach((e, i) => {
    const w = { status: want[i]!.status, ...(want[i]!.status === 'AE_OK' ? { result: normalize(want[i]!.result) } : {}) };
    const g = { status: got[i]!.status, ...(got[i]!.status === 'AE_OK' ? { result: normalize(got[i]!.result) } : {}) };
    if (JSON.stringify(w) === JSON.stringify(g)) return;
    const { path, args } = t.evals[e]!;
    out.push(`${path}(${args.join(', ')}): acpiexec ${JSON.stringify(w)} ${want[i]!.messages.join(' / ')}\n  nvtool ${JSON.stringify(g)} ${got[i]!.msg ?? ''}\n${methodSource(t, path)}`);
  });
  return out;
}

/**
 * A fixed seed, so a CI run judges the change and not the calendar; NVTOOL_SEED=n explores others
 * (the seeds run clean and the rules they found are recorded in specs/aml.md). The seed is in the
 * test's name, so any failure can be replayed.
 */
const SEED = Number(process.env.NVTOOL_SEED ?? 20261207);
const TABLES = 10;
const METHODS = 105;

describe('AML interpreter against ACPICA (acpiexec 20200925)', () => {
  it(`fast-check methods: equal results and equal errors (${TABLES} tables x ${METHODS} methods, one acpiexec each; NVTOOL_SEED=${SEED})`, () => {
    requireIasl();
    const tables = fc.sample(tableArb(METHODS), { numRuns: TABLES, seed: SEED });
    let compared = 0;
    const diffs: string[] = [];
    inTempDir((dir) => {
      tables.forEach((t, k) => {
        const aml = compile(dir, `t${k}`, t.source, SEED);
        // A method that crashes acpiexec (an ACPICA bug, see test/support/acpiexec.ts) is left out of both runs.
        const { results, kept, crashed } = acpiexecEvaluateSkippingCrashes([aml], t.evals);
        for (const c of crashed) console.log(`seed ${SEED} table ${k}: acpiexec crashed in ${t.evals[c]!.path}, left out:\n${methodSource(t, t.evals[c]!.path)}`);
        const got = nvtoolEvaluate([new Uint8Array(readFileSync(aml))], kept.map((i) => t.evals[i]!));
        diffs.push(...differences(t, kept, results, got).map((d) => `table ${k}: ${d}\n--- table head:\n${t.source.split('\n').slice(0, 13).join('\n')}`));
        compared += kept.length;
      });
    });
    expect(diffs.slice(0, Number(process.env.NVTOOL_SHOW ?? 3)).join('\n\n'), `${diffs.length} differences, seed ${SEED}`).toBe('');
    expect(compared).toBeGreaterThanOrEqual(1000);
  }, 180_000);
});

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
/** One method per (value, operator): every conversion and comparison rule over Integer, String, Buffer and Package values at their edges. */
function conversionMatrix(revision: number): string {
  const values = ['0x1F', '"1F"', '" 0x1f z"', 'Buffer () {0x31, 0x00, 0x46}', 'Buffer () {}', '""', 'Package () {1}', 'Ones', '"ABCDEF0123456789AB"'];
  const unary = ['ToInteger (#)', 'ToBuffer (#)', 'ToHexString (#)', 'ToDecimalString (#)', 'ToString (#, Ones)', 'SizeOf (Local0)', 'Not (#)', 'FindSetLeftBit (#)', 'FromBCD (#)', 'ToBCD (#)', 'LNot (#)', 'Mid (#, 1, 2)', 'DerefOf (Index (#, 1))', 'ObjectType (Local0)'];
  const binary = ['Concatenate', 'LLess', 'Add'];
  const methods: string[] = [];
  const name = (): string => `T${methods.length.toString().padStart(3, '0')}`;
  for (const v of values) for (const u of unary) methods.push(`Method (${name()}, 0) { Local0 = ${v} Return (${u.replaceAll('#', v)}) }`);
  for (const v of values) for (const w of values) for (const b of binary) methods.push(`Method (${name()}, 0) { Return (${b} (${v}, ${w})) }`);
  return `DefinitionBlock ("", "DSDT", ${revision}, "NVT", "T", 1) {\n${methods.join('\n')}\n}\n`;
}

describe('AML interpreter rules pinned against acpiexec', () => {
  it.each([
    ['asl/operands.asl', 'operand resolution, Index references, calls returning nothing, Targets evaluated first'],
    ['asl/osi.asl', '_OSI strings and its 64-bit answer in a 32-bit table'],
    ['asl/misc.asl', 'Fatal, Debug, edges of conversions and comparisons'],
    ['asl/names.asl', 'forward names in packages, named references, what Store takes'],
    ['asl/args.asl', "arguments share the caller's objects"],
    ['asl/stores.asl', 'references stored into data objects and fields'],
    ['asl/wide.asl', 'an external argument wider than a 32-bit table', '0x123456789ABCDEF0'],
    ['conversions, 32-bit', 'every conversion operator and comparison over 9 edge values'],
    ['conversions, 64-bit', 'the same in a 64-bit table'],
  ])('%s (%s): equal status and equal result for every method', (file, _what, arg = '0') => {
    const source = file.startsWith('conversions') ? conversionMatrix(file.endsWith('32-bit') ? 1 : 2) : readFileSync(join(import.meta.dirname, file), 'utf8');
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

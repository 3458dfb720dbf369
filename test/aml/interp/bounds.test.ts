import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AmlError, AmlInterpreter, MemoryHandler, type RegionAccess } from '../../../src/aml/interp/index.js';
import { acpiexecEvaluate } from '../../support/acpiexec.js';
import { iaslCompile, inTempDir } from '../../support/iasl.js';
import { writeFileSync } from 'node:fs';
import { nvtoolEvaluate } from './nvtoolEval.js';

const source = readFileSync(join(import.meta.dirname, 'asl/bounds.asl'), 'utf8');

describe('AML interpreter limits and mutexes, against acpiexec', () => {
  it('recursion (AE_AML_METHOD_LIMIT at 255 per method, mutual recursion deeper), mutex order and ownership, targets, names created twice, loops that never end', () => {
    const aml = iaslCompile(source, ['-of', '-ot']);
    const evals = [
      { path: 'REC0', args: ['0'] },
      ...['M000', 'M001', 'M002', 'M003', 'M005', 'M006', 'M007', 'M008', 'M008', 'M009', 'M004'].map((path) => ({ path })),
      { path: 'RA', args: ['0'] },
      ...['GETD', 'M00A', 'M00B'].map((path) => ({ path })),
    ];
    const want = inTempDir((dir) => {
      const f = join(dir, 'bounds.aml');
      writeFileSync(f, aml);
      // -to 1: acpiexec's While timeout (10 s in acpiexec, ACPI_MAX_LOOP_TIMEOUT = 30 s in a kernel) cut to one second.
      return acpiexecEvaluate([f], evals, ['-to', '1']);
    });
    const got = nvtoolEvaluate([aml], evals, { loopTimeoutMs: 1000 });
    expect(got.map((g) => [g.status, g.result])).toEqual(want.map((w) => [w.status, w.result]));
    expect(want.map((w) => w.status)).toEqual([
      'AE_AML_METHOD_LIMIT', 'AE_AML_MUTEX_NOT_ACQUIRED', 'AE_AML_MUTEX_ORDER', 'AE_AML_MUTEX_ORDER', 'AE_OK', 'AE_OK',
      'AE_AML_MUTEX_ORDER', 'AE_AML_TARGET_TYPE', 'AE_OK', 'AE_OK', 'AE_ALREADY_EXISTS', 'AE_AML_LOOP_TIMEOUT',
      'AE_AML_METHOD_LIMIT', 'AE_OK', 'AE_OK', 'AE_AML_LOOP_TIMEOUT',
    ]);
    // RA, RB, RC each active 255 times: depth 3 x 255 - 1; the endless Continue loop went on to Return (5).
    expect(want.slice(13, 15).map((w) => w.result)).toEqual([
      { type: 'Integer', value: 0x2fc },
      { type: 'Integer', value: 5 },
    ]);
  });

  it("nvtool's own bounds: total call depth (AE_AML_METHOD_LIMIT), a deeper stack (AE_STACK_OVERFLOW), all clean errors", () => {
    // A cycle of 40 methods: acpiexec goes 40 x 255 deep (bounded by memory only); nvtool stops at maxCallDepth.
    const methods = Array.from({ length: 40 }, (_, i) => `Method (R${String(i).padStart(3, '0')}, 1) { If (LLess (Arg0, 100000)) { R${String((i + 1) % 40).padStart(3, '0')} (Add (Arg0, 1)) } }`);
    const aml = iaslCompile(`DefinitionBlock ("", "DSDT", 2, "NVT", "T", 1) { ${methods.join('\n')} }`, ['-of', '-ot']);
    expect(nvtoolEvaluate([aml], [{ path: 'R000', args: ['0'] }]).map((r) => r.status)).toEqual(['AE_AML_METHOD_LIMIT']);
    expect(nvtoolEvaluate([aml], [{ path: 'R000', args: ['0'] }], { maxCallDepth: 1e9 }).map((r) => r.status)).toEqual(['AE_STACK_OVERFLOW']);
  });

  it('Notify is recorded; the loop, time and call bounds end with clean errors', () => {
    const aml = iaslCompile(source, ['-of', '-ot']);
    const it = new AmlInterpreter([aml], { maxLoopIterations: 1000 });
    it.evaluate('M005');
    expect(it.notifications).toEqual([{ path: '\\DEV0', value: 0x80n }]);
    const status = (f: () => unknown): string => {
      try {
        f();
        return 'AE_OK';
      } catch (e) {
        if (e instanceof AmlError) return e.status;
        throw e;
      }
    };
    expect(status(() => it.evaluate('M004'))).toBe('AE_AML_LOOP_TIMEOUT');
    const timed = new AmlInterpreter([aml], { maxLoopIterations: 1e12, loopTimeoutMs: 1e9, budgetMs: 50 });
    expect(status(() => timed.evaluate('M004'))).toBe('AE_TIME');
    const shallow = new AmlInterpreter([aml], { maxCallDepth: 10 });
    expect(status(() => shallow.evaluate('REC0', [{ type: 'Integer', value: 0n }]))).toBe('AE_AML_METHOD_LIMIT');
  });

  it('a DWordAcc Preserve field write of 8 bits reads the dword, then writes it merged (ACPICA AcpiExWriteWithUpdateRule)', () => {
    const aml = iaslCompile(
      'DefinitionBlock ("", "SSDT", 2, "NVT", "T", 1) { OperationRegion (R, SystemIO, 0x0A18, 4) Field (R, DWordAcc, NoLock, Preserve) { , 8, F, 8 } Method (W) { F = 0x5A } }',
      ['-of', '-ot'],
    );
    const io = new MemoryHandler();
    io.load(0x0a18n, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
    const trace: RegionAccess[] = [];
    new AmlInterpreter([aml], { handlers: { 1: io }, trace: (a) => trace.push(a) }).evaluate('W');
    expect(trace).toEqual([
      { space: 1, write: false, address: 0x0a18n, bits: 32, value: 0x44332211n },
      { space: 1, write: true, address: 0x0a18n, bits: 32, value: 0x44335a11n },
    ]);
  });
});

import { AmlError, AmlInterpreter, MemoryHandler, resultJson, type AmlResultJson, type InterpreterOptions } from '../../../src/aml/interp/index.js';

/**
 * nvtool's interpreter over the same tables as an acpiexec run, evaluated in the same order in
 * one namespace, every address space backed by zero-filled memory as acpiexec's region
 * simulation does (`aeregion.c`).
 */
export function nvtoolEvaluate(
  tables: Uint8Array[],
  evals: readonly { path: string; args?: readonly string[] }[],
  options: Omit<InterpreterOptions, 'handlers'> = {},
): { status: string; result?: AmlResultJson; msg?: string }[] {
  const handlers = Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((s) => [s, new MemoryHandler()]));
  const interp = new AmlInterpreter(tables, { ...options, handlers });
  return evals.map((e) => {
    try {
      const v = interp.evaluate(e.path, (e.args ?? []).map((a) => ({ type: 'Integer', value: BigInt(a) })));
      return { status: 'AE_OK', result: resultJson(v) };
    } catch (err) {
      if (err instanceof AmlError) return { status: err.status, msg: err.message };
      throw err;
    }
  });
}

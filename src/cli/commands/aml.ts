import { existsSync } from 'node:fs';
import { AmlError, AmlInterpreter, MemoryHandler, SPACE, SPACE_NAMES, formatResult, resultJson, type AmlObject, type RegionAccess } from '../../aml/interp/index.js';
import { defineCommand } from '../command.js';
import { readInput, toJsonText } from '../io.js';
import { jsonInteger } from '../../core/hex.js';
import { UsageError, count } from '../options/values.js';

interface Args {
  words: string[];
  trace: boolean;
  json: boolean;
  loopLimit?: number;
}

/** An argument as acpiexec's `evaluate` takes it: `0x..`/decimal Integer, `"text"` String, `(01 02)` Buffer. */
export function parseAmlArg(word: string): AmlObject {
  if (word.startsWith('"') && word.endsWith('"') && word.length >= 2) return { type: 'String', value: word.slice(1, -1) };
  if (word.startsWith('(') && word.endsWith(')')) {
    const parts = word.slice(1, -1).trim().split(/[\s,]+/).filter(Boolean);
    if (!parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) throw new UsageError(`ARGS: buffer ${word}: bytes must be hex pairs, e.g. (01 02 ff)`);
    return { type: 'Buffer', value: Uint8Array.from(parts.map((p) => parseInt(p, 16))) };
  }
  if (/^0x[0-9a-f]+$/i.test(word) || /^\d+$/.test(word)) return { type: 'Integer', value: BigInt(word) };
  return { type: 'String', value: word };
}

const traceLine = (a: RegionAccess): string =>
  `${SPACE_NAMES[a.space] ?? `space ${a.space}`} ${a.write ? 'write' : 'read '} 0x${a.address.toString(16).padStart(8, '0')} [${a.bits}] = 0x${a.value.toString(16).padStart(a.bits / 4, '0')}`;

export const amlEvalCommand = defineCommand<Args>({
  name: 'aml eval',
  describe: 'Load AML tables (DSDT first, then SSDTs, as acpiexec) and evaluate one object or method; regions are zero-filled memory as in acpiexec',
  positionals: [{ name: 'words', describe: 'TABLES... PATH [ARGS...]: table files, then the path to evaluate, then its arguments (0x10, 16, "text", (01 02))', variadic: true }],
  options: {
    trace: { describe: 'print every operation region access (space, read/write, address, width, value) to stderr' },
    json: { describe: 'print the result, notifications and trace as JSON' },
    'loop-limit': { describe: 'While iterations allowed before AE_AML_LOOP_TIMEOUT (default 1048576)', value: count({ min: 1 }) },
  },
  examples: [
    ['$0 aml eval DSDT.aml \\_SB.PCI0._CRS', 'evaluate a method of one table'],
    ['$0 aml eval DSDT.aml SSDT.aml \\_SB.NVDR.NV00._LSI --trace', 'with the SSDT loaded too, showing each region access; regions read as zeros (as in acpiexec), so QEMU\'s empty reply makes NCAL fail with AE_AML_BUFFER_LIMIT as acpiexec does (exit 1)'],
    ['$0 aml eval SSDT.aml \\_SB.NVDR.NV00._DSM "(01 02)" 1 0x10 "abc" --json', 'a Buffer, two Integers and a String as arguments (an unknown UUID: _DSM returns Buffer {1}); JSON result'],
  ],
  fileOf: (a) => a.words.find((w) => existsSync(w)),
  run(a) {
    let n = 0;
    while (n < a.words.length && existsSync(a.words[n]!)) n++;
    if (n === 0) throw new UsageError(`TABLES: ${a.words[0]}: no such file (give the table files first)`);
    if (n === a.words.length) throw new UsageError('PATH: missing (the object or method to evaluate, e.g. \\_SB.PCI0._STA)');
    const path = a.words[n]!;
    const args = a.words.slice(n + 1).map(parseAmlArg);
    const trace: RegionAccess[] = [];
    // Every address space is zero-filled memory, as acpiexec simulates regions it has no hardware for.
    const handlers = Object.fromEntries(Object.values(SPACE).map((space) => [space, new MemoryHandler()]));
    const limit = a.loopLimit;
    const interp = new AmlInterpreter(
      a.words.slice(0, n).map((f) => readInput(f)),
      {
        handlers,
        trace: (x) => {
          trace.push(x);
          if (a.trace && !a.json) process.stderr.write(traceLine(x) + '\n');
        },
        ...(limit ? { maxLoopIterations: limit } : {}),
      },
    );
    let result: AmlObject | undefined;
    let error: AmlError | undefined;
    try {
      result = interp.evaluate(path, args);
    } catch (e) {
      if (!(e instanceof AmlError)) throw e;
      error = e;
    }
    if (a.json) {
      process.stdout.write(
        toJsonText({
          schemaVersion: 1,
          path,
          ...(error ? { status: error.status, error: error.message } : { status: 'AE_OK', result: resultJson(result) }),
          notifications: interp.notifications.map((x) => ({ path: x.path, value: jsonInteger(x.value) })),
          ...(a.trace ? { trace: trace.map(traceLine) } : {}),
        }),
      );
    } else if (error) process.stderr.write(`${path}: ${error.message}\n`);
    else process.stdout.write(result ? formatResult(result) : `No object was returned from evaluation of ${path}\n`);
    return error ? 1 : 0;
  },
});

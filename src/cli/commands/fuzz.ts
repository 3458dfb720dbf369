import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { runFuzz } from '../../core/fuzz.js';
import { defineCommand } from '../command.js';
import { choice, count, file } from '../options/values.js';
import { fuzzTargets } from '../fuzzTargets.js';
import { toJsonText } from '../io.js';
import { writeOutput } from '../write/output.js';

interface Args {
  target: string;
  runs: number;
  seed?: number;
  out: string;
  json: boolean;
}

export const fuzzCommand = defineCommand<Args>({
  name: 'fuzz',
  describe: "Run a decoder's properties (round trip, mutated and arbitrary bytes); save failing inputs",
  positionals: [{ name: 'target', describe: 'decoder to fuzz (`all` for every one)', value: choice([...fuzzTargets().map((t) => t.name), 'all']) }],
  options: {
    runs: { describe: 'cases per property', value: count({ min: 1, max: 1e9 }), default: 1000 },
    seed: { describe: 'seed, to reproduce a run (printed at the start)', value: count({ max: 0xffffffff }) },
    out: { describe: 'folder for failing inputs', value: file(), default: '.' },
    json: { describe: 'print the report as JSON' },
  },
  examples: [
    ['$0 fuzz nfit --runs 10000', 'fuzz the NFIT decoder'],
    ['$0 fuzz nfit --runs 10000 --seed 42', 'reproduce a run'],
    ['$0 fuzz all --runs 200', 'every decoder nvtool has'],
  ],
  run(a) {
    const list = a.target === 'all' ? fuzzTargets() : fuzzTargets().filter((t) => t.name === a.target);
    const seed = a.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
    const reports = [];
    let failed = 0;
    for (const t of list) {
      if (!a.json) process.stderr.write(`fuzz ${t.name}: ${a.runs} runs per property, seed ${seed}\n`);
      const r = runFuzz(t, a.runs, seed);
      const saved: string[] = [];
      for (const f of r.failures) {
        mkdirSync(a.out, { recursive: true });
        const file = join(a.out, `fuzz-${t.name}-${f.property}-${f.seed}.bin`);
        writeOutput(file, f.input, true);
        saved.push(file);
        if (!a.json) process.stdout.write(`FAIL ${t.name} ${f.property}: ${f.error}\n  input saved to ${file} (reproduce: --seed ${f.seed})\n`);
      }
      failed += r.failures.length;
      if (!a.json && r.failures.length === 0) process.stdout.write(`ok   ${t.name}: round trip, mutated bytes, arbitrary bytes\n`);
      reports.push({ ...r, failures: r.failures.map((f, i) => ({ ...f, input: undefined, file: saved[i] })) });
    }
    if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, targets: reports }));
    return failed ? 1 : 0;
  },
});

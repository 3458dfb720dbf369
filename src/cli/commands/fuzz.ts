import { join } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { runFuzz } from '../../core/fuzz.js';
import { defineCommand } from '../command.js';
import { choice, count, file } from '../options/values.js';
import { fuzzTargets } from '../fuzzTargets.js';
import { CliError, toJsonText } from '../io.js';
import { withWrites } from '../write/gate.js';

interface Args {
  target: string;
  runs: number;
  seed?: number;
  out: string;
  force: boolean;
  dryRun: boolean;
  json: boolean;
}

/**
 * A failing input through the write gate (locked, written atomically, into --out made if need be). A file of that name with the
 * same bytes is the same failure saved before; one with other bytes is replaced only with --force,
 * and a refusal is reported with the failure rather than ending the run (its findings would be lost).
 */
function saveInput(a: Args, file: string, bytes: Uint8Array): { file: string; saved: boolean; note?: string } {
  if (existsSync(file) && statSync(file).isFile() && Buffer.compare(readFileSync(file), bytes) === 0) return { file, saved: true, note: 'saved before' };
  try {
    withWrites({ force: a.force, dryRun: a.dryRun }, (g) => {
      g.folder(a.out); // made with the input, not before the gate's checks; its parent must exist
      g.replace(file, bytes, 'failing fuzz input');
    });
    return { file, saved: !a.dryRun };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`nvtool: ${e.message}\n`);
    return { file, saved: false, note: e.message };
  }
}

export const fuzzCommand = defineCommand<Args>({
  name: 'fuzz',
  describe: "Run a decoder's properties (round trip, mutated and arbitrary bytes); save failing inputs",
  positionals: [{ name: 'target', describe: 'decoder to fuzz (`all` for every one)', value: choice([...fuzzTargets().map((t) => t.name), 'all']) }],
  options: {
    runs: { describe: 'cases per property', value: count({ min: 1, max: 1e9 }), default: 1000 },
    seed: { describe: 'seed, to reproduce a run (printed at the start)', value: count({ max: 0xffffffff }) },
    out: { describe: 'folder for failing inputs (made when the first is saved; its parent must exist)', value: file(), default: '.' },
    force: { describe: 'replace a saved input of the same name that holds other bytes' },
    'dry-run': { describe: 'run the properties, list the failing inputs that would be saved, write nothing' },
    json: { describe: 'print the report as JSON' },
  },
  examples: [
    ['$0 fuzz nfit --runs 1000', 'fuzz the NFIT decoder'],
    ['$0 fuzz nfit --runs 1000 --seed 42', 'reproduce a run'],
    ['$0 fuzz all --runs 50', 'every decoder nvtool has'],
    ['$0 fuzz labels --runs 500 --out crashes --dry-run', 'which failing inputs would be saved, writing nothing'],
  ],
  run(a) {
    const list = a.target === 'all' ? fuzzTargets() : fuzzTargets().filter((t) => t.name === a.target);
    const seed = a.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
    const reports = [];
    let failed = 0;
    for (const t of list) {
      if (!a.json) process.stderr.write(`fuzz ${t.name}: ${a.runs} runs per property, seed ${seed}\n`);
      const r = runFuzz(t, a.runs, seed);
      const saved: { file: string; saved: boolean; note?: string }[] = [];
      for (const f of r.failures) {
        const s = saveInput(a, join(a.out, `fuzz-${t.name}-${f.property}-${f.seed}.bin`), f.input);
        saved.push(s);
        if (!a.json) process.stdout.write(`FAIL ${t.name} ${f.property}: ${f.error}\n  ${s.saved ? 'input saved to' : a.dryRun ? 'input would be saved to' : 'input not saved to'} ${s.file}${s.note ? ` (${s.note})` : ''} (reproduce: --seed ${f.seed})\n`);
      }
      failed += r.failures.length;
      if (!a.json && r.failures.length === 0) process.stdout.write(`ok   ${t.name}: round trip, mutated bytes, arbitrary bytes\n`);
      reports.push({ ...r, failures: r.failures.map((f, i) => ({ ...f, input: undefined, ...saved[i]! })) });
    }
    if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, targets: reports }));
    return failed ? 1 : 0;
  },
});

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  SCENARIO_SCHEMA, ScenarioError, SimDir, hypercallEntries, loadScenario, runAll, runRemaining, runStage, stageNames, startRun, stagesFor,
  formatMetadataReport, metadataReport, formatGuestMappings, guestMappingViews,
} from '../../sim/index.js';
import { DESIGNS, type DesignName } from '../../sim/permissions/index.js';
import { destroyGuest } from '../../sim/guest/destroy.js';
import { defineCommand } from '../command.js';
import { bytes, choice, file, parseBytes, text, UsageError } from '../options/values.js';
import { CliError, toJsonText, withNumbers } from '../io.js';
import { updateDirectory, withNewDirectory } from '../write/directory.js';
import { writeLines, type PlannedWrite } from '../write/gate.js';
import { writeOutput } from '../write/output.js';
import { REPORT_FILE, renderReport } from '../../sim/report/index.js';
import type { SimReportSummary } from '../../codecs/writerSummaries.js';

interface Args {
  action: string;
  target?: string;
  out?: string;
  force: boolean;
  dryRun: boolean;
  json: boolean;
  permissions?: DesignName;
  codeOrder: boolean;
  at?: bigint;
  guest?: string;
  report?: string;
}

/** What a run directory holds after the stages so far, for the report. */
function summary(dir: SimDir) {
  const sc = dir.scenario();
  return {
    dir: resolve(dir.root),
    design: sc.design,
    stages: dir.state().stages,
    next: stagesFor(sc.design).map((s) => s.name).find((n) => !dir.state().stages.includes(n)) ?? null,
    hypercalls: hypercallEntries(dir).map((e) => ({ seq: e.seq, caller: e.caller, op: e.op, file: e.file, result: e.result })),
  };
}

function print(a: Args, dir: SimDir, report?: string): number {
  const s = summary(dir);
  if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, ...s, ...(report ? { report } : {}) }));
  else {
    process.stdout.write(`${s.dir}: design ${s.design}, stages done: ${s.stages.join(', ')}${s.next ? `; next: nvtool sim ${s.next} ${a.out ?? a.target}` : ''}\n`);
    for (const h of s.hypercalls) process.stdout.write(`  ${h.file}  ${h.result}\n`);
    if (report) process.stdout.write(`report: ${report}\n`);
  }
  return 0;
}

/** `file` relative to `dir` when it lies inside it, else undefined. */
function inside(dir: string, file: string): string | undefined {
  const r = relative(resolve(dir), resolve(file));
  return r && r !== '..' && !r.startsWith(`..${sep}`) && !r.startsWith(sep) ? r : undefined;
}

/**
 * `sim run --report FILE`, checked before the run starts: a page inside the run directory is built
 * with it (in the directory gate's temporary directory); one outside needs an existing folder and
 * --force to replace a file.
 */
function checkReportTarget(file: string, out: string, force: boolean): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new CliError(`--report ${file}: is a directory`);
  if (inside(out, file)) return;
  const folder = dirname(resolve(file));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliError(`--report ${file}: no such folder ${folder}`);
  if (existsSync(file) && !force) throw new CliError(`--report ${file}: exists; pass --force to replace it`);
}

/** Actions other than stages; later parts add theirs here (e.g. `size`). */
export const SIM_ACTIONS: Record<string, (a: Args) => number | Promise<number>> = {
  async run(a) {
    const scenario = need(a.target, 'SCENARIO.json');
    const out = need(a.out, '--out DIR');
    if (a.report === undefined) return newRunDirectory(a, (tmp) => runAll(scenario, tmp, { permissions: a.permissions, codeOrder: a.codeOrder }));
    const report = a.report;
    checkReportTarget(report, out, a.force);
    const rel = inside(out, report);
    let page = '';
    return newRunDirectory(a, async (tmp) => {
      const dir = await runAll(scenario, tmp, { permissions: a.permissions, codeOrder: a.codeOrder });
      // rendered from the temporary directory, its links and title for where the run will be
      page = renderReport(tmp, report, { finalRoot: out });
      if (rel !== undefined) {
        const at = join(tmp, rel);
        if (existsSync(at)) throw new CliError(`--report ${report}: the run wrote that file itself`);
        mkdirSync(dirname(at), { recursive: true });
        writeFileSync(at, page);
      }
      return dir;
    }, rel === undefined ? (dryRun) => writeOutput(report, page, a.force, dryRun).writes : undefined, report);
  },
  report(a) {
    const root = need(a.target, 'DIR');
    new SimDir(root).state(); // a run directory, or exit 2 before anything is written
    const file = a.out ?? resolve(root, REPORT_FILE);
    const w = writeOutput(file, renderReport(root, file), a.force, a.dryRun);
    if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, dryRun: w.dryRun, writes: w.writes, summary: { dir: resolve(root), report: file } satisfies SimReportSummary }));
    else if (!w.dryRun) process.stdout.write(`${file}: the report of ${root} (${w.writes.reduce((n, x) => n + x.length, 0)} bytes)\n`);
    return 0;
  },
  async host(a) {
    const scenario = need(a.target, 'SCENARIO.json');
    return newRunDirectory(a, (tmp) => startRun(scenario, tmp));
  },
  async resume(a) {
    const dir = new SimDir(need(a.target, 'DIR'));
    dir.permissions = a.permissions;
    dir.codeOrder = a.codeOrder;
    await updateDirectory(dir.root, () => runRemaining(dir));
    return print(a, dir);
  },
  check(a) {
    const sc = loadScenario(need(a.target, 'SCENARIO.json'));
    if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, ok: true, design: sc.design, dimms: sc.platform.dimms.map((d) => d.id) }));
    else process.stdout.write(`${a.target}: a valid ${sc.design} scenario\n`);
    return 0;
  },
  schema() {
    process.stdout.write(JSON.stringify(SCENARIO_SCHEMA, null, 2) + '\n');
    return 0;
  },
  mappings(a) {
    const views = guestMappingViews(new SimDir(need(a.target, 'DIR')));
    process.stdout.write(a.json ? toJsonText({ schemaVersion: 1, guests: withNumbers(views) }) : formatGuestMappings(views));
    return 0;
  },
  async 'guest-destroy'(a) {
    const dir = new SimDir(need(a.target, 'DIR'));
    const name = need(a.guest, '--guest NAME');
    if (!dir.scenario().guests.some((g) => g.name === name)) throw new CliError(`${dir.path('scenario.json')}: no guest "${name}" (guests: ${dir.scenario().guests.map((g) => g.name).join(', ') || 'none'})`);
    const r = await updateDirectory(dir.root, async () => destroyGuest(dir, name));
    if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, ...(withNumbers(r) as object) }));
    else process.stdout.write(r.result === '0' ? `xl destroy ${name}: domain ${r.domid} destroyed, ${r.pages} pmem pages back to Xen (hypercall ${r.seq})\n` : `xl destroy ${name}: ${r.result}: ${r.reason}\n`);
    return r.result === '0' ? 0 : 1;
  },
  size(a) {
    const bytes = parseBytes(need(a.target, 'SIZE (e.g. 64G)'), 'SIZE');
    const r = metadataReport(bytes, a.at ?? undefined);
    process.stdout.write(a.json ? toJsonText({ schemaVersion: 1, ...(withNumbers(r) as object) }) : formatMetadataReport(r) + '\n');
    return 0;
  },
};

/**
 * A new run directory through the directory gate (src/cli/write/directory.ts): the stages run in a
 * temporary directory beside --out, which replaces --out (a non-empty one only with --force) once
 * everything is on disk; --dry-run lists the files and keeps nothing.
 */
async function newRunDirectory(a: Args, stages: (tmp: string) => Promise<SimDir>, after?: (dryRun: boolean) => PlannedWrite[], report?: string): Promise<number> {
  const out = need(a.out, '--out DIR');
  const w = await withNewDirectory(out, { force: a.force, dryRun: a.dryRun }, stages);
  // a file written once the directory is in place (the report outside it), through the file gate
  const more = after?.(w.dryRun) ?? [];
  if (!w.dryRun) return print(a, new SimDir(out), report);
  const all = { ...w, writes: [...w.writes, ...more] };
  process.stdout.write(a.json ? toJsonText({ schemaVersion: 1, dryRun: true, writes: all.writes }) : writeLines({ ...all, writes: w.writes }));
  return 0;
}

function need(v: string | undefined, what: string): string {
  if (!v) throw new CliError(`missing ${what}`);
  return v;
}

export const simCommand = defineCommand<Args>({
  name: 'sim',
  describe: 'Simulate the Xen vNVDIMM design on real images: host, Dom0, Xen, ... one stage at a time (specs/sim.md)',
  positionals: [
    { name: 'action', describe: 'run | host | a stage | resume | check | schema | size | mappings | report | guest-destroy', value: choice([...new Set([...Object.keys(SIM_ACTIONS), ...stageNames()])]) },
    { name: 'target', describe: 'SCENARIO.json (run, host, check), the run directory (a stage, resume, mappings, report, guest-destroy) or a size (size)', value: file(), optional: true },
  ],
  options: {
    out: { alias: 'o', describe: 'run, host: the run directory to create; report: the HTML file to write (default DIR/report.html)', value: file(), actions: ['run', 'host', 'report'] },
    force: { describe: 'replace a non-empty run directory (run, host) or an existing report file (report, run --report)', actions: ['run', 'host', 'report'] },
    'dry-run': { describe: 'run, host: run the stages in a temporary directory, list the files --out (and --report) would get, keep nothing; report: say which file would be written', actions: ['run', 'host', 'report'] },
    report: { describe: 'run: also write the run\'s HTML report (one self-contained page: host, Dom0, Xen, hypercalls, each guest\'s mapping to scale, links to every artefact) to this file, e.g. DIR/report.html', value: file(), actions: ['run'] },
    'code-order': { describe: 'v1: Xen keeps its code\'s order (pmem_setup before the overlap check) and reports what a refused report would have written, writing nothing (specs/sim.md §6.1; scenario "xen": {"checkOrder": "code"})', actions: ['run', 'resume', 'xen'] },
    permissions: { describe: 'how the simulated Xen tracks which domain may access which pmem page (default pageowner); only xen/permissions.json changes (specs/permissions.md)', value: choice(DESIGNS), actions: ['run', 'resume', 'xen'] },
    json: { describe: 'print the run summary (size: the report; report: what was written) as JSON' },
    guest: { describe: 'guest-destroy: the guest to destroy (its name in the scenario)', value: text('NAME'), actions: ['guest-destroy'] },
    at: { describe: 'size: machine address the range starts at, for the code layout\'s chunk count (default 0x140000000)', value: bytes(), actions: ['size'] },
  },
  check(a) {
    if (a.action !== 'schema' && a.target === undefined) throw new UsageError(`sim ${a.action} needs its TARGET (SCENARIO.json, the run directory, or a size)`);
    if ((a.action === 'run' || a.action === 'host') && a.out === undefined) throw new UsageError(`sim ${a.action} needs --out DIR`);
    if (a.action === 'guest-destroy' && a.guest === undefined) throw new UsageError('sim guest-destroy needs --guest NAME');
  },
  examples: [
    ['$0 sim run scenario.json --out run1', 'every stage of the scenario\'s design: host, then dom0 and xen (v1) or xen and dom0 (v3, v4), then xl, qemu, hvmloader and guest'],
    ['$0 sim run scenario.json --out run2 --dry-run', 'the files the run would write, none kept'],
    ['$0 sim host scenario.json --out run3', 'the first stage only: run3/host/nfit.aml and run3/host/<id>.img'],
    ['$0 sim xen run3', 'the next stage (v1: dom0; v3, v4: xen) on the directory the previous one left (edit a file in between if you like)'],
    ['$0 sim run scenario.json --out run2 --permissions rangeset', 'the same run with Xen tracking guest pages in rangesets: only run2/xen/permissions.json differs'],
    ['$0 sim check scenario.json', 'check a scenario: exit 0 if it is valid, else one line per problem and exit 2'],
    ['$0 sim schema > scenario.schema.json', 'the scenario\'s JSON Schema'],
    ['$0 sim host scenario.json --out run4 && $0 sim xen run4 --code-order', 'the xen stage in the v1 code\'s order: a refused overlapping report lists the writes it would have made'],
    ['$0 sim resume run3', 'the remaining stages; the last, guest, is each guest\'s Linux: its vNVDIMMs through the AML and _DSM, run3/guests/<name>/ndctl-list.json, then the scenario\'s steps'],
    ['$0 sim mappings run1', 'each guest\'s vNVDIMMs: guest range -> host frames -> host image and offset'],
    ['$0 sim run scenario.json --out run1 --force --report run1/report.html', 'run again (replacing run1), then write one self-contained HTML page of the run: open run1/report.html in a browser'],
    ['$0 sim report run1 --out run1.html', 'the page for an existing run directory (default run1/report.html); links point back into run1'],
    ['$0 sim guest-destroy run1 --guest vm1', 'xl destroy vm1: XEN_DOMCTL_destroydomain, Xen returns the guest\'s pmem pages (specs/sim.md §7.11)'],
    ['$0 sim size 64G', 'what Xen keeps for 64 GiB of pmem: frame table + M2P, and Dom0\'s page tables to map it with 4 KiB vs 2 MiB pages'],
  ],
  fileOf: (a) => a.target,
  async run(a) {
    try {
      const act = SIM_ACTIONS[a.action];
      if (act) return await act(a);
      if (!stageNames().includes(a.action)) throw new CliError(`unknown action "${a.action}" (run, host, ${stageNames().filter((n) => n !== 'host').join(', ')}, ${Object.keys(SIM_ACTIONS).filter((k) => !['run', 'host'].includes(k)).join(', ')})`);
      const dir = new SimDir(need(a.target, 'DIR'));
      dir.permissions = a.permissions;
      dir.codeOrder = a.codeOrder;
      await updateDirectory(dir.root, () => runStage(dir, a.action));
      return print(a, dir);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      for (const p of e.problems) process.stderr.write(`nvtool: ${e.file}: ${p.path}: ${p.message}\n`);
      return 2;
    }
  },
});

/**
 * Start-up of whole processes (issue 13 items 2 and 3): `nvtool --version` and `nvtool decode` of a
 * small NFIT (fixtures/qemu/pc-1dimm) against `node -e 0`, and the annotated `nvtool decode` of the
 * 196 KB NFIT of bench/nfit.bench.ts against `iasl -d` of the same file.
 * The anchor and nvtool run alternately (who goes first alternates too), so both see the same
 * machine load; each ratio is the median of the per-pair ratios, of wall time and of CPU time
 * (user + system, all threads: on a shared machine wall time also counts waiting for a core).
 * Runs the installed launcher, bin/nvtool.cjs, with its bundle (`npm run build`, or `npm ci`).
 * Run: `npx tsx bench/startup.bench.ts [pairs]` or `npm run bench startup`.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timed } from './aml.bench.js';
import { largeTable } from './nfit.bench.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/nvtool.cjs');
const nfit = join(root, 'fixtures/qemu/pc-1dimm/NFIT.aml');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Pair {
  anchorMs: number;
  nvtoolMs: number;
  ratio: number;
  anchorCpuMs: number;
  nvtoolCpuMs: number;
  cpuRatio: number;
}

type Cmd = [string, string[]];

function paired(anchor: Cmd, subject: Cmd, pairs: number, cwd: string): Pair {
  const a = () => timed(anchor[0], anchor[1], cwd);
  const n = () => timed(subject[0], subject[1], cwd);
  a();
  n(); // file cache, and a failing command fails here
  const as: ReturnType<typeof a>[] = [];
  const ns: ReturnType<typeof a>[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2) {
      ns.push(n());
      as.push(a());
    } else {
      as.push(a());
      ns.push(n());
    }
  }
  return {
    anchorMs: median(as.map((t) => t.ms)),
    nvtoolMs: median(ns.map((t) => t.ms)),
    ratio: median(ns.map((t, i) => t.ms / as[i]!.ms)),
    anchorCpuMs: median(as.map((t) => t.cpuMs)),
    nvtoolCpuMs: median(ns.map((t) => t.cpuMs)),
    cpuRatio: median(ns.map((t, i) => t.cpuMs / as[i]!.cpuMs)),
  };
}

export function run(pairs = Number(process.env.NVTOOL_BENCH_PAIRS ?? 15)): string {
  if (!existsSync(join(root, 'dist/cli-bundle/nvtool.cjs'))) throw new Error('dist/cli-bundle missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-startup-'));
  try {
    const big = join(dir, 'NFIT.aml');
    writeFileSync(big, largeTable());
    const node: Cmd = [process.execPath, ['-e', '0']];
    const iasl: Cmd = ['iasl', ['-d', big]];
    const nvtool = (...args: string[]): Cmd => [process.execPath, [bin, ...args]];
    const rows: [string, Cmd, Cmd, string][] = [
      ['nvtool --version', node, nvtool('--version'), '≤ 1.5x'],
      [`nvtool decode NFIT (${statSync(nfit).size} B)`, node, nvtool('decode', nfit), '≤ 2x'],
      [`nvtool decode NFIT (${statSync(big).size} B)`, iasl, nvtool('decode', big, '-o', join(dir, 'dump.txt'), '--force'), '≤ 1x'],
      // The share of that ratio Node's own start-up takes.
      [`node -e 0 vs the same iasl -d`, iasl, node, '(floor)'],
    ];
    const lines = [`start-up, whole processes, median of ${pairs} paired runs (ratios: medians of the per-pair ratios)`];
    lines.push(`  ${'command'.padEnd(30)} ${'wall ms'.padStart(8)} ${'anchor'.padStart(7)} ${'ratio'.padStart(6)} | ${'CPU ms'.padStart(7)} ${'anchor'.padStart(7)} ${'ratio'.padStart(6)} | target, anchor`);
    for (const [name, anchor, subject, target] of rows) {
      const m = paired(anchor, subject, pairs, dir);
      const f = (x: number, w: number) => x.toFixed(0).padStart(w);
      lines.push(`  ${name.padEnd(30)} ${f(m.nvtoolMs, 8)} ${f(m.anchorMs, 7)} ${('×' + m.ratio.toFixed(2)).padStart(6)} | ${f(m.nvtoolCpuMs, 7)} ${f(m.anchorCpuMs, 7)} ${('×' + m.cpuRatio.toFixed(2)).padStart(6)} | ${target} ${anchor === node ? 'node -e 0' : 'iasl -d'}`);
    }
    return lines.join('\n') + '\n';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(run(Number(process.argv[2] ?? 15)));

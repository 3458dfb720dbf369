/**
 * Start-up of whole processes (issue 13 item 2): `nvtool --version` against `node -e 0`, and
 * `nvtool decode` of a small NFIT (fixtures/qemu/pc-1dimm) against the same anchor.
 * Runs alternate (anchor, nvtool, anchor, ...) so both see the same machine load; each ratio is the
 * median of the per-pair ratios. Needs the built CLI (`npm run build`, or `npm ci`).
 * Run: `npx tsx bench/startup.bench.ts` or `npm run bench startup`.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = `${root}bin/nvtool.cjs`;
const nfit = `${root}fixtures/qemu/pc-1dimm/NFIT.aml`;

function time(args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function paired(args: string[], pairs: number): { anchor: number; nvtool: number; ratio: number } {
  time(['-e', '0']);
  time(args); // warm the file cache
  const a: number[] = [];
  const n: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const ta = time(['-e', '0']);
    const tn = time(args);
    a.push(ta);
    n.push(tn);
    r.push(tn / ta);
  }
  return { anchor: median(a), nvtool: median(n), ratio: median(r) };
}

export function run(pairs = Number(process.env.NVTOOL_BENCH_PAIRS ?? 15)): string {
  const rows: [string, string[], number][] = [
    ['nvtool --version', [bin, '--version'], 1.5],
    [`nvtool decode NFIT (${statSync(nfit).size} B)`, [bin, 'decode', nfit], 2],
  ];
  const lines = [`start-up, whole processes, median of ${pairs} paired runs (anchor: node -e 0)`];
  for (const [name, args, target] of rows) {
    const m = paired(args, pairs);
    lines.push(`  ${name.padEnd(28)} ${m.nvtool.toFixed(0).padStart(5)} ms  node -e 0 ${m.anchor.toFixed(0).padStart(4)} ms  ×${m.ratio.toFixed(2)} (target ≤ ${target}x)`);
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(run());

/**
 * CLI start-up: `nvtool --version` (loads yargs and every command) against a bare `node -e ''`
 * in the same job. Run: `npx tsx bench/cli.bench.ts` (needs `npm run build` for bin/nvtool.js).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function median(cmd: string, args: string[], runs = 7): number {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(cmd, args, { stdio: 'ignore' });
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export function run(): string {
  const bin = fileURLToPath(new URL('../bin/nvtool.js', import.meta.url));
  const node = median(process.execPath, ['-e', '']);
  const nv = median(process.execPath, [bin, '--version']);
  return `start-up, median of 7 (baseline: node -e ''):\n  node -e ''          ${node.toFixed(0).padStart(5)} ms  ×1.00\n  nvtool --version    ${nv.toFixed(0).padStart(5)} ms  ×${(nv / node).toFixed(2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(run());

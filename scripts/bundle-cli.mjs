// `npm run bundle`: the CLI as one esbuild bundle in dist/cli-bundle (entry = main + the command
// registry; each command, and what only it uses, a chunk loaded when that command runs).
// Dependencies (fast-check) stay external. The folder is emptied first so no stale chunk ships.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/cli-bundle', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../src/cli/main.ts', import.meta.url).pathname],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir,
  logLevel: 'warning',
});

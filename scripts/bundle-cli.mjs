// `npm run bundle`: the CLI as one CommonJS file, dist/cli-bundle/nvtool.cjs, and a V8 code cache
// per command next to it (dist/cli-bundle/cache/<command>.bin), which bin/nvtool.cjs hands to V8 so
// a run deserializes bytecode instead of parsing and compiling the bundle again.
//
// One file rather than ESM chunks: esbuild still initialises each module only when its command
// imports it (dynamic imports become lazy `__esm` initialisers), and a single script is what
// `vm.Script` can compile with `cachedData` (Node 20 has no code cache for ES modules). A cache is
// made by running the command once on a small fixture and saving what V8 compiled on the way
// (`script.createCachedData()` at exit), so it holds the functions that command really runs.
// Dependencies (fast-check) stay external and load only where used. The folder is emptied first:
// V8 checks a cache against the source's length only, so no cache may outlive its bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist/cli-bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outfile: join(outdir, 'nvtool.cjs'),
  // The file is the CommonJS wrapper function itself, so the launcher compiles it as it is read
  // (no second 1 MB string), and `import.meta.url` (package.json lookup, createRequire) is the
  // bundle's own file URL.
  define: { 'import.meta.url': '__nvtoolBundleUrl' },
  banner: { js: '(function (exports, require, module, __filename, __dirname) {"use strict";const __nvtoolBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  footer: { js: '})' },
  // No comments or indentation (names stay): a quarter fewer bytes, and pure ASCII (esbuild escapes
  // the rest), which the launcher reads as latin1 into a one-byte string without UTF-8 decoding.
  minifyWhitespace: true,
  logLevel: 'warning',
});
const bundle = readFileSync(join(outdir, 'nvtool.cjs'));
if (bundle.some((b) => b > 0x7f)) throw new Error('dist/cli-bundle/nvtool.cjs is not ASCII: bin/nvtool.cjs reads it as latin1');

// Training runs: [cache name, arguments]. `top` serves every command without a cache of its own.
const fixture = (f) => join(root, 'fixtures/qemu/pc-1dimm', f);
const scratch = mkdtempSync(join(tmpdir(), 'nvtool-bundle-'));
const runs = [
  ['top', ['--version']],
  ['disasm', ['disasm', fixture('DSDT.aml'), '-o', join(scratch, 'dsdt.dsl')]],
  ['decode', ['decode', fixture('NFIT.aml')]],
  ['inspect', ['inspect', fixture('NFIT.aml')]],
];
mkdirSync(join(outdir, 'cache'));
try {
  for (const [name, args] of runs) {
    if (args.some((a) => a.startsWith(root) && !existsSync(a))) continue; // fixtures not shipped: no cache
    const r = spawnSync(process.execPath, [join(root, 'bin/nvtool.cjs'), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NVTOOL_WRITE_CODE_CACHE: join(outdir, 'cache', `${name}.bin`) },
    });
    // Exit 1 is findings in the fixture, not a failed run.
    if (r.status !== 0 && r.status !== 1) throw new Error(`code cache run \`nvtool ${args.join(' ')}\` failed: ${r.stderr}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

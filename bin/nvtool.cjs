#!/usr/bin/env node
'use strict';
// Runs the built CLI (`npm ci` builds it through the `prepare` script): dist/cli-bundle/nvtool.cjs,
// compiled with the V8 code cache the build made for this command (scripts/bundle-cli.mjs), else
// tsc's dist/cli/main.js. CommonJS on purpose: an ES module entry costs Node ~4 ms of loader
// start-up, and only a classic script can be given a code cache (specs/aml.md "Start-up").
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dir = join(__dirname, '..', 'dist', 'cli-bundle');
const first = process.argv[2] ?? '';
const command = /^[a-z][a-z0-9-]*$/.test(first) ? first : 'top';

// V8 flags of one-shot commands, set before anything is compiled (a code cache is only taken by a
// V8 with the flags it was made with). disasm is one pass over the table: most of its CPU time in
// a fresh process went to TurboFan compiling the decoder and printer with their helpers inlined
// (-19 % CPU on the 404 KB SSDT, -24 % at 100 KB, the same at 1.6 MB), and its loops ran in the
// interpreter until V8's default budget (132 KB of bytecode) ran out: a budget of 20 KB tiers them
// up sooner (-11 ms of main-thread time at 404 KB, -18 ms at 1.6 MB: specs/aml.md "Cold process").
// Any flag set at run time also makes V8 refuse Node's own code cache for built-in modules loaded
// afterwards (8 of them: 6.5 -> 17 ms), so flags go only to commands they pay for.
const V8_FLAGS = { disasm: ['--no-turbo-inlining', '--interrupt-budget=20000'] };
// `node:v8` only when needed: loading it loads Node's stream modules too.
if (V8_FLAGS[command]) for (const f of V8_FLAGS[command]) require('node:v8').setFlagsFromString(f);

function cacheFor(name) {
  const file = join(dir, 'cache', `${name}.bin`);
  return existsSync(file) ? readFileSync(file) : undefined;
}

function runBundle(file) {
  const writeTo = process.env.NVTOOL_WRITE_CODE_CACHE; // build-time only (scripts/bundle-cli.mjs)
  const cachedData = writeTo ? undefined : (cacheFor(command) ?? cacheFor('top'));
  // The bundle is ASCII and is the CommonJS wrapper function (scripts/bundle-cli.mjs).
  const script = new Script(readFileSync(file, 'latin1'), { filename: file, cachedData });
  if (process.env.NVTOOL_CODE_CACHE_REPORT) process.stderr.write(`code cache: ${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
  if (writeTo) process.once('exit', () => writeFileSync(writeTo, script.createCachedData()));
  const mod = { exports: {} };
  // This file's `require`: the bundle asks for Node's modules and fast-check, found from here as
  // from dist/ (the package's node_modules), and `node:module` (the ES module loader) stays unloaded.
  script.runInThisContext()(mod.exports, require, mod, file, dir);
  return mod.exports.runProcess();
}

const bundle = join(dir, 'nvtool.cjs');
if (existsSync(bundle)) runBundle(bundle);
else import('../dist/cli/main.js').then((m) => m.runProcess());

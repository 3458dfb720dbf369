#!/usr/bin/env node
// Runs the built CLI (`npm ci` / `npm install` build it through the `prepare` script): the esbuild
// bundle (dist/cli-bundle, one chunk per command, loaded on demand) when present, else tsc's dist.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli-bundle/main.js', import.meta.url);
const { runProcess } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');
await runProcess();

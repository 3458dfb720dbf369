#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` / `npm install` through the `prepare` script).
import { runProcess } from '../dist/cli/main.js';

await runProcess();

#!/usr/bin/env node
// The launcher is bin/nvtool.cjs (package.json "bin"); this path stays for callers that name it.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./nvtool.cjs');

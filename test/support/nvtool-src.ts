// `nvtool` run as a real process from the sources: node --import tsx test/support/nvtool-src.ts ARGS
import { runProcess } from '../../src/cli/main.js';

await runProcess();

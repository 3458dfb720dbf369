import type { Argv, CommandModule } from 'yargs';
import { describeError } from './io.js';

/** Where a command's exit status goes (handlers return it; main() hands it to the process). */
const status = { code: 0 };

export function lastExitCode(): number {
  return status.code;
}

export function resetExitCode(): void {
  status.code = 0;
}

/**
 * A typed command: `run` parses nothing itself, calls the library and prints; it returns the exit
 * status. Errors become one line on stderr (`nvtool: FILE: FORMAT.field at offset N: reason`).
 */
export function defineCommand<A>(spec: {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<A>;
  examples: [string, string][];
  /** The file an error is about, for the message prefix. */
  fileOf?: (a: A) => string | undefined;
  run: (a: A) => number | Promise<number>;
}): CommandModule<object, A> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: (y: Argv) => {
      let b = spec.builder(y);
      for (const [cmd, what] of spec.examples) b = b.example(cmd, what);
      return b;
    },
    handler: async (a) => {
      try {
        status.code = await spec.run(a as A);
      } catch (e) {
        process.stderr.write(`nvtool: ${describeError(e, spec.fileOf?.(a as A))}\n`);
        status.code = /internal error/.test(describeError(e)) ? 70 : ((e as { exitCode?: number }).exitCode ?? 2);
        if (status.code === 70 && process.env.NVTOOL_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      }
    },
  };
}

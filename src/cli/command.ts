import { describeError } from './io.js';
import { setParsedClean } from './parseState.js';
import { parseCommandLine } from './options/parse.js';
import type { CommandSpec } from './options/spec.js';
import { UsageError } from './options/values.js';

/** A command: its spec (options, help, examples) and what it does with the parsed arguments. */
export interface Command<A = any> extends CommandSpec {
  /** The file an error is about, for the message prefix. */
  fileOf?: (a: A) => string | undefined;
  /** Calls the library and prints; returns the exit status. Only reached after a clean parse. */
  run(a: A): number | Promise<number>;
}

/**
 * A typed command. `run` parses nothing itself: the option layer (`options/`) has turned every
 * word into a checked value, and any usage error has already ended the command with exit 2.
 */
export function defineCommand<A>(spec: Omit<Command<A>, 'positionals'> & { positionals?: CommandSpec['positionals'] }): Command<A> {
  return { positionals: [], ...spec } as Command<A>;
}

/** Parse, then run: errors become one line on stderr (`nvtool: FILE: FORMAT.field at offset N: reason`). */
export async function execute(cmd: Command, argv: readonly string[]): Promise<number> {
  let args: Record<string, unknown>;
  setParsedClean(false);
  try {
    const p = parseCommandLine(cmd, argv);
    if (p.help) {
      const { renderHelp } = await import('./options/help.js');
      process.stdout.write(renderHelp(cmd, Math.min(110, process.stdout.columns || 100)));
      return 0;
    }
    args = p.args;
    setParsedClean(true);
  } catch (e) {
    return fail(e instanceof UsageError ? `${e.message} (nvtool ${cmd.name} --help)` : describeError(e), e);
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    return fail(describeError(e, cmd.fileOf?.(args)), e);
  }
}

function fail(line: string, e: unknown): number {
  process.stderr.write(`nvtool: ${line.split('\n')[0]}\n`);
  const internal = line.startsWith('internal error');
  if (internal && process.env.NVTOOL_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  return internal ? 70 : ((e as { exitCode?: number }).exitCode ?? 2);
}

import yargs from 'yargs';
import { lastExitCode, resetExitCode } from './command.js';
import { commands } from './commands/index.js';

/** Entry point: parse, dispatch, return the exit status (never calls process.exit). */
export async function main(argv: string[]): Promise<number> {
  resetExitCode();
  let usageError = false;
  let cli = yargs(argv)
    .scriptName('nvtool')
    .usage('$0 <command> [options]\n\nRead, write and explain NVDIMM/pmem formats byte for byte.')
    .strict()
    .demandCommand(1, 'Name a command; `nvtool --help` lists them.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue('Every command takes --help and shows examples; --json gives machine-readable output.\nExit status: 0 success, 1 the input has errors (findings), 2 bad input or usage.')
    .fail((msg, err, y) => {
      usageError = true;
      if (err) throw err;
      process.stderr.write(`${y.help() && ''}nvtool: ${msg}\nRun with --help for usage.\n`);
    })
    .help()
    .alias('h', 'help')
    .version()
    .exitProcess(false);
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
  return usageError ? 2 : lastExitCode();
}

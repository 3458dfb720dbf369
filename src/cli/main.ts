import { readFileSync } from 'node:fs';
import { COMMANDS } from './registry.js';

/** nvtool's own version, from the package.json next to this module (not the caller's cwd). */
export function version(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const p = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'nvtool' && p.version) return p.version;
    } catch {
      /* try the next place */
    }
  }
  return 'unknown';
}

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 10;
  return [
    'nvtool <command> [options]',
    '',
    'Read, write and explain NVDIMM/pmem formats byte for byte.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${`nvtool ${c.name}`.padEnd(w)} ${c.summary}`),
    '',
    'Options:',
    '  --help      show help (also after a command: nvtool decode --help)',
    '  --version   show the version of nvtool',
    '',
    'Every command takes --help and shows examples; --json gives machine-readable output.',
    'Exit status: 0 success, 1 the input has errors (findings), 2 bad input or usage.',
  ].join('\n') + '\n';
}

function usage(line: string): number {
  process.stderr.write(`nvtool: ${line} (nvtool --help lists the commands)\n`);
  return 2;
}

/** Entry point: parse, dispatch, return the exit status (never calls process.exit). */
export async function main(argv: readonly string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) return usage('name a command');
  if (first === '--version' && argv.length === 1) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h') {
    process.stdout.write(topHelp());
    return 0;
  }
  const leaf = COMMANDS.find((c) => c.name === first) ?? (second !== undefined ? COMMANDS.find((c) => c.name === `${first} ${second}`) : undefined);
  const { suggest } = await import('./options/parse.js');
  if (leaf) {
    const [{ execute }, cmd] = await Promise.all([import('./command.js'), leaf.load()]);
    return execute(cmd, argv.slice(leaf.name.split(' ').length));
  }
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
  if (group.length) {
    const subs = group.map((c) => c.name.split(' ')[1]!);
    if (second === '--help' || second === '-h') {
      process.stdout.write(`nvtool ${first} <${subs.join('|')}> ...\n\nCommands:\n${group.map((c) => `  nvtool ${c.name.padEnd(20)} ${c.summary}`).join('\n')}\n\nEach takes --help with examples.\n`);
      return 0;
    }
    return usage(second === undefined ? `${first}: name one of ${subs.join(', ')}` : `${first}: unknown command "${second}"${suggest(second, subs)} (one of ${subs.join(', ')})`);
  }
  if (first.startsWith('-')) return usage(`unknown option ${first} before the command`);
  return usage(`unknown command "${first}"${suggest(first, [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))])}`);
}

/**
 * The process around `main`: a closed stdout (`nvtool ... | head`) ends quietly instead of with
 * an EPIPE stack trace.
 */
export async function runProcess(): Promise<void> {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  process.exitCode = await main(process.argv.slice(2));
}

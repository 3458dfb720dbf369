/**
 * Every option of every command, fed arbitrary text through the option layer (in process): the
 * result is a checked value or a one-line usage error (exit 2), never NaN, never another kind of
 * error, never a hang. The reference model is the grammar itself: a value the parser accepts is
 * re-checked here against what the option's kind allows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/cli/command.js';
import { parseCommandLine } from '../../src/cli/options/parse.js';
import type { OptionSpec } from '../../src/cli/options/spec.js';
import { UsageError } from '../../src/cli/options/values.js';
import { loadAllCommands } from '../../src/cli/registry.js';
import { runCli } from '../support/cli.js';

const commands = await loadAllCommands();

/** The words that make a command line valid up to the option under test. */
function baseArgs(cmd: Command, option?: OptionSpec): string[] {
  const words = cmd.positionals.map((p) => (p.value?.choices ? (option?.actions?.[0] ?? p.value.choices[0]!) : 'some-file'));
  for (const [name, o] of Object.entries(cmd.options)) {
    if (o.required && o !== option) words.push(`--${name}`, o.value?.choices?.[0] ?? 'out.bin');
  }
  return words;
}

/** Nothing a parse returns is NaN, an unsafe number or a negative size. */
function sane(v: unknown): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0;
  if (typeof v === 'bigint') return v >= 0n && v < 1n << 64n;
  if (Array.isArray(v)) return v.every(sane);
  if (v && typeof v === 'object') return Object.values(v).every(sane);
  return true;
}

function outcome(cmd: Command, argv: string[]): 'value' | 'usage' {
  try {
    const p = parseCommandLine(cmd, argv);
    for (const [k, v] of Object.entries(p.args)) if (!sane(v)) throw new Error(`${cmd.name}: ${k} parsed to ${String(v)}`);
    return 'value';
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeGreaterThan(0);
    return 'usage';
  }
}

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', '-', '-1', '1.5', '0', '0x', '0x10', '1e3', 'NaN', 'Infinity', '18446744073709551616', '99999999999999999999999P', '4K', '4KiB', '4kb', ' 4K', '--json', '00000000-0000-0000-0000-000000000000'),
  fc.bigInt({ min: 0n, max: 1n << 70n }).map(String),
);

const cases = commands.flatMap((cmd) => Object.entries(cmd.options).filter(([, o]) => o.value).map(([name, o]) => [`${cmd.name} --${name}`, cmd, name, o] as const));

describe('every option of every command takes any text: a value or one usage line', () => {
  it.each(cases.map((c) => [c[0], c] as const))('%s', (_n, [, cmd, name, o]) => {
    fc.assert(
      fc.property(text, fc.boolean(), (value, joined) => {
        const argv = [...baseArgs(cmd, o), ...(joined ? [`--${name}=${value}`] : [`--${name}`, value])];
        outcome(cmd, argv);
      }),
      { numRuns: 60 },
    );
  });

  it('any sequence of option names and words: a value or one usage line', () => {
    const words = fc.oneof(
      text,
      fc.constantFrom(...new Set(commands.flatMap((c) => Object.keys(c.options).map((n) => `--${n}`)))),
      fc.constantFrom('--', '-h', '-o', '-n', '--help'),
    );
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.array(words, { maxLength: 8 }), (cmd, argv) => {
        outcome(cmd, [...baseArgs(cmd), ...argv]);
      }),
      { numRuns: 300 },
    );
  });

  it('the whole CLI in process: unknown commands and options give exit 2 and one line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...commands.map((c) => c.name)), fc.string({ minLength: 1, maxLength: 10 }), async (name, junk) => {
        const r = await runCli([...name.split(' '), `--x-${junk}`, 'file']);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });
});

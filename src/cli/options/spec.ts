import type { ValueType } from './values.js';

/** One `--option`: a flag when it has no `value`, else it takes exactly one value. */
export interface OptionSpec {
  describe: string;
  /** One letter: `-o`. */
  alias?: string;
  value?: ValueType<unknown>;
  /** May be given several times; the values are collected in order. */
  repeatable?: boolean;
  /** Used when the option is absent (not shown to `run` as "given"). */
  default?: unknown;
  required?: boolean;
  /** Only meaningful with these actions (the command's first positional); elsewhere a usage error. */
  actions?: readonly string[];
}

export interface PositionalSpec {
  name: string;
  describe: string;
  value?: ValueType<unknown>;
  /** Takes every remaining positional (at least one). */
  variadic?: boolean;
  /** May be left out (only the last positionals). */
  optional?: boolean;
}

/** What a command accepts; parsed strictly by `parseCommandLine`, rendered by `renderHelp`. */
export interface CommandSpec {
  /** `decode`, or `namespace format` for a subcommand. */
  name: string;
  describe: string;
  positionals: readonly PositionalSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  examples: readonly (readonly [string, string])[];
  /** Pairs of options that cannot be given together. */
  conflicts?: readonly (readonly [string, string])[];
  /** Options that need another one (`[a, b]`: a needs b). */
  requires?: readonly (readonly [string, string])[];
  /** Cross-option rules that need no file; throw `UsageError`. */
  check?(a: Record<string, unknown>): void;
}

/** `label-size` → `labelSize`: parsed arguments carry both spellings. */
export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

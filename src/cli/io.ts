import { readFileSync } from 'node:fs';
import { NvError } from '../core/errors.js';
import { jsonInteger } from '../core/hex.js';

/** A user-facing failure: printed as one line, exit status 2 (bad input) unless told otherwise. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Why a file could not be read, in words about the file (never an internal error). */
export function fileProblem(file: string, e: unknown, doing = 'read'): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CliError(`${file}: no such file`);
  if (code === 'EISDIR') return new CliError(`${file}: is a directory, not a file`);
  if (code === 'ERR_FS_FILE_TOO_LARGE' || e instanceof RangeError) {
    return new CliError(`${file}: too large to ${doing} whole (over 2 GiB); address a part of it: decode, gpt, xen and namespace take --window-offset/--window-size, or --namespace UUID`);
  }
  return new CliError(`${file}: cannot ${doing}: ${code ?? (e as Error).message}`);
}

export function readInput(file: string): Uint8Array {
  try {
    if (file === '-') return new Uint8Array(readFileSync(0));
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw fileProblem(file === '-' ? 'stdin' : file, e);
  }
}

export function readJsonFile(file: string): unknown {
  const text = Buffer.from(readInput(file)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not valid JSON: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  }
}

/** JSON with bigints as numbers (decimal strings past 2^53-1) and bytes as hex, for every `--json`. */
export function toJsonText(v: unknown): string {
  return (
    JSON.stringify(
      v,
      (_k, x) => {
        if (typeof x === 'bigint') return jsonInteger(x);
        if (x instanceof Uint8Array) return Buffer.from(x).toString('hex');
        return x;
      },
      2,
    ) + '\n'
  );
}

/** `v` with every bigint as a JSON number, or a decimal string past 2^53 (sizes and counts in nvtool's documents). */
export function withNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return jsonInteger(v);
  if (Array.isArray(v)) return v.map(withNumbers);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withNumbers(x)]));
  return v;
}

/** The one line a user sees for bad input: `nvtool: FILE: FORMAT.path at offset N: reason`. */
export function describeError(e: unknown, file?: string): string {
  if (e instanceof NvError) return `${file ? `${file}: ` : ''}${e.message}`;
  if (e instanceof CliError) return e.message;
  // A file the user named that the system refused (a directory, missing, no permission): their input.
  const errno = e as NodeJS.ErrnoException;
  const named = typeof errno?.path === 'string' ? errno.path : file;
  if (typeof errno?.code === 'string' && /^(E[A-Z]+|ERR_FS_FILE_TOO_LARGE)$/.test(errno.code) && named) return fileProblem(named, e).message;
  return `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

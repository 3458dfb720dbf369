/**
 * The value grammars every nvtool option uses: one for byte sizes and offsets, one for counts, one
 * for UUIDs, one for choices. Each turns the text a user typed into a value or throws a
 * `UsageError` whose message is one line naming the option.
 */
import { CliError } from '../io.js';

/** Bad command line: exit 2, one line, before anything is opened for writing. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** How an option's text becomes its value; `name` is what help shows (SIZE, N, UUID...). */
export interface ValueType<T> {
  name: string;
  parse(text: string, option: string): T;
  /** The legal values, when there is a closed set (help lists them). */
  choices?: readonly string[];
}

const U64_MAX = (1n << 64n) - 1n;
const UNITS: Record<string, bigint> = { '': 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n };
const BYTES_RE = /^(0x[0-9a-f]+|[0-9]+)([kmgtp](?:ib)?)?$/i;

/** `4096`, `0x1000`, `64K`, `64KiB`, `2G`: an unsigned byte count below 2^64. */
export function parseBytes(text: string, option: string): bigint {
  const m = BYTES_RE.exec(text);
  if (!m) throw new UsageError(`${option}: "${text}" is not a size or offset (bytes: 4096, 0x1000, 64K, 2MiB, 1G; no sign, no fraction)`);
  const v = BigInt(m[1]!) * UNITS[(m[2]?.[0] ?? '').toUpperCase()]!;
  if (v > U64_MAX) throw new UsageError(`${option}: ${text} is more than 2^64-1 bytes`);
  return v;
}

/** A byte size or offset as a bigint, within [min, max]. */
export function bytes(o: { min?: bigint; max?: bigint } = {}): ValueType<bigint> {
  return {
    name: 'SIZE',
    parse(text, option) {
      const v = parseBytes(text, option);
      if (o.min !== undefined && v < o.min) throw new UsageError(`${option}: ${text} is below the minimum ${o.min}`);
      if (o.max !== undefined && v > o.max) throw new UsageError(`${option}: ${text} is above the maximum ${o.max}`);
      return v;
    },
  };
}

/** A byte size or offset that fits a JavaScript number exactly (files and areas nvtool reads whole). */
export function byteNumber(o: { min?: number; max?: number } = {}): ValueType<number> {
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  return {
    name: 'SIZE',
    parse(text, option) {
      const v = parseBytes(text, option);
      if (v > BigInt(max)) throw new UsageError(`${option}: ${text} is above the maximum ${max}`);
      if (o.min !== undefined && v < BigInt(o.min)) throw new UsageError(`${option}: ${text} is below the minimum ${o.min}`);
      return Number(v);
    },
  };
}

/** A whole number (decimal or 0x hex) within [min, max]. */
export function count(o: { min?: number; max?: number; name?: string } = {}): ValueType<number> {
  const min = o.min ?? 0;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  return {
    name: o.name ?? 'N',
    parse(text, option) {
      if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) throw new UsageError(`${option}: "${text}" is not a whole number${min < 0 ? '' : ' (no sign, no fraction)'}`);
      const v = BigInt(text);
      if (v < BigInt(min) || v > BigInt(max)) throw new UsageError(`${option}: ${text} is outside ${min}..${max}`);
      return Number(v);
    },
  };
}

/** One of a closed set (the format library's legal values), compared as typed. */
export function choice<T extends string | number>(values: readonly T[], name?: string): ValueType<T> {
  const texts = values.map(String);
  return {
    name: name ?? texts.join('|'),
    choices: texts,
    parse(text, option) {
      const i = texts.indexOf(text);
      if (i < 0) throw new UsageError(`${option}: "${text}" is not one of ${texts.join(', ')}`);
      return values[i]!;
    },
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL = '00000000-0000-0000-0000-000000000000';

/** A UUID in its 36-character form, lower-cased; the nil UUID only where it means something. */
export function uuid(o: { nil?: boolean } = {}): ValueType<string> {
  return {
    name: 'UUID',
    parse(text, option) {
      if (!UUID_RE.test(text)) throw new UsageError(`${option}: "${text}" is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
      const v = text.toLowerCase();
      if (v === NIL && !o.nil) throw new UsageError(`${option}: the nil UUID names nothing here`);
      return v;
    },
  };
}

/** Free text (a name, a path); empty text is refused. */
export function text(name = 'TEXT', o: { maxLength?: number } = {}): ValueType<string> {
  return {
    name,
    parse(t, option) {
      if (o.maxLength !== undefined && t.length > o.maxLength) throw new UsageError(`${option}: longer than ${o.maxLength} characters`);
      return t;
    },
  };
}

/** A file path; `-` (stdin or stdout) only where the command documents it. */
export function file(o: { dash?: 'stdin' | 'stdout' } = {}): ValueType<string> {
  return {
    name: 'FILE',
    parse(t, option) {
      if (t === '-' && !o.dash) throw new UsageError(`${option}: "-" (stdin/stdout) is not accepted here; name a file`);
      if (t.includes('\0')) throw new UsageError(`${option}: a file name cannot hold a NUL byte`);
      return t;
    },
  };
}

/** A length or position in sectors (`2048`, `2048s`) or bytes with a unit (`1M`), as sgdisk reads them. */
export type Extent = { sectors: bigint } | { bytes: bigint };

export function extent(): ValueType<Extent> {
  return {
    name: 'SECTORS|SIZE',
    parse(text, option) {
      const t = text.replace(/^\+/, '');
      if (/^\d+s?$/i.test(t)) {
        const v = BigInt(t.replace(/s$/i, ''));
        if (v > U64_MAX) throw new UsageError(`${option}: ${text} is more than 2^64-1 sectors`);
        return { sectors: v };
      }
      const b = parseBytes(t, option);
      if (b % 512n !== 0n) throw new UsageError(`${option}: ${text} is not a whole number of sectors`);
      return { bytes: b };
    },
  };
}

/** An `Extent` in sectors of `sectorSize` bytes. */
export function extentLbas(e: Extent, sectorSize: number, option: string): bigint {
  if ('sectors' in e) return e.sectors;
  if (e.bytes % BigInt(sectorSize) !== 0n) throw new UsageError(`${option}: ${e.bytes} bytes is not a whole number of ${sectorSize}-byte sectors`);
  return e.bytes / BigInt(sectorSize);
}

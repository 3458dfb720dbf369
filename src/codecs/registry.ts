/**
 * The formats `decode` reads and `encode` writes, in one explicit detection order (first match
 * wins; the generic ACPI header is the fallback). Library users and the CLI share this list.
 */
import { NvError } from '../core/errors.js';
import type { Finding, Span, Struct } from '../core/schema/index.js';

/** What decoding one input gives. */
export interface DecodedDocument {
  /** What a person calls it ("DSDT", "label area (v1.2)", "BTT 2.0 arena info block"). */
  format: string;
  findings: Finding[];
  spans?: Span[];
  /** The value as `decode --json` prints it (and `encode` reads it back). */
  json: unknown;
  /** Where the value's bytes start in the input (a label area at the end of a backing file). */
  valueOffset?: number;
  /** A text rendering other than the field dump (e.g. ASL), when the format has one. */
  text?: string;
}

export interface DecodableFormat {
  /** The name `--format` takes and every JSON document carries. */
  name: string;
  /** Whether the bytes look like this format (cheap; first match in FORMATS wins). */
  detect(bytes: Uint8Array): boolean;
  decode(bytes: Uint8Array, opts: { spans: boolean; refs?: Uint8Array[] }): DecodedDocument;
  /** The value's JSON → its bytes; lengths, counts and checksums recomputed unless pinned. */
  encode(json: unknown, opts: { preserve: boolean }): Uint8Array;
  /** Whether a bare value (no document around it, so no "format") is of this format. */
  detectJson?(json: unknown): boolean;
  /** The one declaration the value is, for formats that are a single structure (its JSON Schema is the value's). */
  struct?: Struct<any>;
}

const list: DecodableFormat[] = [];

/** Called once per format module by `codecs/index.ts`, in detection order. */
export function defineFormats(formats: readonly DecodableFormat[]): void {
  if (list.length) throw new Error('codecs: formats defined twice');
  list.push(...formats);
}

export function allFormats(): readonly DecodableFormat[] {
  return list;
}

export function formatNamed(name: string): DecodableFormat {
  const f = list.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!f) throw new NvError('input', '', undefined, `unknown format "${name}"; known: ${list.map((x) => x.name).join(', ')}`);
  return f;
}

export function formatFor(bytes: Uint8Array, name?: string): DecodableFormat {
  if (name) return formatNamed(name);
  const f = list.find((x) => x.detect(bytes));
  if (!f) throw new NvError('input', '', 0, `not a format nvtool recognises; name one with --format (${list.map((x) => x.name).join(', ')})`);
  return f;
}

export function formatForJson(json: unknown, name?: string): DecodableFormat {
  if (name) return formatNamed(name);
  const f = list.find((x) => x.detectJson?.(json));
  if (!f) throw new NvError('json', '', undefined, 'cannot tell which format this JSON describes (no "format"); name one with --format');
  return f;
}

/**
 * The JSON document of `decode --json` and its way back to bytes. The document names its format
 * and keeps, as `patches`, the input bytes its value does not reproduce (padding past a structure,
 * a stored checksum that does not match, whatever surrounds a label area in a backing file), so
 * `encode` of an unedited document gives the input back byte for byte. Patches are applied after
 * the value: an edit to a field whose bytes a patch covers does not survive.
 */
import { bytesToHex, hexToBytes } from '../core/hex.js';
import { NvError } from '../core/errors.js';
import type { Finding } from '../core/schema/index.js';
import { allFormats, formatFor, formatForJson, type DecodableFormat, type DecodedDocument } from './registry.js';

export const DOCUMENT_SCHEMA_VERSION = 1;

export interface Patch {
  offset: number;
  hex: string;
}

export interface FormatDocument {
  schemaVersion: number;
  /** The registry name (`encode` picks the format by it). */
  format: string;
  /** What a person calls it. */
  title: string;
  value: unknown;
  /** Bytes of the whole input, where the value sits in them, and the bytes the value does not give. */
  input: { length: number; valueOffset: number; patches: Patch[] };
  findings: Finding[];
}

/** Runs of differing bytes, joined when closer than this (fewer, longer patches). */
const JOIN_GAP = 16;

export function diffPatches(want: Uint8Array, have: Uint8Array): Patch[] {
  const out: Patch[] = [];
  const n = want.length;
  let i = 0;
  while (i < n) {
    if (want[i] === (have[i] ?? 0)) {
      i++;
      continue;
    }
    const start = i;
    let end = i + 1;
    for (let j = end; j < n && j - end < JOIN_GAP; j++) if (want[j] !== (have[j] ?? 0)) end = j + 1;
    out.push({ offset: start, hex: bytesToHex(want.subarray(start, end)) });
    i = end;
  }
  return out;
}

/** The value's bytes placed in an input of `length` bytes (the rest zero), then the patches. */
export function assemble(valueBytes: Uint8Array, input: FormatDocument['input'] | undefined): Uint8Array {
  if (!input) return valueBytes;
  const { length, valueOffset, patches } = input;
  if (!Number.isSafeInteger(length) || length < 0 || length > 2 ** 31) throw new NvError('json', 'input.length', undefined, `not a usable length: ${length}`);
  if (!Number.isSafeInteger(valueOffset) || valueOffset < 0 || valueOffset > length) throw new NvError('json', 'input.valueOffset', undefined, `outside the ${length}-byte input: ${valueOffset}`);
  const out = new Uint8Array(length);
  out.set(valueBytes.subarray(0, length - valueOffset), valueOffset);
  for (const [i, p] of (patches ?? []).entries()) {
    const b = typeof p.hex === 'string' ? hexToBytes(p.hex) : undefined;
    if (!b) throw new NvError('json', `input.patches[${i}].hex`, undefined, 'not a hex string');
    if (!Number.isSafeInteger(p.offset) || p.offset < 0 || p.offset + b.length > length) throw new NvError('json', `input.patches[${i}]`, undefined, `patch of ${b.length} bytes at ${p.offset} is outside the ${length}-byte input`);
    out.set(b, p.offset);
  }
  return out;
}

/** Decode `bytes` (format detected unless named) into its document. */
export function decodeDocument(bytes: Uint8Array, opts: { format?: string; spans?: boolean; refs?: Uint8Array[] } = {}): { fmt: DecodableFormat; doc: DecodedDocument } {
  const fmt = formatFor(bytes, opts.format);
  return { fmt, doc: fmt.decode(bytes, { spans: opts.spans ?? false, ...(opts.refs ? { refs: opts.refs } : {}) }) };
}

/** The JSON document of a decoded input, with the patches that make `encode` give `bytes` back. */
export function documentOf(fmt: DecodableFormat, doc: DecodedDocument, bytes: Uint8Array): FormatDocument {
  const json = doc.json;
  const valueOffset = doc.valueOffset ?? 0;
  let rebuilt: Uint8Array;
  try {
    rebuilt = assemble(fmt.encode(json, { preserve: false }), { length: bytes.length, valueOffset, patches: [] });
  } catch {
    rebuilt = new Uint8Array(bytes.length); // a value the encoder refuses: the patches carry every byte
  }
  return {
    schemaVersion: DOCUMENT_SCHEMA_VERSION,
    format: fmt.name,
    title: doc.format,
    value: json,
    input: { length: bytes.length, valueOffset, patches: diffPatches(bytes, rebuilt) },
    findings: doc.findings,
  };
}

/** A document from `decode --json` (or a bare value) back to bytes. */
export function encodeDocument(json: unknown, opts: { format?: string; preserve?: boolean } = {}): { fmt: DecodableFormat; bytes: Uint8Array } {
  const isDoc = !!json && typeof json === 'object' && 'value' in json && ('findings' in json || 'schemaVersion' in json);
  const d = json as Partial<FormatDocument>;
  const value = isDoc ? d.value : json;
  // Documents name their format; one from before that (a title such as "NFIT") is detected.
  const named = opts.format ?? (isDoc && typeof d.format === 'string' && allFormats().some((f) => f.name === d.format) ? d.format : undefined);
  const fmt = formatForJson(value, named);
  return { fmt, bytes: assemble(fmt.encode(value, { preserve: opts.preserve ?? false }), isDoc ? d.input : undefined) };
}

import { NvError } from './errors.js';

/**
 * Two byte orders for the same 16-byte identifier (formats.md, "GUID vs UUID"):
 * - `efi`: EFI GUID, first three groups little-endian (ACPI range GUIDs, GPT, EFI label type GUIDs);
 * - `rfc`: RFC 4122 / Linux `uuid_t`, bytes in string order (label and info-block uuids, CXL labels).
 * Strings are lower-case `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
 */
export type GuidOrder = 'efi' | 'rfc';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuidString(s: string): boolean {
  return GUID_RE.test(s);
}

/** Character codes of each byte value's high and low hex digit (lower case). */
const HI = Uint8Array.from({ length: 256 }, (_, v) => '0123456789abcdef'.charCodeAt(v >> 4));
const LO = Uint8Array.from({ length: 256 }, (_, v) => '0123456789abcdef'.charCodeAt(v & 15));
const DASH = 0x2d;

export function guidToString(b: Uint8Array, order: GuidOrder): string {
  if (b.byteLength !== 16) throw new NvError('guid', '', undefined, `expected 16 bytes, got ${b.byteLength}`);
  return formatGuid(b, 0, order);
}

/**
 * One flat string from 36 character codes: concatenating 20 pieces made a chain of cons strings
 * that V8 later flattens (twice the time, and garbage per GUID).
 */
function formatGuid(b: Uint8Array, at: number, order: GuidOrder): string {
  const H = HI;
  const L = LO;
  const efi = order === 'efi';
  const b0 = b[at + (efi ? 3 : 0)]!, b1 = b[at + (efi ? 2 : 1)]!, b2 = b[at + (efi ? 1 : 2)]!, b3 = b[at + (efi ? 0 : 3)]!;
  const b4 = b[at + (efi ? 5 : 4)]!, b5 = b[at + (efi ? 4 : 5)]!, b6 = b[at + (efi ? 7 : 6)]!, b7 = b[at + (efi ? 6 : 7)]!;
  const b8 = b[at + 8]!, b9 = b[at + 9]!, b10 = b[at + 10]!, b11 = b[at + 11]!, b12 = b[at + 12]!, b13 = b[at + 13]!, b14 = b[at + 14]!, b15 = b[at + 15]!;
  return String.fromCharCode(
    H[b0]!, L[b0]!, H[b1]!, L[b1]!, H[b2]!, L[b2]!, H[b3]!, L[b3]!, DASH,
    H[b4]!, L[b4]!, H[b5]!, L[b5]!, DASH,
    H[b6]!, L[b6]!, H[b7]!, L[b7]!, DASH,
    H[b8]!, L[b8]!, H[b9]!, L[b9]!, DASH,
    H[b10]!, L[b10]!, H[b11]!, L[b11]!, H[b12]!, L[b12]!, H[b13]!, L[b13]!, H[b14]!, L[b14]!, H[b15]!, L[b15]!,
  );
}

/**
 * The GUID at `b[at..at+16]` as a string, remembering the last few seen: a table names a handful
 * of GUIDs over and over (an NFIT's SPA range types), so a repeat costs four word compares and
 * returns the string made the first time, not sixteen lookups and concatenations.
 */
export function guidAt(b: Uint8Array, at: number, order: GuidOrder): string {
  const w0 = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
  const w1 = b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24);
  const w2 = b[at + 8]! | (b[at + 9]! << 8) | (b[at + 10]! << 16) | (b[at + 11]! << 24);
  const w3 = b[at + 12]! | (b[at + 13]! << 8) | (b[at + 14]! << 16) | (b[at + 15]! << 24);
  const c = order === 'efi' ? EFI_SEEN : RFC_SEEN;
  for (let i = 0; i < c.words.length; i += 4) {
    if (c.words[i] === w0 && c.words[i + 1] === w1 && c.words[i + 2] === w2 && c.words[i + 3] === w3) return c.strings[i >> 2]!;
  }
  const s = formatGuid(b, at, order);
  const slot = c.next;
  c.next = (slot + 1) % SEEN_SLOTS;
  c.words[slot * 4] = w0;
  c.words[slot * 4 + 1] = w1;
  c.words[slot * 4 + 2] = w2;
  c.words[slot * 4 + 3] = w3;
  c.strings[slot] = s;
  return s;
}

const SEEN_SLOTS = 8;
interface Seen {
  words: Int32Array;
  strings: string[];
  next: number;
}
// Empty slots hold the nil GUID's words with its string, so they can match without a check.
const seen = (): Seen => ({ words: new Int32Array(SEEN_SLOTS * 4), strings: new Array<string>(SEEN_SLOTS).fill(NIL), next: 0 });
const NIL = '00000000-0000-0000-0000-000000000000';
const EFI_SEEN = seen();
const RFC_SEEN = seen();

export function guidFromString(s: string, order: GuidOrder, path = ''): Uint8Array {
  if (!GUID_RE.test(s)) throw new NvError('guid', path, undefined, `not a GUID string: ${JSON.stringify(s)}`);
  const h = s.replace(/-/g, '');
  const raw = new Uint8Array(16);
  for (let i = 0; i < 16; i++) raw[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  if (order === 'rfc') return raw;
  const out = raw.slice();
  out[0] = raw[3]!; out[1] = raw[2]!; out[2] = raw[1]!; out[3] = raw[0]!;
  out[4] = raw[5]!; out[5] = raw[4]!;
  out[6] = raw[7]!; out[7] = raw[6]!;
  return out;
}

export const NIL_GUID = NIL;

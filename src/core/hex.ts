/** Hex helpers for dumps and JSON: `0x`-prefixed integers and plain byte strings. */
export function hexInt(v: number | bigint, width = 0): string {
  // Bytes, words and dwords at their field width (most of an annotated dump) from a byte table.
  if (typeof v === 'number' && v >>> 0 === v) {
    if (width === 2 && v < 0x100) return HEX_0X[v]!;
    if (width === 4 && v < 0x10000) return HEX_0X[v >>> 8]! + HEX_UPPER[v & 0xff]!;
    if (width === 8) return HEX_0X[v >>> 24]! + HEX_UPPER[(v >>> 16) & 0xff]! + HEX_UPPER[(v >>> 8) & 0xff]! + HEX_UPPER[v & 0xff]!;
  }
  return '0x' + v.toString(16).toUpperCase().padStart(width, '0');
}

const HEX_UPPER = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));
const HEX_0X = HEX_UPPER.map((h) => '0x' + h);
const HEX_LOWER = HEX_UPPER.map((h) => h.toLowerCase());

/**
 * A 64-bit quantity in JSON: a number while exact (up to 2^53-1), a decimal string past that
 * (specs/cli.md "Numbers"). Readers take numbers, decimal and `0x` strings alike.
 */
export function jsonInteger(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

export function bytesToHex(b: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i && sep ? sep : '') + HEX_LOWER[b[i]!]!;
  return s;
}

export function hexToBytes(s: string): Uint8Array | undefined {
  const h = s.replace(/[\s:]/g, '');
  if (h.length % 2 || /[^0-9a-f]/i.test(h)) return undefined;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * C's `strtoll(s, NULL, 0)` as hvmloader uses it on xenstore values: leading space, a sign, then
 * base 16 after 0x, base 8 after a 0, else base 10, digits up to the first that does not belong;
 * no digits gives 0. The caller truncates as the C cast does (`toU32`, `toU8`).
 */
export function strtoll0(s: string): bigint {
  let i = 0;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  let base = 10n;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) (base = 16n), (i += 2);
  else if (s[i] === '0') base = 8n;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    v = v * base + BigInt(d);
  }
  // Out of range: strtoll returns LLONG_MAX or LLONG_MIN (ERANGE).
  if (!neg && v > 0x7fffffffffffffffn) return 0x7fffffffffffffffn;
  if (neg && v > 0x8000000000000000n) return -0x8000000000000000n;
  return neg ? -v : v;
}

export const toU32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
export const toU8 = (v: bigint): number => Number(BigInt.asUintN(8, v));

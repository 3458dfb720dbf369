/**
 * Word-at-a-time operations on bit ranges `[a, b]` (inclusive bit indices) of a Uint32Array, the
 * way Xen's bitmap_set/bitmap_clear walk longs. Shared by the flat bitmap and the hybrid's
 * sub-bitmaps. Each returns how many bits changed, or answers a question, touching
 * `(b >> 5) - (a >> 5) + 1` words.
 */

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Mask of bits `lo..hi` (0..31, inclusive) of one word. */
function mask(lo: number, hi: number): number {
  return hi === 31 ? (~0 << lo) >>> 0 : (((1 << (hi + 1)) - 1) & (~0 << lo)) >>> 0;
}

/**
 * Bits `[a, b]` as words: the first and last words take a mask, the words between are whole.
 * Written as plain loops (as Xen's bitmap_set/bitmap_clear), no callback per word.
 */
function span(a: number, b: number): { wa: number; wb: number; ma: number; mb: number } {
  const wa = a >>> 5;
  const wb = b >>> 5;
  return wa === wb ? { wa, wb, ma: mask(a & 31, b & 31), mb: 0 } : { wa, wb, ma: mask(a & 31, 31), mb: mask(0, b & 31) };
}

export function setBits(words: Uint32Array, a: number, b: number): number {
  const { wa, wb, ma, mb } = span(a, b);
  let changed = popcount(ma & ~words[wa]!);
  words[wa] = (words[wa]! | ma) >>> 0;
  if (wa === wb) return changed;
  for (let w = wa + 1; w < wb; w++) {
    changed += 32 - popcount(words[w]!);
    words[w] = 0xffffffff;
  }
  changed += popcount(mb & ~words[wb]!);
  words[wb] = (words[wb]! | mb) >>> 0;
  return changed;
}

export function clearBits(words: Uint32Array, a: number, b: number): number {
  const { wa, wb, ma, mb } = span(a, b);
  let changed = popcount(ma & words[wa]!);
  words[wa] = (words[wa]! & ~ma) >>> 0;
  if (wa === wb) return changed;
  for (let w = wa + 1; w < wb; w++) {
    changed += popcount(words[w]!);
    words[w] = 0;
  }
  changed += popcount(mb & words[wb]!);
  words[wb] = (words[wb]! & ~mb) >>> 0;
  return changed;
}

export function allSet(words: Uint32Array, a: number, b: number): boolean {
  const { wa, wb, ma, mb } = span(a, b);
  if ((words[wa]! & ma) >>> 0 !== ma) return false;
  if (wa === wb) return true;
  for (let w = wa + 1; w < wb; w++) if (words[w] !== 0xffffffff) return false;
  return (words[wb]! & mb) >>> 0 === mb;
}

export function anySet(words: Uint32Array, a: number, b: number): boolean {
  const { wa, wb, ma, mb } = span(a, b);
  if ((words[wa]! & ma) !== 0) return true;
  if (wa === wb) return false;
  for (let w = wa + 1; w < wb; w++) if (words[w] !== 0) return true;
  return (words[wb]! & mb) !== 0;
}

export function countBits(words: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < words.length; i++) n += popcount(words[i]!);
  return n;
}

/** Maximal runs of set bits among the first `nbits`, as `[base + a, base + b]`, appended to `out` (merging with its last range if adjacent). */
export function appendRuns(words: Uint32Array, nbits: number, base: number, out: { first: number; last: number }[]): void {
  let i = 0;
  while (i < nbits) {
    const w = words[i >>> 5]!;
    if (w === 0 && (i & 31) === 0) {
      i += 32;
      continue;
    }
    if (!((w >>> (i & 31)) & 1)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < nbits && (words[(j + 1) >>> 5]! >>> ((j + 1) & 31)) & 1) j++;
    const prev = out[out.length - 1];
    if (prev && prev.last + 1 === base + i) prev.last = base + j;
    else out.push({ first: base + i, last: base + j });
    i = j + 1;
  }
}

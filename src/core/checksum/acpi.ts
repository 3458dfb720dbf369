/** ACPI 6.5 §5.2.6: all bytes of a table, checksum included, sum to zero modulo 256. */
export function acpiByteSum(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  let sum = 0;
  // Head bytes up to a 4-byte boundary of the buffer, then whole words, then the tail.
  while (i < n && ((bytes.byteOffset + i) & 3) !== 0) sum += bytes[i++]!;
  const words = (n - i) >> 2;
  if (words > 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    // Four words a step into two pairs of 16-bit lanes (bytes 0+2 of each word, bytes 1+3): a lane
    // gains at most 4 x 510 = 2,040 a step, so 32 steps (128 words, 65,280) before it is folded.
    let k = 0;
    while (k + 4 <= words) {
      const end = Math.min(words - 3, k + 128);
      let even = 0;
      let odd = 0;
      for (; k < end; k += 4) {
        const x0 = w[k]!, x1 = w[k + 1]!, x2 = w[k + 2]!, x3 = w[k + 3]!;
        even += (x0 & 0x00ff00ff) + (x1 & 0x00ff00ff) + (x2 & 0x00ff00ff) + (x3 & 0x00ff00ff);
        odd += ((x0 >>> 8) & 0x00ff00ff) + ((x1 >>> 8) & 0x00ff00ff) + ((x2 >>> 8) & 0x00ff00ff) + ((x3 >>> 8) & 0x00ff00ff);
      }
      sum = (sum + (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16)) & 0xffffff;
    }
    for (; k < words; k++) {
      const x = w[k]!;
      sum += (x & 0xff) + ((x >>> 8) & 0xff) + ((x >>> 16) & 0xff) + (x >>> 24);
    }
    i += words << 2;
  }
  while (i < n) sum += bytes[i++]!;
  return sum & 0xff;
}

/** The checksum byte that makes `bytes` (with the checksum byte counted as 0) sum to zero. */
export function acpiChecksumFor(bytes: Uint8Array, checksumAt: number): number {
  const sum = (acpiByteSum(bytes) - bytes[checksumAt]!) & 0xff;
  return (0x100 - sum) & 0xff;
}

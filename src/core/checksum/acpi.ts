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
    // Two 16-bit lanes each gather bytes 0+1 and 2+3 of a word: at most 510 per word, so a lane
    // holds 128 words (65,280) before it is folded into `sum`.
    for (let k = 0; k < words; ) {
      const end = Math.min(words, k + 128);
      let lanes = 0;
      for (; k < end; k++) {
        const x = w[k]!;
        lanes += (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff);
      }
      sum = (sum + (lanes & 0xffff) + (lanes >>> 16)) & 0xffffff;
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

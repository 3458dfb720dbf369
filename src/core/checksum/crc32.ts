/** CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320, init and final XOR 0xFFFFFFFF): UEFI §5.3.2, zlib's crc32. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes`, treating `[zeroAt, zeroAt+4)` as zero when given (the field that holds it). */
export function crc32(bytes: Uint8Array, zeroAt = -1, seed = 0): number {
  let c = ~seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = zeroAt >= 0 && i >= zeroAt && i < zeroAt + 4 ? 0 : bytes[i]!;
    c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  }
  return ~c >>> 0;
}

/**
 * Fletcher-64 as Linux computes it (drivers/nvdimm/core.c nd_fletcher64): over little-endian
 * 32-bit words, lo32 wraps at 2^32, hi32 accumulates lo32 and only its low 32 bits survive the
 * final `hi32 << 32 | lo32`. A trailing partial word is ignored, as in Linux.
 * `zeroAt` treats the 8 bytes there as zero (the checksum field) without touching the input.
 */
export function fletcher64(bytes: Uint8Array, zeroAt = -1): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = bytes.byteLength >>> 2;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < words; i++) {
    const off = i * 4;
    const w = zeroAt >= 0 && off >= zeroAt && off < zeroAt + 8 ? 0 : view.getUint32(off, true);
    lo = (lo + w) >>> 0;
    hi = (hi + lo) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

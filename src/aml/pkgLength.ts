/**
 * PkgLength (ACPI 6.5 §20.2.4): 1 byte for lengths up to 63, else 2-4 bytes with the count of
 * following bytes in bits 6-7 of the lead byte, its low nibble the low 4 bits of the length and
 * each following byte 8 more bits. The encoded length counts the PkgLength bytes themselves
 * (except for field widths, where it is just a number of bits).
 */

/** Largest value a 4-byte PkgLength holds (28 bits). */
export const PKG_LENGTH_MAX = 0x0fffffff;

/** Bytes needed to encode `value` as a bare PkgLength (a field width). */
export function pkgLengthSize(value: number): number {
  if (value < 0x40) return 1;
  if (value < 0x1000) return 2;
  if (value < 0x100000) return 3;
  return 4;
}

/**
 * Width of the PkgLength in front of a body of `bodyLen` bytes, the length counting itself
 * (QEMU's build_prepend_package_length with incl_self, iasl's CgGetPackageLenByteCount).
 */
export function pkgLengthSizeFor(bodyLen: number): number {
  for (let n = 1; n <= 4; n++) if (pkgLengthSize(bodyLen + n) <= n) return n;
  return 5; // too large: the caller reports it
}

/** Writes `value` as a PkgLength of exactly `width` bytes into `out` at `at`. */
export function putPkgLength(out: Uint8Array, at: number, value: number, width: number): void {
  if (width === 1) {
    out[at] = value & 0x3f;
    return;
  }
  out[at] = ((width - 1) << 6) | (value & 0x0f);
  let v = value >>> 4;
  for (let i = 1; i < width; i++) {
    out[at + i] = v & 0xff;
    v >>>= 8;
  }
}

/**
 * Bytes taken by a well-formed PkgLength at `at` (all of them before `end`, bits 4-5 of a multi-byte
 * lead clear), 0 when it is not: the decoder's fast path, allocating nothing (`readPkgLength` then
 * says what is wrong).
 */
export function pkgLengthWidth(bytes: Uint8Array, at: number, end: number): number {
  if (at >= end) return 0;
  const lead = bytes[at]!;
  const follow = lead >> 6;
  if (follow === 0) return 1;
  return at + follow < end && !(lead & 0x30) ? follow + 1 : 0;
}

/** Decoded PkgLength: the value and how many bytes it took. Bounds are the caller's check. */
export function readPkgLength(bytes: Uint8Array, at: number, end: number): { value: number; width: number } | string {
  if (at >= end) return 'PkgLength missing (end of data)';
  const lead = bytes[at]!;
  const follow = lead >> 6;
  if (follow === 0) return { value: lead & 0x3f, width: 1 };
  if (at + follow >= end) return `PkgLength needs ${follow + 1} bytes, only ${end - at} left`;
  if (lead & 0x30) return `PkgLength lead byte 0x${lead.toString(16)} has bits 4-5 set (reserved when more bytes follow)`;
  let v = lead & 0x0f;
  for (let i = 1; i <= follow; i++) v |= bytes[at + i]! << (4 + 8 * (i - 1));
  return { value: v >>> 0, width: follow + 1 };
}

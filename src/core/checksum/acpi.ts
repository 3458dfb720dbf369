/** ACPI 6.5 §5.2.6: all bytes of a table, checksum included, sum to zero modulo 256. */
export function acpiByteSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i]!) & 0xff;
  return sum;
}

/** The checksum byte that makes `bytes` (with the checksum byte counted as 0) sum to zero. */
export function acpiChecksumFor(bytes: Uint8Array, checksumAt: number): number {
  const sum = (acpiByteSum(bytes) - bytes[checksumAt]!) & 0xff;
  return (0x100 - sum) & 0xff;
}

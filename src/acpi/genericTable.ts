import { Struct, tail, type ValueOf } from '../core/schema/index.js';
import { ACPI_HEADER_SIZE, acpiHeader } from './header.js';

/** Any ACPI table nvtool has no layout for: the header, then the body kept as bytes. */
export const genericTable = new Struct('ACPI', [...acpiHeader(), tail('body')] as const, {
  label: 'ACPI table',
  spec: 'ACPI 6.5 §5.2.6',
  boundBy: 'length',
});

export type GenericTable = ValueOf<typeof genericTable>;

/** The 4-character signature at the start of an ACPI table, if the bytes look like one. */
export function acpiSignature(bytes: Uint8Array): string | undefined {
  if (bytes.length < ACPI_HEADER_SIZE) return undefined;
  const sig = headerText(bytes, 'signature');
  return /^[A-Z0-9_]{4}$/.test(sig) ? sig : undefined;
}

/** The characters of a text field of the header (signature, OEM ids), as stored. */
export function headerText(head: Uint8Array, name: 'signature' | 'oemId' | 'oemTableId' | 'creatorId'): string {
  const at = genericTable.offsetOf(name);
  return String.fromCharCode(...head.subarray(at, at + genericTable.sizeOf(name)));
}

/** The header's table length field (read before the table is, to know how much to read). */
export function headerLength(head: Uint8Array): number {
  return new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(genericTable.offsetOf('length'), true);
}

import { Struct, tail, type ValueOf } from '../core/schema/index.js';
import { acpiHeader } from './header.js';

/** Any ACPI table nvtool has no layout for: the header, then the body kept as bytes. */
export const genericTable = new Struct('ACPI', [...acpiHeader(), tail('body')] as const, {
  label: 'ACPI table',
  spec: 'ACPI 6.5 §5.2.6',
  boundBy: 'length',
});

export type GenericTable = ValueOf<typeof genericTable>;

/** The 4-character signature at the start of an ACPI table, if the bytes look like one. */
export function acpiSignature(bytes: Uint8Array): string | undefined {
  if (bytes.length < 36) return undefined;
  const sig = String.fromCharCode(...bytes.subarray(0, 4));
  return /^[A-Z0-9_]{4}$/.test(sig) ? sig : undefined;
}

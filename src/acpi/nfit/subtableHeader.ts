import { u16, type Field } from '../../core/schema/index.js';
import { NFIT_TYPE_NAMES } from './types.js';

/** `u16 Type, u16 Length` that opens every NFIT structure (ACPI 6.5 §5.2.26). */
export function nfitSubtableHeader<T extends number>(type: T) {
  return [
    // Typed as the literal code, so a list of structures is a union discriminated by `type`.
    u16('type', { label: 'Subtable Type', expect: type, names: NFIT_TYPE_NAMES }) as Field<'type', T, false>,
    u16('length', { role: { kind: 'length' } }),
  ] as const;
}

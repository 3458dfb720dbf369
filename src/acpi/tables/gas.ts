import { Struct, u64, u8 } from '../../core/schema/index.js';

/** Generic Address Structure (ACPI 6.5 §5.2.3.2): where a FADT register block lives. */
export const gas = new Struct('GAS', [
  u8('spaceId', { label: 'Space ID', names: { '0': 'SystemMemory', '1': 'SystemIO' } }),
  u8('bitWidth'),
  u8('bitOffset'),
  u8('accessSize'),
  u64('address'),
] as const, { label: 'Generic Address Structure', spec: 'ACPI 6.5 §5.2.3.2', size: 12 });

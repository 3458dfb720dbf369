import { Struct, reserved, tail } from '../../core/schema/index.js';
import { nfitSubtableHeader } from './subtableHeader.js';

/** Type 3, SMBIOS Management Information (ACPI 6.5 §5.2.26.5): 8 bytes + SMBIOS data. */
export const smbios = new Struct(
  'nfit.smbios',
  [...nfitSubtableHeader(3), reserved('reserved', 4), tail('data', { label: 'SMBIOS Table Data' })] as const,
  { label: 'SMBIOS Management Information', spec: 'ACPI 6.5 §5.2.26.5', boundBy: 'length' },
);

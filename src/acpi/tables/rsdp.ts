import { Struct, ascii, reserved, u32, u64, u8, type ValueOf } from '../../core/schema/index.js';

export const RSDP_SIGNATURE = 'RSD PTR ';

/**
 * Root System Description Pointer (ACPI 6.5 §5.2.5.3). Two checksums over different spans: the
 * ACPI 1.0 one over the first 20 bytes (up to `length`), the extended one over all `length`
 * bytes; `rsdpChecksums` fills both, so neither is a schema checksum role.
 */
export const rsdp = new Struct('RSDP', [
  ascii('signature', 8, { expect: RSDP_SIGNATURE }),
  u8('checksum', { doc: 'ACPI 1.0 checksum: the first 20 bytes sum to 0' }),
  ascii('oemId', 6, { label: 'Oem ID' }),
  u8('revision', { doc: '0: ACPI 1.0 (20 bytes, no XSDT); 2: ACPI 2.0+' }),
  u32('rsdtAddress', { label: 'RSDT Address' }),
  u32('length'),
  u64('xsdtAddress', { label: 'XSDT Address' }),
  u8('extendedChecksum'),
  reserved('reserved', 3),
] as const, { label: 'Root System Description Pointer', spec: 'ACPI 6.5 §5.2.5.3', size: 36 });

export type Rsdp = ValueOf<typeof rsdp>;

/** Size of the ACPI 1.0 RSDP (and span of its checksum): everything before `length`. */
export const RSDP_V1_SIZE = rsdp.offsetOf('length');

import { Struct, ascii, reserved, u32, u64, u8, type ValueOf } from '../../core/schema/index.js';

/** Firmware ACPI Control Structure (ACPI 6.5 §5.2.10): no checksum, 64-byte aligned. */
export const facs = new Struct('FACS', [
  ascii('signature', 4, { expect: 'FACS' }),
  u32('length'),
  u32('hardwareSignature'),
  u32('firmwareWakingVector'),
  u32('globalLock'),
  u32('flags'),
  u64('xFirmwareWakingVector', { label: 'X Firmware Waking Vector' }),
  u8('version'),
  reserved('reserved1', 3),
  u32('ospmFlags', { label: 'OSPM Flags' }),
  reserved('reserved2', 24),
] as const, { label: 'Firmware ACPI Control Structure', spec: 'ACPI 6.5 §5.2.10', size: 64 });

export type Facs = ValueOf<typeof facs>;

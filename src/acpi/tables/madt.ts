import { Struct, tail, u32, u8, reserved, type ValueOf } from '../../core/schema/index.js';
import { acpiHeader } from '../header.js';

/** Multiple APIC Description Table (ACPI 6.5 §5.2.12): header, then its interrupt controller structures. */
export const madt = new Struct('MADT', [
  ...acpiHeader('APIC'),
  u32('localApicAddress', { label: 'Local Apic Address' }),
  u32('flags', { flags: { 0: 'PCAT_COMPAT' } }),
  tail('entries'),
] as const, { label: 'Multiple APIC Description Table', spec: 'ACPI 6.5 §5.2.12', boundBy: 'length' });

/** Processor Local APIC structure (type 0, ACPI 6.5 §5.2.12.2). */
export const madtLocalApic = new Struct('MADT Local APIC', [
  u8('type', { expect: 0 }),
  u8('length', { expect: 8 }),
  u8('processorId'),
  u8('apicId', { label: 'Local Apic ID' }),
  u32('flags', { flags: { 0: 'Enabled' } }),
] as const, { spec: 'ACPI 6.5 §5.2.12.2', size: 8 });

/** I/O APIC structure (type 1, ACPI 6.5 §5.2.12.3). */
export const madtIoApic = new Struct('MADT I/O APIC', [
  u8('type', { expect: 1 }),
  u8('length', { expect: 12 }),
  u8('ioApicId', { label: 'I/O Apic ID' }),
  reserved('reserved', 1),
  u32('address'),
  u32('globalIrqBase', { label: 'Interrupt' }),
] as const, { spec: 'ACPI 6.5 §5.2.12.3', size: 12 });

export type Madt = ValueOf<typeof madt>;

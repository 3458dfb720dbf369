import { Struct, array, u64Codec, uintCodec, type ValueOf } from '../../core/schema/index.js';
import { acpiHeader, ACPI_HEADER_SIZE } from '../header.js';

const entries = (width: number) => (p: Readonly<Record<string, unknown>>) => Math.max(0, Math.floor(((p.length as number) - ACPI_HEADER_SIZE) / width));

/** Root System Description Table (ACPI 6.5 §5.2.7): 32-bit addresses of the other tables. */
export const rsdt = new Struct('RSDT', [...acpiHeader('RSDT'), array('entry', uintCodec(4), entries(4))] as const, {
  label: 'Root System Description Table',
  spec: 'ACPI 6.5 §5.2.7',
  boundBy: 'length',
});

/** Extended System Description Table (ACPI 6.5 §5.2.8): the same list with 64-bit addresses. */
export const xsdt = new Struct('XSDT', [...acpiHeader('XSDT'), array('entry', u64Codec, entries(8))] as const, {
  label: 'Extended System Description Table',
  spec: 'ACPI 6.5 §5.2.8',
  boundBy: 'length',
});

export type Rsdt = ValueOf<typeof rsdt>;
export type Xsdt = ValueOf<typeof xsdt>;

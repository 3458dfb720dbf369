import { Struct, ascii, u32, u8 } from '../core/schema/index.js';

/**
 * The 36-byte System Description Table header (ACPI 6.5 §5.2.6, ACPICA ACPI_TABLE_HEADER),
 * spread at the start of every table's declaration. Length and checksum are derived: the
 * encoder fills them (QEMU's acpi_table_end), the decoder reports when they disagree.
 */
export function acpiHeader<S extends string>(signature?: S) {
  return [
    ascii('signature', 4, signature === undefined ? {} : { expect: signature }),
    u32('length', { label: 'Table Length', role: { kind: 'length' } }),
    u8('revision'),
    u8('checksum', { role: { kind: 'checksum', algo: 'acpi8' } }),
    ascii('oemId', 6, { label: 'Oem ID' }),
    ascii('oemTableId', 8, { label: 'Oem Table ID' }),
    u32('oemRevision'),
    ascii('creatorId', 4, { label: 'Asl Compiler ID' }),
    u32('creatorRevision', { label: 'Asl Compiler Revision' }),
  ] as const;
}

/** Size of the header, asked of the declaration rather than typed as 36 elsewhere. */
export const ACPI_HEADER_SIZE = acpiHeader().reduce((n, f) => n + (f.codec.size ?? 0), 0);

/** The header alone, as a Struct: reading a table's signature and length before its body. */
export const acpiTableHeader = new Struct('ACPI header', [...acpiHeader()] as const, { label: 'ACPI table header', spec: 'ACPI 6.5 §5.2.6', size: 36 });

/**
 * The header identity QEMU writes into every table it builds (acpi_table_begin with
 * ACPI_BUILD_APPNAME6 / APPNAME8): OEM `BOCHS `, table id `BXPC    `, revisions 1.
 * The NVDIMM SSDT overrides the table id with `NVDIMM`.
 */
export const QEMU_OEM = {
  oemId: 'BOCHS ',
  oemTableId: 'BXPC    ',
  oemRevision: 1,
  creatorId: 'BXPC',
  creatorRevision: 1,
} as const;

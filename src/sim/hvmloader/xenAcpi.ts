/**
 * The constants of Xen's libacpi (tools/libacpi/acpi2_0.h, static_tables.c, build.c) and
 * hvmloader (tools/firmware/hvmloader/config.h) the simulated firmware uses.
 */
import { acpiTableHeader } from '../../acpi/header.js';

/** Xen's OEM fields on every table it builds (ACPI_OEM_ID "Xen", ACPI_OEM_TABLE_ID "HVM", creator "HVML"). */
export const XEN_OEM = { oemId: 'Xen', oemTableId: 'HVM', oemRevision: 0, creatorId: 'HVML', creatorRevision: 0 } as const;
/** hvmloader's RSDP (ACPI_PHYSICAL_ADDRESS), inside the BIOS area an OS scans. */
export const HVMLOADER_RSDP_ADDRESS = 0xea020;
/** hvmloader's ACPI allocations (ACPI_MEMORY_DYNAMIC_START, below RESERVED_MEMBASE's end). */
export const ACPI_MEMORY_DYNAMIC_START = 0xfc001000;
export const ACPI_MEMORY_DYNAMIC_END = 0xfd000000;
/** ACPI_MAX_SECONDARY_TABLES (tools/libacpi/build.c). */
export const ACPI_MAX_SECONDARY_TABLES = 16;
/** SSDT revision hvmloader gives a wrapped namespace device (ACPI_2_0_SSDT_REVISION). */
export const XEN_SSDT_REVISION = 2;
export const CHECKSUM_OFFSET = acpiTableHeader.offsetOf('checksum');

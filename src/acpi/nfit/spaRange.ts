import { Struct, efiGuid, optional, reserved, u16, u32, u64 } from '../../core/schema/index.js';
import { SPA_RANGE_GUID_NAMES } from './guids.js';
import { nfitSubtableHeader } from './subtableHeader.js';

export const SPA_FLAGS = { addOnlineOnly: 1 << 0, proximityValid: 1 << 1, locationCookieValid: 1 << 2 } as const;

/** EFI memory attribute bits used in the mapping attribute (UEFI 2.10 §7.2). */
const EFI_MEMORY_ATTRIBUTES = {
  0: 'EFI_MEMORY_UC', 1: 'EFI_MEMORY_WC', 2: 'EFI_MEMORY_WT', 3: 'EFI_MEMORY_WB', 4: 'EFI_MEMORY_UCE',
  12: 'EFI_MEMORY_WP', 13: 'EFI_MEMORY_RP', 14: 'EFI_MEMORY_XP', 15: 'EFI_MEMORY_NV',
  16: 'EFI_MEMORY_MORE_RELIABLE', 17: 'EFI_MEMORY_RO', 18: 'EFI_MEMORY_SP', 19: 'EFI_MEMORY_CPU_CRYPTO',
  63: 'EFI_MEMORY_RUNTIME',
} as const;

/**
 * Type 0, System Physical Address (SPA) Range (ACPI 6.5 §5.2.26.2): 56 bytes, or 64 with the
 * ACPI 6.4 Location Cookie. The cookie is an optional trailing field: a record carries it when its
 * length covers it; Linux's rule tying the length to flag bit 2 is checked by the validator.
 */
export const spaRange = new Struct(
  'nfit.spa',
  [
    ...nfitSubtableHeader(0),
    u16('rangeIndex', { specName: 'RangeIndex' }),
    u16('flags', { flags: { 0: 'Add/Online Operation Only', 1: 'Proximity Domain Valid', 2: 'Location Cookie Valid' } }),
    reserved('reserved', 4),
    u32('proximityDomain'),
    efiGuid('rangeGuid', { label: 'Range Type GUID', names: SPA_RANGE_GUID_NAMES }),
    u64('address', { label: 'Range Base', specName: 'Address' }),
    u64('rangeLength', { label: 'Range Length', specName: 'Length' }),
    u64('memoryMapping', { label: 'Memory Map Attribute', flags: EFI_MEMORY_ATTRIBUTES }),
    optional(u64('locationCookie', { label: 'Location Cookie', doc: 'ACPI 6.4' })),
  ] as const,
  { label: 'System Physical Address Range', spec: 'ACPI 6.5 §5.2.26.2', size: 56, boundBy: 'length' },
);

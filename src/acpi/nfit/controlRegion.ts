import { Struct, optional, reserved, u16, u32, u64, u8 } from '../../core/schema/index.js';
import { nfitSubtableHeader } from './subtableHeader.js';

/** Region Format Interface Codes seen in the field (JEDEC byte-addressable / block classes). */
const INTERFACE_CODES: Readonly<Record<string, string>> = {
  0x0101: 'block-addressable, no energy source',
  0x0201: 'byte-addressable, energy backed',
  0x0301: 'byte-addressable, no energy source',
};

/**
 * Type 4, NVDIMM Control Region (ACPI 6.5 §5.2.26.6): 80 bytes, or the 32-byte short form a
 * platform may emit when it has no block control windows (Linux sizeof_dcr). The window fields
 * are the optional trailing group, so both forms decode and re-encode exactly (ACPICA #537 can't).
 */
export const controlRegion = new Struct(
  'nfit.dcr',
  [
    ...nfitSubtableHeader(4),
    u16('regionIndex', { label: 'Control Region Index' }),
    u16('vendorId'),
    u16('deviceId'),
    u16('revisionId'),
    u16('subsystemVendorId'),
    u16('subsystemDeviceId'),
    u16('subsystemRevisionId'),
    u8('validFields', { flags: { 0: 'Manufacturing Location and Date valid' } }),
    u8('manufacturingLocation'),
    u16('manufacturingDate'),
    reserved('reserved', 2),
    u32('serialNumber'),
    u16('code', { label: 'Region Format Interface Code', specName: 'Code', names: INTERFACE_CODES }),
    u16('windows', { label: 'Block Control Windows', specName: 'Windows' }),
    optional(u64('windowSize')),
    optional(u64('commandOffset')),
    optional(u64('commandSize')),
    optional(u64('statusOffset')),
    optional(u64('statusSize')),
    optional(u16('flags', { label: 'Control Region Flags', flags: { 0: 'Windows buffered' } })),
    optional(reserved('reserved1', 6)),
  ] as const,
  { label: 'NVDIMM Control Region', spec: 'ACPI 6.5 §5.2.26.6', size: 32, boundBy: 'length' },
);

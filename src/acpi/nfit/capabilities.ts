import { Struct, reserved, u32, u8 } from '../../core/schema/index.js';
import { nfitSubtableHeader } from './subtableHeader.js';

export const CAPABILITY_FLAGS = { 0: 'Cache Flush to NVDIMM', 1: 'Memory Flush to NVDIMM', 2: 'Memory Mirroring' } as const;

/** Type 7, Platform Capabilities (ACPI 6.5 §5.2.26.9), 16 bytes. */
export const capabilities = new Struct(
  'nfit.capabilities',
  [
    ...nfitSubtableHeader(7),
    u8('highestCapability', { label: 'Highest Capability' }),
    reserved('reserved', 3),
    u32('capabilities', { flags: CAPABILITY_FLAGS }),
    reserved('reserved1', 4),
  ] as const,
  { label: 'Platform Capabilities', spec: 'ACPI 6.5 §5.2.26.9', size: 16, boundBy: 'length' },
);

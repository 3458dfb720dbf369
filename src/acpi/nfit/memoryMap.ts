import { Struct, reserved, u16, u32, u64 } from '../../core/schema/index.js';
import { nfitSubtableHeader } from './subtableHeader.js';

export const MEMDEV_FLAGS = {
  0: 'Save to device failed',
  1: 'Restore from device failed',
  2: 'Platform flush failed',
  3: 'Device not armed',
  4: 'Health events observed',
  5: 'Health events enabled',
  6: 'Mapping failed',
} as const;

/** NFIT Device Handle bit fields (ACPI 6.5 §5.2.26.3, ACPICA ACPI_NFIT_BUILD_DEVICE_HANDLE). */
export function describeDeviceHandle(h: number): string {
  return `node ${(h >>> 16) & 0xfff} socket ${(h >>> 12) & 0xf} controller ${(h >>> 8) & 0xf} channel ${(h >>> 4) & 0xf} dimm ${h & 0xf}`;
}

/** Type 1, NVDIMM Region Mapping / Memory Device to SPA Range Map (ACPI 6.5 §5.2.26.3), 48 bytes. */
export const memoryMap = new Struct(
  'nfit.memdev',
  [
    ...nfitSubtableHeader(1),
    u32('deviceHandle', { describe: describeDeviceHandle }),
    u16('physicalId'),
    u16('regionId'),
    u16('rangeIndex', { label: 'SPA Range Index' }),
    u16('regionIndex', { label: 'Control Region Index' }),
    u64('regionSize'),
    u64('regionOffset'),
    u64('address', { label: 'DPA Base', specName: 'Address' }),
    u16('interleaveIndex'),
    u16('interleaveWays'),
    u16('flags', { flags: MEMDEV_FLAGS }),
    reserved('reserved', 2),
  ] as const,
  { label: 'Memory Device to SPA Range Map', spec: 'ACPI 6.5 §5.2.26.3', size: 48, boundBy: 'length' },
);

import { Struct, array, reserved, u16, u32, u64Codec } from '../../core/schema/index.js';
import { describeDeviceHandle } from './memoryMap.js';
import { nfitSubtableHeader } from './subtableHeader.js';

/** Type 6, Flush Hint Address (ACPI 6.5 §5.2.26.8): 16 bytes + 8 per hint address. */
export const flushHint = new Struct(
  'nfit.flush',
  [
    ...nfitSubtableHeader(6),
    u32('deviceHandle', { describe: describeDeviceHandle }),
    u16('hintCount', { role: { kind: 'count', of: 'hintAddresses' } }),
    reserved('reserved', 6),
    array('hintAddresses', u64Codec, 'hintCount', { label: 'Hint Address' }),
  ] as const,
  { label: 'Flush Hint Address', spec: 'ACPI 6.5 §5.2.26.8', boundBy: 'length' },
);

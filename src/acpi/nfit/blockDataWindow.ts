import { Struct, u16, u64 } from '../../core/schema/index.js';
import { nfitSubtableHeader } from './subtableHeader.js';

/** Type 5, NVDIMM Block Data Window Region (ACPI 6.5 §5.2.26.7), 40 bytes. */
export const blockDataWindow = new Struct(
  'nfit.bdw',
  [
    ...nfitSubtableHeader(5),
    u16('regionIndex', { label: 'Control Region Index' }),
    u16('windows', { label: 'Block Data Windows' }),
    u64('offset', { label: 'Block Data Window Offset' }),
    u64('size', { label: 'Block Data Window Size' }),
    u64('capacity', { label: 'Block Accessible Capacity' }),
    u64('startAddress', { label: 'Block Accessible Start Address' }),
  ] as const,
  { label: 'NVDIMM Block Data Window Region', spec: 'ACPI 6.5 §5.2.26.7', size: 40, boundBy: 'length' },
);

import { Struct, array, reserved, u16, u32, uintCodec } from '../../core/schema/index.js';
import { nfitSubtableHeader } from './subtableHeader.js';

/** Type 2, Interleave Structure (ACPI 6.5 §5.2.26.4): 16 bytes + 4 per line offset. */
export const interleave = new Struct(
  'nfit.interleave',
  [
    ...nfitSubtableHeader(2),
    u16('interleaveIndex'),
    reserved('reserved', 2),
    u32('lineCount', { label: 'Line Count', role: { kind: 'count', of: 'lineOffsets' } }),
    u32('lineSize'),
    array('lineOffsets', uintCodec(4), 'lineCount', { label: 'Line Offset' }),
  ] as const,
  { label: 'Interleave', spec: 'ACPI 6.5 §5.2.26.4', boundBy: 'length' },
);

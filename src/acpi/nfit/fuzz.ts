import fc from 'fast-check';
import type { FuzzTarget } from '../../core/fuzz.js';
import { decodeStruct, encodeStruct } from '../../core/schema/index.js';
import { nfitTable, type Nfit } from './table.js';

/** Valid NFITs from the declaration: any header text, any mix of structure types. */
export const nfitFuzzTarget: FuzzTarget<Nfit> = {
  name: 'nfit',
  values: nfitTable.arbitrary().map((t) => ({ ...t, signature: 'NFIT' })) as fc.Arbitrary<Nfit>,
  encode: (v) => encodeStruct(nfitTable, v),
  decode: (b) => decodeStruct(nfitTable, b, { format: 'NFIT' }).value,
};

import fc from 'fast-check';
import type { FuzzTarget } from '../core/fuzz.js';
import { decodeStruct, encodeStruct } from '../core/schema/index.js';
import { bttInfoBlock, type BttInfo } from './bttInfo.js';
import { logGroup, type LogGroup } from './bttLog.js';
import { DAX_SIG, PFN_SIG, pfnInfoBlock, type PfnInfo } from './pfn.js';

/** PFN and DAX info blocks of any version from the declaration. */
export const pfnFuzzTarget: FuzzTarget<PfnInfo> = {
  name: 'pfn',
  values: fc.tuple(pfnInfoBlock.arbitrary(), fc.constantFrom(PFN_SIG, DAX_SIG)).map(([v, signature]) => ({ ...v, signature })) as fc.Arbitrary<PfnInfo>,
  encode: (v) => encodeStruct(pfnInfoBlock, v),
  decode: (b) => decodeStruct(pfnInfoBlock, b, { format: 'pfn-info' }).value,
};

/** BTT arena info blocks (1.1 and 2.0 and anything else the fields can hold). */
export const bttFuzzTarget: FuzzTarget<BttInfo> = {
  name: 'btt',
  values: bttInfoBlock.arbitrary() as fc.Arbitrary<BttInfo>,
  encode: (v) => encodeStruct(bttInfoBlock, v),
  decode: (b) => decodeStruct(bttInfoBlock, b, { format: 'btt-info' }).value,
};

/** One flog lane (struct log_group). */
export const bttFlogFuzzTarget: FuzzTarget<LogGroup> = {
  name: 'btt-flog',
  values: fc
    .array(fc.record({ lba: fc.nat({ max: 0xffffffff }), oldMap: fc.nat({ max: 0xffffffff }), newMap: fc.nat({ max: 0xffffffff }), seq: fc.integer({ min: 0, max: 3 }) }), { minLength: 4, maxLength: 4 })
    .map((ent) => ({ ent })) as fc.Arbitrary<LogGroup>,
  encode: (v) => encodeStruct(logGroup, v),
  decode: (b) => decodeStruct(logGroup, b, { format: 'btt-flog' }).value,
};

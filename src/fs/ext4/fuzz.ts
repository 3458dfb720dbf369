import type fc from 'fast-check';
import type { FuzzTarget } from '../../core/fuzz.js';
import { decodeStruct, encodeStruct, type Struct } from '../../core/schema/index.js';
import { ext4DirEntry, ext4Extent, ext4ExtentHeader, ext4ExtentIdx, ext4GroupDescHi, ext4GroupDescLo, ext4Inode, ext4SuperBlock } from './structs.js';

/** Every ext4 structure as a fuzz target (round trips, mutated and arbitrary bytes). */
export const ext4FuzzTargets: FuzzTarget<unknown>[] = ([ext4SuperBlock, ext4GroupDescLo, ext4GroupDescHi, ext4Inode, ext4ExtentHeader, ext4ExtentIdx, ext4Extent, ext4DirEntry] as Struct<any>[]).map((s) => ({
  name: s.name,
  values: s.arbitrary() as fc.Arbitrary<unknown>,
  encode: (v) => encodeStruct(s, v as never),
  decode: (b) => decodeStruct(s, b).value,
}));

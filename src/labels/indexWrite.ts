/**
 * nd_label_write_index (drivers/nvdimm/label.c): the one writer of namespace index blocks. Init,
 * every update pass, delete, repair and the slot-scan rebuild all write a block through this:
 * the header fields a block at position `index` of the geometry must carry, the given sequence
 * number, slot count, free bitmap and padding, checksum computed by the declaration.
 */
import type { MediaWrite as CoreMediaWrite } from '../core/mediaWrites.js';
import { encodeStruct } from '../core/schema/index.js';
import type { Geometry } from './geometry.js';
import { NSINDEX_SIGNATURE, indexBlockStruct, type IndexBlock } from './indexBlock.js';

/** A write to a label area (offset in the area). */
export interface MediaWrite extends CoreMediaWrite {
  kind: 'index' | 'label';
}

export function indexBlockWrite(g: Geometry, index: 0 | 1, seq: number, body: Pick<IndexBlock, 'nslot' | 'free' | 'pad'>, note?: string): MediaWrite {
  const S = g.indexSize;
  const v: IndexBlock = {
    sig: NSINDEX_SIGNATURE,
    flags: new Uint8Array(3),
    labelsize: g.labelSize >> 8, // v1.2: labels are 128 << labelsize bytes
    seq,
    myoff: BigInt(index * S),
    mysize: BigInt(S),
    otheroff: BigInt((1 - index) * S),
    labeloff: BigInt(2 * S),
    nslot: body.nslot,
    major: 1,
    minor: g.labelSize === 128 ? 1 : 2,
    checksum: 0n,
    free: body.free,
    pad: body.pad,
  };
  return { offset: index * S, bytes: encodeStruct(indexBlockStruct(S), v), what: `index[${index}] seq ${seq}${note ? ` (${note})` : ''}`, kind: 'index' };
}

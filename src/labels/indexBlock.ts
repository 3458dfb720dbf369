import { Struct, ascii, bytes, reserved, u16, u32, u64, u8, type ValueOf } from '../core/schema/index.js';
import { INDEX_HEADER_SIZE } from './geometry.js';

/** The 16 signature bytes: "NAMESPACE_INDEX" and a NUL. */
export const NSINDEX_SIGNATURE = 'NAMESPACE_INDEX';

/** Sequence numbers cycle 1 → 2 → 3 → 1; 0 is invalid (Linux nd_inc_seq). */
export function nextSeq(seq: number): number {
  return [0, 2, 3, 1][seq & 3]!;
}

/** Bytes of free bitmap a block of `indexSize` bytes holds for `nslot` slots (the rest is padding). */
export function bitmapBytes(indexSize: number, nslot: number): number {
  return Math.max(0, Math.min(Math.ceil(nslot / 8), indexSize - INDEX_HEADER_SIZE));
}

function declareIndexBlock(indexSize: number) {
  return new Struct(
    'label-index',
    [
      ascii('sig', 16, { label: 'Signature', expect: NSINDEX_SIGNATURE }),
      reserved('flags', 3, { label: 'Flags', doc: 'Linux writes 0' }),
      u8('labelsize', { label: 'Label Size', doc: 'v1.2+: labels are 128 << labelsize bytes', describe: (v) => (v < 8 ? `${128 << v}-byte labels if v1.2+` : 'invalid') }),
      u32('seq', { label: 'Sequence Number', doc: 'low 2 bits count: 1 → 2 → 3 → 1', describe: (v) => (v & 3 ? `seq ${v & 3}` : 'invalid (0)') }),
      u64('myoff', { label: 'My Offset' }),
      u64('mysize', { label: 'My Size' }),
      u64('otheroff', { label: 'Other Offset' }),
      u64('labeloff', { label: 'Label Offset' }),
      u32('nslot', { label: 'Number of Slots' }),
      u16('major', { label: 'Major Version' }),
      u16('minor', { label: 'Minor Version' }),
      u64('checksum', { label: 'Checksum', role: { kind: 'checksum', algo: 'fletcher64' }, doc: 'fletcher64 of the whole block, this field as 0' }),
      bytes('free', (p) => bitmapBytes(indexSize, Number(p.nslot)), { label: 'Free Bitmap', doc: 'bit i set: slot i is free' }),
      bytes('pad', (p) => indexSize - INDEX_HEADER_SIZE - bitmapBytes(indexSize, Number(p.nslot)), { label: 'Padding' }),
    ] as const,
    { label: 'Namespace Index Block', spec: 'UEFI 2.7 §13.19 Label Index Block; Linux struct nd_namespace_index' },
  );
}

export type IndexBlockStruct = ReturnType<typeof declareIndexBlock>;
export type IndexBlock = ValueOf<IndexBlockStruct>;

const cache = new Map<number, IndexBlockStruct>();

/**
 * The index block declaration for blocks of `indexSize` bytes (S from the geometry): the free
 * bitmap is sized from `nslot`, padding fills the block, so the checksum role covers exactly S.
 */
export function indexBlockStruct(indexSize: number): IndexBlockStruct {
  let s = cache.get(indexSize);
  if (!s) {
    s = declareIndexBlock(indexSize);
    cache.set(indexSize, s);
  }
  return s;
}

/** Bit `slot` of a free bitmap (LE bit order: byte slot/8, bit slot%8); 1 = free. */
export function isFree(free: Uint8Array, slot: number): boolean {
  const b = free[slot >> 3];
  return b !== undefined && ((b >> (slot & 7)) & 1) === 1;
}

export function setFree(free: Uint8Array, slot: number, freeBit: boolean): void {
  const i = slot >> 3;
  const b = free[i] ?? 0;
  free[i] = freeBit ? b | (1 << (slot & 7)) : b & ~(1 << (slot & 7));
}

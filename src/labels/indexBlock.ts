import { Struct, ascii, bytes, reserved, u16, u32, u64, u8, type ValueOf } from '../core/schema/index.js';

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

/**
 * `sizeof(struct nd_namespace_index)` without the free bitmap: where the bitmap starts in the
 * declaration (the header does not depend on the block size).
 */
export const INDEX_HEADER_SIZE: number = indexBlockStruct(256).offsetOf('free');

const HEADER = indexBlockStruct(256);
const cstr = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length && b[i] !== 0; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/** The header fields of whatever block sits at `off`, read without any validation (ndctl read-labels, rebuild hints). */
export function peekIndexHeader(area: Uint8Array, off: number): { sig: string; labelsize: number; seq: number; nslot: number; major: number; minor: number } | undefined {
  if (off < 0 || off + INDEX_HEADER_SIZE > area.length) return undefined;
  const dv = new DataView(area.buffer, area.byteOffset + off, INDEX_HEADER_SIZE);
  const sig = HEADER.offsetOf('sig');
  return {
    // The signature as a C string of at most 15 characters (its 16th byte is the NUL).
    sig: cstr(area.subarray(off + sig, off + sig + NSINDEX_SIGNATURE.length)),
    labelsize: dv.getUint8(HEADER.offsetOf('labelsize')),
    seq: dv.getUint32(HEADER.offsetOf('seq'), true),
    nslot: dv.getUint32(HEADER.offsetOf('nslot'), true),
    major: dv.getUint16(HEADER.offsetOf('major'), true),
    minor: dv.getUint16(HEADER.offsetOf('minor'), true),
  };
}

/** Bit `slot` of a free bitmap (LE bit order: byte slot/8, bit slot%8); 1 = free. */
export function isFree(free: Uint8Array, slot: number): boolean {
  const b = free[slot >> 3];
  return b !== undefined && ((b >> (slot & 7)) & 1) === 1;
}

/** nd_label_nfree: the slots of this index whose free bit is set. */
export function freeSlotCount(ix: Pick<IndexBlock, 'nslot' | 'free'>): number {
  let n = 0;
  for (let s = 0; s < ix.nslot; s++) if (isFree(ix.free, s)) n++;
  return n;
}

export function setFree(free: Uint8Array, slot: number, freeBit: boolean): void {
  const i = slot >> 3;
  const b = free[i] ?? 0;
  free[i] = freeBit ? b | (1 << (slot & 7)) : b & ~(1 << (slot & 7));
}

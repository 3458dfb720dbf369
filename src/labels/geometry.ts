/**
 * Label storage area geometry: where the two index blocks and the label slots sit for a given
 * area size and label size, computed exactly as Linux does (drivers/nvdimm/label.c
 * `__sizeof_namespace_index`, `nvdimm_num_label_slots`, `sizeof_namespace_index`; ndctl
 * ndctl/lib/dimm.c has the same copy). specs/labels.md §1.
 */

import { INDEX_HEADER_SIZE } from './indexBlock.js';

export { INDEX_HEADER_SIZE };
/** NSINDEX_ALIGN: index blocks are a multiple of 256 bytes. */
export const INDEX_ALIGN = 256;
/** ND_LABEL_MIN_SIZE = 256 * 4: two 256-byte index blocks and two 256-byte labels. */
export const LABEL_AREA_MIN_SIZE = 1024;

export type LabelSize = 128 | 256;

export interface Geometry {
  /** The label storage area size (`config_size`). */
  configSize: number;
  /** Bytes per label slot: 128 (v1.1) or 256 (v1.2, CXL). */
  labelSize: LabelSize;
  /** `sizeof_namespace_index`: bytes per index block (S). */
  indexSize: number;
  /** Label slots that fit after the two index blocks. */
  nslot: number;
  /** Offset of label slot 0 (= 2·S, the `labeloff` Linux writes and checks). */
  labelOffset: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** `__sizeof_namespace_index(nslot)`: header plus ceil(nslot/8) bitmap bytes, rounded up to 256. */
export function indexSizeForSlots(nslot: number): number {
  return alignUp(INDEX_HEADER_SIZE + Math.ceil(nslot / 8), INDEX_ALIGN);
}

/**
 * The geometry Linux derives for an area of `configSize` bytes holding `labelSize`-byte labels,
 * or undefined where Linux's `sizeof_namespace_index` returns 0 ("label area too small").
 */
export function geometryFor(configSize: number, labelSize: LabelSize): Geometry | undefined {
  if (!Number.isSafeInteger(configSize) || configSize < LABEL_AREA_MIN_SIZE) return undefined;
  // nvdimm_num_label_slots: size the index for every slot the whole area could hold, then count
  // the slots that fit after two index blocks of that size.
  const tmp = Math.floor(configSize / labelSize);
  const k = indexSizeForSlots(tmp) / INDEX_ALIGN;
  const nslot = Math.floor((configSize - 2 * INDEX_ALIGN * k) / labelSize);
  if (nslot < 2) return undefined;
  const indexSize = indexSizeForSlots(nslot);
  const space = configSize - nslot * labelSize;
  if (2 * indexSize > space) return undefined;
  return { configSize, labelSize, indexSize, nslot, labelOffset: 2 * indexSize };
}

/** Byte offset of label slot `slot` in the area. */
export function slotOffset(g: Geometry, slot: number): number {
  return g.labelOffset + slot * g.labelSize;
}

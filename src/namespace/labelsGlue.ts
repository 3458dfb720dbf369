/**
 * The one place that depends on namespace labels. Until `src/labels/` exports a label engine this
 * is a minimal read-only locator: it finds a namespace by uuid in a single-DIMM image (label storage
 * area = the last `labelSize` bytes, DPA 0 = file offset 0), from the current index's labels, and
 * reads its claim class (v1.2 abstraction GUID). Writing the claim class needs the label engine.
 */
import { fletcher64 } from '../core/checksum/fletcher64.js';
import { NvError } from '../core/errors.js';
import { guidToString } from '../core/guid.js';
import type { BlockStore } from '../infoblocks/blockStore.js';

export type ClaimClass = 'none' | 'btt' | 'btt2' | 'pfn' | 'dax' | 'unknown';

/** Abstraction GUIDs (EFI order), Linux drivers/nvdimm/label.c / nd.h. */
export const CLAIM_CLASS_GUIDS: Readonly<Record<string, ClaimClass>> = {
  '00000000-0000-0000-0000-000000000000': 'none',
  '8aed63a2-29a2-4c66-8b12-f05d15d3922a': 'btt',
  '18633bfc-1735-4217-8ac9-17239282d3f8': 'btt2',
  '266400ba-fb9f-4677-bcb0-968f11d0d225': 'pfn',
  '97a86d9c-3cdd-4eda-986f-5068b4f80088': 'dax',
};

export interface NamespaceRef {
  /** Byte offset of the namespace in the image (its DPA on a one-DIMM image). */
  offset: number;
  size: number;
  /** Namespace uuid; nil for a label-less (io) namespace. */
  uuid: string;
  /** v1.2 labels carry a claim class; v1.1 labels and label-less namespaces are 'none'. */
  claimClass: ClaimClass;
  labelVersion?: '1.1' | '1.2';
}

const INDEX_SIG = 'NAMESPACE_INDEX\0';
const le32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const le64 = (b: Uint8Array, o: number) => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(o, true));

interface IndexInfo {
  seq: number;
  labelSize: number;
  nslot: number;
  labeloff: number;
  free: Uint8Array;
  minor: number;
}

function readIndex(area: Uint8Array, at: number): IndexInfo | undefined {
  if (at + 72 > area.length) return undefined;
  for (let i = 0; i < 16; i++) if (area[at + i] !== INDEX_SIG.charCodeAt(i)) return undefined;
  const mysize = le64(area, at + 32);
  if (mysize < 72 || at + mysize > area.length) return undefined;
  const blk = area.subarray(at, at + mysize);
  if (fletcher64(blk, 64) !== new DataView(blk.buffer, blk.byteOffset).getBigUint64(64, true)) return undefined;
  const nslot = le32(blk, 56);
  const minor = new DataView(blk.buffer, blk.byteOffset).getUint16(62, true);
  const labelSize = minor >= 2 ? 128 << blk[19]! : 128;
  if (72 + Math.ceil(nslot / 8) > blk.length) return undefined;
  return { seq: le32(blk, 20) & 3, labelSize, nslot, labeloff: le64(blk, 48), free: blk.subarray(72, 72 + Math.ceil(nslot / 8)), minor };
}

/** The label area is the last labelSize bytes of the image; finds `uuid` among the in-use labels. */
export function findLabelledNamespace(image: BlockStore, uuid: string, labelSize: number): NamespaceRef {
  if (labelSize <= 0 || labelSize > image.size) throw new NvError('labels', '', undefined, `label size ${labelSize} does not fit the image`);
  const areaOff = image.size - labelSize;
  const area = image.read(areaOff, labelSize);
  const idx = [0, 256].map((o) => readIndex(area, o)).filter((x): x is IndexInfo => x !== undefined);
  if (idx.length === 0) throw new NvError('labels', '', areaOff, 'no valid namespace index block in the label area');
  // The current index: the one whose seq is the successor of the other's (nd_label_validate).
  const next = [0, 2, 3, 1];
  const cur = idx.length === 2 && next[idx[0]!.seq] === idx[1]!.seq ? idx[1]! : idx.length === 2 && next[idx[1]!.seq] === idx[0]!.seq ? idx[0]! : idx[0]!;
  const want = uuid.toLowerCase();
  for (let slot = 0; slot < cur.nslot; slot++) {
    if ((cur.free[slot >> 3]! >> (slot & 7)) & 1) continue; // free slot
    const at = cur.labeloff + slot * cur.labelSize;
    if (at + cur.labelSize > area.length) break;
    const l = area.subarray(at, at + cur.labelSize);
    if (guidToString(l.subarray(0, 16), 'rfc') !== want) continue;
    const dpa = le64(l, 104);
    const rawsize = le64(l, 112);
    let claimClass: ClaimClass = 'none';
    if (cur.minor >= 2 && l.length >= 160) claimClass = CLAIM_CLASS_GUIDS[guidToString(l.subarray(144, 160), 'efi')] ?? 'unknown';
    if (dpa + rawsize > areaOff) throw new NvError('labels', '', areaOff + at, `namespace ${uuid} (dpa ${dpa}, size ${rawsize}) runs into the label area`);
    return { offset: dpa, size: rawsize, uuid: want, claimClass, labelVersion: cur.minor >= 2 ? '1.2' : '1.1' };
  }
  throw new NvError('labels', '', areaOff, `no in-use label for namespace ${uuid}`);
}

/** A label-less NVDIMM: one io namespace over the whole pmem area, with the nil uuid. */
export function labellessNamespace(image: BlockStore, labelSize: number): NamespaceRef {
  return { offset: 0, size: image.size - labelSize, uuid: '00000000-0000-0000-0000-000000000000', claimClass: 'none' };
}

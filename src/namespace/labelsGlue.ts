/**
 * The one place that depends on namespace labels (src/labels): find a namespace by uuid in a
 * one-DIMM image (label storage area = the last `labelSize` bytes, DPA 0 = file offset 0) and read
 * its claim class, and write a new claim class (and lbasize) through the label engine's
 * setNamespaceLabel: Linux's holder_class update, two passes of __pmem_label_update.
 */
import { NvError } from '../core/errors.js';
import { WindowBlockIO, type BlockIO } from '../core/blockio.js';
import { applyMediaWrites } from '../core/mediaWrites.js';
import { namespacesOf, readLabelArea } from '../labels/area.js';
import { collectWrites, setNamespaceLabel, type MediaWrite } from '../labels/update.js';

export type ClaimClass = 'none' | 'btt' | 'btt2' | 'pfn' | 'dax' | 'unknown';

export interface NamespaceRef {
  /** Byte offset of the namespace in the image (its DPA on a one-DIMM image). */
  offset: number;
  size: number;
  /** Namespace uuid; nil for a label-less (io) namespace. */
  uuid: string;
  /** v1.2 labels carry a claim class; v1.1 labels and label-less namespaces are 'none'. */
  claimClass: ClaimClass;
  labelVersion?: '1.1' | '1.2';
  /** Where the label storage area is in the image (labelled namespaces only). */
  labelArea?: { offset: number; size: number };
  /** The label's lbasize (labelled namespaces only). */
  lbasize?: number;
  /**
   * System physical address of the namespace's first byte (Linux's nsio->res.start), when the
   * caller knows where the DIMM is mapped. nd_pfn_init()/nd_pfn_validate() take the info block's
   * alignment (dataoff, start_pad, end_trunc) from it, not from the offset in the image.
   * Absent: `offset` (see namespacePhysStart).
   */
  physStart?: number;
}

/**
 * The SPA the PFN/DAX info block's alignment is computed against: `ns.physStart`, or else the
 * namespace's offset in the image, i.e. the image taken to be mapped at an SPA aligned like its
 * byte 0 to 2 MiB (a lone QEMU NVDIMM: QEMU maps it at the 1 GiB-aligned device-memory base).
 */
export function namespacePhysStart(ns: Pick<NamespaceRef, 'offset' | 'physStart'>): number {
  return ns.physStart ?? ns.offset;
}

/** `ns` mapped with its image byte `imageOffset` at SPA `spa` (an NFIT SPA range's DIMM share). */
export function atSpa(ns: NamespaceRef, spa: bigint, imageOffset: bigint): NamespaceRef {
  return { ...ns, physStart: Number(spa + BigInt(ns.offset) - imageOffset) };
}

/** The label area is the last labelSize bytes of the image; finds `uuid` among Linux's active namespaces. */
export function findLabelledNamespace(image: BlockIO, uuid: string, labelSize: number): NamespaceRef {
  if (labelSize <= 0 || labelSize > image.size) throw new NvError('labels', '', undefined, `label size ${labelSize} does not fit the image`);
  const areaOff = image.size - labelSize;
  const view = readLabelArea(image.read(areaOff, labelSize));
  if (view.current === undefined) throw new NvError('labels', '', areaOff, `no valid namespace index in the ${labelSize}-byte label area (${view.selection})`);
  const want = uuid.toLowerCase();
  const ns = namespacesOf(view).namespaces.find((n) => n.uuid === want);
  if (!ns) throw new NvError('labels', '', areaOff, `no live label for namespace ${uuid}`);
  if (ns.status !== 'active') throw new NvError('labels', '', areaOff, `namespace ${uuid} is not one Linux assembles: ${ns.why}`);
  const offset = Number(ns.dpa);
  const size = Number(ns.rawsize);
  if (offset + size > areaOff) throw new NvError('labels', '', areaOff, `namespace ${uuid} (dpa ${offset}, size ${size}) runs into the label area`);
  const labelVersion = view.format === 'v1.2' ? '1.2' : view.format === 'v1.1' ? '1.1' : undefined;
  return {
    offset, size, uuid: want, claimClass: ns.claimClass ?? 'none', ...(labelVersion ? { labelVersion } : {}),
    labelArea: { offset: areaOff, size: labelSize }, lbasize: Number(ns.lbasize),
  };
}

export interface LabelUpdate {
  /** The label-area writes made, in order (offsets in the area). */
  writes: MediaWrite[];
  /** The namespace as its label now says. */
  ns: NamespaceRef;
}

/**
 * Record a claim class (v1.2 labels) and/or lbasize in a labelled namespace's label, as Linux does
 * when ndctl writes the namespace's holder_class / sector_size: the label engine's two-pass update,
 * each write applied to the image and flushed before the next (a crash leaves the old or the new
 * label, see test/labels/claim.test.ts and test/namespace/format-crash.test.ts).
 */
export function writeNamespaceLabel(image: BlockIO, ns: NamespaceRef, change: { claimClass?: Exclude<ClaimClass, 'unknown'>; lbasize?: number }): LabelUpdate {
  if (!ns.labelArea) throw new NvError('labels', '', undefined, `namespace ${ns.uuid} has no label to update (label-less)`);
  const { offset, size } = ns.labelArea;
  const area = image.read(offset, size);
  const { writes } = collectWrites(setNamespaceLabel(area, ns.uuid, {
    ...(change.claimClass !== undefined ? { claimClass: change.claimClass } : {}),
    ...(change.lbasize !== undefined ? { lbasize: BigInt(change.lbasize) } : {}),
  }));
  const areaIO = new WindowBlockIO(image, offset, size);
  applyMediaWrites(writes, () => areaIO);
  const updated = findLabelledNamespace(image, ns.uuid, size);
  return { writes, ns: ns.physStart === undefined ? updated : { ...updated, physStart: ns.physStart } };
}

/** A label-less NVDIMM: one io namespace over the whole pmem area, with the nil uuid. */
export function labellessNamespace(image: BlockIO, labelSize: number): NamespaceRef {
  return { offset: 0, size: image.size - labelSize, uuid: '00000000-0000-0000-0000-000000000000', claimClass: 'none' };
}

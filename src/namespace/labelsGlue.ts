/**
 * The one place that depends on namespace labels (src/labels): find a namespace by uuid in a
 * one-DIMM image (label storage area = the last `labelSize` bytes, DPA 0 = file offset 0) and read
 * its claim class. Writing the claim class needs a label-update entry point src/labels does not
 * export yet (it has create/rename/delete); until then formatting leaves the label as it is.
 */
import { NvError } from '../core/errors.js';
import type { BlockStore } from '../infoblocks/blockStore.js';
import { namespacesOf, readLabelArea } from '../labels/index.js';

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
}

/** The label area is the last labelSize bytes of the image; finds `uuid` among Linux's active namespaces. */
export function findLabelledNamespace(image: BlockStore, uuid: string, labelSize: number): NamespaceRef {
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
  return { offset, size, uuid: want, claimClass: ns.claimClass ?? 'none', ...(labelVersion ? { labelVersion } : {}) };
}

/** A label-less NVDIMM: one io namespace over the whole pmem area, with the nil uuid. */
export function labellessNamespace(image: BlockStore, labelSize: number): NamespaceRef {
  return { offset: 0, size: image.size - labelSize, uuid: '00000000-0000-0000-0000-000000000000', claimClass: 'none' };
}

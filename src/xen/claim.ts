/**
 * Placement (c): a whole namespace claimed for Xen by its v1.2 label's claim class (abstraction
 * GUID) = XEN_PMEM_CLAIM_CLASS_GUID. Thin adapter over the labels engine (src/labels): the label
 * is rewritten with Linux's own update protocol (__pmem_label_update twice, UPDATING then cleared,
 * each pass a new slot + the next index), every other field kept.
 *
 * The engine's claim-class operations take only the classes Linux knows, so this adapter drives
 * `renameNamespace(area, uuid, <same name>)` — which makes exactly the two passes a claim-class
 * change makes and keeps every field — and puts our GUID into the two label writes it yields
 * (label checksum recomputed by the declaration). Index writes are passed through unchanged: they
 * depend only on slots and sequence numbers, not on label contents.
 */
import { NvError } from '../core/errors.js';
import type { Finding } from '../core/schema/index.js';
import { decodeStruct, encodeStruct } from '../core/schema/index.js';
import { labelV12, namespacesOf, readLabelArea, renameNamespace, type MediaWrite, type NewNamespace } from '../labels/index.js';
import { XEN_PMEM_CLAIM_CLASS_GUID } from './superblock.js';

/** The abstraction GUID of `uuid`'s live v1.2 label, or undefined (v1.1 area, no such namespace). */
export function abstractionGuidOf(area: Uint8Array, uuid: string): string | undefined {
  const view = readLabelArea(area);
  if (view.format !== 'v1.2') return undefined;
  return namespacesOf(view).namespaces.find((n) => n.uuid === uuid.toLowerCase())?.abstractionGuid;
}

/** The label writes that give namespace `uuid` the claim class `guid` (default: Xen's), in protocol order. */
export function* claimNamespace(area: Uint8Array, uuid: string, guid: string = XEN_PMEM_CLAIM_CLASS_GUID): Generator<MediaWrite, NewNamespace> {
  const view = readLabelArea(area);
  if (view.format !== 'v1.2') {
    throw new NvError('xen.claim', 'abstractionGuid', undefined, `namespace ${uuid}: a claim class needs v1.2 labels (this area is ${view.format ?? 'not valid'}); v1.1 labels have no field for it`);
  }
  const ns = namespacesOf(view).namespaces.find((n) => n.uuid === uuid.toLowerCase());
  if (!ns) throw new NvError('xen.claim', 'uuid', undefined, `no live label for namespace ${uuid}`);
  const gen = renameNamespace(area, uuid, ns.name);
  for (;;) {
    const n = gen.next();
    if (n.done) return { ...n.value, claimClass: guid };
    const w = n.value;
    if (w.kind !== 'label') {
      yield w;
      continue;
    }
    const { value } = decodeStruct(labelV12, w.bytes, { format: 'label-v1.2' });
    yield { ...w, bytes: encodeStruct(labelV12, { ...value, abstractionGuid: guid, checksum: 0n }), what: `${w.what} claim class ${guid}` };
  }
}

/**
 * What namespace `uuid`'s label says about placement (c): claimed for Xen with a super block at its
 * offset 0 (info), claimed but empty (error), or not claimed (warning: Linux may claim it).
 * `areaOffset` is where the label area sits in the image (for the findings' offsets).
 */
export function claimFindings(area: Uint8Array, uuid: string, holdsSuperBlock: boolean, areaOffset: number): Finding[] {
  const guid = abstractionGuidOf(area, uuid);
  const at = { path: 'label.abstractionGuid', offset: areaOffset };
  if (guid === XEN_PMEM_CLAIM_CLASS_GUID) {
    return holdsSuperBlock
      ? [{ severity: 'info', code: 'claimed', ...at, message: `namespace ${uuid} is claimed for Xen by its v1.2 label (claim class ${guid})` }]
      : [{ severity: 'error', code: 'claimed-empty', ...at, message: `namespace ${uuid} is claimed for Xen (claim class ${guid}) but holds no super block at offset 0` }];
  }
  return [{ severity: 'warning', code: 'not-claimed', ...at, message: `namespace ${uuid}: its label's claim class is ${guid ?? '(none: v1.1 labels)'}, not Xen's ${XEN_PMEM_CLAIM_CLASS_GUID}; Linux may claim it (nvtool xen format --placement namespace --namespace UUID writes the claim)` }];
}

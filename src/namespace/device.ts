/**
 * A namespace of a one-DIMM NVDIMM image picked by uuid, and the block device Linux exposes for
 * it: raw = the namespace; fsdax/devdax = from the info block's data offset (/dev/pmemN);
 * sector = the BTT's logical sectors (/dev/pmemNs), every byte read and written through the BTT.
 */
import { SectorBlockIO, WindowBlockIO, type BlockIO } from '../core/blockio.js';
import { NvError } from '../core/errors.js';
import { namespacesOf, readLabelArea } from '../labels/area.js';
import { findLabelledNamespace, type NamespaceRef } from './labelsGlue.js';
import { openNamespaceView, type NamespaceView } from './view.js';

/**
 * The namespace whose label uuid is `uuid` or, failing that, whose info block or BTT has that uuid:
 * for fsdax/devdax/sector namespaces `ndctl list` prints the pfn/dax/btt device's uuid as "uuid"
 * and the label's as "raw_uuid", and either is accepted. The label area is the image's last
 * `labelSize` bytes.
 */
export function findNamespaceByUuid(image: BlockIO, uuid: string, labelSize: number): { ref: NamespaceRef; view: NamespaceView } {
  const want = uuid.toLowerCase();
  try {
    const ref = findLabelledNamespace(image, want, labelSize);
    return { ref, view: openNamespaceView(image, ref) };
  } catch (e) {
    if (!(e instanceof NvError)) throw e;
    const areaOffset = image.size - labelSize;
    for (const n of namespacesOf(readLabelArea(image.read(areaOffset, labelSize))).namespaces) {
      if (n.status !== 'active') continue;
      let found: { ref: NamespaceRef; view: NamespaceView };
      try {
        const ref = findLabelledNamespace(image, n.uuid, labelSize);
        found = { ref, view: openNamespaceView(image, ref) };
      } catch {
        continue;
      }
      if (found.view.pfn?.uuid.toLowerCase() === want || found.view.btt?.uuid.toLowerCase() === want) return found;
    }
    throw new NvError(e.format, e.path, e.offset, `${e.reason} (nor an fsdax/devdax/sector namespace whose info block or BTT has that uuid)`);
  }
}

export interface NamespaceBlockDevice {
  io: BlockIO;
  /** The device's logical block size: the BTT's sector size in sector mode, else 512. */
  logicalSectorSize: number;
  /** Where the device's byte 0 is in the image (raw, fsdax, devdax); undefined through a BTT. */
  imageOffset?: number;
}

/** The block device of `view` (a namespace of `image`); `flush` makes BTT writes durable. */
export function namespaceBlockDevice(image: BlockIO, view: NamespaceView, flush: () => void = () => image.flush()): NamespaceBlockDevice {
  if (view.mode === 'sector') {
    const btt = view.btt!;
    return { io: new SectorBlockIO(btt, flush), logicalSectorSize: btt.sectorSize };
  }
  const imageOffset = view.ns.offset + (view.dataOffset ?? 0);
  return { io: new WindowBlockIO(image, imageOffset, view.size), logicalSectorSize: 512, imageOffset };
}

import { existsSync, statSync } from 'node:fs';
import { FileBlockIO, SectorBlockIO, WindowBlockIO, type BlockIO } from '../core/blockio.js';
import { namespacesOf, readLabelArea } from '../labels/index.js';
import { findLabelledNamespace, type NamespaceRef } from '../namespace/labelsGlue.js';
import { openNamespaceView, type NamespaceMode, type NamespaceView } from '../namespace/view.js';
import { CliError } from './io.js';
import { resolveTarget } from './labels/target.js';
import type { ImageTargetArgs } from './options/target.js';

/**
 * The one place commands turn `TARGET [--window-offset --window-size] [--namespace UUID
 * --label-size N]` into a BlockIO. With `--namespace`, TARGET is a one-DIMM NVDIMM image (QEMU
 * backing file: pmem = DPA 0.., label area = its last `--label-size` bytes, probed as the labels
 * commands do when absent) and the BlockIO is what Linux exposes as that namespace's block device
 * (src/namespace/view.ts): raw = the namespace; fsdax/devdax = from the info block's data offset;
 * sector = the BTT's logical sectors, every byte read and written through the BTT.
 */
export interface TargetArgs extends ImageTargetArgs {
  target: string;
}

/** Where a `--namespace` target lives in its image (for commands that also touch the labels). */
export interface NamespaceTarget {
  ref: NamespaceRef;
  /** The mode Linux would bring it up in (what the BlockIO is a view of). */
  mode: NamespaceMode;
  /** Image bytes of the label storage area. */
  labelAreaOffset: number;
  labelAreaSize: number;
  /** The whole namespace (not the view), for commands that claim it (xen placement c). */
  whole: BlockIO;
  /** The image itself. */
  image: FileBlockIO;
}

export type Target = BlockIO & {
  close(): void;
  describe: string;
  /** The logical block size of the device (4096 for a 4 KiB-sector BTT), when it is not 512. */
  logicalSectorSize?: number;
  namespace?: NamespaceTarget;
};

function openFile(path: string, writable: boolean): FileBlockIO {
  if (!existsSync(path)) throw new CliError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
  try {
    return new FileBlockIO(path, writable);
  } catch (e) {
    throw new CliError(`${path}: cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The namespace whose label uuid is `uuid` or, failing that, whose info block or BTT has that uuid:
 * for fsdax/devdax/sector namespaces `ndctl list` prints the pfn/dax/btt device's uuid as "uuid"
 * and the label's as "raw_uuid", and either is accepted.
 */
function findNamespace(file: FileBlockIO, uuid: string, areaOffset: number, areaSize: number, name: string): { ref: NamespaceRef; view: NamespaceView } {
  const want = uuid.toLowerCase();
  try {
    const ref = findLabelledNamespace(file, want, areaSize);
    return { ref, view: openNamespaceView(file, ref) };
  } catch (e) {
    const view = readLabelArea(file.read(areaOffset, areaSize));
    for (const n of namespacesOf(view).namespaces) {
      if (n.status !== 'active') continue;
      let ref: NamespaceRef;
      let v: NamespaceView;
      try {
        ref = findLabelledNamespace(file, n.uuid, areaSize);
        v = openNamespaceView(file, ref);
      } catch {
        continue;
      }
      if (v.pfn?.uuid.toLowerCase() === want || v.btt?.uuid.toLowerCase() === want) return { ref, view: v };
    }
    throw new CliError(`${name}: ${(e as Error).message} (nor an fsdax/devdax/sector namespace whose info block or BTT has that uuid)`);
  }
}

function openNamespaceTarget(a: TargetArgs, writable: boolean): Target {
  const uuid = a.namespace!;
  if (!existsSync(a.target)) throw new CliError(`${a.target}: no such file`);
  const lt = resolveTarget(a.target, a.labelSize);
  if (lt.kind !== 'backing') throw new CliError(`${a.target}: ${lt.how}; --namespace needs an NVDIMM image whose label area is its last --label-size bytes`);
  const file = openFile(a.target, writable);
  try {
    const { ref, view } = findNamespace(file, uuid, lt.areaOffset, lt.areaSize, a.target);
    const whole = new WindowBlockIO(file, ref.offset, ref.size);
    const ns: NamespaceTarget = { ref, mode: view.mode, labelAreaOffset: lt.areaOffset, labelAreaSize: lt.areaSize, whole, image: file };
    const close = () => file.close();
    if (view.mode === 'sector') {
      const btt = view.btt!;
      const io = new SectorBlockIO(btt, () => file.flush());
      return Object.assign(io, {
        close, namespace: ns, ...(btt.sectorSize !== 512 ? { logicalSectorSize: btt.sectorSize } : {}),
        describe: `${a.target} namespace ${ref.uuid} (sector, ${btt.sectorSize}-byte sectors through the BTT, ${io.size} bytes)`,
      });
    }
    const off = ref.offset + (view.dataOffset ?? 0);
    const io = new WindowBlockIO(file, off, view.size);
    return Object.assign(io, { close, namespace: ns, describe: `${a.target} namespace ${ref.uuid} (${view.mode}, ${view.size} bytes at image offset ${off})` });
  } catch (e) {
    file.close();
    throw e;
  }
}

export function openTarget(a: TargetArgs, writable: boolean): Target {
  if (a.namespace !== undefined) return openNamespaceTarget(a, writable);
  const file = openFile(a.target, writable);
  if (a.windowOffset === undefined && a.windowSize === undefined) return Object.assign(file, { describe: a.target });
  const off = a.windowOffset ?? 0n;
  const size = a.windowSize ?? BigInt(file.size) - off;
  if (size <= 0n || off + size > BigInt(file.size)) {
    file.close();
    throw new CliError(`${a.target}: window ${off}+${size} is outside the ${file.size}-byte file`);
  }
  const w = new WindowBlockIO(file, Number(off), Number(size));
  return Object.assign(w, { close: () => file.close(), describe: `${a.target}[${off}+${size}]` });
}

import { existsSync, statSync } from 'node:fs';
import { FileBlockIO, WindowBlockIO, type BlockIO } from '../core/blockio.js';
import { NvError } from '../core/errors.js';
import { tableSectorSize, type SectorSize } from '../disk/table.js';
import { findNamespaceByUuid, namespaceBlockDevice } from '../namespace/device.js';
import type { NamespaceRef } from '../namespace/labelsGlue.js';
import type { NamespaceMode } from '../namespace/view.js';
import { CliError } from './io.js';
import type { WriteGate } from './write/gate.js';
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
  image: OpenFile;
}

export type Target = BlockIO & {
  close(): void;
  describe: string;
  /** The logical block size of the device (4096 for a 4 KiB-sector BTT), when it is not 512. */
  logicalSectorSize?: number;
  namespace?: NamespaceTarget;
};

/** An image file the user named, opened; a missing file or a directory is one line about it. */
export function openFile(path: string, writable: boolean): FileBlockIO {
  if (!existsSync(path)) throw new CliError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory, not an image`);
  try {
    return new FileBlockIO(path, writable);
  } catch (e) {
    throw new CliError(`${path}: cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** An open image: read-only, or opened for writing through the write gate (write/gate.ts). */
type OpenFile = BlockIO & { close(): void; write(offset: number, data: Uint8Array, what?: string): void };
/** How a command opens its target: `false` to read, or the write gate its writes go through. */
export type Access = false | WriteGate;

function openAccess(path: string, access: Access): OpenFile {
  return access ? access.open(path) : openFile(path, false);
}

function openNamespaceTarget(a: TargetArgs, access: Access): Target {
  const uuid = a.namespace!;
  if (!existsSync(a.target)) throw new CliError(`${a.target}: no such file`);
  const lt = resolveTarget(a.target, a.labelSize);
  if (lt.kind !== 'backing') throw new CliError(`${a.target}: ${lt.how}; --namespace needs an NVDIMM image whose label area is its last --label-size bytes`);
  const file = openAccess(a.target, access);
  try {
    const { ref, view } = findNamespaceByUuid(file, uuid, lt.areaSize);
    const ns: NamespaceTarget = { ref, mode: view.mode, labelAreaOffset: lt.areaOffset, labelAreaSize: lt.areaSize, whole: new WindowBlockIO(file, ref.offset, ref.size), image: file };
    const dev = namespaceBlockDevice(file, view);
    const describe = dev.imageOffset === undefined
      ? `${a.target} namespace ${ref.uuid} (sector, ${dev.logicalSectorSize}-byte sectors through the BTT, ${dev.io.size} bytes)`
      : `${a.target} namespace ${ref.uuid} (${view.mode}, ${view.size} bytes at image offset ${dev.imageOffset})`;
    return Object.assign(dev.io, { close: () => file.close(), namespace: ns, describe, ...(dev.logicalSectorSize !== 512 ? { logicalSectorSize: dev.logicalSectorSize } : {}) });
  } catch (e) {
    file.close();
    if (e instanceof NvError) throw new CliError(`${a.target}: ${e.message}`);
    throw e;
  }
}

/** `access`: false to read, or the write gate a writing command runs in. */
export function openTarget(a: TargetArgs, access: Access): Target {
  if (a.namespace !== undefined) return openNamespaceTarget(a, access);
  const file = openAccess(a.target, access);
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

/** The sector size of partition tables on `t` (disk/table.ts tableSectorSize): a namespace's logical block size, else `asked`, the table's own or 512. */
export function targetSectorSize(t: Target, asked?: SectorSize): SectorSize {
  return tableSectorSize(t, { ...(asked !== undefined ? { asked } : {}), ...(t.namespace ? { deviceSectorSize: t.logicalSectorSize ?? 512 } : {}) });
}

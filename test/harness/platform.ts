import { join } from 'node:path';
import { parseSize, qemuSize, roundUp, type Size } from './sizes.js';

/** platform.json as nvtool users write it (only the parts QEMU understands). */
export interface Platform {
  machine: { type: 'pc' | 'q35'; nvdimmPersistence?: string };
  memory: { size: Size; slots?: number; maxmem?: Size };
  /** Nodes without `size` are memory-less. */
  numa?: NumaNode[];
  /** In QEMU `-device` order. */
  nvdimms: PlatformNvdimm[];
  /** nvtool-only (DSM buffer placement); not a QEMU option, ignored here. */
  dsmBuffer?: unknown;
}

export interface NumaNode {
  nodeid: number;
  size?: Size;
}

export interface PlatformNvdimm {
  /** Absent: an anonymous `-device nvdimm` (lands in /machine/peripheral-anon). */
  id?: string;
  size: Size;
  labelSize?: Size;
  node?: number;
  slot?: number;
  addr?: number | string;
  /** The memory-backend-file `align=`. */
  align?: Size;
  unarmed?: boolean;
}

export interface BackingFile {
  path: string;
  /** The dimm size rounded up to 4 KiB: QEMU refuses an existing file of any other size. */
  bytes: bigint;
}

export interface QemuInvocation {
  /** argv[0] is the binary. */
  argv: string[];
  qmpSocket: string;
  backingFiles: BackingFile[];
}

export const QEMU_BINARY = 'qemu-system-x86_64';
const PAGE = 4096n;

/**
 * The QEMU 7.2 command line for a platform, following the recipe in qemu-acpi.md: TCG, SeaBIOS,
 * no default devices, QMP on a unix socket in `workdir` (absolute), backing files in `workdir`.
 * NUMA nodes are memdev-based (`-numa node,mem=` is refused by 7.2's machine types).
 */
export function platformToQemuArgs(platform: Platform, workdir: string, binary = QEMU_BINARY): QemuInvocation {
  const qmpSocket = join(workdir, 'qmp.sock');
  const argv: string[] = [binary];

  const machine = [platform.machine.type, 'nvdimm=on', 'accel=tcg'];
  if (platform.machine.nvdimmPersistence !== undefined) {
    machine.push(`nvdimm-persistence=${platform.machine.nvdimmPersistence}`);
  }
  argv.push('-machine', machine.join(','));

  const mem = [qemuSize(platform.memory.size)];
  if (platform.memory.slots !== undefined) mem.push(`slots=${platform.memory.slots}`);
  if (platform.memory.maxmem !== undefined) mem.push(`maxmem=${qemuSize(platform.memory.maxmem)}`);
  argv.push('-m', mem.join(','));

  for (const node of platform.numa ?? []) {
    if (node.size === undefined) {
      argv.push('-numa', `node,nodeid=${node.nodeid}`);
    } else {
      const ram = `ram-node${node.nodeid}`;
      argv.push('-object', `memory-backend-ram,id=${ram},size=${qemuSize(node.size)}`);
      argv.push('-numa', `node,nodeid=${node.nodeid},memdev=${ram}`);
    }
  }

  const backingFiles: BackingFile[] = [];
  platform.nvdimms.forEach((dimm, i) => {
    const path = join(workdir, `nv${i}.img`);
    backingFiles.push({ path, bytes: roundUp(parseSize(dimm.size), PAGE) });
    const memdev = `m${i}`;
    const backend = [`memory-backend-file,id=${memdev},share=on,mem-path=${path},size=${qemuSize(dimm.size)}`];
    if (dimm.align !== undefined) backend.push(`align=${qemuSize(dimm.align)}`);
    argv.push('-object', backend.join(','));

    const device = ['nvdimm'];
    if (dimm.id !== undefined) device.push(`id=${dimm.id}`);
    device.push(`memdev=${memdev}`);
    if (dimm.labelSize !== undefined) device.push(`label-size=${qemuSize(dimm.labelSize)}`);
    if (dimm.node !== undefined) device.push(`node=${dimm.node}`);
    if (dimm.slot !== undefined) device.push(`slot=${dimm.slot}`);
    if (dimm.addr !== undefined) {
      device.push(`addr=${typeof dimm.addr === 'number' ? `0x${dimm.addr.toString(16)}` : dimm.addr}`);
    }
    if (dimm.unarmed !== undefined) device.push(`unarmed=${dimm.unarmed ? 'on' : 'off'}`);
    argv.push('-device', device.join(','));
  });

  argv.push(
    '-nodefaults', '-display', 'none', '-serial', 'none', '-parallel', 'none', '-net', 'none',
    '-no-user-config', '-qmp', `unix:${qmpSocket},server=on,wait=off`,
  );
  return { argv, qmpSocket, backingFiles };
}

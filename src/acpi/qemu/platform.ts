/**
 * The platform description (`PLATFORM.json`): its JSON shape, its typed, normalised form, and
 * `parsePlatform`, which checks shape and types only. Whether QEMU 7.2 would accept the platform
 * is decided by `resolvePlatform`, which reports refusals with QEMU's own messages.
 */
import { reject } from './reject.js';
import { describeType, parseAddress, parseSize, type SizeInput } from './sizes.js';

export type MachineType = 'pc' | 'q35';

/** `-machine nvdimm-persistence=`: `cpu` (capabilities 3) or `mem-ctrl` (capabilities 2). */
export type NvdimmPersistence = 'cpu' | 'mem-ctrl';

/** The JSON as users write it. Sizes: bytes or strings with B/K/M/G/T; addresses: integers or hex. */
export interface PlatformDescription {
  machine: { type: MachineType; nvdimmPersistence?: string };
  /** `-m size,slots=,maxmem=`. A suffix-less `size` means MiB, as on QEMU's `-m`. */
  memory: { size: SizeInput; slots?: number; maxmem?: SizeInput };
  /** `-numa node,nodeid=[,memdev=]`; a node without `size` is memory-less. */
  numa?: Array<{ nodeid: number; size?: SizeInput }>;
  /** In QEMU `-device` order. */
  nvdimms: Array<{
    /** Absent: an anonymous `-device nvdimm` (QOM `/machine/peripheral-anon/device[N]`). */
    id?: string;
    size: SizeInput;
    labelSize?: SizeInput;
    node?: number;
    slot?: number;
    addr?: number | string;
    /** The memory-backend-file `align=`. */
    align?: SizeInput;
    unarmed?: boolean;
  }>;
  /** 32-bit guest address of the DSM page the firmware patches into the SSDT (MEMA). */
  dsmBuffer?: number | string;
}

export interface NumaNodeSpec {
  nodeid: number;
  /** Bytes of RAM on the node (a memory-backend-ram); undefined for a memory-less node. */
  size?: bigint;
}

export interface NvdimmSpec {
  id?: string;
  /** memory-backend-file `size=` in bytes, as given (QEMU's memory region size). */
  size: bigint;
  /** `label-size=`; undefined when not given (no label area). */
  labelSize?: bigint;
  node?: number;
  /** `slot=`; -1 is QEMU's "unassigned" and behaves like an absent slot. */
  slot?: number;
  /** `addr=`; 0 is QEMU's "unassigned" and behaves like an absent addr. */
  addr?: bigint;
  /** memory-backend-file `align=`. */
  align?: bigint;
  unarmed?: boolean;
}

/** A well-typed platform, every size in bytes. */
export interface Platform {
  machine: { type: MachineType; nvdimmPersistence?: NvdimmPersistence };
  memory: { size: bigint; slots?: number; maxmem?: bigint };
  numa?: NumaNodeSpec[];
  nvdimms: NvdimmSpec[];
  /** MEMA: 32-bit DSM buffer address, 0 when not given (QEMU's unpatched value). */
  dsmBuffer: number;
}

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw reject(path, `expected an object, got ${describeType(value)}`);
  }
  return value as Json;
}

function onlyKeys(obj: Json, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw reject(path ? `${path}.${key}` : key, `unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw reject(path, `expected an integer, got ${describeType(value)} ${JSON.stringify(value)}`);
  }
  if (value < min || value > max) throw reject(path, `${value} is outside ${min}..${max}`);
  return value;
}

const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

/**
 * Validates the shape and types of a platform description and normalises it: sizes and
 * addresses to bigint bytes. Throws NvError (format `platform`) naming the offending field.
 * `-machine nvdimm-persistence=` values other than cpu/mem-ctrl are refused here with QEMU's
 * message, since QEMU refuses them while parsing `-machine`.
 */
export function parsePlatform(json: unknown): Platform {
  const root = object(json, '');
  onlyKeys(root, '', ['machine', 'memory', 'numa', 'nvdimms', 'dsmBuffer']);

  const machineJson = object(root.machine, 'machine');
  onlyKeys(machineJson, 'machine', ['type', 'nvdimmPersistence']);
  if (machineJson.type !== 'pc' && machineJson.type !== 'q35') {
    throw reject('machine.type', `expected "pc" or "q35", got ${JSON.stringify(machineJson.type)}`);
  }
  const machine: Platform['machine'] = { type: machineJson.type };
  if (machineJson.nvdimmPersistence !== undefined) {
    const p = machineJson.nvdimmPersistence;
    if (typeof p !== 'string') throw reject('machine.nvdimmPersistence', `expected a string, got ${describeType(p)}`);
    if (p !== 'cpu' && p !== 'mem-ctrl') {
      // hw/core/machine.c machine_set_nvdimm_persistence
      throw reject('machine.nvdimmPersistence', `-machine nvdimm-persistence=${p}: unsupported option`);
    }
    machine.nvdimmPersistence = p;
  }

  const memoryJson = object(root.memory, 'memory');
  onlyKeys(memoryJson, 'memory', ['size', 'slots', 'maxmem']);
  const memory: Platform['memory'] = { size: parseSize(memoryJson.size, 'memory.size', 'MiB') };
  if (memoryJson.slots !== undefined) memory.slots = integer(memoryJson.slots, 'memory.slots', 0, INT32_MAX);
  if (memoryJson.maxmem !== undefined) memory.maxmem = parseSize(memoryJson.maxmem, 'memory.maxmem');

  const platform: Platform = { machine, memory, nvdimms: [], dsmBuffer: 0 };

  if (root.numa !== undefined) {
    if (!Array.isArray(root.numa)) throw reject('numa', `expected an array, got ${describeType(root.numa)}`);
    platform.numa = root.numa.map((n: unknown, i) => {
      const path = `numa[${i}]`;
      const node = object(n, path);
      onlyKeys(node, path, ['nodeid', 'size']);
      const spec: NumaNodeSpec = { nodeid: integer(node.nodeid, `${path}.nodeid`, 0, 0xffff) };
      if (node.size !== undefined) spec.size = parseSize(node.size, `${path}.size`);
      return spec;
    });
  }

  if (!Array.isArray(root.nvdimms)) throw reject('nvdimms', `expected an array, got ${describeType(root.nvdimms)}`);
  platform.nvdimms = root.nvdimms.map((d: unknown, i) => {
    const path = `nvdimms[${i}]`;
    const dimm = object(d, path);
    onlyKeys(dimm, path, ['id', 'size', 'labelSize', 'node', 'slot', 'addr', 'align', 'unarmed']);
    const spec: NvdimmSpec = { size: parseSize(dimm.size, `${path}.size`) };
    if (dimm.id !== undefined) {
      if (typeof dimm.id !== 'string') throw reject(`${path}.id`, `expected a string, got ${describeType(dimm.id)}`);
      spec.id = dimm.id;
    }
    if (dimm.labelSize !== undefined) spec.labelSize = parseSize(dimm.labelSize, `${path}.labelSize`);
    if (dimm.node !== undefined) spec.node = integer(dimm.node, `${path}.node`, 0, UINT32_MAX);
    if (dimm.slot !== undefined) spec.slot = integer(dimm.slot, `${path}.slot`, -(2 ** 31), INT32_MAX);
    if (dimm.addr !== undefined) spec.addr = parseAddress(dimm.addr, `${path}.addr`);
    if (dimm.align !== undefined) spec.align = parseSize(dimm.align, `${path}.align`);
    if (dimm.unarmed !== undefined) {
      if (typeof dimm.unarmed !== 'boolean') {
        throw reject(`${path}.unarmed`, `expected a boolean, got ${describeType(dimm.unarmed)}`);
      }
      spec.unarmed = dimm.unarmed;
    }
    return spec;
  });

  if (root.dsmBuffer !== undefined) {
    const mema = parseAddress(root.dsmBuffer, 'dsmBuffer');
    if (mema > BigInt(UINT32_MAX)) throw reject('dsmBuffer', `${String(root.dsmBuffer)} does not fit the 32-bit MEMA field`);
    platform.dsmBuffer = Number(mema);
  }
  return platform;
}

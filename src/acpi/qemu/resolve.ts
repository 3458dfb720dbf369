/**
 * `resolvePlatform`: everything QEMU 7.2 decides about a platform's NVDIMMs before it writes the
 * NFIT — which dimms exist, their slot, address, PMEM size, node, flags and NFIT order — or the
 * NvError QEMU's refusal amounts to. Checks run in QEMU's start-up order, so with several mistakes
 * the one QEMU reports first is the one thrown:
 *   1. command-line parsing (`id=` syntax),
 *   2. `-m` (machine_set_mem),
 *   3. `-object`s in command-line order: the NUMA memory-backend-ram `ram-node<N>`, then each
 *      dimm's memory-backend-file `m<i>` (names as the capture harness spells them),
 *   4. `-numa` (parse_numa_node, numa_complete_configuration),
 *   5. board init (pc_memory_init: slots, maxmem),
 *   6. each `-device nvdimm` in order: id, label-size, slot, label/PMEM, address, node.
 */
import type { MachineType, NvdimmPersistence, NvdimmSpec, Platform } from './platform.js';
import {
  assignSlot, checkLabelSize, checkNode, fileBackend, findFreeAddress, pmemLayout,
  type Backend, type PlacedDevice,
} from './dimmPlacement.js';
import { nvdimmListOrder, qomPlacements } from './qomOrder.js';
import { deviceMemoryRegion, memoryOptions, ramLayout, type DeviceMemoryRegion, type RamLayout } from './ramLayout.js';
import { reject } from './reject.js';

/** MAX_NODES (include/sysemu/numa.h). */
export const MAX_NUMA_NODES = 128;

export interface ResolvedDimm {
  /** The `-device id=`; undefined for an anonymous dimm. */
  id?: string;
  /** QOM path: `/machine/peripheral/<id>` or `/machine/peripheral-anon/device[N]`. */
  qomPath: string;
  /** Position in `-device` order (index into `platform.nvdimms`). */
  index: number;
  /** The memory-backend-file id (`m<index>`). */
  memdev: string;
  slot: number;
  /** Guest-physical base = SPA base. */
  addr: bigint;
  /** Guest-visible PMEM = SPA length = memdev region size. */
  pmemSize: bigint;
  /** The backend memory region size (`size=` as given). */
  backendSize: bigint;
  /** The backing file / RAM block: backendSize rounded up to 4 KiB. */
  fileSize: bigint;
  /** The backend alignment the PMEM and address are aligned to: max(4 KiB, `align=`). */
  align: bigint;
  /** 0 without a label area. */
  labelSize: bigint;
  /** Where the label area starts in the backend: backendSize - labelSize. */
  labelOffset: bigint;
  /** Proximity domain (SPA) and SRAT node. */
  node: number;
  /** memdev flag ACPI_NFIT_MEM_NOT_ARMED. */
  unarmed: boolean;
}

export interface ResolvedPlatform {
  machineType: MachineType;
  /** `-machine nvdimm-persistence=`; undefined: no Platform Capabilities structure. */
  persistence?: NvdimmPersistence;
  /** ms->ram_slots: the SSDT has one NVxx device per slot. */
  slots: number;
  ram: RamLayout;
  deviceMemory: DeviceMemoryRegion;
  /**
   * NUMA nodes QEMU ends up with: the -numa nodes, or 1 when QEMU enables NUMA implicitly
   * (slots or maxmem given, pc/q35 auto_enable_numa_with_memhp/memdev), else 0.
   */
  numaNodes: number;
  /** In NFIT order (nvdimm_get_device_list order). */
  dimms: ResolvedDimm[];
  /** MEMA, the 32-bit DSM buffer address (0: unpatched). */
  dsmBuffer: number;
}

export interface ResolveOptions {
  /** The memory-backend-file id for the dimm at -device index i; default `m${i}`, as the harness names them. */
  memdevId?: (index: number) => string;
}

/** QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
const ID_WELLFORMED = /^[A-Za-z][A-Za-z0-9_.-]*$/;

function checkIds(platform: Platform): void {
  platform.nvdimms.forEach((d, i) => {
    if (d.id !== undefined && !ID_WELLFORMED.test(d.id)) {
      throw reject(`nvdimms[${i}].id`, "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.");
    }
  });
}

/** The `-object memory-backend-ram` of each NUMA node with memory (`ram-node<N>`), in order. */
function checkNumaBackends(platform: Platform): void {
  const ids = new Set<number>();
  (platform.numa ?? []).forEach((n, i) => {
    if (n.size === undefined) return;
    if (ids.has(n.nodeid)) throw reject(`numa[${i}].nodeid`, `Duplicate ID 'ram-node${n.nodeid}' for object`);
    ids.add(n.nodeid);
    if (n.size === 0n) throw reject(`numa[${i}].size`, "property 'size' of memory-backend-ram doesn't take value '0'");
  });
}

/** parse_numa_node + numa_complete_configuration; returns the node count. */
function numaNodeCount(platform: Platform, ramSize: bigint, slots: number, maxRamSize: bigint): number {
  const nodes = platform.numa ?? [];
  const present = new Set<number>();
  let maxNodeId = 0;
  nodes.forEach((n, i) => {
    if (n.nodeid >= MAX_NUMA_NODES) throw reject(`numa[${i}].nodeid`, `Max number of NUMA nodes reached: ${n.nodeid}`);
    if (present.has(n.nodeid)) throw reject(`numa[${i}].nodeid`, `Duplicate NUMA nodeid: ${n.nodeid}`);
    present.add(n.nodeid);
    maxNodeId = Math.max(maxNodeId, n.nodeid + 1);
  });
  if (nodes.length === 0) {
    // auto_enable_numa_with_memhp / _with_memdev: one node holding all RAM.
    return slots > 0 || maxRamSize > ramSize ? 1 : 0;
  }
  for (let id = maxNodeId - 1; id >= 0; id--) {
    // "Report large node IDs first, to make mistakes easier to spot"
    if (!present.has(id)) throw reject('numa', `numa: Node ID missing: ${id}`);
  }
  const total = nodes.reduce((sum, n) => sum + (n.size ?? 0n), 0n);
  if (total !== ramSize) {
    throw reject('numa', `total memory for NUMA nodes (0x${total.toString(16)}) should equal RAM size (0x${ramSize.toString(16)})`);
  }
  return nodes.length;
}

/**
 * Resolves a platform as QEMU 7.2 would: validates it with QEMU's rules and messages, then
 * assigns slots and addresses in -device order and lists the dimms in NFIT order.
 */
export function resolvePlatform(platform: Platform, options: ResolveOptions = {}): ResolvedPlatform {
  const memdevId = options.memdevId ?? ((i: number) => `m${i}`);
  const { type } = platform.machine;

  checkIds(platform);
  const mem = memoryOptions(platform.memory);
  checkNumaBackends(platform);
  const backends: Backend[] = platform.nvdimms.map((d, i) => fileBackend(d.size, d.align, `nvdimms[${i}]`));
  const numaNodes = numaNodeCount(platform, mem.ramSize, mem.slots, mem.maxRamSize);
  const ram = ramLayout(type, mem);
  const deviceMemory = deviceMemoryRegion(ram, mem.slots);

  const qom = qomPlacements(platform.nvdimms);
  const ids = new Set<string>();
  const usedSlots = new Set<number>();
  const placed: PlacedDevice[] = [];
  const resolved: ResolvedDimm[] = [];
  platform.nvdimms.forEach((spec: NvdimmSpec, index) => {
    const path = `nvdimms[${index}]`;
    const backend = backends[index];
    const place = qom[index];
    if (backend === undefined || place === undefined) throw reject(path, 'internal: dimm without backend');
    if (spec.id !== undefined) {
      if (ids.has(spec.id)) throw reject(`${path}.id`, `Duplicate ID '${spec.id}' for device`);
      ids.add(spec.id);
    }
    if (spec.labelSize !== undefined) checkLabelSize(spec.labelSize, path);
    const labelSize = spec.labelSize ?? 0n;

    const slot = assignSlot(spec.slot, mem.slots, usedSlots, path);
    const memdev = memdevId(index);
    const { pmemSize, labelOffset } = pmemLayout(backend, labelSize, memdev, path);
    const hint = spec.addr === undefined || spec.addr === 0n ? undefined : spec.addr;
    const addr = findFreeAddress(deviceMemory, mem.maxRamSize - mem.ramSize, placed, hint, backend.align, pmemSize, path);
    const node = spec.node ?? 0;
    checkNode(node, numaNodes, path);

    usedSlots.add(slot);
    placed.push({ addr, size: pmemSize, id: spec.id });
    const dimm: ResolvedDimm = {
      qomPath: place.path, index, memdev, slot, addr, pmemSize,
      backendSize: backend.size, fileSize: backend.fileSize, align: backend.align,
      labelSize, labelOffset, node, unarmed: spec.unarmed ?? false,
    };
    if (spec.id !== undefined) dimm.id = spec.id;
    resolved.push(dimm);
  });

  const dimms = nvdimmListOrder(platform.nvdimms).map((i) => {
    const d = resolved[i];
    if (d === undefined) throw reject('nvdimms', `internal: no dimm at index ${i}`);
    return d;
  });
  const result: ResolvedPlatform = {
    machineType: type, slots: mem.slots, ram, deviceMemory, numaNodes, dimms, dsmBuffer: platform.dsmBuffer,
  };
  if (platform.machine.nvdimmPersistence !== undefined) result.persistence = platform.machine.nvdimmPersistence;
  return result;
}

/** The NVDIMM a user names: its `-device id=`, or else its index in `-device` order. */
export function findDimm(platform: Pick<ResolvedPlatform, 'dimms'>, idOrIndex: string): ResolvedDimm | undefined {
  return platform.dimms.find((x) => x.id === idOrIndex) ?? platform.dimms.find((x) => String(x.index) === idOrIndex);
}

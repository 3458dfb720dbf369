/**
 * How QEMU 7.2 turns one `-object memory-backend-file` + `-device nvdimm` into a slot, a PMEM
 * size and a guest address. Each step is a pure function named after the QEMU code it models
 * and throws NvError carrying QEMU's own message when QEMU would refuse.
 *
 *  - backend:  backends/hostmem-file.c, softmmu/physmem.c `file_ram_alloc` (size, align)
 *  - label:    hw/mem/nvdimm.c `nvdimm_set_label_size`, `nvdimm_prepare_memory_region`
 *  - slot:     hw/mem/pc-dimm.c `pc_dimm_pre_plug`, `pc_dimm_get_free_slot`
 *  - address:  hw/mem/memory-device.c `memory_device_get_free_addr`, `memory_device_check_addable`
 *  - node:     hw/mem/pc-dimm.c `pc_dimm_realize`
 */
import type { DeviceMemoryRegion } from './ramLayout.js';
import { reject } from './reject.js';
import { U64_MAX, alignDown, alignUp, hex, isAligned, isPowerOfTwo, maxBig } from './sizes.js';

/** The host page size of a file on an ordinary (non-hugetlbfs) file system. */
export const HOST_PAGE_SIZE = 4096n;

/** MIN_NAMESPACE_LABEL_SIZE (include/hw/mem/nvdimm.h): 128 KiB. */
export const MIN_NAMESPACE_LABEL_SIZE = 0x20000n;

/** PC_DIMM_UNASSIGNED_SLOT: `slot=-1` means "pick one". */
export const PC_DIMM_UNASSIGNED_SLOT = -1;

export interface Backend {
  /** memory_region_size(): the `size=` option as given. Label offsets count from this. */
  size: bigint;
  /** The RAM block / backing file: `size` rounded up to the host page (HOST_PAGE_ALIGN). */
  fileSize: bigint;
  /** memory_region_get_alignment(): max(page size, `align=`). */
  align: bigint;
}

/**
 * A memory-backend-file as QEMU creates it: `size=0` is refused by the size property;
 * `align=` must be a page multiple and a power of two (file_ram_alloc); the memory region
 * keeps the given size while the RAM block and file are page rounded.
 */
export function fileBackend(size: bigint, align: bigint | undefined, path: string): Backend {
  if (size === 0n) throw reject(`${path}.size`, "property 'size' of memory-backend-file doesn't take value '0'");
  const requested = align ?? 0n;
  if (requested % HOST_PAGE_SIZE !== 0n) {
    throw reject(`${path}.align`, `alignment ${hex(requested)} must be multiples of page size ${hex(HOST_PAGE_SIZE)}`);
  }
  if (requested !== 0n && !isPowerOfTwo(requested)) {
    throw reject(`${path}.align`, `alignment ${hex(requested)} must be a power of two`);
  }
  return { size, fileSize: alignUp(size, HOST_PAGE_SIZE), align: maxBig(HOST_PAGE_SIZE, requested) };
}

/** `label-size=` property setter: at least 128 KiB when given (so 0 cannot be given explicitly). */
export function checkLabelSize(labelSize: bigint, path: string): void {
  if (labelSize < MIN_NAMESPACE_LABEL_SIZE) {
    throw reject(`${path}.labelSize`, `Property 'nvdimm.label-size' (${hex(labelSize)}) is required at least ${hex(MIN_NAMESPACE_LABEL_SIZE)}`);
  }
}

export interface PmemLayout {
  /** The guest-visible PMEM = SPA length = memdev region size. */
  pmemSize: bigint;
  /** Offset of the label area in the backend: its last `labelSize` bytes. */
  labelOffset: bigint;
}

/**
 * nvdimm_prepare_memory_region: the label area is the backend's tail; the PMEM is what precedes
 * it, aligned down to the backend alignment. Refused when nothing is left. (QEMU's message calls
 * the alignment "aligned PMEM".)
 */
export function pmemLayout(backend: Backend, labelSize: bigint, memdev: string, path: string): PmemLayout {
  const pmemSize = backend.size > labelSize ? alignDown(backend.size - labelSize, backend.align) : 0n;
  if (backend.size <= labelSize || pmemSize === 0n) {
    throw reject(
      labelSize > 0n ? `${path}.labelSize` : `${path}.size`,
      `the size of memdev ${memdev} (${hex(backend.size)}) is too small to contain nvdimm label (${hex(labelSize)}) and aligned PMEM (${hex(backend.align)})`,
    );
  }
  return { pmemSize, labelOffset: backend.size - labelSize };
}

/**
 * pc_dimm_pre_plug + pc_dimm_get_free_slot: an explicit slot must be in range and free;
 * otherwise the lowest free slot. `used` holds the slots of the dimms realized before this one.
 */
export function assignSlot(requested: number | undefined, slots: number, used: ReadonlySet<number>, path: string): number {
  const hint = requested === undefined || requested === PC_DIMM_UNASSIGNED_SLOT ? undefined : requested;
  if (hint !== undefined && (hint < 0 || hint >= slots)) {
    // ram_slots is a uint64: with 0 slots, slots - 1 prints as 2^64 - 1.
    const last = slots > 0 ? String(slots - 1) : U64_MAX.toString();
    throw reject(`${path}.slot`, `invalid slot number ${hint}, valid range is [0-${last}]`);
  }
  if (slots <= 0) throw reject(`${path}.slot`, "no slots where allocated, please specify the 'slots' option");
  if (hint !== undefined) {
    if (used.has(hint)) throw reject(`${path}.slot`, `slot ${hint} is busy`);
    return hint;
  }
  for (let slot = 0; slot < slots; slot++) if (!used.has(slot)) return slot;
  throw reject(`${path}.slot`, 'no free slots available');
}

/** A realized memory device occupying [addr, addr+size). */
export interface PlacedDevice {
  addr: bigint;
  size: bigint;
  /** The -device id; QEMU says `(unnamed)` for anonymous ones. */
  id?: string | undefined;
}

/**
 * memory_device_get_free_addr (with memory_device_check_addable's maxmem accounting): an explicit
 * `addr` must be aligned, inside the device-memory region and clear of every realized device;
 * otherwise first fit from the region base at `align`, walking realized devices by address.
 * `maxDeviceBytes` is maxmem - RAM: the sum of all memory devices' sizes may not exceed it.
 */
export function findFreeAddress(
  region: DeviceMemoryRegion,
  maxDeviceBytes: bigint,
  placed: readonly PlacedDevice[],
  hint: bigint | undefined,
  align: bigint,
  size: bigint,
  path: string,
): bigint {
  if (region.size === 0n) {
    throw reject(`${path}`, 'memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option');
  }
  const used = placed.reduce((sum, d) => sum + d.size, 0n);
  if (used + size > maxDeviceBytes) {
    throw reject(`${path}.size`, `not enough space, currently ${hex(used)} in use of total space for memory devices ${hex(maxDeviceBytes)}`);
  }
  if (hint !== undefined && !isAligned(hint, align)) {
    throw reject(`${path}.addr`, `address must be aligned to ${hex(align)} bytes`);
  }
  if (!isAligned(size, align)) throw reject(`${path}.size`, `backend memory size must be multiple of ${hex(align)}`);

  const regionLast = region.base + region.size - 1n;
  let start: bigint;
  if (hint !== undefined) {
    if (hint + size - 1n > U64_MAX || hint < region.base || hint + size - 1n > regionLast) {
      throw reject(`${path}.addr`, `can't add memory device [${hex(hint)}:${hex(size)}], usable range for memory devices [${hex(region.base)}:${hex(region.size)}]`);
    }
    start = hint;
  } else {
    start = alignUp(region.base, align);
    if (start + size - 1n > U64_MAX) throw reject(`${path}.size`, "can't add memory device, device too big");
  }

  let fits = true;
  const byAddress = [...placed].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  for (const dev of byAddress) {
    const devLast = dev.addr + dev.size - 1n;
    const last = start + size - 1n;
    if (dev.addr <= last && start <= devLast) {
      if (hint !== undefined) {
        throw reject(`${path}.addr`, `address range conflicts with memory device id='${dev.id ?? '(unnamed)'}'`);
      }
      const next = alignUp(devLast + 1n, align);
      if (next > U64_MAX || next + size - 1n > U64_MAX) {
        fits = false;
        break;
      }
      start = next;
    } else if (dev.addr > last) {
      break;
    }
  }
  if (!fits || start < region.base || start + size - 1n > regionLast) {
    throw reject(`${path}`, 'could not find position in guest address space for memory device - memory fragmented due to alignments');
  }
  return start;
}

/**
 * pc_dimm_realize's node check: with NUMA, node < number of nodes; without, node must be 0.
 * QEMU prints the node count as at least 1.
 */
export function checkNode(node: number, numaNodes: number, path: string): void {
  if ((numaNodes > 0 && node >= numaNodes) || (numaNodes === 0 && node !== 0)) {
    throw reject(`${path}.node`, `'DIMM property node has value ${node}' which exceeds the number of numa nodes: ${numaNodes > 0 ? numaNodes : 1}`);
  }
}

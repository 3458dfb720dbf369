/**
 * Guest RAM as QEMU 7.2 lays it out for `-m size,slots=,maxmem=` on pc (i440fx) and q35:
 * the `-m` checks of hw/core/machine.c `machine_set_mem`, the below/above-4G split of
 * hw/i386/pc_piix.c `pc_init1` and hw/i386/pc_q35.c `pc_q35_init`, and the device-memory
 * (hotplug) region of hw/i386/pc.c `pc_memory_init`, where NVDIMMs are placed.
 */
import type { MachineType, Platform } from './platform.js';
import { reject } from './reject.js';
import { GiB, U64_MAX, alignUp, hex, isAligned } from './sizes.js';

/** The start of RAM above 4 GiB. */
export const FOUR_GIB = 4n * GiB;

/** ACPI_MAX_RAM_SLOTS: the most memory slots pc_memory_init accepts. */
export const ACPI_MAX_RAM_SLOTS = 256;

/** TARGET_PAGE_SIZE on x86. */
export const TARGET_PAGE_SIZE = 4096n;

/** `-m` after QEMU's own checks. */
export interface MemoryOptions {
  /** ms->ram_size: `-m size` rounded up to 8 KiB. */
  ramSize: bigint;
  /** ms->maxram_size: maxmem, or ramSize without maxmem. */
  maxRamSize: bigint;
  /** ms->ram_slots: slots, 0 without. */
  slots: number;
}

export interface RamLayout {
  ramSize: bigint;
  maxRamSize: bigint;
  /** x86ms->below_4g_mem_size: RAM mapped from 0. */
  below4g: bigint;
  /** x86ms->above_4g_mem_size: RAM mapped from 4 GiB. */
  above4g: bigint;
}

/** ms->device_memory: where memory devices (pc-dimm, nvdimm) live. size 0 = no region. */
export interface DeviceMemoryRegion {
  base: bigint;
  size: bigint;
}

/**
 * `machine_set_mem` (hw/core/machine.c, QEMU 7.2): rounds the RAM size up to 8 KiB and refuses
 * inconsistent `maxmem`/`slots`. Messages are QEMU's.
 */
export function memoryOptions(memory: Platform['memory']): MemoryOptions {
  if (memory.size === 0n) throw reject('memory.size', 'invalid zero-sized memory');
  const ramSize = alignUp(memory.size, 8192n);
  if (ramSize > U64_MAX) throw reject('memory.size', 'ram size too large');
  let maxRamSize = ramSize;
  if (memory.maxmem !== undefined) {
    if (memory.maxmem < ramSize) {
      throw reject('memory.maxmem', `invalid value of maxmem: maximum memory size (${hex(memory.maxmem)}) must be at least the initial memory size (${hex(ramSize)})`);
    }
    if (memory.slots !== undefined && memory.slots !== 0 && memory.maxmem === ramSize) {
      throw reject('memory.maxmem', `invalid value of maxmem: memory slots were specified but maximum memory size (${hex(memory.maxmem)}) is equal to the initial memory size (${hex(ramSize)})`);
    }
    maxRamSize = memory.maxmem;
  } else if (memory.slots !== undefined) {
    throw reject('memory.slots', 'slots specified but no max-size');
  }
  return { ramSize, maxRamSize, slots: memory.slots ?? 0 };
}

/**
 * The below/above-4G split.
 *
 * pc: lowmem is max-ram-below-4g (default 3.5 GiB, 0xe0000000); once RAM reaches it, the split
 * moves to 3 GiB (gigabyte_align, true for current machine types).
 * q35: lowmem is 2 GiB when RAM reaches 0xb0000000 (2.75 GiB), else 0xb0000000; capped by
 * max-ram-below-4g (default 4 GiB, so no cap).
 * Either way: RAM >= lowmem puts `ram - lowmem` above 4 GiB, else all RAM is below.
 * `max-ram-below-4g` itself is not part of the platform description (default assumed).
 */
export function ramSplit(type: MachineType, ramSize: bigint): { below4g: bigint; above4g: bigint } {
  let lowmem: bigint;
  if (type === 'pc') {
    const maxRamBelow4g = 0xe0000000n;
    lowmem = maxRamBelow4g;
    if (ramSize >= maxRamBelow4g && lowmem > 0xc0000000n) lowmem = 0xc0000000n;
  } else {
    lowmem = ramSize >= 0xb0000000n ? 0x80000000n : 0xb0000000n;
  }
  return ramSize >= lowmem ? { below4g: lowmem, above4g: ramSize - lowmem } : { below4g: ramSize, above4g: 0n };
}

export function ramLayout(type: MachineType, mem: MemoryOptions): RamLayout {
  return { ramSize: mem.ramSize, maxRamSize: mem.maxRamSize, ...ramSplit(type, mem.ramSize) };
}

/**
 * `pc_memory_init`'s device-memory region (present only when maxmem > RAM): base =
 * ROUND_UP(4 GiB + RAM above 4G, 1 GiB); size = maxmem - RAM + 1 GiB per slot
 * (enforce_aligned_dimm, true for the 7.2 machine types: room for a 1 GiB alignment per slot).
 * Refuses more than 256 slots and a maxmem that is not page aligned, with QEMU's messages.
 */
export function deviceMemoryRegion(ram: RamLayout, slots: number): DeviceMemoryRegion {
  const base = alignUp(FOUR_GIB + ram.above4g, GiB);
  if (!(ram.ramSize < ram.maxRamSize)) return { base, size: 0n };
  if (slots > ACPI_MAX_RAM_SLOTS) throw reject('memory.slots', `unsupported amount of memory slots: ${slots}`);
  if (!isAligned(ram.maxRamSize, TARGET_PAGE_SIZE)) {
    // sic: QEMU's message says "must by aligned".
    throw reject('memory.maxmem', `maximum memory size must by aligned to multiple of ${TARGET_PAGE_SIZE} bytes`);
  }
  const size = ram.maxRamSize - ram.ramSize + GiB * BigInt(slots);
  if (base + size > U64_MAX) throw reject('memory.maxmem', `unsupported amount of maximum memory: ${ram.maxRamSize.toString(16)}`);
  return { base, size };
}

import { NvError } from '../../core/errors.js';
import type { LoaderMemory } from '../../acpi/loader/index.js';
import { GuestMemory } from './memory.js';
import { ACPI_MEMORY_DYNAMIC_END, ACPI_MEMORY_DYNAMIC_START } from './xenAcpi.js';

/**
 * hvmloader's ACPI allocator: bump allocation upwards from ACPI_MEMORY_DYNAMIC_START, each block
 * aligned as asked (libacpi's mem_ops.alloc). hvmloader hands the fw_cfg loader the same
 * allocator whatever zone an ALLOCATE names (the v4 qemu_loader.c checks the zone, then ignores it).
 */
export class AcpiArena implements LoaderMemory {
  private next = ACPI_MEMORY_DYNAMIC_START;

  constructor(readonly mem: GuestMemory) {}

  alloc(size: number, align: number): number {
    const a = Math.max(1, align);
    const at = Math.ceil(this.next / a) * a;
    if (at + size > ACPI_MEMORY_DYNAMIC_END) throw new NvError('hvmloader', '', at, `out of ACPI memory: ${size} bytes at 0x${at.toString(16)} pass 0x${ACPI_MEMORY_DYNAMIC_END.toString(16)}`);
    this.next = at + size;
    return at;
  }

  /** Allocate and copy `bytes` in. */
  place(bytes: Uint8Array, align: number): number {
    const at = this.alloc(bytes.length, align);
    this.mem.write(at, bytes);
    return at;
  }

  allocate(size: number, align: number): number {
    return this.alloc(size, align);
  }

  write(addr: number, bytes: Uint8Array): void {
    this.mem.write(addr, bytes);
  }
}

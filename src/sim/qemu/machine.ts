/**
 * QEMU as Xen's device model, up to the guest's ACPI bytes (specs/sim.md §7.4): the guest RAM split
 * below/above 4 GiB as xen-hvm.c makes it (lowmem HVM_BELOW_4G_RAM_END = 0xf0000000, not the pc
 * machine's 0xe0000000), the hotplug area at ROUND_UP(4 GiB + above_4g, 1 GiB), the vNVDIMMs placed
 * in it as pc-dimm does (first fit, each aligned to its backend: memory-backend-xen aligns to
 * max(page size, QEMU_VMALLOC_ALIGN = 2 MiB)), and the NFIT and NVDIMM SSDT built by nvtool's
 * QEMU 7.2 builders, so a KVM guest given the same -m and nvdimm options gets the same NFIT.
 */
import { parsePlatform, resolvePlatform, type PlatformDescription, type ResolvedPlatform } from '../../acpi/qemu/index.js';
import { encodeNfit } from '../../acpi/nfit/index.js';
import { qemuNfit } from '../../acpi/build/index.js';
import { buildQemuNvdimmSsdt } from '../../aml/qemuNvdimmSsdt.js';

export const HVM_BELOW_4G_RAM_END = 0xf0000000n;
export const QEMU_VMALLOC_ALIGN = 2n << 20n;
const GiB = 1n << 30n;
const alignUp = (x: bigint, a: bigint) => ((x + a - 1n) / a) * a;

export interface GuestDm {
  ramMiB: bigint;
  slots: number;
  maxmem?: bigint;
  /** `-device nvdimm,id=` names and their backends, in -device order. */
  devices: { id: string; size: bigint; labelSize?: bigint }[];
}

/** The KVM platform with the same -m and nvdimm options (the file backends aligned as memory-backend-xen). */
export function kvmEquivalent(dm: GuestDm): PlatformDescription {
  return {
    machine: { type: 'pc' },
    memory: { size: `${dm.ramMiB}M`, ...(dm.maxmem !== undefined ? { slots: dm.slots, maxmem: dm.maxmem.toString() } : {}) },
    nvdimms: dm.devices.map((d) => ({ id: d.id, size: d.size.toString(), align: QEMU_VMALLOC_ALIGN.toString(), ...(d.labelSize ? { labelSize: d.labelSize.toString() } : {}) })),
  };
}

/** The guest's platform as QEMU on Xen lays it out (KVM's placement moved to Xen's hotplug base). */
export function xenGuestPlatform(dm: GuestDm): ResolvedPlatform {
  const kvm = resolvePlatform(parsePlatform(kvmEquivalent(dm)), { memdevId: (i) => `mem${i + 1}` });
  const ram = kvm.ram.ramSize;
  const below4g = ram >= HVM_BELOW_4G_RAM_END ? HVM_BELOW_4G_RAM_END : ram;
  const above4g = ram - below4g;
  const base = alignUp((4n << 30n) + above4g, GiB);
  const delta = base - kvm.deviceMemory.base;
  return {
    ...kvm,
    ram: { ...kvm.ram, below4g, above4g },
    deviceMemory: { ...kvm.deviceMemory, base },
    dimms: kvm.dimms.map((d) => ({ ...d, addr: d.addr + delta })),
  };
}

export function guestNfit(p: ResolvedPlatform): Uint8Array {
  return encodeNfit(qemuNfit(p));
}

/** The NVDIMM SSDT QEMU builds (MEMA left 0: the DSM buffer is placed later, by hvmloader's hand-over). */
export function guestNvdimmSsdt(p: ResolvedPlatform): Uint8Array {
  return buildQemuNvdimmSsdt({ slots: p.slots });
}

import { slotToDcrIndex, slotToHandle, slotToSerial, slotToSpaIndex, type ResolvedPlatform } from '../qemu/index.js';
import { SPA_FLAGS, SPA_RANGE_GUIDS, type Capabilities, type ControlRegion, type MemoryMap, type Nfit, type NfitStructure, type SpaRange } from '../nfit/index.js';
import { QEMU_OEM } from './qemuOem.js';

/** EFI_MEMORY_WB | EFI_MEMORY_NV: QEMU's SPA memory mapping attribute (hw/acpi/nvdimm.c). */
const QEMU_SPA_MAPPING = 0x8008n;
/** ACPI_NFIT_MEM_NOT_ARMED, set for `-device nvdimm,unarmed=on`. */
const MEMDEV_NOT_ARMED = 1 << 3;
/** Platform Capabilities bits for -machine nvdimm-persistence= (hw/core/machine.c). */
const PERSISTENCE_CAPABILITIES = { cpu: 0b11, 'mem-ctrl': 0b10 } as const;
/** QEMU's control region identity: Intel vendor, device 1, revision 1, interface 0x0301. */
const QEMU_DCR = { vendorId: 0x8086, deviceId: 0x0001, revisionId: 0x0001, code: 0x0301 } as const;

const z = (n: number) => new Uint8Array(n);

/** nvdimm_build_structure_spa: one PM range per dimm, proximity from its node. */
function spaOf(slot: number, addr: bigint, pmemSize: bigint, node: number): SpaRange {
  return {
    type: 0, length: 0, rangeIndex: slotToSpaIndex(slot),
    flags: SPA_FLAGS.addOnlineOnly | SPA_FLAGS.proximityValid, reserved: z(4), proximityDomain: node,
    rangeGuid: SPA_RANGE_GUIDS.persistent, address: addr, rangeLength: pmemSize, memoryMapping: QEMU_SPA_MAPPING,
  };
}

/** nvdimm_build_structure_memdev: one region, no interleave, DPA 0. */
function memdevOf(slot: number, pmemSize: bigint, unarmed: boolean): MemoryMap {
  return {
    type: 1, length: 0, deviceHandle: slotToHandle(slot), physicalId: 0, regionId: 0,
    rangeIndex: slotToSpaIndex(slot), regionIndex: slotToDcrIndex(slot), regionSize: pmemSize,
    regionOffset: 0n, address: 0n, interleaveIndex: 0, interleaveWays: 1, flags: unarmed ? MEMDEV_NOT_ARMED : 0, reserved: z(2),
  };
}

/** nvdimm_build_structure_dcr: always the 80-byte form, no block windows. */
function dcrOf(slot: number): ControlRegion {
  return {
    type: 4, length: 0, regionIndex: slotToDcrIndex(slot), ...QEMU_DCR,
    subsystemVendorId: 0, subsystemDeviceId: 0, subsystemRevisionId: 0, validFields: 0, manufacturingLocation: 0,
    manufacturingDate: 0, reserved: z(2), serialNumber: slotToSerial(slot), windows: 0,
    windowSize: 0n, commandOffset: 0n, commandSize: 0n, statusOffset: 0n, statusSize: 0n, flags: 0, reserved1: z(6),
  };
}

/** nvdimm_build_structure_caps: highest valid capability = index of the top bit set. */
function capabilitiesOf(caps: number): Capabilities {
  return { type: 7, length: 0, highestCapability: 31 - Math.clz32(caps), reserved: z(3), capabilities: caps, reserved1: z(4) };
}

/**
 * The NFIT QEMU 7.2 gives a guest (nvdimm_build_nfit): per dimm, in NFIT order, SPA → memdev →
 * DCR; then Platform Capabilities once when nvdimm-persistence is set.
 */
export function qemuNfit(p: ResolvedPlatform): Nfit {
  const structures: NfitStructure[] = [];
  for (const d of p.dimms) structures.push(spaOf(d.slot, d.addr, d.pmemSize, d.node), memdevOf(d.slot, d.pmemSize, d.unarmed), dcrOf(d.slot));
  if (p.persistence) structures.push(capabilitiesOf(PERSISTENCE_CAPABILITIES[p.persistence]));
  return { signature: 'NFIT', length: 0, revision: 1, checksum: 0, ...QEMU_OEM, reserved: z(4), structures };
}

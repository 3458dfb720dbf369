/**
 * An NFIT and NVDIMM SSDT, built with nvtool, that make some of runGuest's QEMU NVDIMMs one
 * interleave set each, for `acpiOverrides`:
 *
 * - QEMU gives every NVDIMM its own SPA range (hw/acpi/nvdimm.c). It places them first-fit in
 *   `-device` order, 4 KiB-packed, so DIMMs of equal size sit back to back; one SPA range over a
 *   run of consecutive DIMMs is then backed by real memory everywhere. Where QEMU put each DIMM
 *   comes from nvtool's QEMU platform model (resolvePlatform of guestPlatform()).
 * - Each set's memdevs say `interleaveWays = n`, Region Offset = j·line for the DIMM's place j in
 *   the set, DPA 0, Region Size = the DIMM's pmem size; one Interleave structure per set (one line
 *   of `line` bytes, offset 0). QEMU does not de-interleave: SPA offset x lands in DIMM ⌊x/size⌋,
 *   not where the interleave says. Linux never reads data through the interleave description for
 *   pmem (it maps the SPA range as one), so labels, cookies and namespaces are what Linux makes of
 *   them on real interleaved hardware; data placement is QEMU's.
 * - Device handles stay QEMU's (slot + 1): Linux reaches each DIMM's label area through the `NVxx`
 *   device whose `_ADR` is the handle, and QEMU routes that `_DSM` to the DIMM in that slot.
 * - The SSDT is QEMU's with `_FIT` returning these structures (Linux prefers `_FIT` over the
 *   NFIT table, and QEMU's own `_FIT` would return QEMU's layout). Both tables keep QEMU's OEM ids
 *   with OEM Revision 2, so they replace QEMU's (acpi_table_initrd_override wants a higher one).
 */
import { buildNfit } from '../../../src/acpi/build/index.js';
import { QEMU_OEM } from '../../../src/acpi/build/qemuOem.js';
import { encodeFit, type Nfit } from '../../../src/acpi/nfit/index.js';
import { parsePlatform, resolvePlatform, slotToHandle, slotToSerial, type ResolvedPlatform } from '../../../src/acpi/qemu/index.js';
import { buildQemuNvdimmSsdt } from '../../../src/aml/qemuNvdimmSsdt.js';
import type { PlatformDescription } from '../../../src/acpi/qemu/platform.js';

export interface InterleaveSpec {
  /** Indexes into the platform's nvdimms, in set order (place j: Region Offset j·line). Consecutive in placement. */
  dimms: number[];
  /** The memdevs' order in the table, as indexes into `dimms` (default: set order). Linux's mapping i is the i-th. */
  tableOrder?: number[];
  /** Interleave line size in bytes (default: interleavedTables' `line`). */
  line?: number;
}

export interface InterleavedTables {
  nfit: Uint8Array;
  ssdt: Uint8Array;
  table: Nfit;
  platform: ResolvedPlatform;
  /** Per set: its SPA range and the device handle of each memdev in table order. */
  sets: Array<{ rangeIndex: number; base: bigint; length: bigint; handles: number[] }>;
}

/** OEM Revision of the replacement tables: above QEMU's 1. */
export const OVERRIDE_OEM_REVISION = 2;

export function interleavedTables(description: PlatformDescription, specs: readonly InterleaveSpec[], defaultLine = 4096): InterleavedTables {
  const platform = resolvePlatform(parsePlatform(description));
  const structures: unknown[] = [];
  const sets: InterleavedTables['sets'] = [];
  specs.forEach((spec, k) => {
    const rangeIndex = k + 1;
    const line = spec.line ?? defaultLine;
    const dimms = spec.dimms.map((i) => {
      const d = platform.dimms.find((x) => x.index === i);
      if (!d) throw new Error(`interleavedTables: no nvdimm ${i}`);
      return d;
    });
    const size = dimms[0]!.pmemSize;
    dimms.forEach((d, j) => {
      if (d.pmemSize !== size) throw new Error(`interleavedTables: ${d.id} has ${d.pmemSize} bytes of pmem, ${dimms[0]!.id} ${size}: a set needs equal DIMMs`);
      if (d.addr !== dimms[0]!.addr + BigInt(j) * size) throw new Error(`interleavedTables: QEMU places ${d.id} at 0x${d.addr.toString(16)}, not right after ${dimms[j - 1]?.id}`);
      if (size % BigInt(line) !== 0n) throw new Error(`interleavedTables: pmem size ${size} is not a multiple of the ${line}-byte line`);
    });
    const n = dimms.length;
    const base = dimms[0]!.addr;
    const length = size * BigInt(n);
    structures.push({ type: 0, rangeIndex, flags: 0, rangeGuid: 'persistent', address: hex(base), rangeLength: hex(length), memoryMapping: '0x8008' });
    const order = spec.tableOrder ?? dimms.map((_, j) => j);
    if ([...order].sort((a, b) => a - b).join() !== dimms.map((_, j) => j).join()) throw new Error('interleavedTables: tableOrder must list every place of the set once');
    for (const j of order) {
      const d = dimms[j]!;
      structures.push({
        type: 1, deviceHandle: slotToHandle(d.slot), rangeIndex, regionIndex: dcrIndex(d.slot), regionSize: hex(size), regionOffset: hex(BigInt(j * line)),
        address: '0x0', interleaveIndex: rangeIndex, interleaveWays: n,
      });
    }
    for (const d of dimms) {
      // Distinct location and date per DIMM: the v1.2 cookie covers them, the v1.1 one does not.
      structures.push({
        type: 4, regionIndex: dcrIndex(d.slot), vendorId: 0x8086, deviceId: 1, revisionId: 1, validFields: 1, manufacturingLocation: 0x10 + d.slot,
        manufacturingDate: 0x2300 + d.slot, serialNumber: slotToSerial(d.slot), code: 0x301,
      });
    }
    structures.push({ type: 2, interleaveIndex: rangeIndex, lineSize: line, lineOffsets: [0] });
    sets.push({ rangeIndex, base, length, handles: order.map((j) => slotToHandle(dimms[j]!.slot)) });
  });
  const header = { ...QEMU_OEM, oemRevision: OVERRIDE_OEM_REVISION };
  const built = buildNfit({ profile: 'generic', header, structures: structures as object[] });
  const ssdt = buildQemuNvdimmSsdt({ slots: platform.slots, dsmBuffer: dsmBufferOf(platform), fit: encodeFit(built.table), oemRevision: OVERRIDE_OEM_REVISION });
  return { nfit: built.bytes, ssdt, table: built.table, platform, sets };
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
const dcrIndex = (slot: number) => 0x100 + slot;

/**
 * MEMA, the DSM page SeaBIOS allocates for QEMU's etc/acpi/nvdimm-mem: the top page of RAM below
 * 4 GiB in every configuration observed (shared/reference/qemu-acpi.md). A wrong value shows at
 * once: the guest's label reads fail.
 */
function dsmBufferOf(p: ResolvedPlatform): number {
  return Number(p.ram.below4g) - 0x1000;
}

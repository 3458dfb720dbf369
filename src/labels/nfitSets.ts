/**
 * The interleave sets a platform gives Linux, from its decoded NFIT (drivers/acpi/nfit/core.c):
 * - one pmem region per persistent-memory SPA range with a non-zero range index and at least one
 *   memdev naming it (acpi_nfit_register_regions / acpi_nfit_register_region);
 * - its mappings are those memdevs in table order (acpi_nfit_register_region walks
 *   acpi_desc->memdevs, which add_memdev fills in table order): mapping i labels `position = i`;
 * - each DIMM's cookie identity is its memdev's Region Offset with its control region's serial,
 *   vendor, manufacturing date and location (acpi_nfit_init_interleave_set; a memdev without its
 *   DCR makes Linux fail the region: "failed to find DCR");
 * - each DIMM's mapping is the memdev's Address (DPA) and Region Size (acpi_nfit_init_mapping).
 * QEMU describes every NVDIMM as its own SPA range (hw/acpi/nvdimm.c nvdimm_build_structure_spa),
 * so a QEMU platform only has one-DIMM sets: `qemuDimmSet`.
 */
import { NvError } from '../core/errors.js';
import { structuresOfType, type MemoryMap, type Nfit } from '../acpi/nfit/index.js';
import { NFIT_TYPE } from '../acpi/nfit/types.js';
import { SPA_RANGE_GUIDS } from '../acpi/nfit/guids.js';
import type { ResolvedDimm } from '../acpi/qemu/resolve.js';
import { qemuSetMember } from './cookie.js';
import { makeInterleaveSet, type InterleaveSet, type SetDimm } from './iset.js';

export interface NfitSet {
  rangeIndex: number;
  set: InterleaveSet;
}

const hex = (n: number) => `0x${n.toString(16)}`;
const fail = (path: string, reason: string): never => {
  throw new NvError('NFIT', path, undefined, reason);
};

function describeSets(sets: readonly NfitSet[]): string {
  return sets.map((s) => `range ${s.rangeIndex}: ${s.set.dimms.map((d) => d.name).join(', ')}`).join('; ');
}

/** Every persistent-memory region of the NFIT as an interleave set, in SPA table order. */
export function interleaveSetsFromNfit(nfit: Pick<Nfit, 'structures'>): NfitSet[] {
  const memdevs = structuresOfType(nfit, NFIT_TYPE.memoryMap);
  const dcrs = structuresOfType(nfit, NFIT_TYPE.controlRegion);
  const spas = structuresOfType(nfit, NFIT_TYPE.spaRange).filter((s) => s.rangeGuid === SPA_RANGE_GUIDS.persistent && s.rangeIndex !== 0);
  const out: NfitSet[] = [];
  for (const spa of spas) {
    const mine = memdevs.filter((m) => m.rangeIndex === spa.rangeIndex);
    if (mine.length === 0) continue;
    const dimms = mine.map((m): SetDimm => {
      const dcr = dcrs.find((d) => d.regionIndex === m.regionIndex);
      if (!dcr) fail(`memdev ${hex(m.deviceHandle)}`, `no control region ${m.regionIndex} (Linux: failed to find DCR)`);
      return {
        member: { regionOffset: m.regionOffset, serial: dcr!.serialNumber, vendorId: dcr!.vendorId, manufacturingDate: dcr!.manufacturingDate, manufacturingLocation: dcr!.manufacturingLocation },
        dpaStart: m.address, dpaSize: m.regionSize, name: hex(m.deviceHandle), handle: m.deviceHandle,
      };
    });
    out.push({ rangeIndex: spa.rangeIndex, set: makeInterleaveSet(dimms) });
  }
  if (out.length === 0) fail('', 'no memory device maps a persistent-memory SPA range');
  return out;
}

/**
 * The set `targets` label areas belong to: the range holding the given device handles (all in
 * one range; `order[k]` is the mapping index of handle k), or the first range with as many DIMMs
 * as there are targets (then in memdev order).
 */
export function pickNfitSet(sets: readonly NfitSet[], targets: number, handles: readonly number[]): { set: InterleaveSet; order: number[]; rangeIndex: number } {
  if (handles.length > 0) {
    const hit = sets.find((s) => s.set.dimms.some((d) => d.handle === handles[0]));
    if (!hit) return fail('', `no PM memdev with device handle ${hex(handles[0]!)} (${describeSets(sets)})`);
    const order = handles.map((h) => {
      const i = hit.set.dimms.findIndex((d) => d.handle === h);
      if (i < 0) fail('', `device handle ${hex(h)} is not in SPA range ${hit.rangeIndex} (${describeSets(sets)})`);
      return i;
    });
    if (new Set(order).size !== order.length) fail('', 'each device handle must name a different DIMM');
    return { set: hit.set, order, rangeIndex: hit.rangeIndex };
  }
  const hit = sets.find((s) => s.set.dimms.length === targets);
  if (!hit) return fail('', `no persistent-memory SPA range has ${targets} DIMM(s) (${describeSets(sets)}); pass --dimm HANDLE per target`);
  return { set: hit.set, order: hit.set.dimms.map((_, i) => i), rangeIndex: hit.rangeIndex };
}

/** One DIMM of an NFIT: the first PM memdev with `handle` in table order (default: the first PM memdev), its set and mapping index. */
export function nfitDimm(nfit: Pick<Nfit, 'structures'>, handle?: number): { memdev: MemoryMap; rangeIndex: number; set: InterleaveSet; position: number } {
  const sets = interleaveSetsFromNfit(nfit);
  const inSet = (m: MemoryMap) => sets.some((s) => s.rangeIndex === m.rangeIndex);
  const memdevs = structuresOfType(nfit, NFIT_TYPE.memoryMap).filter(inSet);
  const me = handle === undefined ? memdevs[0] : memdevs.find((m) => m.deviceHandle === handle);
  if (!me) return fail('', `no PM memdev with device handle ${hex(handle!)} (have: ${memdevs.map((m) => hex(m.deviceHandle)).join(', ')})`);
  const { set } = sets.find((s) => s.rangeIndex === me.rangeIndex)!;
  return { memdev: me, rangeIndex: me.rangeIndex, set, position: memdevs.filter((m) => m.rangeIndex === me.rangeIndex).indexOf(me) };
}

/**
 * The system physical address of DPA 0 of a one-way-interleaved DIMM of an NFIT (its first PM
 * memdev with `handle`): SPA `range.address + regionOffset + x` is DPA `memdev.address + x`
 * (acpi_nfit_init_mapping; an interleaved DIMM has no such linear map and is refused).
 */
export function nfitDimmSpaBase(nfit: Pick<Nfit, 'structures'>, handle?: number): bigint {
  const { memdev } = nfitDimm(nfit, handle);
  if (memdev.interleaveWays > 1) fail('', `device handle ${hex(memdev.deviceHandle)} is ${memdev.interleaveWays}-way interleaved: its DPAs map to no single SPA range`);
  const range = structuresOfType(nfit, NFIT_TYPE.spaRange).find((r) => r.rangeIndex === memdev.rangeIndex)!;
  return range.address + memdev.regionOffset - memdev.address;
}

/** The one-DIMM set of a QEMU NVDIMM: its own SPA range, region offset 0, the slot's identity. */
export function qemuDimmSet(d: ResolvedDimm): InterleaveSet {
  return makeInterleaveSet([{ member: qemuSetMember(d.slot), dpaStart: 0n, dpaSize: d.pmemSize, name: String(d.id ?? d.index) }]);
}

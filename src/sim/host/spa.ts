/**
 * System physical addresses → bytes of the host images, through the NFIT (the one home of this
 * mapping; Xen's frame-table writer and the tests use it). A PMEM SPA range structure (type 0,
 * persistent-memory GUID) is backed by the Memory Device to SPA Range Map structures (type 1) with
 * its range index; with one-way interleave, SPA `range.address + regionOffset + x` is DPA
 * `memdev.address + x` of the DIMM with that device handle, and DPA d is byte d of its image
 * (QEMU: pmem = image [0, size - label-size)).
 */
import { NvError } from '../../core/errors.js';
import { NFIT_TYPE, SPA_RANGE_GUIDS, decodeNfit, structuresOfType, type Nfit } from '../../acpi/nfit/index.js';
import type { SimDir } from '../runDir.js';
import { HOST_NFIT, readHostMachine, type HostDimm } from './machine.js';

export interface SpaMapping {
  /** First SPA of this DIMM's share of the range. */
  spa: bigint;
  length: bigint;
  rangeIndex: number;
  proximityDomain: number;
  /** Memory device flags (health: save/restore/flush failed, not armed, map failed). */
  memdevFlags: number;
  dimm: HostDimm;
  /** Image file offset of `spa` (the DPA base). */
  fileOffset: bigint;
}

export interface SpaLocation {
  mapping: SpaMapping;
  dimm: HostDimm;
  /** Image path relative to the run directory. */
  image: string;
  /** Byte offset in that image. */
  offset: bigint;
}

/** Every PMEM mapping the NFIT describes, in NFIT order of the SPA ranges. */
export function pmemMappings(nfit: Pick<Nfit, 'structures'>, dimms: readonly HostDimm[]): SpaMapping[] {
  const spas = structuresOfType(nfit, NFIT_TYPE.spaRange).filter((s) => s.rangeGuid === SPA_RANGE_GUIDS.persistent);
  const memdevs = structuresOfType(nfit, NFIT_TYPE.memoryMap);
  const out: SpaMapping[] = [];
  for (const r of spas) {
    for (const m of memdevs.filter((x) => x.rangeIndex === r.rangeIndex)) {
      if (m.interleaveWays > 1) throw new NvError('NFIT', `rangeIndex ${r.rangeIndex}`, undefined, `${m.interleaveWays}-way interleave: the simulation maps one-way ranges only (QEMU gives one region per NVDIMM)`);
      const dimm = dimms.find((d) => d.handle === m.deviceHandle);
      if (!dimm) throw new NvError('NFIT', `deviceHandle 0x${m.deviceHandle.toString(16)}`, undefined, 'no host NVDIMM has this handle');
      out.push({
        spa: r.address + m.regionOffset, length: m.regionSize, rangeIndex: r.rangeIndex, proximityDomain: r.proximityDomain,
        memdevFlags: m.flags, dimm, fileOffset: m.address,
      });
    }
  }
  return out;
}

/** Where SPA `spa` lives; with `length`, the whole range must lie in one mapping. */
export function locateSpa(maps: readonly SpaMapping[], spa: bigint, length = 1n): SpaLocation {
  const m = maps.find((x) => spa >= x.spa && spa < x.spa + x.length);
  if (!m) throw new NvError('sim.spa', '', undefined, `SPA 0x${spa.toString(16)} is in no persistent-memory range of the NFIT`);
  if (spa + length > m.spa + m.length) throw new NvError('sim.spa', '', undefined, `SPA range 0x${spa.toString(16)}+0x${length.toString(16)} runs past the end of ${m.dimm.id}'s range (0x${(m.spa + m.length).toString(16)})`);
  return { mapping: m, dimm: m.dimm, image: m.dimm.image, offset: m.fileOffset + (spa - m.spa) };
}

/** The inverse: the SPA of byte `offset` of DIMM `id`'s image (undefined for the label area). */
export function spaOfImageOffset(maps: readonly SpaMapping[], id: string, offset: bigint): bigint | undefined {
  const m = maps.find((x) => x.dimm.id === id && offset >= x.fileOffset && offset < x.fileOffset + x.length);
  return m ? m.spa + (offset - m.fileOffset) : undefined;
}

/** The host's mappings, from the run directory's host/nfit.aml and host/machine.json. */
export function hostMappings(dir: SimDir): SpaMapping[] {
  return pmemMappings(decodeNfit(dir.readBytes(HOST_NFIT)).table, readHostMachine(dir).dimms);
}

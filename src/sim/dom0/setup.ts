/**
 * The administrator's setup in Dom0 (design v1; specs/sim.md §5), step by step as they would run
 * it on Linux, each step through the library home of that format:
 *   ndctl init-labels -V 1.x       labels/initArea (ndctl's variant)
 *   ndctl create-namespace -m MODE labels/createNamespace, then namespace/formatLabelledNamespace
 *   Xen super block a / b / c      xen/formatXen (super block only: Xen builds its tables), xen/claim
 *   sgdisk -n                      disk/addPartition + writeGpt
 *   mkfs.ext4, files               e2fsprogs (dom0/e2fs.ts)
 * Every identifier comes from the scenario's seed. Returns what was made, for Dom0's records.
 */
import { NvError } from '../../core/errors.js';
import { WindowBlockIO, type BlockIO } from '../../core/blockio.js';
import { applyMediaWrites, type MediaWrite } from '../../core/mediaWrites.js';
import type { Nfit } from '../../acpi/nfit/index.js';
import { collectWrites, createNamespace, dimmSetFor, initArea, nfitDimm, nfitDimmSpaBase, readLabelArea, type InterleaveSet } from '../../labels/index.js';
import { atSpa, findLabelledNamespace, formatLabelledNamespace, openNamespaceView, type NamespaceRef } from '../../namespace/index.js';
import { addPartition, modelOf, newModel, readGpt, writeGpt } from '../../disk/table.js';
import { resolveGptType } from '../../disk/gptTypes.js';
import { claimNamespace } from '../../xen/claim.js';
import { formatXen } from '../../xen/layout.js';
import type { HostDimm } from '../host/machine.js';
import type { DimmSetup, FilesystemSpec, NamespaceSpec } from '../scenario/scenario.js';
import type { SimSeed } from '../seed.js';
import { makeExt4, type MadeFilesystem } from './e2fs.js';

/** GPTs the administrator makes use 512-byte sectors (pmem block devices have 512-byte logical blocks). */
export const SECTOR = 512;
const LINUX_FS_TYPE = '0fc63daf-8483-4772-8e79-3d69d8477de4';
const MiB = 1024 * 1024;

export interface HostImage {
  dimm: HostDimm;
  /** Absolute path of the image file. */
  path: string;
  io: BlockIO;
}

export interface MadeContainer {
  /** Partition number, or undefined for the whole block device. */
  partition?: number;
  xen?: 'a' | 'b' | 'c';
  filesystem?: MadeFilesystem & { mount?: string };
}

export interface MadeNamespace {
  dimm: string;
  uuid: string;
  name?: string;
  mode: NamespaceSpec['mode'];
  containers: MadeContainer[];
}

function apply(io: BlockIO, writes: Iterable<MediaWrite>): void {
  applyMediaWrites(writes, () => io);
}

function makeFs(img: HostImage, deviceOffset: number, size: number, fs: FilesystemSpec, seed: SimSeed, purpose: string): MadeContainer['filesystem'] {
  const made = makeExt4({ image: img.path, offset: deviceOffset, size }, fs, seed, purpose);
  return { ...made, ...(fs.mount ? { mount: fs.mount } : {}) };
}

/** Partitions, a Xen super block and file systems on one namespace's block device. */
function setupBlockDevice(img: HostImage, ref: NamespaceRef, spec: NamespaceSpec, seed: SimSeed, p: string): MadeContainer[] {
  const view = openNamespaceView(img.io, ref);
  if (view.dataOffset === undefined || !view.bytes) throw new NvError('sim.dom0', p, undefined, `a ${view.mode} namespace has no byte-addressed block device`);
  const devOffset = ref.offset + view.dataOffset;
  const dev = view.bytes;
  const made: MadeContainer[] = [];
  if (spec.xen?.placement === 'a') {
    const r = formatXen(dev, { placement: 'a', sectorSize: SECTOR, superBlockOnly: true, uuid: seed.uuid(`${p}.xen.uuid`), diskGuid: seed.uuid(`${p}.gpt.disk`), partitionGuid: seed.uuid(`${p}.gpt.p1`) });
    const part = { partition: 1, xen: 'a' as const };
    made.push(spec.filesystem ? { ...part, filesystem: makeFs(img, devOffset + Number(r.sb.dataOffset), Number(r.sb.dataSize), spec.filesystem, seed, `${p}.fs`) } : part);
    return made;
  }
  if (spec.partitions.length) {
    writeGpt(dev, newModel(dev.size, { sectorSize: SECTOR, diskGuid: seed.uuid(`${p}.gpt.disk`) }));
    spec.partitions.forEach((ps, i) => {
      const pp = `${p}.partitions[${i}]`;
      const lbas = ps.size !== undefined ? ps.size / BigInt(SECTOR) : undefined;
      if (ps.size !== undefined && ps.size % BigInt(SECTOR) !== 0n) throw new NvError('sim.dom0', `${pp}.size`, undefined, `${ps.size} is not a whole number of ${SECTOR}-byte sectors`);
      const guid = seed.uuid(`${pp}.guid`);
      if (ps.xen) {
        const r = formatXen(dev, { placement: 'b', sectorSize: SECTOR, superBlockOnly: true, ...(lbas !== undefined ? { partitionLbas: lbas } : {}), partitionGuid: guid, uuid: seed.uuid(`${pp}.xen.uuid`) });
        made.push({ partition: r.located.partitionNumber!, xen: 'b' });
        return;
      }
      const d = readGpt(dev, SECTOR);
      const m = modelOf(d);
      const type = ps.type ? resolveGptType(ps.type) : LINUX_FS_TYPE;
      if (!type) throw new NvError('sim.dom0', `${pp}.type`, undefined, `unknown partition type ${ps.type}`);
      const n = addPartition(m, d, { typeGuid: type, ...(ps.name ? { name: ps.name } : {}), ...(lbas !== undefined ? { sizeLbas: lbas } : {}), uniqueGuid: guid, alignment: BigInt(MiB / SECTOR) });
      writeGpt(dev, m, { keepMbr: true });
      const e = m.entries[n - 1]!;
      const off = Number(e.startingLba) * SECTOR;
      const size = Number(e.endingLba - e.startingLba + 1n) * SECTOR;
      made.push(ps.filesystem ? { partition: n, filesystem: makeFs(img, devOffset + off, size, ps.filesystem, seed, `${pp}.fs`) } : { partition: n });
    });
    return made;
  }
  if (spec.filesystem) made.push({ filesystem: makeFs(img, devOffset, dev.size, spec.filesystem, seed, `${p}.fs`) });
  return made;
}

/** One DIMM's setup: labels, namespaces, personalities, Xen areas, partitions, file systems. */
export function setupDimm(img: HostImage, nfit: Pick<Nfit, 'structures'>, setup: DimmSetup, seed: SimSeed): MadeNamespace[] {
  const id = img.dimm.id;
  const labelSize = Number(BigInt(img.dimm.labelSize));
  const area = new WindowBlockIO(img.io, img.io.size - labelSize, labelSize);
  const { set, position } = nfitDimm(nfit, img.dimm.handle);
  // The host SPA of the DIMM's DPA 0: Dom0's ndctl aligns fsdax/devdax info blocks to it (nd_pfn_init).
  const spaBase = nfitDimmSpaBase(nfit, img.dimm.handle);
  apply(area, initArea(area.read(0, labelSize), { version: setup.labelVersion, variant: 'ndctl' }));
  const out: MadeNamespace[] = [];
  setup.namespaces.forEach((spec, i) => {
    const p = `dom0.${id}.namespaces[${i}]`;
    out.push(inScenario(p, () => setupNamespace(img, area, labelSize, { set, position, spaBase }, spec, seed, p)));
  });
  if (readLabelArea(area.read(0, labelSize)).current === undefined) throw new NvError('sim.dom0', `dom0.${id}`, undefined, 'the label area has no valid index after the setup');
  return out;
}

/** A failing step names the scenario entry it was doing (the library's own message follows). */
function inScenario<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NvError && !e.message.startsWith('scenario.')) throw new NvError('scenario', path, undefined, e.message);
    throw e;
  }
}

/** ndctl create-namespace, its mode, then the Xen area and the data on it. */
function setupNamespace(img: HostImage, area: WindowBlockIO, labelSize: number, where: { set: InterleaveSet; position: number; spaBase: bigint }, spec: NamespaceSpec, seed: SimSeed, p: string): MadeNamespace {
  const { set, position, spaBase } = where;
  const id = img.dimm.id;
  const mine = set.dimms[position]!;
  const { writes, result } = collectWrites(createNamespace(area.read(0, labelSize), {
    uuid: seed.uuid(`${p}.uuid`), ...(spec.name !== undefined ? { name: spec.name } : {}), size: spec.size,
    dpaStart: mine.dpaStart, dpaSize: mine.dpaSize, align: set.align, set: dimmSetFor(set, position),
  }));
  apply(area, writes);
  let ref = atSpa(findLabelledNamespace(img.io, result.uuid, labelSize), spaBase, 0n);
  if (spec.mode !== 'raw') {
    ref = formatLabelledNamespace(img.io, ref, { mode: spec.mode, uuid: seed.uuid(`${p}.personality.uuid`), ...(spec.sectorSize ? { sectorSize: spec.sectorSize } : {}) }).ns;
  }
  let containers: MadeContainer[] = [];
  if (spec.xen?.placement === 'c') {
    const ns = new WindowBlockIO(img.io, ref.offset, ref.size);
    formatXen(ns, { placement: 'c', sectorSize: SECTOR, superBlockOnly: true, containerUuid: ref.uuid, uuid: seed.uuid(`${p}.xen.uuid`) });
    apply(area, claimNamespace(area.read(0, labelSize), ref.uuid));
    containers = [{ xen: 'c' }];
  } else if (spec.mode === 'raw' || spec.mode === 'fsdax') {
    containers = setupBlockDevice(img, ref, spec, seed, p);
  }
  return { dimm: id, uuid: ref.uuid, ...(spec.name !== undefined ? { name: spec.name } : {}), mode: spec.mode, containers };
}

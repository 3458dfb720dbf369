import { randomUUID } from 'node:crypto';
import { NvError } from '../core/errors.js';
import { NIL_GUID } from '../core/guid.js';
import { decodeStruct, encodeStruct, type Finding } from '../core/schema/index.js';
import { WindowBlockIO, type BlockIO } from '../core/blockio.js';
import { XEN_PMEM_PARTITION_TYPE_GUID } from '../disk/gptTypes.js';
import { GPT_ENTRY_SIZE } from '../disk/gpt.js';
import { addPartition, arrayLbas, detectSectorSize, modelOf, newModel, readGpt, writeGpt, type SectorSize } from '../disk/table.js';
import { firstNonInitialEntry, writeFrameTable, writeM2p, type Progress } from './frameTable.js';
import { M2P_ENTRY_SIZE, XEN_PAGE_SIZE } from './pageInfo.js';
import {
  PLACEMENT, XEN_SB_FLAGS, XEN_SB_MAGIC, XEN_SB_SIZE, XEN_SB_VERSION_MAJOR, XEN_SB_VERSION_MINOR, checkSuperBlock, pageAlignUp,
  reservedBytesFor, xenSuperBlock, type PlacementCode, type XenSuperBlock,
} from './superblock.js';

/** Data areas start on a 2 MiB boundary of their container (huge-page mappable). */
export const DATA_ALIGN = 2n * 1024n * 1024n;
const P = BigInt(XEN_PAGE_SIZE);

export interface PlanOptions {
  placement: PlacementCode;
  containerSize: number;
  /** Where the super block goes (4 KiB-aligned); the reserved area follows it. */
  superBlockOffset: bigint;
  containerUuid?: string;
  uuid?: string;
}

/**
 * The super block for a container: the managed range is every whole page of the container; the
 * reserved area follows the super block and is sized by `reservedBytesFor`; the data area starts at
 * the next 2 MiB boundary and runs to the last whole page.
 */
export function planSuperBlock(o: PlanOptions): XenSuperBlock {
  const cs = BigInt(o.containerSize);
  const managedPages = cs / P;
  const r = reservedBytesFor(managedPages);
  const reservedOffset = o.superBlockOffset + BigInt(XEN_SB_SIZE);
  const dataOffset = pageAlignUp(reservedOffset + r.total, DATA_ALIGN);
  const dataEnd = managedPages * P;
  if (o.superBlockOffset % P !== 0n) throw new NvError('xen.superblock', 'superBlockOffset', undefined, 'must be 4 KiB-aligned');
  if (dataOffset >= dataEnd) throw new NvError('xen.superblock', '', undefined, `a ${cs}-byte container has no room for a data area after ${r.total} reserved bytes`);
  return {
    magic: XEN_SB_MAGIC, versionMajor: XEN_SB_VERSION_MAJOR, versionMinor: XEN_SB_VERSION_MINOR, blockSize: XEN_SB_SIZE, checksum: 0, flags: 0,
    uuid: o.uuid ?? randomUUID(), containerUuid: o.containerUuid ?? NIL_GUID, placement: o.placement,
    pageSize: XEN_PAGE_SIZE, pageInfoSize: 32, m2pEntrySize: M2P_ENTRY_SIZE,
    superBlockOffset: o.superBlockOffset, containerSize: cs, managedOffset: 0n, managedPages,
    reservedOffset, reservedSize: r.total, frameTableOffset: reservedOffset, frameTableSize: r.frameTable,
    m2pOffset: reservedOffset + r.frameTable, m2pSize: r.m2p,
    dataOffset, dataSize: dataEnd - dataOffset,
    reserved: new Uint8Array(XEN_SB_SIZE - 176),
  };
}

/**
 * Write the super block (flags: format in progress), then the frame table and M2P, then the super
 * block again with the initialized flags (the commit point: an interrupted format stays visible).
 * `superBlockOnly`: the super block alone, flags 0 (the tables are left to Xen, as in the simulation
 * where Dom0 formats and Xen builds its frame table when the area is reported, specs/sim.md).
 */
export function writeXenArea(io: BlockIO, sb: XenSuperBlock, o: { onProgress?: Progress; chunk?: number; superBlockOnly?: boolean } = {}): XenSuperBlock {
  io.write(Number(sb.superBlockOffset), encodeStruct(xenSuperBlock, { ...sb, flags: o.superBlockOnly ? 0 : XEN_SB_FLAGS.formatInProgress }));
  if (o.superBlockOnly) {
    io.flush();
    return { ...sb, flags: 0 };
  }
  const pages = Number(sb.managedPages);
  const total = pages * (32 + M2P_ENTRY_SIZE);
  const chunk = o.chunk !== undefined ? { chunk: o.chunk } : {};
  writeFrameTable(io, Number(sb.frameTableOffset), pages, { ...chunk, onProgress: (d) => o.onProgress?.(d, total) });
  writeM2p(io, Number(sb.m2pOffset), pages, { ...chunk, onProgress: (d) => o.onProgress?.(pages * 32 + d, total) });
  const bytes = encodeStruct(xenSuperBlock, { ...sb, flags: XEN_SB_FLAGS.frameTableInitialized | XEN_SB_FLAGS.m2pInitialized });
  io.flush();
  io.write(Number(sb.superBlockOffset), bytes);
  io.flush();
  // the block as written (its CRC32 included), not the value it was built from
  return decodeStruct(xenSuperBlock, bytes).value;
}

export interface Located {
  placement: PlacementCode;
  /** Container inside the target, in target bytes. */
  containerOffset: number;
  containerSize: number;
  /** Super block offset inside the container. */
  superBlockOffset: number;
  sectorSize?: SectorSize;
  partitionNumber?: number;
}

/** Placement (a): the first 4 KiB boundary at or after the end of the primary entry array. */
export function placementASuperBlockOffset(ss: SectorSize, entries: number, entrySize = GPT_ENTRY_SIZE): bigint {
  return pageAlignUp((2n + arrayLbas(entries, entrySize, ss)) * BigInt(ss));
}

const hasMagic = (io: BlockIO, at: number) => at + 16 <= io.size && Buffer.from(io.read(at, 16)).toString('latin1') === XEN_SB_MAGIC;

/** Find a super block in a target: (a) after the GPT's entry array, (b) a Xen-type partition, (c) offset 0. */
export function locateSuperBlock(io: BlockIO, sectorSize?: SectorSize): Located | undefined {
  const ss = sectorSize ?? detectSectorSize(io);
  if (ss) {
    const d = readGpt(io, ss);
    if (d.header) {
      const a = Number(placementASuperBlockOffset(ss, d.header.numberOfPartitionEntries, d.header.sizeOfPartitionEntry));
      if (hasMagic(io, a)) return { placement: PLACEMENT.afterPartitionTable, containerOffset: 0, containerSize: io.size, superBlockOffset: a, sectorSize: ss };
      for (const p of d.partitions) {
        if (p.typeGuid !== XEN_PMEM_PARTITION_TYPE_GUID) continue;
        const off = Number(p.startLba) * ss;
        if (hasMagic(io, off)) return { placement: PLACEMENT.partition, containerOffset: off, containerSize: Number(p.endLba - p.startLba + 1n) * ss, superBlockOffset: 0, sectorSize: ss, partitionNumber: p.number };
      }
    }
  }
  if (hasMagic(io, 0)) return { placement: PLACEMENT.namespace, containerOffset: 0, containerSize: io.size, superBlockOffset: 0 };
  return undefined;
}

export interface Inspected {
  located: Located;
  sb: XenSuperBlock;
  findings: Finding[];
}

/** Decode and check the super block; `deep` also reads the frame table back. */
export function inspectXen(io: BlockIO, loc: Located, o: { deep?: boolean } = {}): Inspected {
  const c = loc.containerOffset === 0 && loc.containerSize === io.size ? io : new WindowBlockIO(io, loc.containerOffset, loc.containerSize);
  const d = decodeStruct(xenSuperBlock, c.read(loc.superBlockOffset, XEN_SB_SIZE), { format: 'xen.superblock', base: loc.containerOffset + loc.superBlockOffset });
  const findings = [...d.findings, ...checkSuperBlock(d.value, loc.superBlockOffset, loc.containerSize, loc.containerOffset + loc.superBlockOffset)];
  if (d.value.placement !== loc.placement) findings.push({ severity: 'warning', code: 'placement', path: 'placement', message: `says placement ${d.value.placement} but was found as placement ${loc.placement}` });
  if (o.deep && !findings.some((f) => f.severity === 'error') && d.value.flags & XEN_SB_FLAGS.frameTableInitialized) {
    const bad = firstNonInitialEntry(c, Number(d.value.frameTableOffset), Number(d.value.managedPages));
    if (bad >= 0) findings.push({ severity: 'info', code: 'frame-table-used', path: 'frameTable', offset: loc.containerOffset + Number(d.value.frameTableOffset) + bad * 32, message: `page_info ${bad} is no longer the initial free|pmem entry (Xen has used the table since)` });
  }
  return { located: loc, sb: d.value, findings };
}

/** Where `formatXen` can put the super block: (a) after a new GPT, (b) its own partition, (c) a whole namespace. */
export const XEN_PLACEMENTS = ['a', 'b', 'c'] as const;

export interface FormatOptions {
  placement: (typeof XEN_PLACEMENTS)[number];
  sectorSize: SectorSize;
  /** (b): size of the new Xen partition in LBAs (default all free space); (a): data partition type. */
  partitionLbas?: bigint;
  dataTypeGuid?: string;
  containerUuid?: string;
  onProgress?: Progress;
  chunk?: number;
  /** Write the super block only (flags 0), no frame table or M2P (see writeXenArea). */
  superBlockOnly?: boolean;
  /** Fixed identifiers instead of random ones (reproducible runs): super block uuid, (a) disk GUID, (a) data / (b) Xen partition GUID. */
  uuid?: string;
  diskGuid?: string;
  partitionGuid?: string;
}

export interface FormatResult {
  located: Located;
  sb: XenSuperBlock;
}

/**
 * (a) a new GPT whose first usable LBA is past the reserved area, with partition 1 = the data area;
 * (b) a new partition of the Xen type in an existing (or new) GPT, super block at its start;
 * (c) the super block at offset 0 of the target, which is the namespace.
 */
export function formatXen(io: BlockIO, o: FormatOptions): FormatResult {
  const ss = o.sectorSize;
  if (o.placement === 'a') {
    const sbOff = placementASuperBlockOffset(ss, 128);
    const probe = planSuperBlock({ placement: PLACEMENT.afterPartitionTable, containerSize: io.size, superBlockOffset: sbOff, ...(o.uuid ? { uuid: o.uuid } : {}) });
    const m = newModel(io.size, { sectorSize: ss, firstUsableLba: probe.dataOffset / BigInt(ss), ...(o.diskGuid ? { diskGuid: o.diskGuid } : {}) });
    addPartition(m, { partitions: [] }, { typeGuid: o.dataTypeGuid ?? '0fc63daf-8483-4772-8e79-3d69d8477de4', start: m.firstUsableLba, name: 'xen-pmem-data', ...(o.partitionGuid ? { uniqueGuid: o.partitionGuid } : {}) });
    const e = m.entries[0]!;
    const sb = { ...probe, containerUuid: m.diskGuid, dataOffset: e.startingLba * BigInt(ss), dataSize: (((e.endingLba - e.startingLba + 1n) * BigInt(ss)) / P) * P };
    writeGpt(io, m);
    const done = writeXenArea(io, sb, o);
    return { located: { placement: PLACEMENT.afterPartitionTable, containerOffset: 0, containerSize: io.size, superBlockOffset: Number(sbOff), sectorSize: ss }, sb: done };
  }
  if (o.placement === 'b') {
    let d = readGpt(io, ss);
    if (!d.header) {
      writeGpt(io, newModel(io.size, { sectorSize: ss }));
      d = readGpt(io, ss);
    }
    const m = modelOf(d);
    const n = addPartition(m, d, { typeGuid: XEN_PMEM_PARTITION_TYPE_GUID, name: 'xen-pmem', ...(o.partitionLbas !== undefined ? { sizeLbas: o.partitionLbas } : {}), alignment: DATA_ALIGN / BigInt(ss), ...(o.partitionGuid ? { uniqueGuid: o.partitionGuid } : {}) });
    writeGpt(io, m, { keepMbr: d.mbrKind === 'protective' || d.mbrKind === 'hybrid' });
    const e = m.entries[n - 1]!;
    const off = Number(e.startingLba) * ss;
    const size = Number(e.endingLba - e.startingLba + 1n) * ss;
    const win = new WindowBlockIO(io, off, size);
    const sb = writeXenArea(win, planSuperBlock({ placement: PLACEMENT.partition, containerSize: size, superBlockOffset: 0n, containerUuid: e.uniquePartitionGuid, ...(o.uuid ? { uuid: o.uuid } : {}) }), o);
    return { located: { placement: PLACEMENT.partition, containerOffset: off, containerSize: size, superBlockOffset: 0, sectorSize: ss, partitionNumber: n }, sb };
  }
  const sb = writeXenArea(io, planSuperBlock({ placement: PLACEMENT.namespace, containerSize: io.size, superBlockOffset: 0n, ...(o.containerUuid ? { containerUuid: o.containerUuid } : {}), ...(o.uuid ? { uuid: o.uuid } : {}) }), o);
  return { located: { placement: PLACEMENT.namespace, containerOffset: 0, containerSize: io.size, superBlockOffset: 0 }, sb };
}


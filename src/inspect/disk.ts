/**
 * What a block device (a namespace's exposed bytes, a partition, a bare image) holds: a GPT or an
 * MBR and their partitions, a Xen super block (placement a after the GPT, b in a partition, c at
 * offset 0), or a file system. Partition tables are read through src/disk over a window of the
 * counting reader, so only LBA 0, the headers and the entry arrays are read.
 */
import { isNvError } from '../core/errors.js';
import { decodeStruct } from '../core/schema/index.js';
import { WindowBlockIO } from '../disk/blockio.js';
import { GPT_HEADER_SIZE, gptHeader } from '../disk/gpt.js';
import { gptTypeName, XEN_PMEM_PARTITION_TYPE_GUID } from '../disk/gptTypes.js';
import { MBR_TYPE_NAMES, mbr, mbrKind, type Mbr } from '../disk/mbr.js';
import { arrayLbas, detectSectorSize, readGpt, verifyGpt, type GptDisk } from '../disk/table.js';
import { placementASuperBlockOffset } from '../xen/index.js';
import { detectFilesystem } from './filesystem.js';
import { addDump, hex, human, layer, note, num, type InspectContext, type Layer } from './layer.js';

/** The MBR disk signature as fdisk/sfdisk print it (`0x0a2fd6a8`: always 8 digits). */
const diskSignatureText = (v: number): string => '0x' + v.toString(16).padStart(8, '0');
import type { CountingReader } from './reader.js';
import { hasXenMagic, xenLayers } from './xen.js';

export interface ContainerInfo {
  /** Absolute offset and size of the block device. */
  at: number;
  size: number;
  /** Device name for partition names (`pmem0` → `pmem0p1`). */
  device: string;
  /** Where the container came from: Xen placement c only applies to a namespace. */
  role: 'namespace' | 'partition' | 'image';
}

/** Layers inside a block device, in offset order; problems go on the layers (or `host`). */
export function detectContainer(ctx: InspectContext, r: CountingReader, c: ContainerInfo, host: Layer | undefined): Layer[] {
  const out: Layer[] = [];
  if (c.size < 512) return out;
  const io = new WindowBlockIO(r, c.at, Math.min(c.size, r.size - c.at));
  try {
    const ss = detectSectorSize(io);
    if (ss) {
      const d = readGpt(io, ss);
      out.push(...gptLayers(ctx, r, c, d));
      if (d.header) return out;
    }
  } catch (e) {
    if (!isNvError(e)) throw e;
    if (host) note(ctx, host, { severity: 'error', code: 'gpt-unreadable', message: `GPT could not be read: ${e.reason ?? e.message}`, offset: c.at + 512, confidence: 'likely' });
  }
  const m = mbrLayers(ctx, r, c);
  if (m.length) return [...out, ...m];
  if (hasXenMagic(ctx, c.at)) return [...out, ...xenLayers(ctx, c.at, c.size, 0, c.role === 'partition' ? 2 : 3)];
  const fs = detectFilesystem(ctx, c.at, c.size);
  if (fs) out.push(fs);
  return out;
}

function gptLayers(ctx: InspectContext, r: CountingReader, c: ContainerInfo, d: GptDisk): Layer[] {
  const ss = d.sectorSize;
  const out: Layer[] = [];
  const p = d.primary;
  const b = d.backup;
  const findings = verifyGpt(d);
  let primary: Layer | undefined;
  if (p.header) {
    const h = p.header;
    const arr = Number(arrayLbas(h.numberOfPartitionEntries, h.sizeOfPartitionEntry, ss));
    const end = Number(h.partitionEntryLba) + (Number.isSafeInteger(arr) ? arr : 0);
    const len = Math.min(Math.max(2, end) * ss, c.size);
    primary = layer('gpt', c.at, len, `GPT (${ss}-byte sectors, ${d.partitions.length} partition${d.partitions.length === 1 ? '' : 's'})`, {
      copy: 'primary', sectorSize: ss, diskGuid: h.diskGuid, headerLba: 1, firstUsableLba: num(h.firstUsableLba), lastUsableLba: num(h.lastUsableLba),
      entries: h.numberOfPartitionEntries, entrySize: h.sizeOfPartitionEntry, partitionEntryLba: num(h.partitionEntryLba),
      headerCrcOk: p.headerCrcOk, arrayCrcOk: p.arrayCrcOk, valid: p.headerValid, tableFrom: d.source ?? null,
    });
    addDump(ctx, primary, { struct: gptHeader, offset: c.at + ss, length: GPT_HEADER_SIZE, title: 'GPT header (primary)' });
    out.push(primary);
  }
  if (b.header) {
    const h = b.header;
    const arrStart = Number(h.partitionEntryLba) * ss;
    const hdr = Number(b.lba) * ss;
    const start = arrStart < hdr && hdr - arrStart <= 16 * 1024 * 1024 ? arrStart : hdr;
    const bl = layer('gpt', c.at + start, hdr + ss - start, 'GPT backup', {
      copy: 'backup', sectorSize: ss, headerLba: num(b.lba), partitionEntryLba: num(h.partitionEntryLba), headerCrcOk: b.headerCrcOk, arrayCrcOk: b.arrayCrcOk, valid: b.headerValid,
    });
    addDump(ctx, bl, { struct: gptHeader, offset: c.at + hdr, length: GPT_HEADER_SIZE, title: 'GPT header (backup)' });
    out.push(bl);
  }
  const target = primary ?? out[0];
  if (!target) return out; // signature seen by detectSectorSize but no header decoded
  for (const f of findings) note(ctx, target, { ...f, offset: f.offset === undefined ? undefined : f.offset + c.at });
  if (d.mbr && primary) {
    const ml = layer('mbr', c.at, 512, `${d.mbrKind} MBR`, { kind: d.mbrKind, diskSignature: diskSignatureText(d.mbr.diskSignature) });
    addDump(ctx, ml, { struct: mbr, offset: c.at, length: 512, title: 'MBR' });
    primary.children.push(ml);
  }
  if (!d.header) return out;
  const h = d.header;
  for (const q of d.partitions) {
    const start = Number(q.startLba) * ss;
    const want = (Number(q.endLba - q.startLba) + 1) * ss;
    const pl = layer('partition', c.at + start, 0, `partition ${q.number}${q.name ? ` "${q.name}"` : ''} ${human(Math.max(0, want))}`, {
      table: 'gpt', number: q.number, device: partName(c.device, q.number), name: q.name, typeGuid: q.typeGuid, typeName: gptTypeName(q.typeGuid) ?? 'unknown',
      uniqueGuid: q.uniqueGuid, startLba: num(q.startLba), endLba: num(q.endLba), sectors: num(q.endLba - q.startLba + 1n), size: want,
    });
    if (!(start < c.size && want > 0)) {
      note(ctx, target, { severity: 'error', code: 'partition-outside', path: `entries[${q.number - 1}]`, offset: c.at + Number(h.partitionEntryLba) * ss + (q.number - 1) * h.sizeOfPartitionEntry, message: `partition ${q.number} (LBA ${q.startLba}..${q.endLba}) is not inside the ${c.size}-byte device: not shown` });
      continue;
    }
    pl.length = Math.min(want, c.size - start);
    if (pl.length < want) note(ctx, pl, { severity: 'error', code: 'partition-truncated', message: `partition ${q.number} runs ${want - pl.length} bytes past the end of the device`, offset: pl.offset });
    out.push(pl);
    partitionContents(ctx, r, c, pl, q.number, q.typeGuid === XEN_PMEM_PARTITION_TYPE_GUID);
  }
  // Placement (a): the first 4 KiB boundary after the primary entry array.
  const a = Number(placementASuperBlockOffset(ss, h.numberOfPartitionEntries, h.sizeOfPartitionEntry));
  if (Number.isSafeInteger(a) && a + 4096 <= c.size && hasXenMagic(ctx, c.at + a)) out.push(...xenLayers(ctx, c.at, c.size, a, 1));
  return out;
}

function partName(device: string, n: number): string {
  return /\d$/.test(device) ? `${device}p${n}` : `${device}${n}`;
}

function partitionContents(ctx: InspectContext, r: CountingReader, c: ContainerInfo, pl: Layer, n: number, xenType: boolean): void {
  if (hasXenMagic(ctx, pl.offset)) {
    pl.children.push(...xenLayers(ctx, pl.offset, pl.length, 0, 2));
    return;
  }
  if (xenType) note(ctx, pl, { severity: 'warning', code: 'xen-partition-empty', message: 'partition has the Xen pmem type GUID but no Xen super block at its start', offset: pl.offset });
  pl.children.push(...detectContainer(ctx, r, { at: pl.offset, size: pl.length, device: partName(c.device, n), role: 'partition' }, pl).filter((x) => x.kind !== 'gpt' && x.kind !== 'mbr'));
}

const EXTENDED = new Set([0x05, 0x0f, 0x85]);

/** A classic MBR (not protective) and its primary partitions. */
function mbrLayers(ctx: InspectContext, r: CountingReader, c: ContainerInfo): Layer[] {
  const b = ctx.tryRead(c.at, 512);
  if (!b || b[510] !== 0x55 || b[511] !== 0xaa) return [];
  let m: Mbr;
  try {
    m = decodeStruct(mbr, b, { base: c.at }).value;
  } catch (e) {
    if (isNvError(e)) return [];
    throw e;
  }
  const kind = mbrKind(m);
  const used = m.partitions.map((p, i) => ({ p, i })).filter(({ p }) => p.osType !== 0 && p.sizeInLba > 0);
  // A boot sector of a file system also ends in 55 AA: take it as an MBR only when its records look sane.
  if (kind === 'none' || used.length === 0 || m.partitions.some((p) => p.bootIndicator !== 0 && p.bootIndicator !== 0x80)) return [];
  const ml = layer('mbr', c.at, 512, `MBR (${used.length} partition${used.length === 1 ? '' : 's'})`, { kind, diskSignature: diskSignatureText(m.diskSignature), sectorSize: 512 });
  addDump(ctx, ml, { struct: mbr, offset: c.at, length: 512, title: 'MBR' });
  const out = [ml];
  if (kind === 'protective' || kind === 'hybrid') {
    note(ctx, ml, { severity: 'error', code: 'pmbr-without-gpt', message: 'a protective MBR, but no valid GPT header at LBA 1 or at the last LBA', offset: c.at + 446 });
    return out;
  }
  for (const { p, i } of used) {
    const start = p.startingLba * 512;
    const want = p.sizeInLba * 512;
    const recOff = c.at + 446 + 16 * i;
    if (start >= c.size) {
      note(ctx, ml, { severity: 'error', code: 'partition-outside', path: `partitions[${i}]`, offset: recOff, message: `partition ${i + 1} starts at LBA ${p.startingLba}, outside the ${c.size}-byte device` });
      continue;
    }
    const pl = layer('partition', c.at + start, Math.min(want, c.size - start), `partition ${i + 1} (${MBR_TYPE_NAMES[p.osType] ?? hex(p.osType)}) ${human(want)}`, {
      table: 'mbr', number: i + 1, device: partName(c.device, i + 1), osType: hex(p.osType), typeName: MBR_TYPE_NAMES[p.osType] ?? 'unknown',
      bootable: p.bootIndicator === 0x80, startLba: p.startingLba, sectors: p.sizeInLba, size: want,
    });
    if (pl.length < want) note(ctx, pl, { severity: 'error', code: 'partition-truncated', message: `partition ${i + 1} runs past the end of the device`, offset: recOff });
    out.push(pl);
    if (EXTENDED.has(p.osType)) {
      note(ctx, pl, { severity: 'info', code: 'extended-not-walked', message: 'extended partition: the logical partitions inside are not inspected', offset: pl.offset, confidence: 'certain' });
      continue;
    }
    partitionContents(ctx, r, c, pl, i + 1, false);
  }
  return out;
}

/**
 * What a block device (a namespace's exposed bytes, a partition, a bare image) holds: a GPT or an
 * MBR and their partitions, a Xen super block (placement a after the GPT, b in a partition, c at
 * offset 0), or a file system. Partition tables are read through src/disk over a window of the
 * counting reader, so only LBA 0, the headers and the entry arrays are read.
 */
import { isNvError } from '../core/errors.js';
import { decodeStruct } from '../core/schema/index.js';
import { WindowBlockIO } from '../core/blockio.js';
import { GPT_HEADER_SIZE, gptHeader } from '../disk/gpt.js';
import { gptTypeName, XEN_PMEM_PARTITION_TYPE_GUID } from '../disk/gptTypes.js';
import { MBR_TYPE_NAMES, hasMbrSignature, mbr, mbrKind, mbrRecordOffset, type Mbr } from '../disk/mbr.js';
import { arrayLbas, detectSectorSize, readGpt, verifyGpt, type GptDisk } from '../disk/table.js';
import { placementASuperBlockOffset } from '../xen/layout.js';
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
  // Linux reads no partition table inside a partition (and a partition starting at its own table
  // would otherwise be walked forever): a partition holds Xen or a file system only.
  if (c.role === 'partition') {
    if (hasXenMagic(ctx, c.at)) return xenLayers(ctx, c.at, c.size, 0, 2);
    const fs = detectFilesystem(ctx, c.at, c.size);
    return fs ? [fs] : [];
  }
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
  if (hasXenMagic(ctx, c.at)) return [...out, ...xenLayers(ctx, c.at, c.size, 0, 3)];
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
  if (!b || !hasMbrSignature(b)) return [];
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
  let logical = 5;
  if (kind === 'protective' || kind === 'hybrid') {
    note(ctx, ml, { severity: 'error', code: 'pmbr-without-gpt', message: 'a protective MBR, but no valid GPT header at LBA 1 or at the last LBA', offset: c.at + mbrRecordOffset(0) });
    return out;
  }
  for (const { p, i } of used) {
    const start = p.startingLba * 512;
    const want = p.sizeInLba * 512;
    const recOff = c.at + mbrRecordOffset(i);
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
      // Linux walks each extended partition where it finds it (msdos_partition → parse_extended).
      logical = walkExtended(ctx, r, c, pl, p.startingLba, p.sizeInLba, logical);
      continue;
    }
    partitionContents(ctx, r, c, pl, i + 1, false);
  }
  return out;
}

/** Linux's DISK_MAX_PARTS: partition numbers stop below it. */
const MAX_PARTS = 256;
/** Linux's parse_extended(): links followed without finding a data partition before giving up. */
const MAX_EMPTY_LINKS = 100;

/**
 * The logical partitions of an extended partition, as Linux's parse_extended() finds them: a
 * chain of EBRs, each with data partitions (start relative to the EBR; the 3rd and 4th entries
 * only when they fit the EBR's extent and the extended partition) and a link to the next EBR (start
 * relative to the extended partition). Numbered from 5 across all extended partitions. The chain is
 * bounded: an EBR seen twice (a loop, which Linux would follow until its limits), 100 links without
 * a data partition, 255 partitions, an EBR outside the device or without 55 AA end it, with a finding.
 * EBRs are `mbr` layers of kind `ebr`; both they and the logical partitions are children of `ext`.
 */
function walkExtended(ctx: InspectContext, r: CountingReader, c: ContainerInfo, ext: Layer, firstLba: number, firstSize: number, next: number): number {
  const seen = new Set<number>();
  let thisLba = firstLba;
  let thisSize = firstSize;
  let loopct = 0;
  let from: { layer: Layer; offset: number } = { layer: ext, offset: ext.offset };
  for (;;) {
    if (++loopct > MAX_EMPTY_LINKS) {
      note(ctx, from.layer, { severity: 'warning', code: 'ebr-chain-too-long', message: `${MAX_EMPTY_LINKS} EBR links without a data partition: Linux stops walking the chain here`, offset: from.offset });
      return next;
    }
    if (next >= MAX_PARTS) {
      note(ctx, from.layer, { severity: 'warning', code: 'too-many-partitions', message: `Linux numbers partitions below ${MAX_PARTS}: the rest of the EBR chain is not used`, offset: from.offset });
      return next;
    }
    if (seen.has(thisLba)) {
      note(ctx, from.layer, { severity: 'error', code: 'ebr-loop', message: `the EBR chain links back to LBA ${thisLba}, an EBR already read: a loop (Linux would list the same logical partitions again until its limits)`, offset: from.offset });
      return next;
    }
    seen.add(thisLba);
    const off = thisLba * 512;
    const b = off + 512 <= c.size ? ctx.tryRead(c.at + off, 512) : undefined;
    if (!b) {
      note(ctx, from.layer, { severity: 'error', code: 'ebr-outside', message: `the EBR at LBA ${thisLba} is outside the ${c.size}-byte device`, offset: from.offset });
      return next;
    }
    if (!hasMbrSignature(b)) {
      note(ctx, from.layer, { severity: 'warning', code: 'ebr-signature', message: `no 55 AA at the end of the EBR at LBA ${thisLba}: Linux stops walking the chain here`, offset: c.at + off + mbr.offsetOf('signature') });
      return next;
    }
    let m: Mbr;
    try {
      m = decodeStruct(mbr, b, { base: c.at + off }).value;
    } catch (e) {
      if (!isNvError(e)) throw e;
      return next;
    }
    const el = layer('mbr', c.at + off, 512, `EBR at LBA ${thisLba}`, { kind: 'ebr', sectorSize: 512, lba: thisLba });
    addDump(ctx, el, { struct: mbr, offset: c.at + off, length: 512, title: `EBR at LBA ${thisLba}` });
    ext.children.push(el);
    for (const [i, p] of m.partitions.entries()) {
      if (p.sizeInLba === 0 || EXTENDED.has(p.osType)) continue;
      const abs = thisLba + p.startingLba;
      if (i >= 2 && (p.startingLba + p.sizeInLba > thisSize || abs < firstLba || abs + p.sizeInLba > firstLba + firstSize)) continue;
      const recOff = c.at + off + mbrRecordOffset(i);
      const start = abs * 512;
      const want = p.sizeInLba * 512;
      loopct = 0;
      const n = next++;
      if (start >= c.size) {
        note(ctx, el, { severity: 'error', code: 'partition-outside', path: `partitions[${i}]`, offset: recOff, message: `logical partition ${n} starts at LBA ${abs}, outside the ${c.size}-byte device` });
      } else {
        const pl = layer('partition', c.at + start, Math.min(want, c.size - start), `partition ${n} (${MBR_TYPE_NAMES[p.osType] ?? hex(p.osType)}) ${human(want)}`, {
          table: 'mbr', number: n, device: partName(c.device, n), osType: hex(p.osType), typeName: MBR_TYPE_NAMES[p.osType] ?? 'unknown',
          bootable: p.bootIndicator === 0x80, startLba: abs, sectors: p.sizeInLba, size: want, logical: true, ebrLba: thisLba,
        });
        if (pl.length < want) note(ctx, pl, { severity: 'error', code: 'partition-truncated', message: `partition ${n} runs past the end of the device`, offset: recOff });
        ext.children.push(pl);
        partitionContents(ctx, r, c, pl, n, false);
      }
      if (next >= MAX_PARTS) break;
    }
    const link = m.partitions.find((p) => p.sizeInLba !== 0 && EXTENDED.has(p.osType));
    if (!link) return next;
    from = { layer: el, offset: c.at + off + mbrRecordOffset(m.partitions.indexOf(link)) };
    thisLba = firstLba + link.startingLba;
    thisSize = link.sizeInLba;
  }
}

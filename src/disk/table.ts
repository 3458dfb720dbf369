import { randomUUID } from 'node:crypto';
import { crc32 } from '../core/checksum/crc32.js';
import { NvError, isNvError } from '../core/errors.js';
import { decodeStruct, encodeStruct, type Finding } from '../core/schema/index.js';
import type { BlockIO } from '../core/blockio.js';
import {
  GPT_DEFAULT_ENTRIES, GPT_ENTRY_SIZE, GPT_HEADER_SIZE, GPT_REVISION, GPT_SIGNATURE, UNUSED_GUID,
  gptEntry, gptHeader, type GptEntry, type GptHeader,
} from './gpt.js';
import { hasMbrSignature, mbr, mbrKind, mbrRecordOffset, protectiveMbr, type Mbr, type MbrKind } from './mbr.js';

/**
 * A whole GPT disk over a BlockIO: reading both copies, verifying as `sgdisk -v` and Linux
 * (`block/partitions/efi.c`) do, creating, adding and deleting partitions, and repairing one copy
 * from the other. Only LBA 0, the headers and the two entry arrays are ever read or written.
 */

export type SectorSize = 512 | 4096;
export const SECTOR_SIZES: readonly SectorSize[] = [512, 4096];

/** Largest entry array nvtool will read (the usual one is 16 KiB). */
const MAX_ARRAY_BYTES = 16 * 1024 * 1024;

export interface GptCopy {
  which: 'primary' | 'backup';
  /** LBA the header was read from. */
  lba: bigint;
  /** Decoded header, when the block holds the `EFI PART` signature. */
  header?: GptHeader;
  /** The whole header block (for byte-exact repair of headerSize > 92). */
  block?: Uint8Array;
  headerCrcOk: boolean;
  /** Header passes every structural rule (signature, revision, size, CRC, self pointer, array in range). */
  headerValid: boolean;
  /** The raw entry array the header points at, when it could be read. */
  array?: Uint8Array;
  arrayCrcOk: boolean;
  problems: string[];
}

export interface GptPartition {
  /** 1-based slot number (what Linux calls pN). */
  number: number;
  typeGuid: string;
  uniqueGuid: string;
  startLba: bigint;
  endLba: bigint;
  attributes: bigint;
  name: string;
}

export interface GptDisk {
  sectorSize: SectorSize;
  totalLbas: bigint;
  mbr?: Mbr;
  mbrKind: MbrKind;
  primary: GptCopy;
  backup: GptCopy;
  /** The copy the table is taken from: the primary when valid (Linux's rule), else the backup. */
  source?: 'primary' | 'backup';
  header?: GptHeader;
  /** All slots of the entry array in use, decoded. */
  entries: GptEntry[];
  partitions: GptPartition[];
}

export const lbaBytes = (lba: bigint, ss: number): number => Number(lba) * ss;

/** Entry-array LBAs for `n` entries of `size` bytes. */
export function arrayLbas(n: number, size: number, ss: number): bigint {
  return BigInt(Math.ceil((n * size) / ss));
}

function readCopy(io: BlockIO, ss: SectorSize, lba: bigint, which: GptCopy['which'], totalLbas: bigint): GptCopy {
  const c: GptCopy = { which, lba, headerCrcOk: false, headerValid: false, arrayCrcOk: false, problems: [] };
  if (lba < 1n || lba >= totalLbas) {
    c.problems.push(`header LBA ${lba} is outside the disk`);
    return c;
  }
  const block = io.read(lbaBytes(lba, ss), ss);
  let h: GptHeader;
  try {
    h = decodeStruct(gptHeader, block, { format: `gpt.${which}`, base: lbaBytes(lba, ss) }).value;
  } catch (e) {
    if (!isNvError(e)) throw e;
    c.problems.push(e.message);
    return c;
  }
  if (h.signature !== GPT_SIGNATURE) {
    c.problems.push('no "EFI PART" signature');
    return c;
  }
  c.header = h;
  c.block = block;
  if (h.revision !== GPT_REVISION) c.problems.push(`revision 0x${h.revision.toString(16)} is not 0x00010000`);
  const hsOk = h.headerSize >= GPT_HEADER_SIZE && h.headerSize <= ss;
  if (!hsOk) c.problems.push(`header size ${h.headerSize} is not within ${GPT_HEADER_SIZE}..${ss}`);
  c.headerCrcOk = hsOk && crc32(block.subarray(0, h.headerSize), gptHeader.offsetOf('headerCrc32')) === h.headerCrc32;
  if (!c.headerCrcOk) c.problems.push('header CRC32 does not match');
  if (h.myLba !== lba) c.problems.push(`My LBA is ${h.myLba}, the header is at LBA ${lba}`);
  if (h.firstUsableLba > h.lastUsableLba) c.problems.push(`first usable LBA ${h.firstUsableLba} is after last usable LBA ${h.lastUsableLba}`);
  if (h.lastUsableLba >= totalLbas) c.problems.push(`last usable LBA ${h.lastUsableLba} is beyond the disk's last LBA ${totalLbas - 1n}`);
  const arrBytes = h.numberOfPartitionEntries * h.sizeOfPartitionEntry;
  const arrOk =
    h.sizeOfPartitionEntry >= GPT_ENTRY_SIZE && h.sizeOfPartitionEntry % GPT_ENTRY_SIZE === 0 && arrBytes <= MAX_ARRAY_BYTES &&
    h.partitionEntryLba >= 1n && h.partitionEntryLba + arrayLbas(h.numberOfPartitionEntries, h.sizeOfPartitionEntry, ss) <= totalLbas;
  if (!arrOk) c.problems.push(`partition entry array (${h.numberOfPartitionEntries} × ${h.sizeOfPartitionEntry} bytes at LBA ${h.partitionEntryLba}) is not readable`);
  c.headerValid = c.problems.length === 0;
  if (arrOk) {
    c.array = io.read(lbaBytes(h.partitionEntryLba, ss), arrBytes);
    c.arrayCrcOk = crc32(c.array) === h.partitionEntryArrayCrc32;
  }
  return c;
}

export function decodeEntries(array: Uint8Array, n: number, size: number, base = 0): GptEntry[] {
  const out: GptEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * size;
    if (at + GPT_ENTRY_SIZE > array.length) throw new NvError('gpt.entries', `[${i}]`, base + at, 'entry array is truncated');
    out.push(decodeStruct(gptEntry, array.subarray(at, at + GPT_ENTRY_SIZE), { format: 'gpt.entries', base: base + at }).value);
  }
  return out;
}

/** Read LBA 0 and both GPT copies. Throws NvError only if the container is smaller than a minimal GPT. */
export function readGpt(io: BlockIO, sectorSize: SectorSize): GptDisk {
  const ss = sectorSize;
  const totalLbas = BigInt(Math.floor(io.size / ss));
  if (totalLbas < 4n) throw new NvError('gpt', '', 0, `a ${io.size}-byte container is too small for a GPT with ${ss}-byte sectors`);
  let m: Mbr | undefined;
  try {
    m = decodeStruct(mbr, io.read(0, 512), { format: 'mbr' }).value;
  } catch (e) {
    if (!isNvError(e)) throw e;
  }
  const primary = readCopy(io, ss, 1n, 'primary', totalLbas);
  let backup = readCopy(io, ss, totalLbas - 1n, 'backup', totalLbas);
  const alt = primary.header?.alternateLba;
  if (!backup.header && primary.headerValid && alt !== undefined && alt !== totalLbas - 1n && alt > 1n && alt < totalLbas) {
    backup = readCopy(io, ss, alt, 'backup', totalLbas);
  }
  const src = primary.headerValid && primary.arrayCrcOk ? primary : backup.headerValid && backup.arrayCrcOk ? backup : primary.headerValid ? primary : backup.headerValid ? backup : undefined;
  const disk: GptDisk = { sectorSize: ss, totalLbas, ...(m ? { mbr: m } : {}), mbrKind: m ? mbrKind(m) : 'none', primary, backup, entries: [], partitions: [] };
  if (src?.header && src.array) {
    disk.source = src.which;
    disk.header = src.header;
    disk.entries = decodeEntries(src.array, src.header.numberOfPartitionEntries, src.header.sizeOfPartitionEntry, lbaBytes(src.header.partitionEntryLba, ss));
    disk.partitions = disk.entries.flatMap((e, i) =>
      e.partitionTypeGuid === UNUSED_GUID
        ? []
        : [{ number: i + 1, typeGuid: e.partitionTypeGuid, uniqueGuid: e.uniquePartitionGuid, startLba: e.startingLba, endLba: e.endingLba, attributes: e.attributes, name: e.partitionName }],
    );
  }
  return disk;
}

// ---- verify ---------------------------------------------------------------------------------------

const problem = (code: string, message: string, path = '', offset?: number): Finding => ({ severity: 'error', code, path, message, ...(offset !== undefined ? { offset } : {}) });

/**
 * What `sgdisk -v` reports (each of its "Problem:" lines is an error finding, its "Caution:"
 * lines are warnings), plus Linux's own refusals (`is_gpt_valid`, `is_pte_valid`, `is_pmbr_valid`).
 */
export function verifyGpt(d: GptDisk, alignment = 1): Finding[] {
  const f: Finding[] = [];
  const ss = d.sectorSize;
  const last = d.totalLbas - 1n;
  const p = d.primary, b = d.backup;
  if (!d.header) {
    f.push(problem('no-gpt', `no valid GPT header at LBA 1 or at the last LBA (primary: ${p.problems.join('; ') || 'ok'}; backup: ${b.problems.join('; ') || 'ok'})`));
    return f;
  }
  if (d.mbrKind === 'none' || d.mbrKind === 'mbr') f.push({ severity: 'warning', code: 'no-pmbr', path: 'mbr', offset: 0, message: 'LBA 0 holds no protective MBR (no 0xEE record starting at LBA 1): Linux ignores this GPT unless booted with "gpt" (sgdisk silently makes a new one)' });
  else if (d.mbrKind === 'hybrid') f.push({ severity: 'warning', code: 'hybrid-mbr', path: 'mbr', offset: 0, message: 'hybrid MBR: the protective MBR has other records besides the 0xEE one' });
  else {
    const rec = d.mbr!.partitions.find((r) => r.osType === 0xee)!;
    const want = Number(last > 0xffffffffn ? 0xffffffffn : last);
    if (rec.sizeInLba !== want) f.push({ severity: 'warning', code: 'pmbr-size', path: 'mbr.partitions', offset: mbrRecordOffset(0), message: `protective MBR covers ${rec.sizeInLba} sectors, the disk needs ${want} (Linux only warns)` });
  }
  // sgdisk regenerates a bad header from the good one while loading and prints a Caution, not a
  // Problem; the array CRCs are Problems. Severities follow it; `GPT_DAMAGE_CODES` marks what
  // `repair` fixes, so `verify` can still fail on it.
  const damaged = (code: string, message: string, path: string, offset: number): Finding => ({ severity: 'warning', code, path, offset, message });
  if (!p.header || !p.headerValid) {
    f.push(damaged(p.header ? 'main-header-crc' : 'main-header-missing', `invalid main GPT header (${p.problems.join('; ')}), but valid backup; sgdisk regenerates the main header from the backup`, 'primary', ss));
  } else if (!p.arrayCrcOk) f.push(problem('main-array-crc', 'The CRC for the main partition table is invalid', 'primary.partitionEntryArrayCrc32', ss + gptHeader.offsetOf('partitionEntryArrayCrc32')));
  if (!b.header || !b.headerValid) {
    f.push(damaged(b.header ? 'backup-header-crc' : 'backup-header-missing', `invalid backup GPT header at LBA ${b.lba} (${b.problems.join('; ')}), but valid main header; sgdisk regenerates the backup header from the main header`, 'backup', lbaBytes(b.lba, ss)));
  } else if (!b.arrayCrcOk) f.push(problem('backup-array-crc', 'The CRC for the backup partition table is invalid', 'backup.partitionEntryArrayCrc32', lbaBytes(b.lba, ss) + gptHeader.offsetOf('partitionEntryArrayCrc32')));
  const ph = p.headerValid ? p.header : undefined, bh = b.headerValid ? b.header : undefined;
  if (ph && ph.myLba !== 1n) f.push(problem('main-self-pointer', `the main header's self-pointer is ${ph.myLba}, not 1`, 'primary.myLba'));
  if (bh && bh.myLba !== last) f.push(problem('backup-not-at-end', `the backup header's self-pointer (${bh.myLba}) says it does not reside at the end of the disk (LBA ${last})`, 'backup.myLba'));
  if (ph && bh) {
    const cmp = (what: string, code: string, a: unknown, c: unknown) => {
      if (a !== c) f.push(problem(code, `main GPT header's ${what} (${String(a)}) doesn't match the backup GPT header's (${String(c)})`));
    };
    cmp('current LBA vs backup alternate LBA', 'mismatch-my-lba', ph.myLba, bh.alternateLba);
    cmp('backup LBA vs backup current LBA', 'mismatch-alternate-lba', ph.alternateLba, bh.myLba);
    cmp('first usable LBA', 'mismatch-first-usable', ph.firstUsableLba, bh.firstUsableLba);
    cmp('last usable LBA', 'mismatch-last-usable', ph.lastUsableLba, bh.lastUsableLba);
    cmp('disk GUID', 'mismatch-disk-guid', ph.diskGuid, bh.diskGuid);
    cmp('number of partitions', 'mismatch-entries', ph.numberOfPartitionEntries, bh.numberOfPartitionEntries);
    cmp('size of partition entries', 'mismatch-entry-size', ph.sizeOfPartitionEntry, bh.sizeOfPartitionEntry);
  }
  const h = d.header;
  if (h.alternateLba > d.totalLbas) f.push(problem('disk-too-small', `Disk is too small to hold all the data (${d.totalLbas} sectors, needs ${h.alternateLba})`));
  if (h.sizeOfPartitionEntry !== GPT_ENTRY_SIZE) f.push(problem('entry-size', `partition entries are ${h.sizeOfPartitionEntry} bytes; Linux accepts only 128`, 'header.sizeOfPartitionEntry'));
  const parts = d.partitions;
  for (const q of parts) {
    if (q.startLba > q.endLba) f.push(problem('inverted', `partition ${q.number} ends (${q.endLba}) before it starts (${q.startLba})`, `entries[${q.number - 1}]`));
    if (q.endLba > last) f.push(problem('beyond-disk', `partition ${q.number} ends at LBA ${q.endLba}, beyond the disk's last LBA ${last} (Linux ignores it)`, `entries[${q.number - 1}]`));
  }
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const a = parts[i]!, c = parts[j]!;
      if (a.startLba <= c.endLba && c.startLba <= a.endLba) f.push(problem('overlap', `partitions ${a.number} and ${c.number} overlap`, `entries[${c.number - 1}]`));
    }
  }
  const used = parts.filter((q) => q.startLba !== 0n);
  if (used.length) {
    const first = used.reduce((m, q) => (q.startLba < m ? q.startLba : m), used[0]!.startLba);
    const lastUsed = parts.reduce((m, q) => (q.endLba > m ? q.endLba : m), 0n);
    if (h.firstUsableLba > first) f.push(problem('overlaps-main-table', `main partition table overlaps the first partition by ${h.firstUsableLba - first} blocks`));
    if (h.lastUsableLba < lastUsed) f.push(problem('overlaps-backup-table', `secondary partition table overlaps the last partition by ${lastUsed - h.lastUsableLba} blocks`));
  }
  const seen = new Map<string, number>();
  for (const q of parts) {
    const o = seen.get(q.uniqueGuid);
    if (o !== undefined) f.push({ severity: 'warning', code: 'duplicate-guid', path: `entries[${q.number - 1}]`, message: `partitions ${o} and ${q.number} have the same unique GUID` });
    seen.set(q.uniqueGuid, q.number);
  }
  if (alignment > 1) {
    for (const q of parts) {
      if (q.startLba % BigInt(alignment) !== 0n) f.push({ severity: 'info', code: 'alignment', path: `entries[${q.number - 1}]`, message: `partition ${q.number} doesn't begin on a ${alignment}-sector boundary` });
    }
  }
  return f;
}

/** Findings that mean one copy is damaged (what `repair` rebuilds), whatever their severity. */
export const GPT_DAMAGE_CODES: ReadonlySet<string> = new Set(['main-header-crc', 'main-header-missing', 'backup-header-crc', 'backup-header-missing', 'main-array-crc', 'backup-array-crc', 'no-pmbr', 'backup-not-at-end']);

/** Free segments inside [firstUsable, lastUsable] (sgdisk's "free sectors ... in N segments"). */
export function freeSegments(d: GptDisk): { start: bigint; end: bigint }[] {
  const h = d.header;
  if (!h) return [];
  const parts = [...d.partitions].filter((q) => q.startLba <= q.endLba).sort((a, c) => (a.startLba < c.startLba ? -1 : 1));
  const out: { start: bigint; end: bigint }[] = [];
  let cur = h.firstUsableLba;
  for (const q of parts) {
    if (q.startLba > cur) out.push({ start: cur, end: q.startLba - 1n < h.lastUsableLba ? q.startLba - 1n : h.lastUsableLba });
    if (q.endLba + 1n > cur) cur = q.endLba + 1n;
  }
  if (cur <= h.lastUsableLba) out.push({ start: cur, end: h.lastUsableLba });
  return out.filter((s) => s.start <= s.end);
}

// ---- write ----------------------------------------------------------------------------------------

/** Everything a consistent GPT is made of; both copies are derived from it. */
export interface GptModel {
  sectorSize: SectorSize;
  totalLbas: bigint;
  diskGuid: string;
  firstUsableLba: bigint;
  lastUsableLba: bigint;
  /** Slots, in order; length = NumberOfPartitionEntries. */
  entries: GptEntry[];
  entrySize: number;
  /** Extra header bytes to keep (headerSize > 92), from the copy the model came from. */
  headerSize: number;
}

export const emptyEntry = (): GptEntry => ({
  partitionTypeGuid: UNUSED_GUID, uniquePartitionGuid: UNUSED_GUID, startingLba: 0n, endingLba: 0n, attributes: 0n, partitionName: '',
});

export interface CreateOptions {
  sectorSize: SectorSize;
  diskGuid?: string;
  entries?: number;
  /** Leave room between the primary array and the first usable LBA (Xen placement (a)). */
  firstUsableLba?: bigint;
}

/** The model of an empty GPT on a disk of `sizeBytes`, with the geometry sgdisk uses. */
export function newModel(sizeBytes: number, o: CreateOptions): GptModel {
  const ss = o.sectorSize;
  const n = o.entries ?? GPT_DEFAULT_ENTRIES;
  const totalLbas = BigInt(Math.floor(sizeBytes / ss));
  const arr = arrayLbas(n, GPT_ENTRY_SIZE, ss);
  const firstUsableLba = o.firstUsableLba ?? 2n + arr;
  const lastUsableLba = totalLbas - 2n - arr;
  if (firstUsableLba < 2n + arr || lastUsableLba < firstUsableLba) {
    throw new NvError('gpt', '', undefined, `a ${sizeBytes}-byte disk with ${ss}-byte sectors has no room for a GPT with ${n} entries (first usable ${firstUsableLba}, last usable ${lastUsableLba})`);
  }
  return {
    sectorSize: ss, totalLbas, diskGuid: o.diskGuid ?? randomUUID(), firstUsableLba, lastUsableLba,
    entries: Array.from({ length: n }, emptyEntry), entrySize: GPT_ENTRY_SIZE, headerSize: GPT_HEADER_SIZE,
  };
}

/** The model of what is on a disk, from its good copy. */
export function modelOf(d: GptDisk): GptModel {
  if (!d.header) throw new NvError('gpt', '', undefined, 'no valid GPT to work on (neither the primary nor the backup header is valid)');
  const h = d.header;
  return {
    sectorSize: d.sectorSize, totalLbas: d.totalLbas, diskGuid: h.diskGuid, firstUsableLba: h.firstUsableLba, lastUsableLba: h.lastUsableLba,
    entries: d.entries.map((e) => ({ ...e })), entrySize: h.sizeOfPartitionEntry, headerSize: h.headerSize,
  };
}

export function encodeArray(m: GptModel): Uint8Array {
  const out = new Uint8Array(m.entries.length * m.entrySize);
  m.entries.forEach((e, i) => out.set(encodeStruct(gptEntry, e), i * m.entrySize));
  return out;
}

/** One header block (`sectorSize` bytes), CRC over `headerSize` bytes computed here. */
export function encodeHeaderBlock(m: GptModel, which: 'primary' | 'backup', arrayCrc: number): Uint8Array {
  const last = m.totalLbas - 1n;
  const arr = arrayLbas(m.entries.length, m.entrySize, m.sectorSize);
  const h: GptHeader = {
    signature: GPT_SIGNATURE, revision: GPT_REVISION, headerSize: m.headerSize, headerCrc32: 0, reserved: 0,
    myLba: which === 'primary' ? 1n : last,
    alternateLba: which === 'primary' ? last : 1n,
    firstUsableLba: m.firstUsableLba, lastUsableLba: m.lastUsableLba, diskGuid: m.diskGuid,
    partitionEntryLba: which === 'primary' ? 2n : last - arr,
    numberOfPartitionEntries: m.entries.length, sizeOfPartitionEntry: m.entrySize, partitionEntryArrayCrc32: arrayCrc,
  };
  const block = new Uint8Array(m.sectorSize);
  block.set(encodeStruct(gptHeader, h));
  const at = gptHeader.offsetOf('headerCrc32');
  new DataView(block.buffer).setUint32(at, crc32(block.subarray(0, m.headerSize), at), true);
  return block;
}

/**
 * Write a complete, consistent GPT from a model: protective MBR (unless `keepMbr`), primary header
 * and array, backup array and header (the order sgdisk writes in).
 */
export function writeGpt(io: BlockIO, m: GptModel, o: { mbr?: Mbr; keepMbr?: boolean } = {}): void {
  const ss = m.sectorSize;
  if (BigInt(Math.floor(io.size / ss)) !== m.totalLbas) throw new NvError('gpt', '', undefined, 'model does not match the container size');
  const array = encodeArray(m);
  const arrayCrc = crc32(array);
  const arrLbas = arrayLbas(m.entries.length, m.entrySize, ss);
  const padded = new Uint8Array(Number(arrLbas) * ss);
  padded.set(array);
  if (!o.keepMbr) {
    const block0 = new Uint8Array(ss);
    block0.set(encodeStruct(mbr, o.mbr ?? protectiveMbr(Number(m.totalLbas))));
    io.write(0, block0);
  }
  const last = m.totalLbas - 1n;
  io.write(lbaBytes(1n, ss), encodeHeaderBlock(m, 'primary', arrayCrc));
  io.write(lbaBytes(2n, ss), padded);
  io.write(lbaBytes(last - arrLbas, ss), padded);
  io.write(lbaBytes(last, ss), encodeHeaderBlock(m, 'backup', arrayCrc));
  io.flush();
}

/** Whether LBA 0/1 already hold a partition table (so writing a new one needs --force). */
export function hasPartitionTable(io: BlockIO, ss: SectorSize): string | undefined {
  if (io.size < 2 * ss) return undefined;
  const lba0 = io.read(0, mbr.requiredSize!);
  if (hasMbrSignature(lba0)) {
    const m = decodeStruct(mbr, lba0).value;
    if (m.partitions.some((p) => p.osType !== 0)) return `an ${mbrKind(m) === 'mbr' ? 'MBR partition table' : 'MBR/protective MBR'} at LBA 0`;
  }
  for (const s of SECTOR_SIZES) {
    if (io.size >= 2 * s && Buffer.from(io.read(s, GPT_SIGNATURE.length)).toString('latin1') === GPT_SIGNATURE) return `a GPT header at byte ${s} (${s}-byte sectors)`;
  }
  if (io.size >= 2 * ss && Buffer.from(io.read(io.size - (io.size % ss) - ss, 8)).toString('latin1') === GPT_SIGNATURE) return 'a backup GPT header at the last LBA';
  return undefined;
}

/** Sector size of an existing GPT: where the `EFI PART` signature is (512 first, as tools do). */
export function detectSectorSize(io: BlockIO): SectorSize | undefined {
  for (const s of SECTOR_SIZES) {
    if (io.size >= 4 * s && Buffer.from(io.read(s, GPT_SIGNATURE.length)).toString('latin1') === GPT_SIGNATURE) return s;
  }
  for (const s of SECTOR_SIZES) {
    const last = Math.floor(io.size / s) - 1;
    if (last > 1 && Buffer.from(io.read(last * s, 8)).toString('latin1') === GPT_SIGNATURE) return s;
  }
  return undefined;
}

/**
 * The sector size to read or write a partition table on `io` with. On a block device (a namespace's
 * /dev/pmemN or /dev/pmemNs: `deviceSectorSize` given) it is the device's logical block size, the
 * one the kernel reads partition tables in (block/partitions/efi.c bdev_logical_block_size); an
 * `asked` size must agree with it. On an image: `asked`, else the table's own (detectSectorSize),
 * else 512.
 */
export function tableSectorSize(io: BlockIO, o: { asked?: SectorSize; deviceSectorSize?: number } = {}): SectorSize {
  if (o.deviceSectorSize !== undefined) {
    const device = o.deviceSectorSize as SectorSize;
    if (o.asked !== undefined && o.asked !== device) {
      throw new NvError('gpt', 'sectorSize', undefined, `${o.asked}-byte sectors asked, but the device has ${device}-byte logical sectors, which is what the kernel reads its partition table with`);
    }
    return device;
  }
  return o.asked ?? detectSectorSize(io) ?? 512;
}

// ---- partition edits ------------------------------------------------------------------------------

export interface AddOptions {
  /** Slot number (1-based); default the first free slot. */
  number?: number;
  /** Start LBA; default the first aligned free sector. */
  start?: bigint;
  /** Size in LBAs; default up to the end of the free segment. */
  sizeLbas?: bigint;
  typeGuid: string;
  name?: string;
  uniqueGuid?: string;
  attributes?: bigint;
  /** Alignment in LBAs for the default start (sgdisk: 1 MiB). */
  alignment?: bigint;
}

/** Add a partition to a model; returns its 1-based number. Throws NvError if it does not fit. */
export function addPartition(m: GptModel, d: Pick<GptDisk, 'partitions'>, o: AddOptions): number {
  const slot = o.number !== undefined ? o.number - 1 : m.entries.findIndex((e) => e.partitionTypeGuid === UNUSED_GUID);
  if (slot < 0 || slot >= m.entries.length) throw new NvError('gpt', '', undefined, o.number !== undefined ? `partition number ${o.number} is outside 1..${m.entries.length}` : 'no free partition slot');
  if (m.entries[slot]!.partitionTypeGuid !== UNUSED_GUID) throw new NvError('gpt', `entries[${slot}]`, undefined, `partition ${slot + 1} is in use; delete it first`);
  if (o.typeGuid === UNUSED_GUID) throw new NvError('gpt', '', undefined, 'the all-zero type GUID marks an unused entry');
  const align = o.alignment ?? BigInt(Math.max(1, (1024 * 1024) / m.sectorSize));
  const busy = d.partitions.map((q) => [q.startLba, q.endLba] as const);
  const isFree = (lba: bigint) => lba >= m.firstUsableLba && lba <= m.lastUsableLba && !busy.some(([s, e]) => lba >= s && lba <= e);
  let start = o.start;
  if (start === undefined) {
    let cand = ((m.firstUsableLba + align - 1n) / align) * align;
    for (;;) {
      if (cand > m.lastUsableLba) throw new NvError('gpt', '', undefined, 'no free space left for a new partition');
      const hit = busy.find(([s, e]) => cand >= s && cand <= e);
      if (!hit) break;
      cand = ((hit[1] + 1n + align - 1n) / align) * align;
    }
    start = cand;
  }
  if (!isFree(start)) throw new NvError('gpt', '', undefined, `start LBA ${start} is not free (usable ${m.firstUsableLba}..${m.lastUsableLba}, outside every partition)`);
  let end: bigint;
  if (o.sizeLbas !== undefined) {
    if (o.sizeLbas <= 0n) throw new NvError('gpt', '', undefined, 'size must be positive');
    end = start + o.sizeLbas - 1n;
  } else {
    const next = busy.filter(([s]) => s > start!).reduce((mn, [s]) => (s - 1n < mn ? s - 1n : mn), m.lastUsableLba);
    end = next;
  }
  if (end > m.lastUsableLba) throw new NvError('gpt', '', undefined, `partition would end at LBA ${end}, after the last usable LBA ${m.lastUsableLba}`);
  const clash = busy.find(([s, e]) => start! <= e && s <= end);
  if (clash) throw new NvError('gpt', '', undefined, `LBAs ${start}..${end} overlap an existing partition (${clash[0]}..${clash[1]})`);
  const name = o.name ?? '';
  if (name.length > 36) throw new NvError('gpt', 'partitionName', undefined, 'a partition name holds at most 36 UTF-16 code units');
  m.entries[slot] = { partitionTypeGuid: o.typeGuid.toLowerCase(), uniquePartitionGuid: (o.uniqueGuid ?? randomUUID()).toLowerCase(), startingLba: start, endingLba: end, attributes: o.attributes ?? 0n, partitionName: name };
  return slot + 1;
}

export function deletePartition(m: GptModel, number: number): GptEntry {
  const e = m.entries[number - 1];
  if (!e || e.partitionTypeGuid === UNUSED_GUID) throw new NvError('gpt', '', undefined, `partition ${number} does not exist`);
  m.entries[number - 1] = emptyEntry();
  return e;
}

// ---- repair ---------------------------------------------------------------------------------------

export interface RepairResult {
  actions: string[];
  /** The copy that was used as the model. */
  from: 'primary' | 'backup';
}

/**
 * Rebuild a damaged copy from the good one (primary from backup or the other way round), move a
 * backup that is not at the end of the disk, and write a protective MBR when LBA 0 has none.
 * A hybrid MBR is kept. Throws NvError when neither copy is usable.
 */
export function repairGpt(io: BlockIO, d: GptDisk): RepairResult {
  if (!d.header || !d.source) throw new NvError('gpt', '', undefined, 'neither GPT copy is usable; nothing to rebuild from');
  const actions: string[] = [];
  const other = d.source === 'primary' ? d.backup : d.primary;
  const srcCopy = d.source === 'primary' ? d.primary : d.backup;
  if (!srcCopy.arrayCrcOk) actions.push(`the ${d.source} partition array has a bad CRC too; its entries are kept as they are and the CRCs recomputed`);
  if (!other.headerValid || !other.arrayCrcOk) actions.push(`rebuilt the ${other.which} header and partition array from the ${d.source}`);
  else if (verifyGpt(d).some((f) => f.code.startsWith('mismatch') || f.code === 'backup-not-at-end')) actions.push(`rewrote the ${other.which} copy to match the ${d.source}`);
  const m = modelOf(d);
  // A disk that grew: keep the usable range but move the backup to the end (sgdisk -e).
  const arr = arrayLbas(m.entries.length, m.entrySize, m.sectorSize);
  if (m.lastUsableLba > d.totalLbas - 2n - arr) throw new NvError('gpt', 'lastUsableLba', undefined, `last usable LBA ${m.lastUsableLba} does not fit this ${d.totalLbas}-sector disk`);
  if (d.backup.header && d.backup.header.myLba !== d.totalLbas - 1n) actions.push(`moved the backup header to the last LBA ${d.totalLbas - 1n}`);
  const keepMbr = d.mbrKind === 'protective' || d.mbrKind === 'hybrid';
  if (!keepMbr) actions.push('wrote a protective MBR at LBA 0');
  else if (d.mbrKind === 'protective') {
    const fresh = protectiveMbr(Number(d.totalLbas), d.mbr!.bootCode, d.mbr!.diskSignature);
    const rec = d.mbr!.partitions.find((r) => r.osType === 0xee)!;
    if (rec.sizeInLba !== fresh.partitions[0]!.sizeInLba) {
      actions.push('resized the protective MBR record to the disk');
      writeGpt(io, m, { mbr: fresh });
      return { actions, from: d.source };
    }
  }
  writeGpt(io, m, { keepMbr, ...(d.mbr && !keepMbr ? { mbr: protectiveMbr(Number(d.totalLbas), d.mbr.bootCode, d.mbr.diskSignature) } : {}) });
  if (actions.length === 0) actions.push('nothing to repair; rewrote both copies unchanged');
  return { actions, from: d.source };
}

/**
 * The start of a GPT disk (or a whole one): the protective MBR at LBA 0, the primary header at
 * LBA 1 and its partition entry array, and, when the input reaches it, the backup header and
 * array. Every structure is a value (entries by index, all-zero ones left out), so an unedited
 * document needs no patches for them; what lies past them (partition contents) stays patches.
 * Sector size 512 or 4096, told by where "EFI PART" is.
 */
import { crc32 } from '../core/checksum/crc32.js';
import { NvError } from '../core/errors.js';
import { decodeStruct, encodeStruct, structFromJson, type Finding, type Span } from '../core/schema/index.js';
import { GPT_ENTRY_SIZE, GPT_SIGNATURE, gptEntry, gptHeader, type GptHeader } from '../disk/gpt.js';
import { hasMbrSignature, mbr } from '../disk/mbr.js';
import type { DecodableFormat } from './registry.js';

const SECTOR_SIZES = [512, 4096] as const;
/** The most entry bytes modelled (sgdisk's own limit is far below; past it the array stays patches). */
const MAX_ARRAY = 1 << 20;

const sigAt = (b: Uint8Array, off: number) => b.length >= off + gptHeader.size! && Buffer.from(b.subarray(off, off + GPT_SIGNATURE.length)).toString('latin1') === GPT_SIGNATURE;
const sectorSizeOf = (b: Uint8Array) => (hasMbrSignature(b) ? SECTOR_SIZES.find((ss) => sigAt(b, ss)) : undefined);

interface CopyJson {
  /** Where the header lies (LBA 1; the backup where the primary's alternateLba points), whatever its myLba says. */
  lba: number;
  header: unknown;
  /** Entries that are not all zero, by index in the array. */
  entries: { index: number; entry: unknown }[];
}

interface GptDiskJson {
  sectorSize: number;
  mbr: unknown;
  primary: CopyJson;
  backup?: CopyJson;
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

/** `structFromJson` with errors naming the path in the whole document. */
function fromJsonAt<S extends Parameters<typeof structFromJson>[0]>(S: S, json: unknown, path: string): ReturnType<typeof structFromJson<S>> {
  try {
    return structFromJson(S, json);
  } catch (e) {
    if (e instanceof NvError) throw new NvError(e.format, e.path ? `${path}.${e.path}` : path, e.offset, e.reason);
    throw e;
  }
}

/** The entry array of `h` as it lies in `bytes`, when all of it is there and entries are the declared 128 bytes. */
function arrayRange(h: GptHeader, ss: number, length: number): [number, number] | undefined {
  if (h.sizeOfPartitionEntry !== GPT_ENTRY_SIZE) return undefined;
  const start = Number(h.partitionEntryLba) * ss;
  const n = h.numberOfPartitionEntries * GPT_ENTRY_SIZE;
  if (!Number.isSafeInteger(start) || n > MAX_ARRAY || start + n > length) return undefined;
  return [start, start + n];
}

function decodeCopy(bytes: Uint8Array, at: number, ss: number, which: string, spans: Span[] | undefined, findings: Finding[]): CopyJson {
  const d = decodeStruct(gptHeader, bytes.subarray(at, at + gptHeader.size!), { format: 'gpt.header', base: at, spans: !!spans });
  for (const f of d.findings) findings.push({ ...f, path: `${which}.header${f.path ? '.' + f.path : ''}` });
  for (const s of d.spans ?? []) spans!.push({ ...s, path: `${which}.header${s.path ? '.' + s.path : ''}` });
  const entries: CopyJson['entries'] = [];
  const r = arrayRange(d.value, ss, bytes.length);
  if (r) {
    for (let i = 0, o = r[0]; o < r[1]; i++, o += GPT_ENTRY_SIZE) {
      const raw = bytes.subarray(o, o + GPT_ENTRY_SIZE);
      if (isZero(raw)) continue;
      const e = decodeStruct(gptEntry, raw, { format: 'gpt.entry', base: o, spans: !!spans });
      for (const s of e.spans ?? []) spans!.push({ ...s, path: `${which}.entries[${i}]${s.path ? '.' + s.path : ''}` });
      entries.push({ index: i, entry: gptEntry.toJson(e.value) });
    }
    if (crc32(bytes.subarray(r[0], r[1])) !== d.value.partitionEntryArrayCrc32) {
      findings.push({ severity: 'error', code: 'array-crc', path: `${which}.header.partitionEntryArrayCrc32`, offset: at + gptHeader.offsetOf('partitionEntryArrayCrc32'), message: `the ${which} partition entry array's CRC32 does not match` });
    }
  }
  return { lba: at / ss, header: gptHeader.toJson(d.value), entries };
}

function encodeCopy(out: Uint8Array, c: CopyJson, ss: number, which: string, preserve: boolean): void {
  if (!Number.isSafeInteger(c.lba) || c.lba < 1 || (c.lba + 1) * ss > out.length) throw new NvError('json', `${which}.lba`, undefined, `not an LBA inside the structures: ${c.lba}`);
  const { value: h, pins } = fromJsonAt(gptHeader, c.header, which + '.header');
  const arr = arrayRange(h, ss, out.length);
  if (arr) {
    for (const [i, x] of (c.entries ?? []).entries()) {
      if (!Number.isSafeInteger(x.index) || x.index < 0 || x.index >= h.numberOfPartitionEntries) throw new NvError('json', `${which}.entries[${i}].index`, undefined, `not an entry of the ${h.numberOfPartitionEntries}-entry array: ${x.index}`);
      const { value, pins: ep } = fromJsonAt(gptEntry, x.entry, `${which}.entries[${i}].entry`);
      out.set(encodeStruct(gptEntry, value, { pins: preserve ? 'all' : ep }), arr[0] + x.index * GPT_ENTRY_SIZE);
    }
    // the array's CRC is derived like the header's: recomputed unless pinned
    if (!preserve && !pins.has('partitionEntryArrayCrc32')) h.partitionEntryArrayCrc32 = crc32(out.subarray(arr[0], arr[1]));
  } else if (c.entries?.length) throw new NvError('json', `${which}.entries`, undefined, 'the header places no 128-byte entry array inside the input');
  out.set(encodeStruct(gptHeader, h, { pins: preserve ? 'all' : pins }), c.lba * ss);
}

/** Bytes up to the end of the last structure the value places. */
function extent(v: GptDiskJson): number {
  let end = 512 + v.sectorSize; // MBR and the primary header's sector
  for (const c of [v.primary, v.backup]) {
    if (!c) continue;
    const { value: h } = fromJsonAt(gptHeader, c.header, c === v.primary ? 'primary.header' : 'backup.header');
    if (Number.isSafeInteger(c.lba)) end = Math.max(end, (c.lba + 1) * v.sectorSize);
    if (h.sizeOfPartitionEntry === GPT_ENTRY_SIZE && h.numberOfPartitionEntries * GPT_ENTRY_SIZE <= MAX_ARRAY) end = Math.max(end, Number(h.partitionEntryLba) * v.sectorSize + h.numberOfPartitionEntries * GPT_ENTRY_SIZE);
  }
  return end;
}

export const gptDiskFormat: DecodableFormat = {
  name: 'gpt',
  detect: (b) => sectorSizeOf(b) !== undefined,
  decode(bytes, { spans: wantSpans }) {
    const ss = sectorSizeOf(bytes) ?? 512;
    const findings: Finding[] = [];
    const spans: Span[] | undefined = wantSpans ? [] : undefined;
    const m = decodeStruct(mbr, bytes.subarray(0, mbr.size!), { format: 'mbr', spans: wantSpans });
    findings.push(...m.findings.map((f) => ({ ...f, path: `mbr${f.path ? '.' + f.path : ''}` })));
    for (const s of m.spans ?? []) spans!.push({ ...s, path: `mbr${s.path ? '.' + s.path : ''}` });
    const primary = decodeCopy(bytes, ss, ss, 'primary', spans, findings);
    const value: GptDiskJson = { sectorSize: ss, mbr: mbr.toJson(m.value), primary };
    const { value: ph } = structFromJson(gptHeader, primary.header);
    const alt = Number(ph.alternateLba) * ss;
    if (Number.isSafeInteger(alt) && alt > ss && sigAt(bytes, alt)) value.backup = decodeCopy(bytes, alt, ss, 'backup', spans, findings);
    else findings.push({ severity: 'info', code: 'backup-outside', path: 'backup', message: `the backup header (LBA ${ph.alternateLba}) is not in this ${bytes.length}-byte input` });
    return { format: `GPT (${ss}-byte sectors)`, findings, ...(spans ? { spans } : {}), json: value };
  },
  encode(json, { preserve }) {
    const v = json as GptDiskJson;
    if (!v || typeof v !== 'object' || !SECTOR_SIZES.includes(v.sectorSize as 512)) throw new NvError('json', 'sectorSize', undefined, `expected 512 or 4096, got ${JSON.stringify(v?.sectorSize)}`);
    const size = extent(v);
    if (size > 1 << 30) throw new NvError('json', 'backup.header.myLba', undefined, `the structures end at byte ${size}: too far to build in memory`);
    const out = new Uint8Array(size);
    const { value: m, pins } = fromJsonAt(mbr, v.mbr, 'mbr');
    out.set(encodeStruct(mbr, m, { pins: preserve ? 'all' : pins }), 0);
    encodeCopy(out, v.primary, v.sectorSize, 'primary', preserve);
    if (v.backup) encodeCopy(out, v.backup, v.sectorSize, 'backup', preserve);
    return out;
  },
  detectJson: (j) => !!j && typeof j === 'object' && 'primary' in j && 'mbr' in j && 'sectorSize' in j,
};

import fc from 'fast-check';
import type { FuzzTarget } from '../core/fuzz.js';
import { NvError } from '../core/errors.js';
import { decodeStruct, encodeStruct } from '../core/schema/index.js';
import { GPT_ENTRY_SIZE, gptEntry, gptHeader, type GptEntry, type GptHeader } from './gpt.js';
import { EMPTY_MBR_RECORD, mbr, type Mbr } from './mbr.js';

/** MBR: any boot code, exactly four records (the array arbitrary is variable-length). */
export const mbrFuzzTarget: FuzzTarget<Mbr> = {
  name: 'mbr',
  // Built on first use: constructing these arbitraries costs ~0.5 s, which every CLI start would pay.
  get values() {
    return mbr.arbitrary().map((m) => ({ ...m, partitions: [0, 1, 2, 3].map((i) => m.partitions[i] ?? EMPTY_MBR_RECORD) }));
  },
  encode: (v) => encodeStruct(mbr, v),
  decode: (b) => decodeStruct(mbr, b, { format: 'mbr' }).value,
};

export interface GptFuzzValue {
  header: GptHeader;
  entries: GptEntry[];
}

/**
 * GPT header block (512 bytes) followed by the entry array it announces, as read from LBA 1 on a
 * 512-byte-sector disk: the header's count and entry size are checked against the bytes there
 * before anything is allocated.
 */
export function decodeGptBlocks(b: Uint8Array): GptFuzzValue {
  const header = decodeStruct(gptHeader, b.subarray(0, 512), { format: 'gpt.header' }).value;
  const rest = b.subarray(512);
  const n = header.numberOfPartitionEntries;
  const size = header.sizeOfPartitionEntry;
  if (size < GPT_ENTRY_SIZE) throw new NvError('gpt.header', 'sizeOfPartitionEntry', 84, `entries of ${size} bytes are smaller than 128`);
  if (n * size > rest.length) throw new NvError('gpt.entries', '', 512, `${n} entries of ${size} bytes need ${n * size} bytes, ${rest.length} remain`);
  const entries: GptEntry[] = [];
  for (let i = 0; i < n; i++) entries.push(decodeStruct(gptEntry, rest.subarray(i * size, i * size + GPT_ENTRY_SIZE), { format: 'gpt.entries', base: 512 + i * size }).value);
  return { header, entries };
}

export function encodeGptBlocks(v: GptFuzzValue): Uint8Array {
  const h = encodeStruct(gptHeader, v.header, { pins: 'all' });
  const size = v.header.sizeOfPartitionEntry;
  const out = new Uint8Array(512 + v.entries.length * size);
  out.set(h);
  v.entries.forEach((e, i) => out.set(encodeStruct(gptEntry, e), 512 + i * size));
  return out;
}

export const gptFuzzTarget: FuzzTarget<GptFuzzValue> = {
  name: 'gpt',
  get values() {
    return fc
      .tuple(gptHeader.arbitrary(), fc.array(gptEntry.arbitrary(), { maxLength: 8 }), fc.constantFrom(128, 256))
      .map(([h, entries, size]) => ({ header: { ...h, numberOfPartitionEntries: entries.length, sizeOfPartitionEntry: size }, entries }));
  },
  encode: encodeGptBlocks,
  decode: decodeGptBlocks,
};

import { fc } from '../core/schema/fastCheck.js';
import { NvError } from '../core/errors.js';
import { Struct, ascii, efiGuid, field, u32, u64, type Codec, type ValueOf } from '../core/schema/index.js';
import { GPT_TYPE_NAMES } from './gptTypes.js';

/**
 * GPT header and partition entry: UEFI 2.10 §5.3.2-5.3.3, formats.md §5.3-5.4; validation rules
 * from Linux `block/partitions/efi.c` and gptfdisk `gpt.cc`.
 */

export const GPT_SIGNATURE = 'EFI PART';
export const GPT_REVISION = 0x00010000;
export const GPT_HEADER_SIZE = 92;
export const GPT_ENTRY_SIZE = 128;
export const GPT_DEFAULT_ENTRIES = 128;

/**
 * The 92 bytes of the header. `headerCrc32` has the checksum role: correct when `headerSize` is
 * 92 (every tool writes 92); for a larger `headerSize` the table code computes the CRC over
 * `headerSize` bytes itself. The rest of the block is reserved (must be zero).
 */
export const gptHeader = new Struct(
  'gpt.header',
  [
    ascii('signature', 8, { label: 'Signature', specName: 'Signature', expect: GPT_SIGNATURE }),
    u32('revision', { label: 'Revision', specName: 'Revision', expect: GPT_REVISION, describe: (v) => `${v >>> 16}.${v & 0xffff}` }),
    u32('headerSize', { label: 'Header Size', specName: 'HeaderSize' }),
    u32('headerCrc32', { label: 'Header CRC32', specName: 'HeaderCRC32', role: { kind: 'checksum', algo: 'crc32' } }),
    u32('reserved', { label: 'Reserved', reserved: true }),
    u64('myLba', { label: 'My LBA', specName: 'MyLBA' }),
    u64('alternateLba', { label: 'Alternate LBA', specName: 'AlternateLBA' }),
    u64('firstUsableLba', { label: 'First Usable LBA', specName: 'FirstUsableLBA' }),
    u64('lastUsableLba', { label: 'Last Usable LBA', specName: 'LastUsableLBA' }),
    efiGuid('diskGuid', { label: 'Disk GUID', specName: 'DiskGUID' }),
    u64('partitionEntryLba', { label: 'Partition Entry LBA', specName: 'PartitionEntryLBA' }),
    u32('numberOfPartitionEntries', { label: 'Number of Partition Entries', specName: 'NumberOfPartitionEntries' }),
    u32('sizeOfPartitionEntry', { label: 'Size of Partition Entry', specName: 'SizeOfPartitionEntry' }),
    u32('partitionEntryArrayCrc32', { label: 'Partition Entry Array CRC32', specName: 'PartitionEntryArrayCRC32' }),
  ] as const,
  { label: 'GPT Header', spec: 'UEFI 2.10 §5.3.2 Table 5.5', size: GPT_HEADER_SIZE },
);

export type GptHeader = ValueOf<typeof gptHeader>;

/**
 * Fixed-width UTF-16LE text (GPT partition names: 36 code units). Only trailing NUL units are
 * dropped; code units map 1:1 to JS string units (lone surrogates included), so any bytes
 * round-trip exactly.
 */
export function utf16Codec(size: number): Codec<string> {
  const units = size / 2;
  return {
    size,
    decode: (r, _f, _ctx, path) => {
      const b = r.bytesView(size, path);
      const codes: number[] = [];
      for (let i = 0; i < units; i++) codes.push(b[2 * i]! | (b[2 * i + 1]! << 8));
      while (codes.length && codes[codes.length - 1] === 0) codes.pop();
      return String.fromCharCode(...codes);
    },
    encode: (w, v) => {
      for (let i = 0; i < units; i++) w.u16(i < v.length ? v.charCodeAt(i) : 0);
    },
    arbitrary: () => fc.string({ maxLength: units, unit: 'binary' }).filter((s) => s.length <= units),
    show: (v) => JSON.stringify(v),
    toJson: (v) => v,
    fromJson: (j, path) => {
      if (typeof j !== 'string') throw new NvError('json', path, undefined, 'expected a string');
      if (j.length > units) throw new NvError('json', path, undefined, `longer than ${units} UTF-16 code units`);
      return j;
    },
  };
}

export const GPT_ATTRIBUTE_FLAGS: Readonly<Record<number, string>> = {
  0: 'Required Partition',
  1: 'No Block IO Protocol',
  2: 'Legacy BIOS Bootable',
  60: 'read-only (Microsoft basic data)',
  62: 'hidden (Microsoft basic data)',
  63: 'do not automount (Microsoft basic data)',
};

export const gptEntry = new Struct(
  'gpt.entry',
  [
    efiGuid('partitionTypeGuid', { label: 'Partition Type GUID', specName: 'PartitionTypeGUID', names: GPT_TYPE_NAMES }),
    efiGuid('uniquePartitionGuid', { label: 'Unique Partition GUID', specName: 'UniquePartitionGUID' }),
    u64('startingLba', { label: 'Starting LBA', specName: 'StartingLBA' }),
    u64('endingLba', { label: 'Ending LBA', specName: 'EndingLBA', doc: 'inclusive' }),
    u64('attributes', { label: 'Attributes', specName: 'Attributes', flags: GPT_ATTRIBUTE_FLAGS }),
    field('partitionName', utf16Codec(72), { label: 'Partition Name', specName: 'PartitionName' }),
  ] as const,
  { label: 'GPT Partition Entry', spec: 'UEFI 2.10 §5.3.3 Table 5.6', size: GPT_ENTRY_SIZE },
);

export type GptEntry = ValueOf<typeof gptEntry>;

export const UNUSED_GUID = '00000000-0000-0000-0000-000000000000';

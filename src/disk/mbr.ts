import { Struct, array, bytes, reserved, u16, u32, u8, type ValueOf } from '../core/schema/index.js';

/**
 * Classic MBR (LBA 0) and its 16-byte partition records: formats.md §5.1-5.2, UEFI 2.10 §5.2.1.
 * The layout is 512 bytes even on 4 KiB-sector disks (the rest of LBA 0 is not part of it).
 */

/** OS type byte → name (the common ones; sfdisk `--list-types` has the long list). */
export const MBR_TYPE_NAMES: Readonly<Record<string, string>> = {
  0: 'empty',
  0x05: 'Extended',
  0x06: 'FAT16',
  0x07: 'HPFS/NTFS/exFAT',
  0x0b: 'W95 FAT32',
  0x0c: 'W95 FAT32 (LBA)',
  0x0f: "W95 Ext'd (LBA)",
  0x82: 'Linux swap',
  0x83: 'Linux',
  0x85: 'Linux extended',
  0x8e: 'Linux LVM',
  0xee: 'GPT protective',
  0xef: 'EFI (FAT-12/16/32)',
  0xfd: 'Linux raid autodetect',
};

export const MBR_SIGNATURE = 0xaa55;
export const MBR_TYPE_GPT_PROTECTIVE = 0xee;

/** Heads and sectors per track every current tool (fdisk, sgdisk) assumes for CHS fields. */
export const CHS_HEADS = 255;
export const CHS_SECTORS = 63;

/** CHS triple for an LBA, as sgdisk and sfdisk write it; `ff ff ff` when it does not fit 1024 cylinders. */
export function lbaToChs(lba: number): Uint8Array {
  const cyl = Math.floor(lba / (CHS_HEADS * CHS_SECTORS));
  if (cyl > 1023) return Uint8Array.of(0xff, 0xff, 0xff);
  const rem = lba % (CHS_HEADS * CHS_SECTORS);
  const head = Math.floor(rem / CHS_SECTORS);
  const sector = (rem % CHS_SECTORS) + 1;
  return Uint8Array.of(head, sector | ((cyl >> 8) << 6), cyl & 0xff);
}

/** `c/h/s` text of a CHS triple. */
export function describeChs(b: Uint8Array): string {
  const head = b[0] ?? 0;
  const sector = (b[1] ?? 0) & 0x3f;
  const cyl = ((((b[1] ?? 0) >> 6) & 3) << 8) | (b[2] ?? 0);
  return `C/H/S ${cyl}/${head}/${sector}`;
}

export const mbrPartitionRecord = new Struct(
  'mbr.partition',
  [
    u8('bootIndicator', { label: 'Boot Indicator', names: { 0: 'not bootable', 128: 'active (bootable)' } }),
    bytes('startingChs', 3, { label: 'Starting CHS', specName: 'StartingCHS', describe: describeChs }),
    u8('osType', { label: 'OS Type', specName: 'OSType', names: MBR_TYPE_NAMES }),
    bytes('endingChs', 3, { label: 'Ending CHS', specName: 'EndingCHS', describe: describeChs }),
    u32('startingLba', { label: 'Starting LBA', specName: 'StartingLBA' }),
    u32('sizeInLba', { label: 'Size in LBA', specName: 'SizeInLBA' }),
  ] as const,
  { label: 'MBR partition record', spec: 'UEFI 2.10 §5.2.1 Table 5.2', size: 16 },
);

export const mbr = new Struct(
  'mbr',
  [
    bytes('bootCode', 440, { label: 'Boot Code', specName: 'BootCode' }),
    u32('diskSignature', { label: 'Unique MBR Disk Signature', specName: 'UniqueMBRSignature' }),
    u16('unknown', { label: 'Unknown', reserved: true }),
    array('partitions', mbrPartitionRecord, 4, { label: 'Partition Record' }),
    u16('signature', { label: 'Signature', expect: MBR_SIGNATURE, describe: (v) => (v === MBR_SIGNATURE ? '55 AA' : undefined) }),
  ] as const,
  { label: 'Master Boot Record', spec: 'UEFI 2.10 §5.2.1', size: 512 },
);

/** Byte offset of partition record `i` (0..3) in an MBR or EBR sector. */
export function mbrRecordOffset(i: number): number {
  return mbr.offsetOf('partitions') + i * mbrPartitionRecord.requiredSize!;
}

/** The sector ends with the 55 AA signature (bytes at the declaration's `signature` field). */
export function hasMbrSignature(b: Uint8Array): boolean {
  const at = mbr.offsetOf('signature');
  return b.length >= at + 2 && (b[at]! | (b[at + 1]! << 8)) === MBR_SIGNATURE;
}

export type Mbr = ValueOf<typeof mbr>;
export type MbrPartitionRecord = ValueOf<typeof mbrPartitionRecord>;

export const EMPTY_MBR_RECORD: MbrPartitionRecord = {
  bootIndicator: 0, startingChs: new Uint8Array(3), osType: 0, endingChs: new Uint8Array(3), startingLba: 0, sizeInLba: 0,
};

/**
 * The protective MBR GPT disks carry (UEFI 2.10 §5.2.3): one 0xEE record from LBA 1 covering the
 * disk (capped at 0xFFFFFFFF), start CHS 00 02 00, end CHS of the last LBA as sgdisk writes it.
 * `totalLbas` counts logical blocks of the disk's own size (4096 on 4Kn).
 */
export function protectiveMbr(totalLbas: number, bootCode?: Uint8Array, diskSignature = 0): Mbr {
  const size = Math.min(totalLbas - 1, 0xffffffff);
  return {
    bootCode: bootCode ?? new Uint8Array(440),
    diskSignature,
    unknown: 0,
    partitions: [
      { bootIndicator: 0, startingChs: Uint8Array.of(0, 2, 0), osType: MBR_TYPE_GPT_PROTECTIVE, endingChs: lbaToChs(totalLbas - 1), startingLba: 1, sizeInLba: size },
      EMPTY_MBR_RECORD, EMPTY_MBR_RECORD, EMPTY_MBR_RECORD,
    ],
    signature: MBR_SIGNATURE,
  };
}

/** What LBA 0 holds, judged as Linux `is_pmbr_valid` and gptfdisk do. */
export type MbrKind = 'none' | 'protective' | 'hybrid' | 'mbr';

export function mbrKind(m: Mbr): MbrKind {
  if (m.signature !== MBR_SIGNATURE) return 'none';
  const used = m.partitions.filter((p) => p.osType !== 0);
  const pmbr = used.some((p) => p.osType === MBR_TYPE_GPT_PROTECTIVE && p.startingLba === 1);
  if (pmbr) return used.length === 1 ? 'protective' : 'hybrid';
  return used.length ? 'mbr' : 'none';
}

import { Struct, ascii, u32, u8, union, type ValueOf } from '../../core/schema/index.js';

/**
 * QEMU's BIOSLinkerLoader ("etc/table-loader", QEMU hw/acpi/bios-linker-loader.c; Xen's copy
 * tools/libacpi/qemu_loader.c of the v4 series): 128-byte entries, `u32 command` and a 124-byte
 * union, little-endian. File names are NUL-padded fw_cfg names of at most 56 bytes.
 */
export const FW_CFG_FILE_PATH_MAX_LENGTH = 56;
export const LOADER_ENTRY_SIZE = 128;

export const LoaderCommand = { ALLOCATE: 1, ADD_POINTER: 2, ADD_CHECKSUM: 3, WRITE_POINTER: 4 } as const;
export const AllocZone = { HIGH: 1, FSEG: 2 } as const;

const fileName = <N extends string>(n: N) => ascii(n, FW_CFG_FILE_PATH_MAX_LENGTH);

export const loaderAllocate = new Struct('ALLOCATE', [
  fileName('file'),
  u32('align', { doc: 'a power of 2' }),
  u8('zone', { names: { '1': 'HIGH', '2': 'FSEG' } }),
] as const, { spec: 'QEMU bios-linker-loader.c COMMAND_ALLOCATE' });

export const loaderAddPointer = new Struct('ADD_POINTER', [
  fileName('destFile'),
  fileName('srcFile'),
  u32('offset'),
  u8('size', { doc: '1, 2, 4 or 8' }),
] as const, { spec: 'QEMU bios-linker-loader.c COMMAND_ADD_POINTER' });

export const loaderAddChecksum = new Struct('ADD_CHECKSUM', [
  fileName('file'),
  u32('offset'),
  u32('start'),
  u32('length'),
] as const, { spec: 'QEMU bios-linker-loader.c COMMAND_ADD_CHECKSUM' });

const byCommand: Record<number, 'allocate' | 'addPointer' | 'addChecksum'> = {
  [LoaderCommand.ALLOCATE]: 'allocate',
  [LoaderCommand.ADD_POINTER]: 'addPointer',
  [LoaderCommand.ADD_CHECKSUM]: 'addChecksum',
};

export const loaderEntry = new Struct('BiosLinkerLoaderEntry', [
  u32('command', { names: { '1': 'ALLOCATE', '2': 'ADD_POINTER', '3': 'ADD_CHECKSUM', '4': 'WRITE_POINTER' } }),
  union('u', {
    label: 'loader entry union',
    size: LOADER_ENTRY_SIZE - 4,
    members: { allocate: loaderAllocate, addPointer: loaderAddPointer, addChecksum: loaderAddChecksum },
    select: (p) => byCommand[p.command as number],
  }),
] as const, { label: 'BIOSLinkerLoader entry', spec: 'QEMU hw/acpi/bios-linker-loader.c', size: LOADER_ENTRY_SIZE });

export type LoaderEntry = ValueOf<typeof loaderEntry>;

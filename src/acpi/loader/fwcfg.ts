import { Struct, ascii, be16, be32, u16, type ValueOf } from '../../core/schema/index.js';
import { FW_CFG_FILE_PATH_MAX_LENGTH } from './entry.js';

/** fw_cfg's I/O ports on x86 and the items firmware reads first (QEMU docs/specs/fw_cfg.rst). */
export const FW_CFG_PORT_SEL = 0x510;
export const FW_CFG_PORT_DATA = 0x511;
export const FW_CFG_SIGNATURE = 0x0000;
export const FW_CFG_FILE_DIR = 0x0019;
/** The first selector QEMU gives a named file (FW_CFG_FILE_FIRST). */
export const FW_CFG_FILE_FIRST = 0x0020;
/** "QEMU" read as a little-endian u32 from the signature item. */
export const FW_CFG_SIGNATURE_QEMU = 0x554d4551;

/** One entry of the file directory (item 0x19): `struct FWCfgFile`, big-endian. */
export const fwCfgFile = new Struct('FWCfgFile', [
  be32('size'),
  be16('select'),
  u16('reserved', { reserved: true }),
  ascii('name', FW_CFG_FILE_PATH_MAX_LENGTH),
] as const, { label: 'fw_cfg file', spec: 'QEMU include/standard-headers/linux/qemu_fw_cfg.h struct fw_cfg_file', size: 64 });

/** The directory's count, big-endian, before the entries. */
export const fwCfgFileDirHeader = new Struct('FWCfgFiles', [be32('count')] as const, { spec: 'struct fw_cfg_files', size: 4 });

export type FwCfgFile = ValueOf<typeof fwCfgFile>;

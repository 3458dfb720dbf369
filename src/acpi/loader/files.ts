import { NvError } from '../../core/errors.js';
import { decodeStruct, encodeStruct } from '../../core/schema/index.js';
import { FW_CFG_FILE_PATH_MAX_LENGTH, LOADER_ENTRY_SIZE, loaderEntry, type LoaderEntry } from './entry.js';
import { FW_CFG_FILE_FIRST, fwCfgFile, fwCfgFileDirHeader, type FwCfgFile } from './fwcfg.js';

/** The fw_cfg file names of the ACPI hand-over (QEMU hw/acpi/acpi-defs, hw/i386/acpi-build.c). */
export const ACPI_TABLES_FILE = 'etc/acpi/tables';
export const ACPI_RSDP_FILE = 'etc/acpi/rsdp';
export const TABLE_LOADER_FILE = 'etc/table-loader';
export const NVDIMM_MEM_FILE = 'etc/acpi/nvdimm-mem';

/** A named fw_cfg file and its contents. */
export interface FwCfgBlob {
  name: string;
  data: Uint8Array;
}

/** C's view of a fixed name field: the characters before the first NUL (strncmp, printf %s). */
export function cName(name: string | undefined): string {
  if (name === undefined) return '';
  const nul = name.indexOf('\0');
  return nul < 0 ? name : name.slice(0, nul);
}

/** The file directory (item 0x19) for `files`, selectors from FW_CFG_FILE_FIRST in order. */
export function encodeFileDir(files: readonly FwCfgBlob[]): Uint8Array {
  const parts = [encodeStruct(fwCfgFileDirHeader, { count: files.length })];
  files.forEach((f, i) => {
    if (f.name.length >= FW_CFG_FILE_PATH_MAX_LENGTH) throw new NvError('fw_cfg', `files[${i}].name`, undefined, `"${f.name}" is longer than ${FW_CFG_FILE_PATH_MAX_LENGTH - 1} characters`);
    parts.push(encodeStruct(fwCfgFile, { size: f.data.length, select: FW_CFG_FILE_FIRST + i, reserved: 0, name: f.name }));
  });
  return concat(parts);
}

/** The directory's entries; the count is checked against the bytes before anything is read. */
export function decodeFileDir(bytes: Uint8Array): FwCfgFile[] {
  const head = fwCfgFileDirHeader.size!;
  if (bytes.length < head) throw new NvError('fw_cfg', 'count', 0, `file directory is ${bytes.length} bytes, shorter than its ${head}-byte count`);
  const { count } = decodeStruct(fwCfgFileDirHeader, bytes.subarray(0, head)).value;
  const size = fwCfgFile.size!;
  if (count > Math.floor((bytes.length - head) / size)) throw new NvError('fw_cfg', 'count', 0, `count ${count} needs ${head + count * size} bytes, the directory has ${bytes.length}`);
  const out: FwCfgFile[] = [];
  for (let i = 0; i < count; i++) out.push(decodeStruct(fwCfgFile, bytes.subarray(head + i * size, head + (i + 1) * size)).value);
  return out;
}

export function encodeLoader(entries: readonly LoaderEntry[]): Uint8Array {
  return concat(entries.map((e) => encodeStruct(loaderEntry, e)));
}

/** The entries of an etc/table-loader file; its size must be a multiple of the 128-byte entry. */
export function decodeLoader(bytes: Uint8Array): LoaderEntry[] {
  if (bytes.length % LOADER_ENTRY_SIZE) throw new NvError('table-loader', '', 0, `size ${bytes.length} is not a multiple of the ${LOADER_ENTRY_SIZE}-byte entry`);
  const out: LoaderEntry[] = [];
  for (let at = 0; at < bytes.length; at += LOADER_ENTRY_SIZE) out.push(decodeStruct(loaderEntry, bytes.subarray(at, at + LOADER_ENTRY_SIZE)).value);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

/** The fw_cfg files the v4 hvmloader keeps (`rom_needed`, tools/libacpi/qemu_loader.c). */
export const ACPI_NVDIMM_LOADER_FILES: readonly string[] = [ACPI_RSDP_FILE, ACPI_TABLES_FILE, TABLE_LOADER_FILE, NVDIMM_MEM_FILE];

import { NvError } from '../../core/errors.js';
import { encodeStruct } from '../../core/schema/index.js';
import { acpiTableHeader } from '../../acpi/header.js';
import {
  ACPI_RSDP_FILE, ACPI_TABLES_FILE, AllocZone, encodeFileDir, encodeLoader, FW_CFG_FILE_DIR, FW_CFG_FILE_FIRST, FW_CFG_SIGNATURE,
  LoaderCommand, NVDIMM_MEM_FILE, TABLE_LOADER_FILE, type FwCfgBlob, type LoaderEntry,
} from '../../acpi/loader/index.js';
import { NVDIMM_DSM_MEMORY_SIZE } from '../../aml/qemuNvdimmSsdt.js';
import { rsdp, rsdt } from '../../acpi/tables/index.js';
import type { FwCfgDevice } from '../hvmloader/dm.js';

const CK = acpiTableHeader.offsetOf('checksum');
const LEN = acpiTableHeader.size!;

const alloc = (file: string, align: number, zone: number): LoaderEntry => ({ command: LoaderCommand.ALLOCATE, u: { allocate: { file, align, zone } } });
const pointer = (destFile: string, offset: number, size: number, srcFile: string): LoaderEntry => ({ command: LoaderCommand.ADD_POINTER, u: { addPointer: { destFile, srcFile, offset, size } } });
const checksum = (file: string, start: number, length: number, offset: number): LoaderEntry => ({ command: LoaderCommand.ADD_CHECKSUM, u: { addChecksum: { file, offset, start, length } } });

/**
 * The v4 hand-over (QEMU xen_acpi_build, hw/i386/xen/xen-hvm.c of xen-nvdimm-rfc-v4): only the
 * NVDIMM tables, then an RSDT listing them and an ACPI 1.0 RSDP, as fw_cfg files with the
 * BIOSLinkerLoader script QEMU's linker calls leave:
 *   ALLOCATE etc/acpi/tables (align 64, HIGH); NFIT's checksum; ALLOCATE etc/acpi/nvdimm-mem
 *   (4096, HIGH), MEMA (the SSDT's last dword) += its address, SSDT's checksum; each RSDT entry
 *   += the tables' address, RSDT's checksum; ALLOCATE etc/acpi/rsdp (16, FSEG), its RSDT
 *   address += the tables' address, its checksum over the 20 ACPI 1.0 bytes.
 * Table checksums are left 0 (the loader computes them), pointers hold offsets into their file.
 */
export function fwCfgHandover(nfit: Uint8Array, ssdt: Uint8Array): FwCfgBlob[] {
  const meMa = ssdt.length - 4;
  if (String.fromCharCode(...ssdt.subarray(meMa - 5, meMa - 1)) !== 'MEMA' || ssdt[meMa - 1] !== 0x0c) throw new NvError('qemu', 'nvdimm-ssdt', meMa, 'the SSDT does not end in Name(MEMA, DWord): no place for the DSM buffer pointer');
  const nfitAt = 0;
  const ssdtAt = nfit.length;
  const rsdtAt = ssdtAt + ssdt.length;
  const rsdtBytes = encodeStruct(rsdt, { signature: 'RSDT', length: 0, revision: 1, checksum: 0, oemId: 'BOCHS ', oemTableId: 'BXPCRSDT', oemRevision: 1, creatorId: 'BXPC', creatorRevision: 1, entry: [nfitAt, ssdtAt] });
  const tables = new Uint8Array(rsdtAt + rsdtBytes.length);
  tables.set(nfit, nfitAt), tables.set(ssdt, ssdtAt), tables.set(rsdtBytes, rsdtAt);
  for (const at of [nfitAt, ssdtAt, rsdtAt]) tables[at + CK] = 0;
  const r = encodeStruct(rsdp, { signature: 'RSD PTR ', checksum: 0, oemId: 'BOCHS ', revision: 0, rsdtAddress: rsdtAt, length: 0, xsdtAddress: 0n, extendedChecksum: 0, reserved: new Uint8Array(3) });
  const entries: LoaderEntry[] = [
    alloc(ACPI_TABLES_FILE, 64, AllocZone.HIGH),
    checksum(ACPI_TABLES_FILE, nfitAt, nfit.length, nfitAt + CK),
    alloc(NVDIMM_MEM_FILE, 4096, AllocZone.HIGH),
    pointer(ACPI_TABLES_FILE, ssdtAt + meMa, 4, NVDIMM_MEM_FILE),
    checksum(ACPI_TABLES_FILE, ssdtAt, ssdt.length, ssdtAt + CK),
    pointer(ACPI_TABLES_FILE, rsdtAt + LEN, 4, ACPI_TABLES_FILE),
    pointer(ACPI_TABLES_FILE, rsdtAt + LEN + 4, 4, ACPI_TABLES_FILE),
    checksum(ACPI_TABLES_FILE, rsdtAt, rsdtBytes.length, rsdtAt + CK),
    alloc(ACPI_RSDP_FILE, 16, AllocZone.FSEG),
    pointer(ACPI_RSDP_FILE, rsdp.offsetOf('rsdtAddress'), 4, ACPI_TABLES_FILE),
    checksum(ACPI_RSDP_FILE, 0, rsdp.offsetOf('length'), rsdp.offsetOf('checksum')),
  ];
  return [
    { name: ACPI_TABLES_FILE, data: tables },
    { name: ACPI_RSDP_FILE, data: r },
    { name: TABLE_LOADER_FILE, data: encodeLoader(entries) },
    { name: NVDIMM_MEM_FILE, data: new Uint8Array(NVDIMM_DSM_MEMORY_SIZE) },
  ];
}

/** fw_cfg as the guest's ports show it: the "QEMU" signature, the file directory, each file at its selector. */
export function fwCfgDevice(files: readonly FwCfgBlob[]): FwCfgDevice {
  const items = new Map<number, Uint8Array>([[FW_CFG_SIGNATURE, Uint8Array.from([0x51, 0x45, 0x4d, 0x55])], [FW_CFG_FILE_DIR, encodeFileDir(files)]]);
  files.forEach((f, i) => items.set(FW_CFG_FILE_FIRST + i, f.data));
  return { items };
}

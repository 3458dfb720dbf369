import { acpiByteSum } from '../../core/checksum/acpi.js';
import { decodeStruct } from '../../core/schema/index.js';
import { NvError } from '../../core/errors.js';
import { acpiTableHeader, ACPI_HEADER_SIZE } from '../header.js';
import { fadt } from './fadt.js';
import { facs } from './facs.js';
import { rsdp, RSDP_SIGNATURE, RSDP_V1_SIZE, type Rsdp } from './rsdp.js';
import { rsdt, xsdt } from './sdt.js';

/** Reads guest physical memory (zeros where nothing was written). */
export type PhysRead = (addr: number, length: number) => Uint8Array;

/** The BIOS read-only area an OS searches for the RSDP (ACPI 6.5 §5.2.5.1). */
export const BIOS_AREA_START = 0xe0000;
export const BIOS_AREA_END = 0x100000;
/** Longest table a walk reads; more is refused rather than allocated. */
export const MAX_TABLE_LENGTH = 16 << 20;

export interface FoundTable {
  signature: string;
  addr: number;
  /** Where the guest found it: `XSDT[2]`, `FADT.X_DSDT`, ... */
  via: string;
  bytes: Uint8Array;
  /** Every byte sums to 0 (FACS has no checksum: true). */
  checksumOk: boolean;
}

export interface FoundTables {
  rsdpAddr: number;
  rsdp: Rsdp;
  rsdpChecksumOk: boolean;
  rsdpExtendedChecksumOk: boolean;
  /** XSDT when the RSDP's revision is 2+ and names one, else RSDT. */
  root: FoundTable;
  tables: FoundTable[];
}

/** The RSDP as an OS finds it: 16-byte boundaries of 0xE0000-0xFFFFF, signature and ACPI 1.0 checksum. */
export function scanRsdp(read: PhysRead): number | undefined {
  const area = read(BIOS_AREA_START, BIOS_AREA_END - BIOS_AREA_START);
  const sig = Array.from(RSDP_SIGNATURE, (c) => c.charCodeAt(0));
  for (let at = 0; at + RSDP_V1_SIZE <= area.length; at += 16) {
    if (!sig.every((c, i) => area[at + i] === c)) continue;
    if (acpiByteSum(area.subarray(at, at + RSDP_V1_SIZE)) === 0) return BIOS_AREA_START + at;
  }
  return undefined;
}

function readTable(read: PhysRead, addr: number, via: string): FoundTable {
  const head = read(addr, ACPI_HEADER_SIZE);
  const h = decodeStruct(acpiTableHeader, head).value;
  if (h.length < ACPI_HEADER_SIZE || h.length > MAX_TABLE_LENGTH) throw new NvError('guest-acpi', via, addr, `table at 0x${addr.toString(16)} (${JSON.stringify(h.signature)}) claims length ${h.length}`);
  if (addr + h.length > 2 ** 32) throw new NvError('guest-acpi', via, addr, `table at 0x${addr.toString(16)} runs past 4 GiB`);
  const bytes = read(addr, h.length);
  return { signature: h.signature, addr, via, bytes, checksumOk: acpiByteSum(bytes) === 0 };
}

/**
 * Every table a guest OS finds from the RSDP: the XSDT's (else RSDT's) entries in order, then
 * through the FADT its FACS and DSDT (X_ fields first, as Linux does when they are set).
 */
export function findTables(read: PhysRead): FoundTables {
  const rsdpAddr = scanRsdp(read);
  if (rsdpAddr === undefined) throw new NvError('guest-acpi', 'RSDP', BIOS_AREA_START, 'no RSDP with a valid checksum on a 16-byte boundary of 0xE0000-0xFFFFF');
  const rsdpBytes = read(rsdpAddr, rsdp.size!);
  const r = decodeStruct(rsdp, rsdpBytes).value;
  const useX = r.revision >= 2 && r.xsdtAddress !== 0n;
  const rootAddr = useX ? Number(r.xsdtAddress) : r.rsdtAddress;
  if (useX && r.xsdtAddress >= 1n << 32n) throw new NvError('guest-acpi', 'RSDP.xsdtAddress', rsdpAddr, 'XSDT above 4 GiB: outside memory.img');
  const root = readTable(read, rootAddr, useX ? 'RSDP.XSDT' : 'RSDP.RSDT');
  const rootStruct = useX ? xsdt : rsdt;
  const entries = decodeStruct(rootStruct, root.bytes).value.entry.map((e) => Number(e));
  const tables: FoundTable[] = [];
  entries.forEach((a, i) => tables.push(readTable(read, a, `${root.signature}[${i}]`)));
  const fadtFound = tables.find((t) => t.signature === 'FACP');
  // A shorter FADT (QEMU's x86 one is the 116-byte ACPI 1.0 layout) reads as zero-extended, as
  // Linux's local copy does (ACPICA tbfadt.c acpi_tb_create_local_fadt): X_ fields then are 0.
  if (fadtFound && fadtFound.bytes.length >= fadt.offsetOf('dsdt') + 4) {
    const full = new Uint8Array(Math.max(fadt.size!, fadtFound.bytes.length));
    full.set(fadtFound.bytes);
    const f = decodeStruct(fadt, full.subarray(0, fadt.size!)).value;
    const facsAddr = f.xFirmwareCtrl ? Number(f.xFirmwareCtrl) : f.firmwareCtrl;
    if (facsAddr) {
      const fb = read(facsAddr, facs.size!);
      tables.push({ signature: 'FACS', addr: facsAddr, via: f.xFirmwareCtrl ? 'FADT.X_FIRMWARE_CTRL' : 'FADT.FIRMWARE_CTRL', bytes: fb, checksumOk: true });
    }
    const dsdtAddr = f.xDsdt ? Number(f.xDsdt) : f.dsdt;
    if (dsdtAddr) tables.push(readTable(read, dsdtAddr, f.xDsdt ? 'FADT.X_DSDT' : 'FADT.DSDT'));
  }
  return {
    rsdpAddr,
    rsdp: r,
    rsdpChecksumOk: acpiByteSum(rsdpBytes.subarray(0, RSDP_V1_SIZE)) === 0,
    rsdpExtendedChecksumOk: r.revision < 2 || acpiByteSum(rsdpBytes.subarray(0, Math.min(r.length, rsdpBytes.length))) === 0,
    root,
    tables,
  };
}

/** File names `<SIG>.aml`, then `<SIG>2.aml`, `<SIG>3.aml`... in the order found. */
export function tableFileNames(tables: readonly { signature: string }[]): string[] {
  const seen = new Map<string, number>();
  return tables.map((t) => {
    const n = (seen.get(t.signature) ?? 0) + 1;
    seen.set(t.signature, n);
    const safe = t.signature.replace(/[^A-Za-z0-9_]/g, '_');
    return n === 1 ? `${safe}.aml` : `${safe}${n}.aml`;
  });
}

import { acpiChecksumFor } from '../../core/checksum/acpi.js';
import { decodeStruct } from '../../core/schema/index.js';
import { acpiTableHeader } from '../../acpi/header.js';
import { rsdp as rsdpStruct, RSDP_V1_SIZE } from '../../acpi/tables/index.js';
import {
  ACPI_NVDIMM_LOADER_FILES, cName, decodeFileDir, executeLoader, FW_CFG_FILE_DIR, FW_CFG_SIGNATURE, FW_CFG_SIGNATURE_QEMU, type FwCfgBlob,
} from '../../acpi/loader/index.js';
import { NvError } from '../../core/errors.js';
import type { XenStore } from '../xenstore.js';
import type { AcpiArena } from './alloc.js';
import { strtoll0, toU32, toU8 } from './cnum.js';
import { wrapNamespaceDevice } from './nsdev.js';
import { ACPI_MAX_SECONDARY_TABLES, CHECKSUM_OFFSET } from './xenAcpi.js';

/** One thing hvmloader decided about the device model's ACPI. */
export interface DmDecision {
  what: string;
  accepted: boolean;
  reason?: string;
  signature?: string;
  addr?: number;
}

export interface DmResult {
  /** Addresses appended to the RSDT/XSDT, in order. */
  tables: { signature: string; addr: number }[];
  decisions: DmDecision[];
  /** hvmloader's console lines. */
  log: string[];
}

/** The names Xen blacklists when the DM's tables are loaded, per design (see specs/sim.md §8). */
export interface Blacklists {
  signatures: Set<string>;
  devnames: string[];
}

/** v1's static lists (tools/libacpi/build.c of nvdimm-rfc-v1). */
export const V1_BLACKLISTS: Blacklists = {
  signatures: new Set(['RSD ', 'FACS', 'FACP', 'APIC', 'RSDT', 'XSDT', 'TCPA', 'HPET', 'WAET', 'SRAT', 'SLIT']),
  devnames: ['MEM0', 'PCI0', 'AC', 'BAT0', 'BAT1', 'TPM'],
};

const SIG_AT = acpiTableHeader.offsetOf('signature');
const sigOf = (b: Uint8Array) => String.fromCharCode(...b.subarray(SIG_AT, SIG_AT + acpiTableHeader.sizeOf('signature')));
/** strncmp(a, b, 4) == 0 on C strings. */
const sameName4 = (a: string, b: string) => cName(a).slice(0, 4) === cName(b).slice(0, 4);

export const DM_ACPI_ROOT = (domid: number) => `/local/domain/${domid}/hvmloader/dm-acpi`;

/**
 * v1-v3: construct_dm_tables. The DM-ACPI buffer's address and length from xenstore (missing:
 * nothing); the directory's entries (address and length count too) must fit the secondary-table
 * slots left or every blob is skipped; each entry needs type, length and offset (strtoll base 0,
 * truncated to u8/u32); the blob is read at address + offset (32-bit, no bound by the buffer's
 * length). Type 0: signature not blacklisted, 0 < header length <= blob length, copied to a
 * 16-byte-aligned block and its checksum recomputed. Type 1: name not blacklisted, wrapped as an
 * SSDT. Other types skipped. Not all-or-nothing: each blob stands alone.
 */
export function loadDmAcpiXenstore(mem: { read(a: number, n: number): Uint8Array }, arena: AcpiArena, xs: XenStore, domid: number, nrTables: number, bl: Blacklists): DmResult {
  const out: DmResult = { tables: [], decisions: [], log: [] };
  const root = DM_ACPI_ROOT(domid);
  const addrText = xs.read(`${root}/address`);
  const lenText = xs.read(`${root}/length`);
  if (addrText === undefined || lenText === undefined) {
    out.decisions.push({ what: 'dm-acpi', accepted: false, reason: 'no dm-acpi/address or dm-acpi/length in xenstore: no DM ACPI' });
    return out;
  }
  // hvm_info's config->dm.addr is a 64-bit value; hvmloader's p2v works on 32-bit pointers.
  const base = toU32(strtoll0(addrText));
  if (base === 0) {
    out.decisions.push({ what: 'dm-acpi', accepted: false, reason: 'dm-acpi/address is 0: no DM ACPI' });
    return out;
  }
  const dir = xs.directory(root);
  if (dir.length > ACPI_MAX_SECONDARY_TABLES - nrTables) {
    out.decisions.push({ what: 'dm-acpi', accepted: false, reason: `${dir.length} directory entries (address and length included) > ${ACPI_MAX_SECONDARY_TABLES} - ${nrTables} tables already: all DM ACPI skipped` });
    return out;
  }
  for (const name of dir) {
    const key = (k: string) => xs.read(`${root}/${name}/${k}`);
    const t = key('type');
    const l = key('length');
    const o = key('offset');
    if (t === undefined || l === undefined || o === undefined) {
      if (name !== 'address' && name !== 'length') out.decisions.push({ what: name, accepted: false, reason: `missing ${t === undefined ? 'type' : l === undefined ? 'length' : 'offset'}: skipped` });
      continue;
    }
    const type = toU8(strtoll0(t));
    const length = toU32(strtoll0(l));
    const blobAddr = (base + toU32(strtoll0(o))) >>> 0;
    if (type === 0) {
      const head = mem.read(blobAddr, Math.min(acpiTableHeader.size!, 2 ** 32 - blobAddr));
      const h = decodeStruct(acpiTableHeader, head.length === acpiTableHeader.size ? head : new Uint8Array(acpiTableHeader.size!)).value;
      const sig = sigOf(head);
      if (bl.signatures.has(sig)) {
        out.decisions.push({ what: name, signature: sig, accepted: false, reason: `signature ${sig} is on Xen's blacklist` });
        continue;
      }
      if (h.length > length || h.length === 0) {
        out.decisions.push({ what: name, signature: sig, accepted: false, reason: `header length ${h.length} is 0 or more than the blob's ${length} bytes` });
        continue;
      }
      if (blobAddr + h.length > 2 ** 32) throw new NvError('hvmloader', `${root}/${name}`, blobAddr, `the table runs past 4 GiB: hvmloader would fault`);
      const table = mem.read(blobAddr, h.length);
      table[CHECKSUM_OFFSET] = acpiChecksumFor(table, CHECKSUM_OFFSET);
      const addr = arena.place(table, 16);
      out.tables.push({ signature: sig, addr });
      out.decisions.push({ what: name, signature: sig, accepted: true, addr });
      out.log.push(`DM ACPI table ${sig} (${h.length} bytes) at 0x${addr.toString(16)}`);
    } else if (type === 1) {
      if (bl.devnames.some((d) => sameName4(name, d))) {
        out.decisions.push({ what: name, accepted: false, reason: `device name ${name} is on Xen's blacklist` });
        continue;
      }
      if (blobAddr + length > 2 ** 32) throw new NvError('hvmloader', `${root}/${name}`, blobAddr, `the namespace device body runs past 4 GiB: hvmloader would fault`);
      const ssdt = wrapNamespaceDevice(name, mem.read(blobAddr, length));
      if (typeof ssdt === 'string') throw new NvError('hvmloader', `${root}/${name}`, undefined, ssdt);
      const addr = arena.place(ssdt, 16);
      out.tables.push({ signature: 'SSDT', addr });
      out.decisions.push({ what: name, signature: 'SSDT', accepted: true, addr });
      out.log.push(`DM ACPI namespace device ${name} (${length} bytes) wrapped as SSDT at 0x${addr.toString(16)}`);
    } else {
      out.decisions.push({ what: name, accepted: false, reason: `unknown blob type ${type}: skipped` });
    }
  }
  return out;
}

/** QEMU's fw_cfg as hvmloader reads it through ports 0x510/0x511: items by selector, 0 past their end. */
export interface FwCfgDevice {
  items: ReadonlyMap<number, Uint8Array>;
}

function readItem(dev: FwCfgDevice, select: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const data = dev.items.get(select);
  if (data) out.set(data.subarray(0, Math.min(length, data.length)));
  return out;
}

/**
 * v4: load_qemu_xen_tables. fw_cfg's signature must read "QEMU"; the file directory's entries are
 * read in order, hvmloader keeping the four ROMs it needs (a second entry of one of them fails the
 * probe); the table-loader runs (src/acpi/loader: first failure loads nothing); QEMU's RSDP (the
 * allocated etc/acpi/rsdp) names the RSDT, whose entries must fit the slots left; every entry's
 * signature must not collide with a table Xen built or a non-SSDT QEMU table accepted before it,
 * or none is kept. QEMU's RSDP and RSDT are zeroed afterwards whatever happened after the loader.
 */
export function loadQemuXenTables(mem: { read(a: number, n: number): Uint8Array; fill(a: number, n: number): void }, arena: AcpiArena, dev: FwCfgDevice, nrTables: number, bl: Blacklists): DmResult {
  const out: DmResult = { tables: [], decisions: [], log: [] };
  const sig = readItem(dev, FW_CFG_SIGNATURE, 4);
  const sigValue = (sig[0]! | (sig[1]! << 8) | (sig[2]! << 16) | (sig[3]! << 24)) >>> 0;
  if (sigValue !== FW_CFG_SIGNATURE_QEMU) {
    out.decisions.push({ what: 'fw_cfg', accepted: false, reason: `fw_cfg signature ${JSON.stringify(sigOf(sig))} is not "QEMU": no QEMU ACPI` });
    return out;
  }
  const dirItem = dev.items.get(FW_CFG_FILE_DIR) ?? new Uint8Array(4);
  // Past the item's end fw_cfg reads 0: such entries have empty names, which hvmloader does not keep.
  const entries = decodeFileDir(presentEntries(dirItem));
  const roms: FwCfgBlob[] = [];
  for (const f of entries) {
    const name = cName(f.name);
    if (!ACPI_NVDIMM_LOADER_FILES.includes(name)) continue;
    if (roms.some((r) => r.name === name)) {
      out.decisions.push({ what: name, accepted: false, reason: `fw_cfg lists ${name} twice (-EEXIST): no QEMU ACPI` });
      return out;
    }
    roms.push({ name, data: readItem(dev, f.select, f.size) });
  }
  const run = executeLoader(roms, arena);
  out.log.push(...run.log);
  if (!run.ok) {
    out.decisions.push({ what: 'etc/table-loader', accepted: false, reason: `${run.entry >= 0 ? `entry ${run.entry}: ` : ''}${run.error}: no QEMU ACPI` });
    return out;
  }
  const rsdpFile = run.files.get('etc/acpi/rsdp');
  if (!rsdpFile) {
    out.decisions.push({ what: 'etc/acpi/rsdp', accepted: false, reason: 'Cannot find QEMU RSDP' });
    return out;
  }
  const rsdpAddr = rsdpFile.addr;
  const r = decodeStruct(rsdpStruct, mem.read(rsdpAddr, rsdpStruct.size!)).value;
  const rsdtAddr = r.rsdtAddress;
  const rsdtHead = decodeStruct(acpiTableHeader, mem.read(rsdtAddr, acpiTableHeader.size!)).value;
  const n = Math.floor(((rsdtHead.length - acpiTableHeader.size!) >>> 0) / 4);
  const kept: { signature: string; addr: number }[] = [];
  if (n > ACPI_MAX_SECONDARY_TABLES - nrTables) {
    out.decisions.push({ what: 'QEMU RSDT', accepted: false, reason: `Too many tables in QEMU ACPI tables: ${n} > ${ACPI_MAX_SECONDARY_TABLES} - ${nrTables}` });
  } else {
    const entryAt = (i: number) => {
      const b = mem.read(rsdtAddr + acpiTableHeader.size! + 4 * i, 4);
      return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    };
    const seen = new Set(bl.signatures);
    for (let i = 0; i < n; i++) {
      const addr = entryAt(i);
      const s = sigOf(mem.read(addr, 4));
      if (seen.has(s)) {
        out.decisions.push({ what: `QEMU RSDT[${i}]`, signature: s, accepted: false, addr, reason: `QEMU ACPI table conflict with Xen ACPI table '${s}': none of QEMU's tables loaded` });
        kept.length = 0;
        break;
      }
      if (s !== 'SSDT') seen.add(s);
      kept.push({ signature: s, addr });
    }
    for (const k of kept) out.decisions.push({ what: `QEMU ${k.signature}`, signature: k.signature, accepted: true, addr: k.addr });
    out.tables.push(...kept);
  }
  // Cleanup: QEMU's RSDP (ACPI 1.0 size unless revision 2) and RSDT are zeroed.
  mem.fill(rsdpAddr, Math.min(r.revision === 2 ? r.length : RSDP_V1_SIZE, 2 ** 32 - rsdpAddr));
  mem.fill(rsdtAddr, Math.min(rsdtHead.length, 2 ** 32 - rsdtAddr));
  return out;
}

/** The directory with its count cut to the entries the item holds (the rest would read as zeros). */
function presentEntries(dir: Uint8Array): Uint8Array {
  if (dir.length < 4) return new Uint8Array(4);
  const count = ((dir[0]! << 24) >>> 0) + (dir[1]! << 16) + (dir[2]! << 8) + dir[3]!;
  const n = Math.min(count, Math.floor((dir.length - 4) / 64));
  const out = dir.slice(0, 4 + n * 64);
  out.set([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff], 0);
  return out;
}

import { encodeStruct } from '../../core/schema/index.js';
import { rsdp, RSDP_V1_SIZE, rsdt, xsdt } from '../../acpi/tables/index.js';
import { acpiChecksumFor } from '../../core/checksum/acpi.js';
import type { XenStore } from '../xenstore.js';
import { AcpiArena } from './alloc.js';
import { placeBaseTables } from './base.js';
import { loadDmAcpiXenstore, loadQemuXenTables, V1_BLACKLISTS, type Blacklists, type DmResult, type FwCfgDevice } from './dm.js';
import type { GuestMemory } from './memory.js';
import { HVMLOADER_RSDP_ADDRESS, XEN_OEM } from './xenAcpi.js';

export type HvmDesign = 'v1' | 'v3' | 'v4';

export interface HvmloaderInput {
  design: HvmDesign;
  domid: number;
  vcpus: number;
  /** Guest memory as QEMU left it (v1-v3: the DM ACPI buffer filled). hvmloader writes into it. */
  mem: GuestMemory;
  /** v1-v3: the guest's xenstore (dm-acpi keys). */
  xenstore?: XenStore;
  /** v4: QEMU's fw_cfg. */
  fwCfg?: FwCfgDevice;
}

export interface HvmloaderResult {
  rsdp: number;
  rsdt: number;
  xsdt: number;
  /** XSDT entries in order: where each came from. */
  entries: { signature: string; addr: number; origin: 'xen' | 'dm' }[];
  dm: DmResult;
}

/**
 * The signatures and device names Xen refuses from the DM when its tables are loaded. v1: static
 * lists. v3/v4: built as Xen's own tables are made (dm_acpi_blacklist_*): by then FACS, DSDT (with
 * the names MEM0 and PCI0), the FADTs and the secondary tables built so far (here the MADT); the
 * XSDT, RSDT and RSDP are only added after the DM tables (build.c acpi_build_tables), and AC,
 * BAT0, BAT1 and TPM only with the laptop/battery and TPM tables this base set does not build.
 */
export function blacklistsFor(design: HvmDesign): Blacklists {
  if (design === 'v1') return V1_BLACKLISTS;
  return { signatures: new Set(['FACS', 'DSDT', 'FACP', 'APIC']), devnames: design === 'v3' ? ['MEM0', 'PCI0'] : [] };
}

const header = (signature: string) => ({ signature, length: 0, revision: 1, checksum: 0, ...XEN_OEM });

/** hvmloader's ACPI set-up (libacpi acpi_build_tables): base tables, the DM's, then XSDT, RSDT and RSDP. */
export function runHvmloader(inp: HvmloaderInput): HvmloaderResult {
  const arena = new AcpiArena(inp.mem);
  const base = placeBaseTables(arena, inp.vcpus);
  const bl = blacklistsFor(inp.design);
  const nr = base.secondary.length;
  const empty: DmResult = { tables: [], decisions: [], log: [] };
  const dm =
    inp.design === 'v4'
      ? inp.fwCfg
        ? loadQemuXenTables(inp.mem, arena, inp.fwCfg, nr, bl)
        : { ...empty, decisions: [{ what: 'fw_cfg', accepted: false, reason: 'no fw_cfg: no QEMU ACPI' }] }
      : inp.xenstore
        ? loadDmAcpiXenstore(inp.mem, arena, inp.xenstore, inp.domid, nr, bl)
        : { ...empty, decisions: [{ what: 'dm-acpi', accepted: false, reason: 'no xenstore keys: no DM ACPI' }] };
  const entries = [
    { signature: 'FACP', addr: base.fadt, origin: 'xen' as const },
    ...base.secondary.map((t) => ({ ...t, origin: 'xen' as const })),
    ...dm.tables.map((t) => ({ ...t, origin: 'dm' as const })),
  ];
  const xsdtAddr = arena.place(encodeStruct(xsdt, { ...header('XSDT'), entry: entries.map((e) => BigInt(e.addr)) }), 16);
  const rsdtAddr = arena.place(encodeStruct(rsdt, { ...header('RSDT'), entry: entries.map((e) => e.addr) }), 16);
  const r = encodeStruct(rsdp, {
    signature: 'RSD PTR ', checksum: 0, oemId: XEN_OEM.oemId, revision: 2, rsdtAddress: rsdtAddr, length: rsdp.size!,
    xsdtAddress: BigInt(xsdtAddr), extendedChecksum: 0, reserved: new Uint8Array(3),
  });
  r[rsdp.offsetOf('checksum')] = acpiChecksumFor(r.subarray(0, RSDP_V1_SIZE), rsdp.offsetOf('checksum'));
  r[rsdp.offsetOf('extendedChecksum')] = acpiChecksumFor(r, rsdp.offsetOf('extendedChecksum'));
  inp.mem.write(HVMLOADER_RSDP_ADDRESS, r);
  return { rsdp: HVMLOADER_RSDP_ADDRESS, rsdt: rsdtAddr, xsdt: xsdtAddr, entries, dm };
}

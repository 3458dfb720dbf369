import { encodeStruct } from '../../core/schema/index.js';
import { aml } from '../../aml/builder.js';
import { amlHeader, amlTable, encodeAmlTable } from '../../aml/table.js';
import { facs, fadt, madt, madtIoApic, madtLocalApic, type Fadt } from '../../acpi/tables/index.js';
import { XEN_OEM } from './xenAcpi.js';
import type { AcpiArena } from './alloc.js';

/** EISA id text (`PNP0A03`) as the DWord ASL's EisaId() makes. */
function eisaId(id: string): number {
  const c = (i: number) => (id.charCodeAt(i) - 0x40) & 0x1f;
  const v = (c(0) << 10) | (c(1) << 5) | c(2);
  const b = [v >> 8, v & 0xff, parseInt(id.slice(3, 5), 16), parseInt(id.slice(5, 7), 16)];
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/**
 * The DSDT: `\_SB` with the two devices whose names Xen's DSDT owns and the v3 blacklist names
 * (PCI0, the host bridge; MEM0, the motherboard resources). Not Xen's AML, the same namespace shape.
 */
export function baseDsdt(): Uint8Array {
  const t = amlTable(amlHeader('DSDT', XEN_OEM.oemTableId, { revision: 2, ...XEN_OEM }), [
    aml.scope('\\_SB', [
      aml.device('PCI0', [aml.name('_HID', aml.int(eisaId('PNP0A03'))), aml.name('_UID', aml.int(0))]),
      aml.device('MEM0', [aml.name('_HID', aml.int(eisaId('PNP0C02'))), aml.name('_UID', aml.int(0))]),
    ]),
  ]);
  return encodeAmlTable(t);
}

const io = (address: number, bytes: number) => ({ spaceId: 1, bitWidth: bytes * 8, bitOffset: 0, accessSize: 0, address: BigInt(address) });
const none = { spaceId: 0, bitWidth: 0, bitOffset: 0, accessSize: 0, address: 0n };
const header = (signature: string, revision: number) => ({ signature, length: 0, revision, checksum: 0, ...XEN_OEM });

/** The FADT (revision 4, 244 bytes) with Xen's PM blocks (static_tables.c, the ACPI_PM*_V1 ports). */
export function baseFadt(facsAddr: number, dsdtAddr: number): Uint8Array {
  const v: Fadt = {
    ...header('FACP', 4),
    firmwareCtrl: facsAddr, dsdt: dsdtAddr, reserved0: 0, preferredPmProfile: 0, sciInt: 9, smiCmd: 0xb2,
    acpiEnable: 0xf1, acpiDisable: 0xf0, s4biosReq: 0, pstateCnt: 0,
    pm1aEvtBlk: 0xb000, pm1bEvtBlk: 0, pm1aCntBlk: 0xb004, pm1bCntBlk: 0, pm2CntBlk: 0, pmTmrBlk: 0xb008,
    gpe0Blk: 0xafe0, gpe1Blk: 0, pm1EvtLen: 4, pm1CntLen: 2, pm2CntLen: 0, pmTmrLen: 4, gpe0BlkLen: 4, gpe1BlkLen: 0,
    gpe1Base: 0, cstCnt: 0, pLvl2Lat: 0x0fff, pLvl3Lat: 0x0fff, flushSize: 0, flushStride: 0, dutyOffset: 0, dutyWidth: 0,
    dayAlrm: 0x0d, monAlrm: 0, century: 0x32, iapcBootArch: 0, reserved1: new Uint8Array(1),
    // WBINVD | PROC_C1 | SLP_BUTTON | FIX_RTC | TMR_VAL_EXT | USE_PLATFORM_CLOCK (Xen's FADT flags)
    flags: (1 << 0) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 15),
    resetReg: none, resetValue: 0, reserved2: new Uint8Array(3),
    xFirmwareCtrl: BigInt(facsAddr), xDsdt: BigInt(dsdtAddr),
    xPm1aEvtBlk: io(0xb000, 4), xPm1bEvtBlk: none, xPm1aCntBlk: io(0xb004, 2), xPm1bCntBlk: none, xPm2CntBlk: none,
    xPmTmrBlk: io(0xb008, 4), xGpe0Blk: io(0xafe0, 4), xGpe1Blk: none,
  };
  return encodeStruct(fadt, v);
}

export function baseFacs(): Uint8Array {
  return encodeStruct(facs, {
    signature: 'FACS', length: facs.size!, hardwareSignature: 0, firmwareWakingVector: 0, globalLock: 0, flags: 0,
    xFirmwareWakingVector: 0n, version: 1, reserved1: new Uint8Array(3), ospmFlags: 0, reserved2: new Uint8Array(24),
  });
}

/** MADT: local APIC 0xFEE00000, PCAT_COMPAT, one I/O APIC (id 1 at 0xFEC00000), a local APIC per vCPU (id 2i, Xen's LAPIC_ID). */
export function baseMadt(vcpus: number): Uint8Array {
  const entries = [
    encodeStruct(madtIoApic, { type: 1, length: 12, ioApicId: 1, reserved: new Uint8Array(1), address: 0xfec00000, globalIrqBase: 0 }),
    ...Array.from({ length: vcpus }, (_, i) => encodeStruct(madtLocalApic, { type: 0, length: 8, processorId: i, apicId: 2 * i, flags: 1 })),
  ];
  const body = new Uint8Array(entries.reduce((n, e) => n + e.length, 0));
  entries.reduce((at, e) => (body.set(e, at), at + e.length), 0);
  return encodeStruct(madt, { ...header('APIC', 2), localApicAddress: 0xfee00000, flags: 1, entries: body });
}

export interface BaseTables {
  facs: number;
  dsdt: number;
  fadt: number;
  /** Secondary tables Xen built (addresses), before any DM table. */
  secondary: { signature: string; addr: number }[];
}

/** FACS, DSDT, FADT, then the MADT, in libacpi's acpi_build_tables order. */
export function placeBaseTables(arena: AcpiArena, vcpus: number): BaseTables {
  const facsAddr = arena.place(baseFacs(), 64);
  const dsdtAddr = arena.place(baseDsdt(), 16);
  const fadtAddr = arena.place(baseFadt(facsAddr, dsdtAddr), 16);
  const madtAddr = arena.place(baseMadt(vcpus), 16);
  return { facs: facsAddr, dsdt: dsdtAddr, fadt: fadtAddr, secondary: [{ signature: 'APIC', addr: madtAddr }] };
}

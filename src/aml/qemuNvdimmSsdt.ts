/**
 * QEMU 7.2's NVDIMM SSDT (`nvdimm_build_ssdt` in hw/acpi/nvdimm.c), built with the AML builder:
 * `Scope(\_SB) { Device(NVDR) { _HID, NCAL, _DSM, RSTA, RFIT, _FIT, NV00..NVxx } }` then
 * `Name(MEMA, DWordConst)`, one NVxx device per memory slot whether populated or not.
 * Byte-identical to what a QEMU 7.2 guest sees for the same slot count and MEMA (fixtures in
 * fixtures/qemu/; see specs/aml.md).
 */
import { aml, AccessType, LockRule, RegionSpace, UpdateRule } from './builder.js';
import type { AmlTable, Term } from './model.js';
import { nvdimmDsmIn, nvdimmDsmOut } from './qemuDsm.js';
import { amlHeader, amlTable, encodeAmlTable } from './table.js';

/** DSM UUIDs (docs/specs/acpi_nvdimm.rst; ACPICA acuuid.h). */
export const NVDIMM_ROOT_DSM_UUID = '2f10e7a4-9e91-11e4-89d3-123b93f75cba';
export const NVDIMM_DEVICE_DSM_UUID = '4309ac30-0d11-11e4-9191-0800200c9a66';
export const NVDIMM_QEMU_RSVD_UUID = '648b9cf2-cda1-4312-8ad9-49c4af32bd62';
/** Handle QEMU uses for its own root functions (Read FIT). */
export const NVDIMM_QEMU_RSVD_HANDLE_ROOT = 0x10000;
/** NVDIMM_ACPI_IO_BASE / _LEN. */
export const NVDIMM_ACPI_IO_BASE = 0x0a18;
export const NVDIMM_ACPI_IO_LEN = 4;
/** The DSM page (NVDIMM_DSM_MEMORY_SIZE) and its layout (NvdimmDsmIn / NvdimmDsmOut). */
export const NVDIMM_DSM_MEMORY_SIZE = 4096;
const DSM_IN_ARG3_OFFSET = nvdimmDsmIn.offsetOf('arg3');
const DSM_OUT_DATA_OFFSET = nvdimmDsmOut.offsetOf('data');
/** _FIT: Read FIT status "FIT changed" (NVDIMM_DSM_RET_STATUS_FIT_CHANGED). */
const FIT_CHANGED = 0x100;

export interface QemuNvdimmSsdtOptions {
  /** ms->ram_slots: one NVxx device per slot. */
  slots: number;
  /** MEMA, the 32-bit DSM buffer address the firmware patches in (0: QEMU's unpatched blob). */
  dsmBuffer?: number;
  /**
   * A `_FIT` buffer (NFIT structures without the table header) the `_FIT` method returns as it is,
   * instead of QEMU's RFIT/`_FIT` pair that asks QEMU for the FIT it built itself. For a guest
   * given an NFIT nvtool built: Linux prefers `_FIT` over the NFIT table (drivers/acpi/nfit/core.c
   * acpi_nfit_add), so QEMU's own FIT would otherwise win.
   */
  fit?: Uint8Array;
  /**
   * The header's OEM Revision (QEMU: 1). A table given to Linux through the initrd replaces the
   * firmware's only when this is higher (drivers/acpi/tables.c acpi_table_initrd_override).
   */
  oemRevision?: number;
}

const L = aml.local;
const A = aml.arg;

/** Method(NCAL, 5, Serialized): the common _DSM worker (nvdimm_build_common_dsm). */
function ncal(): Term {
  const inputSize = NVDIMM_DSM_MEMORY_SIZE - DSM_IN_ARG3_OFFSET;
  const outputSize = NVDIMM_DSM_MEMORY_SIZE - DSM_OUT_DATA_OFFSET;
  const ret = (n: number) => aml.return_(aml.buffer([n]));
  return aml.method('NCAL', 5, true, [
    aml.store('MEMA', L(6)),
    aml.operationRegion('NPIO', RegionSpace.SystemIO, aml.int(NVDIMM_ACPI_IO_BASE), aml.int(NVDIMM_ACPI_IO_LEN)),
    aml.operationRegion('NRAM', RegionSpace.SystemMemory, L(6), aml.int(NVDIMM_DSM_MEMORY_SIZE)),
    aml.field('NPIO', AccessType.DWord, LockRule.NoLock, UpdateRule.Preserve, [aml.namedField('NTFI', 32)]),
    aml.field('NRAM', AccessType.DWord, LockRule.NoLock, UpdateRule.Preserve, [
      aml.namedField('HDLE', nvdimmDsmIn.sizeOf('handle') * 8),
      aml.namedField('REVS', nvdimmDsmIn.sizeOf('revision') * 8),
      aml.namedField('FUNC', nvdimmDsmIn.sizeOf('function') * 8),
      aml.namedField('FARG', inputSize * 8),
    ]),
    aml.field('NRAM', AccessType.DWord, LockRule.NoLock, UpdateRule.Preserve, [aml.namedField('RLEN', nvdimmDsmOut.sizeOf('len') * 8), aml.namedField('ODAT', outputSize * 8)]),
    aml.if_(aml.lequal(A(4), aml.int(0)), [aml.store(aml.touuid(NVDIMM_ROOT_DSM_UUID), L(0))]),
    aml.else_([
      aml.if_(aml.lequal(A(4), aml.int(NVDIMM_QEMU_RSVD_HANDLE_ROOT)), [aml.store(aml.touuid(NVDIMM_QEMU_RSVD_UUID), L(0))]),
      aml.else_([aml.store(aml.touuid(NVDIMM_DEVICE_DSM_UUID), L(0))]),
    ]),
    aml.if_(aml.lor(aml.lequal(L(6), aml.int(0)), aml.lnotEqual(A(0), L(0))), [
      aml.if_(aml.lequal(A(2), aml.int(0)), [ret(0)]),
      ret(1),
    ]),
    aml.store(A(4), 'HDLE'),
    aml.store(A(1), 'REVS'),
    aml.store(A(2), 'FUNC'),
    aml.if_(aml.land(aml.lequal(aml.objectType(A(3)), aml.int(4)), aml.lequal(aml.sizeOf(A(3)), aml.int(1))), [
      aml.store(aml.index(A(3), aml.int(0)), L(2)),
      aml.store(aml.derefOf(L(2)), L(3)),
      aml.store(L(3), 'FARG'),
    ]),
    aml.store(L(6), 'NTFI'),
    aml.subtract('RLEN', aml.int(4), L(1)),
    aml.if_(aml.lless(L(1), aml.int(8)), [
      aml.store(aml.int(0), L(2)),
      aml.name('TBUF', aml.buffer([0])),
      aml.store(aml.buffer([]), L(7)),
      aml.while_(aml.lless(L(2), L(1)), [
        aml.store(aml.derefOf(aml.index('ODAT', L(2))), aml.index('TBUF', aml.int(0))),
        aml.concatenate(L(7), 'TBUF', L(7)),
        aml.increment(L(2)),
      ]),
      aml.return_(L(7)),
    ]),
    aml.store(aml.shiftLeft(L(1), aml.int(3)), L(1)),
    aml.createField('ODAT', aml.int(0), L(1), 'OBUF'),
    aml.return_('OBUF'),
  ]);
}

/** Method(RFIT, 1, Serialized) and Method(_FIT, 0, Serialized) (nvdimm_build_fit). */
function fitMethods(): Term[] {
  const empty = () => aml.return_(aml.buffer([]));
  const rfit = aml.method('RFIT', 1, true, [
    aml.name('OFST', aml.int(0)),
    aml.store(A(0), 'OFST'),
    aml.store(aml.call('NCAL', [aml.touuid(NVDIMM_QEMU_RSVD_UUID), aml.int(1), aml.int(1), aml.package(['OFST']), aml.int(NVDIMM_QEMU_RSVD_HANDLE_ROOT)]), L(0)),
    aml.createDWordField(L(0), aml.int(0), 'STAU'),
    aml.store('STAU', 'RSTA'),
    aml.if_(aml.lnotEqual(aml.int(0), 'STAU'), [empty()]),
    aml.store(aml.sizeOf(L(0)), L(1)),
    aml.subtract(L(1), aml.int(4), L(1)),
    aml.if_(aml.lequal(L(1), aml.int(0)), [empty()]),
    aml.createField(L(0), aml.int(32), aml.shiftLeft(L(1), aml.int(3)), 'BUFF'),
    aml.return_('BUFF'),
  ]);
  const fit = aml.method('_FIT', 0, true, [
    aml.store(aml.buffer([]), L(2)),
    aml.store(aml.int(0), L(3)),
    aml.while_(aml.int(1), [
      aml.store(aml.call('RFIT', [L(3)]), L(0)),
      aml.store(aml.sizeOf(L(0)), L(1)),
      aml.if_(aml.lequal('RSTA', aml.int(FIT_CHANGED)), [aml.store(aml.buffer([]), L(2)), aml.store(aml.int(0), L(3))]),
      aml.else_([
        aml.if_(aml.lequal(L(1), aml.int(0)), [aml.return_(L(2))]),
        aml.add(L(3), L(1), L(3)),
        aml.concatenate(L(2), L(0), L(2)),
      ]),
    ]),
  ]);
  return [aml.name('RSTA', aml.int(0)), rfit, fit];
}

/** Device(NVxx) for one slot: _ADR, the label methods _LSI/_LSR/_LSW (QEMU 7.2) and _DSM. */
function nvdimmDevice(slot: number): Term {
  const handle = slot + 1;
  const ncalDsm = (func: number, arg3: Term) => aml.call('NCAL', [aml.touuid(NVDIMM_DEVICE_DSM_UUID), aml.int(1), aml.int(func), arg3, aml.int(handle)]);
  const lsi = aml.method('_LSI', 0, true, [
    aml.store(ncalDsm(4, aml.int(0)), L(0)),
    aml.createDWordField(L(0), aml.int(0), 'STTS'),
    aml.createDWordField(L(0), aml.int(4), 'SLSA'),
    aml.createDWordField(L(0), aml.int(8), 'MAXT'),
    aml.store(aml.package(['STTS', 'SLSA', 'MAXT']), L(1)),
    aml.return_(L(1)),
  ]);
  const lsr = aml.method('_LSR', 2, true, [
    aml.name('INPT', aml.buffer(new Uint8Array(8))),
    aml.createDWordField('INPT', aml.int(0), 'OFST'),
    aml.createDWordField('INPT', aml.int(4), 'LEN'),
    aml.store(A(0), 'OFST'),
    aml.store(A(1), 'LEN'),
    aml.store(aml.package(['INPT']), L(0)),
    aml.store(ncalDsm(5, L(0)), L(3)),
    aml.createDWordField(L(3), aml.int(0), 'STTS'),
    aml.createField(L(3), aml.int(32), aml.shiftLeft('LEN', aml.int(3)), 'LDAT'),
    aml.name('LSA', aml.buffer([])),
    aml.toBuffer('LDAT', 'LSA'),
    aml.store(aml.package(['STTS', 'LSA']), L(1)),
    aml.return_(L(1)),
  ]);
  const lsw = aml.method('_LSW', 3, true, [
    aml.store(A(2), L(2)),
    aml.name('INPT', aml.buffer(new Uint8Array(8))),
    aml.createDWordField('INPT', aml.int(0), 'OFST'),
    aml.createDWordField('INPT', aml.int(4), 'TLEN'),
    aml.store(A(0), 'OFST'),
    aml.store(A(1), 'TLEN'),
    aml.concatenate('INPT', L(2), 'INPT'),
    aml.store(aml.package(['INPT']), L(0)),
    aml.store(ncalDsm(6, L(0)), L(3)),
    aml.createDWordField(L(3), aml.int(0), 'STTS'),
    aml.return_('STTS'),
  ]);
  const dsm = aml.method('_DSM', 4, false, [aml.return_(aml.call('NCAL', [A(0), A(1), A(2), A(3), aml.int(handle)]))]);
  const name = 'NV' + slot.toString(16).toUpperCase().padStart(2, '0');
  return aml.device(name, [aml.name('_ADR', aml.int(handle)), lsi, lsr, lsw, dsm]);
}

/**
 * The terms inside `Device(NVDR)`: _HID, NCAL, the root _DSM, the _FIT methods (left out with
 * `fit: false`, as QEMU on Xen does from the v3 series on: no vNVDIMM hotplug there), one NVxx per slot.
 */
export function qemuNvdimmRootTerms(o: QemuNvdimmSsdtOptions & { withFit?: boolean }): Term[] {
  if (!Number.isInteger(o.slots) || o.slots < 0 || o.slots > 256) throw new Error(`slots ${o.slots}: QEMU allows 0..256`);
  const rootDsm = aml.method('_DSM', 4, false, [aml.return_(aml.call('NCAL', [A(0), A(1), A(2), A(3), aml.int(0)]))]);
  const devices: Term[] = [];
  for (let slot = 0; slot < o.slots; slot++) devices.push(nvdimmDevice(slot));
  const fit = o.withFit === false ? [] : o.fit ? [aml.method('_FIT', 0, false, [aml.return_(aml.buffer(o.fit))])] : fitMethods();
  return [aml.name('_HID', aml.str('ACPI0012')), ncal(), rootDsm, ...fit, ...devices];
}

/** Name(MEMA, DWord): the DSM buffer's address, the last term QEMU appends. */
export function qemuNvdimmMema(o: Pick<QemuNvdimmSsdtOptions, 'dsmBuffer'>): Term {
  const mema = o.dsmBuffer ?? 0;
  if (!Number.isInteger(mema) || mema < 0 || mema > 0xffffffff) throw new Error(`dsmBuffer ${mema} does not fit 32 bits`);
  return aml.name('MEMA', aml.intOf('dword', mema));
}

/** The SSDT's terms. */
export function qemuNvdimmSsdtTerms(o: QemuNvdimmSsdtOptions): Term[] {
  const mema = qemuNvdimmMema(o);
  return [aml.scope('\\_SB', [aml.device('NVDR', qemuNvdimmRootTerms(o))]), mema];
}

export function qemuNvdimmSsdt(o: QemuNvdimmSsdtOptions): AmlTable {
  return amlTable(amlHeader('SSDT', 'NVDIMM', o.oemRevision !== undefined ? { oemRevision: o.oemRevision } : {}), qemuNvdimmSsdtTerms(o));
}

/** The table bytes, length and checksum computed (the checksum the firmware would compute). */
export function buildQemuNvdimmSsdt(o: QemuNvdimmSsdtOptions): Uint8Array {
  return encodeAmlTable(qemuNvdimmSsdt(o));
}

/**
 * The simulated QEMU's NVDIMM `_DSM` handler: QEMU 7.2 `nvdimm_dsm_write` (hw/acpi/nvdimm.c) behind
 * I/O port 0x0A18 (NVDIMM_ACPI_IO_BASE, 4-byte accesses only). The guest's AML writes the guest
 * physical address of its DSM page; QEMU reads an NvdimmDsmIn there, dispatches (revision must be
 * 1; handle 0x10000 = QEMU's Read FIT, 0 = the root device, else an NVDIMM by NFIT handle) and
 * writes the reply into the same page. Label data lives in the last label-size bytes of the host
 * backend (label_host_addr = host-addr + pmem_size, xen.md §4) and is reached only through
 * `XEN_DMOP_pmem_rw` (`dmopPmemRw` below), never by opening the host image.
 */
import { decodeStruct, encodeStruct } from '../../core/schema/index.js';
import { DSM_STATUS, dsmDataOut, dsmFunc0Out, dsmLabelDataIn, dsmLabelSizeOut, dsmNoPayloadOut, dsmReadFitIn, nvdimmDsmIn, QEMU_RSVD_HANDLE_ROOT } from '../../aml/qemuDsm.js';
import type { RegionHandler } from '../../aml/interp/index.js';
import { XEN_DMOP_pmem_rw, xenDmOp } from '../../xen/hypercalls/index.js';
import { completeHypercall, emitHypercall, hypercallBytes } from '../hypercalls.js';
import type { SimDir } from '../runDir.js';
import type { GuestMemory } from '../hvmloader/memory.js';
import { pmemRw, type PmemRwContext } from '../xen/pmemRw.js';

export const NVDIMM_ACPI_IO_BASE = 0x0a18n;
/** sizeof(NvdimmDsmIn) = sizeof(NvdimmDsmOut) = one page (NVDIMM_DSM_MEMORY_SIZE). */
export const NVDIMM_DSM_MEMORY_SIZE = 4096;
const ARG3 = nvdimmDsmIn.offsetOf('arg3');
const LABEL_DATA_IN = dsmLabelDataIn.offsetOf('data');
const DATA_OUT = dsmDataOut.offsetOf('data');

/** nvdimm_get_max_xfer_label_size: the smaller of what one Get (out page) or Set (in page) carries. */
export const MAX_XFER_LABEL_SIZE = Math.min(NVDIMM_DSM_MEMORY_SIZE - DATA_OUT, NVDIMM_DSM_MEMORY_SIZE - ARG3 - LABEL_DATA_IN);

export interface DsmNvdimm {
  /** NFIT device handle (nvdimm_slot_to_handle: slot + 1). */
  handle: number;
  labelSize: number;
  /** Machine address of the label area (host-addr + pmem_size). */
  labelPaddr: bigint;
}

/** How QEMU reads and writes label bytes: one `XEN_DMOP_pmem_rw` per call; returns the result. */
export type LabelRw = (paddr: bigint, data: Uint8Array, isWrite: boolean) => string;

/** One DMOP call from QEMU for `domid`: `.bin` + trace line, then Xen's handler on the `.bin` as written. */
export function dmopPmemRw(dir: SimDir, ctx: PmemRwContext, domid: number): LabelRw {
  return (paddr, data, isWrite) => {
    const e = emitHypercall(dir, 'qemu', 'dm_op_pmem_rw', xenDmOp, { op: XEN_DMOP_pmem_rw, pad: 0, u: { pmem_rw: { paddr, length: BigInt(data.length), done: 0n, isWrite: isWrite ? 1 : 0, pad: new Uint8Array(7) } } } as never);
    const bin = hypercallBytes(dir, e);
    const o = pmemRw(ctx, domid, [bin, data]);
    completeHypercall(dir, e.seq, o.result);
    return o.result;
  };
}

/**
 * The guest's memory as QEMU's cpu_physical_memory_* (v4: xen_copy_{from,to}_guest) reach it: the
 * populated ranges (RAM, the pages hvmloader allocated); any byte outside them reads as 0 and a
 * write there is dropped, as for unassigned memory.
 */
export interface GuestRam {
  mem: GuestMemory;
  /** Populated guest physical ranges `[start, end)`, inside the 4 GiB memory image. */
  populated: readonly { start: bigint; end: bigint }[];
}

export class NvdimmDsm implements RegionHandler {
  /** fit_buf->dirty: the FIT changed (hotplug) since the guest's first Read FIT. */
  fitDirty = false;
  readonly log: { address: bigint; handle: number; revision: number; function: number; status?: number }[] = [];

  constructor(private readonly ram: GuestRam, private readonly nvdimms: readonly DsmNvdimm[], private readonly fit: Uint8Array, private readonly labelRw: LabelRw) {}

  /** The parts of `[addr, addr + n)` that are populated, as offsets into the access. */
  private overlaps(addr: bigint, n: number): { at: number; len: number }[] {
    const end = addr + BigInt(n);
    return this.ram.populated.flatMap((r) => {
      const s = r.start > addr ? r.start : addr;
      const e = r.end < end ? r.end : end;
      return s < e ? [{ at: Number(s - addr), len: Number(e - s) }] : [];
    });
  }

  private readRam(addr: bigint, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (const o of this.overlaps(addr, n)) out.set(this.ram.mem.read(Number(addr) + o.at, o.len), o.at);
    return out;
  }

  private writeRam(addr: bigint, bytes: Uint8Array): void {
    for (const o of this.overlaps(addr, bytes.length)) this.ram.mem.write(Number(addr) + o.at, bytes.subarray(o.at, o.at + o.len));
  }

  /** nvdimm_dsm_read: the port reads as 0. */
  read(): bigint {
    return 0n;
  }

  write(address: bigint, bits: number, value: bigint): void {
    if (address !== NVDIMM_ACPI_IO_BASE || bits !== 32) return; // .valid = 4-byte accesses only
    this.dsmWrite(value & 0xffffffffn);
  }

  /** nvdimm_dsm_write with the DSM page at guest physical `page`. */
  dsmWrite(page: bigint): void {
    const inBytes = this.readRam(page, NVDIMM_DSM_MEMORY_SIZE);
    const dsmIn = decodeStruct(nvdimmDsmIn, inBytes).value;
    const entry: (typeof this.log)[number] = { address: page, handle: dsmIn.handle, revision: dsmIn.revision, function: dsmIn.function };
    this.log.push(entry);
    const reply = (bytes: Uint8Array): void => {
      entry.status = bytes.length >= dsmNoPayloadOut.size! && dsmIn.function !== 0 ? decodeStruct(dsmNoPayloadOut, bytes.subarray(0, dsmNoPayloadOut.size!)).value.status : undefined;
      this.writeRam(page, bytes);
    };
    const noPayload = (status: number) => reply(encodeStruct(dsmNoPayloadOut, { len: dsmNoPayloadOut.size!, status }));
    const func0 = (supportedFunc: number) => reply(encodeStruct(dsmFunc0Out, { len: dsmFunc0Out.size!, supportedFunc }));
    if (dsmIn.revision !== 1) return noPayload(DSM_STATUS.UNSUPPORT);
    if (dsmIn.handle === QEMU_RSVD_HANDLE_ROOT) return dsmIn.function === 1 ? reply(this.readFit(dsmIn.arg3)) : noPayload(DSM_STATUS.UNSUPPORT);
    if (dsmIn.handle === 0) return dsmIn.function === 0 ? func0(0) : noPayload(DSM_STATUS.UNSUPPORT);
    const nv = this.nvdimms.find((d) => d.handle === dsmIn.handle);
    if (dsmIn.function === 0) return func0(nv && nv.labelSize ? 0x1 | (1 << 4) | (1 << 5) | (1 << 6) : 0);
    if (!nv) return noPayload(DSM_STATUS.NOMEMDEV);
    if (!nv.labelSize || dsmIn.function < 4 || dsmIn.function > 6) return noPayload(DSM_STATUS.UNSUPPORT);
    if (dsmIn.function === 4) return reply(encodeStruct(dsmLabelSizeOut, { len: dsmLabelSizeOut.size!, status: DSM_STATUS.SUCCESS, labelSize: nv.labelSize, maxXfer: MAX_XFER_LABEL_SIZE }));
    const rw = decodeStruct(dsmLabelDataIn, dsmIn.arg3).value;
    const status = this.labelCheck(nv, rw.offset, rw.length);
    if (status !== DSM_STATUS.SUCCESS) return noPayload(status);
    if (dsmIn.function === 5) {
      const data = new Uint8Array(rw.length);
      this.labelRw(nv.labelPaddr + BigInt(rw.offset), data, false);
      return reply(encodeStruct(dsmDataOut, { len: DATA_OUT + rw.length, status: DSM_STATUS.SUCCESS, data }));
    }
    this.labelRw(nv.labelPaddr + BigInt(rw.offset), rw.data.slice(0, rw.length), true);
    return noPayload(DSM_STATUS.SUCCESS);
  }

  /** nvdimm_rw_label_data_check. */
  private labelCheck(nv: DsmNvdimm, offset: number, length: number): number {
    if (offset + length > 0xffffffff) return DSM_STATUS.INVALID; // u32 wrap
    if (nv.labelSize < offset + length) return DSM_STATUS.INVALID;
    if (length > MAX_XFER_LABEL_SIZE) return DSM_STATUS.INVALID;
    return DSM_STATUS.SUCCESS;
  }

  /** nvdimm_dsm_func_read_fit. */
  private readFit(arg3: Uint8Array): Uint8Array {
    const { offset } = decodeStruct(dsmReadFitIn, arg3).value;
    let status: number = DSM_STATUS.SUCCESS;
    let len = 0;
    if (offset > this.fit.length) status = DSM_STATUS.INVALID;
    else if (offset === 0) this.fitDirty = false;
    else if (this.fitDirty) status = DSM_STATUS.FIT_CHANGED;
    if (status === DSM_STATUS.SUCCESS) len = Math.min(this.fit.length - offset, NVDIMM_DSM_MEMORY_SIZE - DATA_OUT);
    return encodeStruct(dsmDataOut, { len: DATA_OUT + len, status, data: this.fit.slice(offset, offset + len) });
  }
}

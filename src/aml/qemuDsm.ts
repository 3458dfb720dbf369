/**
 * The DSM page QEMU and its NVDIMM SSDT share (hw/acpi/nvdimm.c, QEMU_PACKED structs): the guest's
 * `NCAL` method writes an NvdimmDsmIn into the page at MEMA, QEMU answers with an NvdimmDsmOut in
 * the same page. The SSDT's field units are laid out from these declarations.
 */
import { Struct, tail, u32 } from '../core/schema/index.js';

/** struct NvdimmDsmIn: handle, revision, function, then arg3 (or the Read FIT offset) up to the page end. */
export const nvdimmDsmIn = new Struct('qemu-dsm-in', [
  u32('handle', { specName: 'handle', doc: 'NFIT device handle; 0 for the root device' }),
  u32('revision', { specName: 'revision' }),
  u32('function', { specName: 'function' }),
  tail('arg3', { specName: 'arg3', doc: 'Arg3 of _DSM (a union with the Read FIT offset)' }),
] as const, { label: 'NvdimmDsmIn', spec: 'QEMU hw/acpi/nvdimm.c struct NvdimmDsmIn' });

/** struct NvdimmDsmOut: the length of what QEMU wrote, then the data. */
export const nvdimmDsmOut = new Struct('qemu-dsm-out', [
  u32('len', { specName: 'len', doc: 'bytes of this structure QEMU filled, len included' }),
  tail('data', { specName: 'data' }),
] as const, { label: 'NvdimmDsmOut', spec: 'QEMU hw/acpi/nvdimm.c struct NvdimmDsmOut' });

/** QEMU's DSM status codes (hw/acpi/nvdimm.c NVDIMM_DSM_RET_STATUS_*). */
export const DSM_STATUS = { SUCCESS: 0, UNSUPPORT: 1, NOMEMDEV: 2, INVALID: 3, FIT_CHANGED: 0x100 } as const;

/** Handle QEMU reserves for its own root method, Read FIT (NVDIMM_QEMU_RSVD_HANDLE_ROOT). */
export const QEMU_RSVD_HANDLE_ROOT = 0x10000;

/** NvdimmDsmFunc0Out: the supported-function bitmap. */
export const dsmFunc0Out = new Struct('qemu-dsm-func0-out', [u32('len'), u32('supportedFunc', { specName: 'supported_func' })] as const, { label: 'NvdimmDsmFunc0Out', spec: 'QEMU hw/acpi/nvdimm.c' });

/** NvdimmDsmFuncNoPayloadOut: only a status. */
export const dsmNoPayloadOut = new Struct('qemu-dsm-nopayload-out', [u32('len'), u32('status', { specName: 'func_ret_status' })] as const, { label: 'NvdimmDsmFuncNoPayloadOut', spec: 'QEMU hw/acpi/nvdimm.c' });

/** NvdimmFuncGetLabelSizeOut (function 4). */
export const dsmLabelSizeOut = new Struct('qemu-dsm-label-size-out', [
  u32('len'), u32('status', { specName: 'func_ret_status' }), u32('labelSize', { specName: 'label_size' }), u32('maxXfer', { specName: 'max_xfer' }),
] as const, { label: 'NvdimmFuncGetLabelSizeOut', spec: 'QEMU hw/acpi/nvdimm.c' });

/** NvdimmFuncGetLabelDataIn (function 5's arg3); Set Label Data (6) adds the data after it. */
export const dsmLabelDataIn = new Struct('qemu-dsm-label-data-in', [u32('offset'), u32('length'), tail('data', { specName: 'in_buf' })] as const, { label: 'NvdimmFuncGet/SetLabelDataIn', spec: 'QEMU hw/acpi/nvdimm.c' });

/** NvdimmFuncGetLabelDataOut / NvdimmFuncReadFITOut: status then the bytes. */
export const dsmDataOut = new Struct('qemu-dsm-data-out', [u32('len'), u32('status', { specName: 'func_ret_status' }), tail('data', { specName: 'out_buf / fit' })] as const, { label: 'NvdimmFuncGetLabelDataOut', spec: 'QEMU hw/acpi/nvdimm.c' });

/** NvdimmFuncReadFITIn: the offset into the FIT. */
export const dsmReadFitIn = new Struct('qemu-dsm-read-fit-in', [u32('offset')] as const, { label: 'NvdimmFuncReadFITIn', spec: 'QEMU hw/acpi/nvdimm.c' });

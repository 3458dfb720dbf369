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

/**
 * What an OS gets back from an NVDIMM's label `_DSM` functions (Intel NVDIMM DSM interface,
 * functions 4-6; Linux include/uapi/linux/ndctl.h `nd_cmd_get_config_size`,
 * `nd_cmd_get_config_data_hdr`, `nd_cmd_set_config_hdr`): the Buffer `_DSM` returns is the
 * command's output part. The inputs are laid out as QEMU's NvdimmFuncGet/SetLabelDataIn
 * (`dsmLabelDataIn`, the same offset/length/data wire format).
 */
import { Struct, tail, u32 } from '../core/schema/index.js';

/** Function 4, Get Namespace Label Size: nd_cmd_get_config_size's output. */
export const labelSizeReply = new Struct('dsm-label-size-reply', [
  u32('status'), u32('configSize', { specName: 'config_size' }), u32('maxXfer', { specName: 'max_xfer' }),
] as const, { label: 'nd_cmd_get_config_size (out)', spec: 'Linux include/uapi/linux/ndctl.h; Intel NVDIMM DSM function 4' });

/** Function 5, Get Namespace Label Data: status then the bytes (nd_cmd_get_config_data_hdr's output). */
export const labelDataReply = new Struct('dsm-label-data-reply', [u32('status'), tail('data', { specName: 'out_buf' })] as const, { label: 'nd_cmd_get_config_data_hdr (out)', spec: 'Linux include/uapi/linux/ndctl.h; Intel NVDIMM DSM function 5' });

/** Function 6, Set Namespace Label Data, and function 0's bitmap share this: one u32. */
export const labelStatusReply = new Struct('dsm-label-status-reply', [u32('status')] as const, { label: 'nd_cmd_set_config_hdr status (out)', spec: 'Linux include/uapi/linux/ndctl.h; Intel NVDIMM DSM function 6' });

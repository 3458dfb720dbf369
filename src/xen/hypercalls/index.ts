import type { Struct } from '../../core/schema/index.js';
import { XEN_DMOP_pmem_rw, xenDmOp } from './dmop.js';
import { XEN_DOMCTL_INTERFACE_VERSION, XEN_DOMCTL_destroydomain, XEN_DOMCTL_iomem_permission, XEN_DOMCTL_memory_mapping, xenDomctl } from './domctl.js';
import { xenPmemMap } from './memory.js';
import { XENPF_INTERFACE_VERSION, XENPF_pmem_add, xenPlatformOp } from './platform.js';
import { XEN_SYSCTL_INTERFACE_VERSION, XEN_SYSCTL_nvdimm_op, XEN_SYSCTL_nvdimm_op_v2, xenSysctlV2, xenSysctlV3, xenSysctlV4 } from './sysctl.js';

export * from './errno.js';
export * from './platform.js';
export * from './sysctl.js';
export * from './memory.js';
export * from './domctl.js';
export * from './dmop.js';

/**
 * Every hypercall argument struct the simulation writes to `hypercalls/NNNN-<caller>-<op>.bin`,
 * with how a file of it is recognised: its exact size, its command and (where the struct has one)
 * its interface version. `xen_pmem_map` carries neither, so it is only decoded by name.
 */
export interface HypercallFormat {
  name: string;
  struct: Struct<any>;
  detect(bytes: Uint8Array): boolean;
}

const u32At = (b: Uint8Array, at: number) => (b.length >= at + 4 ? new DataView(b.buffer, b.byteOffset, b.length).getUint32(at, true) : -1);
const headed = (s: Struct<any>, cmd: number[], version: number[] | undefined) => (b: Uint8Array) =>
  b.length === s.size && cmd.includes(u32At(b, 0)) && (version === undefined || version.includes(u32At(b, 4)));

export const HYPERCALL_FORMATS: readonly HypercallFormat[] = [
  { name: 'xen_platform_op', struct: xenPlatformOp, detect: headed(xenPlatformOp, [XENPF_pmem_add], [XENPF_INTERFACE_VERSION]) },
  { name: 'xen_sysctl', struct: xenSysctlV4, detect: headed(xenSysctlV4, [XEN_SYSCTL_nvdimm_op], [XEN_SYSCTL_INTERFACE_VERSION.v4]) },
  { name: 'xen_sysctl.v3', struct: xenSysctlV3, detect: headed(xenSysctlV3, [XEN_SYSCTL_nvdimm_op], [XEN_SYSCTL_INTERFACE_VERSION.v3]) },
  { name: 'xen_sysctl.v2', struct: xenSysctlV2, detect: headed(xenSysctlV2, [XEN_SYSCTL_nvdimm_op_v2], [XEN_SYSCTL_INTERFACE_VERSION.v2]) },
  { name: 'xen_domctl', struct: xenDomctl, detect: headed(xenDomctl, [XEN_DOMCTL_destroydomain, XEN_DOMCTL_iomem_permission, XEN_DOMCTL_memory_mapping], [XEN_DOMCTL_INTERFACE_VERSION]) },
  { name: 'xen_dm_op', struct: xenDmOp, detect: (b) => headed(xenDmOp, [XEN_DMOP_pmem_rw], undefined)(b) && u32At(b, 4) === 0 },
  { name: 'xen_pmem_map', struct: xenPmemMap, detect: () => false },
];

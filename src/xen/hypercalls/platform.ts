import { Struct, u32, u64, union, type ValueOf } from '../../core/schema/index.js';

/**
 * `HYPERVISOR_platform_op` (xen/include/public/platform.h). Design v1 only: `XENPF_pmem_add`
 * (branch nvdimm-rfc-v1, commit d354046430) reports one pmem region with its reserved and data
 * areas, every bound a page frame number, every range half-open (xen.md §1A).
 */
export const XENPF_INTERFACE_VERSION = 0x03000001;
export const XENPF_pmem_add = 64;

export const xenpfPmemAdd = new Struct(
  'xenpf_pmem_add',
  [
    u64('spfn', { label: 'start PFN of the whole pmem region', specName: 'spfn' }),
    u64('epfn', { label: 'end PFN of the whole pmem region', specName: 'epfn' }),
    u64('rsvSpfn', { label: 'start PFN of the reserved area', specName: 'rsv_spfn' }),
    u64('rsvEpfn', { label: 'end PFN of the reserved area', specName: 'rsv_epfn' }),
    u64('dataSpfn', { label: 'start PFN of the data area', specName: 'data_spfn' }),
    u64('dataEpfn', { label: 'end PFN of the data area', specName: 'data_epfn' }),
  ] as const,
  { label: 'struct xenpf_pmem_add', spec: 'xen/include/public/platform.h (nvdimm-rfc-v1)', size: 48 },
);
export type XenpfPmemAdd = ValueOf<typeof xenpfPmemAdd>;

/** `struct xen_platform_op`: cmd, interface_version, then the 128-byte union `u` at offset 8. */
export const xenPlatformOp = new Struct(
  'xen_platform_op',
  [
    u32('cmd', { specName: 'cmd', names: { [XENPF_pmem_add]: 'XENPF_pmem_add' } }),
    u32('interfaceVersion', { label: 'interface_version', specName: 'interface_version', names: { [XENPF_INTERFACE_VERSION]: 'XENPF_INTERFACE_VERSION' } }),
    union('u', { label: 'union u', size: 128, members: { pmem_add: xenpfPmemAdd }, select: (p) => (p.cmd === XENPF_pmem_add ? 'pmem_add' : undefined) }),
  ] as const,
  { label: 'struct xen_platform_op', spec: 'xen/include/public/platform.h', size: 136 },
);
export type XenPlatformOp = ValueOf<typeof xenPlatformOp>;

import { Struct, reserved, u16, u32, u64, u8, union, type ValueOf } from '../../core/schema/index.js';

/**
 * `HYPERVISOR_domctl` (xen/include/public/domctl.h as the vNVDIMM branches carry it; xen.md §5):
 * cmd, interface_version, domain (domid_t), then the 128-byte union at offset 16 (it holds
 * uint64_aligned_t members).
 */
export const XEN_DOMCTL_INTERFACE_VERSION = 0x10;
/** No arguments beyond the domain (xl destroy → libxl → xc_domain_destroy). */
export const XEN_DOMCTL_destroydomain = 2;
export const XEN_DOMCTL_iomem_permission = 20;
export const XEN_DOMCTL_memory_mapping = 39;

export const domctlIomemPermission = new Struct('xen_domctl_iomem_permission', [
  u64('firstMfn', { label: 'first_mfn', specName: 'first_mfn' }),
  u64('nrMfns', { label: 'nr_mfns', specName: 'nr_mfns' }),
  u8('allowAccess', { label: 'allow_access', specName: 'allow_access' }),
  reserved('pad', 7, { label: '(padding)' }),
] as const, { label: 'struct xen_domctl_iomem_permission', size: 24 });

export const domctlMemoryMapping = new Struct('xen_domctl_memory_mapping', [
  u64('firstGfn', { label: 'first_gfn', specName: 'first_gfn' }),
  u64('firstMfn', { label: 'first_mfn', specName: 'first_mfn' }),
  u64('nrMfns', { label: 'nr_mfns', specName: 'nr_mfns' }),
  u32('addMapping', { label: 'add_mapping', specName: 'add_mapping' }),
  u32('padding', { reserved: true }),
] as const, { label: 'struct xen_domctl_memory_mapping', size: 32 });

export const xenDomctl = new Struct('xen_domctl', [
  u32('cmd', { label: 'cmd', names: { [XEN_DOMCTL_destroydomain]: 'XEN_DOMCTL_destroydomain', [XEN_DOMCTL_iomem_permission]: 'XEN_DOMCTL_iomem_permission', [XEN_DOMCTL_memory_mapping]: 'XEN_DOMCTL_memory_mapping' } }),
  u32('interfaceVersion', { label: 'interface_version', specName: 'interface_version' }),
  u16('domain'),
  reserved('pad', 6, { label: '(padding)' }),
  union('u', {
    label: 'union u', size: 128,
    members: { iomem_permission: domctlIomemPermission, memory_mapping: domctlMemoryMapping },
    select: (p) => (p.cmd === XEN_DOMCTL_iomem_permission ? 'iomem_permission' : p.cmd === XEN_DOMCTL_memory_mapping ? 'memory_mapping' : undefined),
  }),
] as const, { label: 'struct xen_domctl', spec: 'xen/include/public/domctl.h', size: 144 });
export type XenDomctl = ValueOf<typeof xenDomctl>;

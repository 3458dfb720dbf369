import { Struct, reserved, u16, u32, u64, type ValueOf } from '../../core/schema/index.js';

/**
 * `XENMEM_populate_pmem_map` (memory op 28; xen/include/public/memory.h, nvdimm-rfc-v4 and the label
 * series; xen.md §1B). `domid_t` is 16 bits, `unsigned long` 64 on x86-64, so 6 bytes of padding
 * follow `domid`. v4 ends `nr_mfns` with 4 bytes of tail padding; the label series
 * (nvdimm-label-v1.1-rebase 8a3b0f8ee0) puts `type` there (0 data, 1 label).
 */
export const XENMEM_populate_pmem_map = 28;
export const XENMEM_pmem_map_type = { data: 0, label: 1 } as const;
export const DOMID_SELF = 0x7ff0;

export const xenPmemMap = new Struct('xen_pmem_map', [
  u16('domid', { names: { [DOMID_SELF]: 'DOMID_SELF' } }),
  reserved('pad', 6, { label: '(padding)' }),
  u64('mfn'),
  u64('gfn'),
  u32('nrMfns', { label: 'nr_mfns', specName: 'nr_mfns' }),
  u32('type', { label: 'type (label series; padding in v4)', names: { 0: 'XENMEM_pmem_map_type_data', 1: 'XENMEM_pmem_map_type_label' } }),
] as const, { label: 'struct xen_pmem_map', spec: 'xen/include/public/memory.h (nvdimm-label-v1.1-rebase)', size: 32 });
export type XenPmemMap = ValueOf<typeof xenPmemMap>;

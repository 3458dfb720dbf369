import { Struct, u32, u64, u8, reserved, union, type ValueOf } from '../../core/schema/index.js';

/**
 * `XEN_DMOP_pmem_rw` (19; xen/include/public/hvm/dm_op.h, nvdimm-label-v1.1-rebase, commits
 * aaab5915e4 / 1271fb9bec; xen.md §1B): QEMU reads and writes a guest's label pages. DMOP buffer 0
 * is `struct xen_dm_op` (op, pad, union u; the union is as large as its largest member, 32 bytes in
 * that branch), buffer 1 the data.
 */
export const XEN_DMOP_pmem_rw = 19;

export const dmOpPmemRw = new Struct('xen_dm_op_pmem_rw', [
  u64('paddr', { label: 'paddr (start physical address of PMEM)' }),
  u64('length'),
  u64('done', { label: 'done (IN/OUT, 0 on the first call)' }),
  u8('isWrite', { label: 'is_write', specName: 'is_write' }),
  reserved('pad', 7, { label: 'pad (must be zero)' }),
] as const, { label: 'struct xen_dm_op_pmem_rw', size: 32 });

export const xenDmOp = new Struct('xen_dm_op', [
  u32('op', { label: 'op', names: { [XEN_DMOP_pmem_rw]: 'XEN_DMOP_pmem_rw' } }),
  u32('pad', { reserved: true }),
  union('u', { label: 'union u', size: 32, members: { pmem_rw: dmOpPmemRw }, select: (p) => (p.op === XEN_DMOP_pmem_rw ? 'pmem_rw' : undefined) }),
] as const, { label: 'struct xen_dm_op', spec: 'xen/include/public/hvm/dm_op.h (nvdimm-label-v1.1-rebase)', size: 40 });
export type XenDmOp = ValueOf<typeof xenDmOp>;

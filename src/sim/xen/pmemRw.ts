/**
 * `XEN_DMOP_pmem_rw` as Xen handles it (xen.md §1B; nvdimm-label-v1.1-rebase commits aaab5915e4 /
 * 1271fb9bec): a device model reads or writes pages a guest owns but has not got in its p2m (the
 * label pages). Checks, in order: the op is pmem_rw, exactly two DMOP buffers, `xen_dm_op.pad` and
 * the op's `pad` zero, `done` 0 (the simulation has no preemption, so no continuation), buffer 1 at
 * least `length` bytes, the range in a data region and every page held by the target domain
 * (`PmemPermissions`, the per-page ownership the series checked); then the copy, one page at a
 * time. The errno of a failed region/ownership check is not in the notes (xen.md): -EINVAL for a
 * malformed call or a range outside the data regions, -EPERM for pages the domain does not hold.
 */
import { decodeStruct } from '../../core/schema/index.js';
import { XEN_DMOP_pmem_rw, xenDmOp } from '../../xen/hypercalls/index.js';
import type { PmemPermissions } from '../permissions/index.js';
import { hex, U64 } from './geometry.js';
import type { PhysMem } from './physmem.js';
import type { CallOutcome } from './v1.js';

const PAGE = 4096n;

export interface PmemRwContext {
  perms: PmemPermissions;
  mem: PhysMem;
}

const refuse = (result: string, reason: string): CallOutcome => ({ result, reason, written: 0n });

/** Handle one call for `domid`; `bufs[1]` is read (write op) or filled (read op) in place. */
export function pmemRw(ctx: PmemRwContext, domid: number, bufs: readonly Uint8Array[]): CallOutcome & { done: bigint } {
  const out = (o: CallOutcome, done = 0n) => ({ ...o, done });
  if (bufs.length !== 2) return out(refuse('-EINVAL', `${bufs.length} DMOP buffers, pmem_rw takes exactly 2`));
  if (bufs[0]!.length < xenDmOp.size!) return out(refuse('-EFAULT', `buffer 0 is ${bufs[0]!.length} bytes, struct xen_dm_op is ${xenDmOp.size}`));
  const op = decodeStruct(xenDmOp, bufs[0]!.subarray(0, xenDmOp.size!)).value;
  if (op.op !== XEN_DMOP_pmem_rw) return out(refuse('-EOPNOTSUPP', `dm_op ${op.op} is not XEN_DMOP_pmem_rw`));
  if (op.pad !== 0) return out(refuse('-EINVAL', `xen_dm_op.pad is ${hex(BigInt(op.pad))}, must be zero`));
  const a = op.u.pmem_rw!;
  if (a.pad.some((b) => b !== 0)) return out(refuse('-EINVAL', 'xen_dm_op_pmem_rw.pad is not zero'));
  if (a.done !== 0n) return out(refuse('-EINVAL', `done is ${hex(a.done)}, must be 0 on the first call`));
  const data = bufs[1]!;
  if (BigInt(data.length) < a.length) return out(refuse('-EINVAL', `buffer 1 is ${data.length} bytes, shorter than length ${hex(a.length)}`));
  if (a.length === 0n) return out({ result: '0', written: 0n });
  const last = a.paddr + a.length - 1n;
  if (last > U64) return out(refuse('-EINVAL', `paddr ${hex(a.paddr)} + length ${hex(a.length)} wraps`));
  const first = Number(a.paddr / PAGE);
  const lastPfn = Number(last / PAGE);
  if (!ctx.perms.data.containsRange(first, lastPfn)) return out(refuse('-EINVAL', `frames ${hex(BigInt(first))}-${hex(BigInt(lastPfn))} are not all in a pmem data region`));
  if (!ctx.perms.check(domid, first, lastPfn)) return out(refuse('-EPERM', `domain ${domid} does not own every frame of ${hex(BigInt(first))}-${hex(BigInt(lastPfn))}`));
  let done = 0n;
  let written = 0n;
  while (done < a.length) {
    const at = a.paddr + done;
    const n = (PAGE - (at % PAGE) < a.length - done ? PAGE - (at % PAGE) : a.length - done);
    const w = ctx.mem.window(at, n);
    if (!w) return out(refuse('-EFAULT', `frame ${hex(at / PAGE)} is not backed by a PMEM image`), done);
    const buf = data.subarray(Number(done), Number(done + n));
    if (a.isWrite) {
      w.io.write(0, buf);
      written += n;
    } else buf.set(w.io.read(0, Number(n)));
    done += n;
  }
  if (written) ctx.mem.flush();
  return out({ result: '0', written }, done);
}

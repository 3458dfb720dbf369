/**
 * Design v1: Dom0's pmem driver reports each Xen area with `HYPERVISOR_platform_op(XENPF_pmem_add)`
 * (xen.md §1A; seed 000 §4.2.2 (2)), the whole `struct xen_platform_op` emitted as
 * `hypercalls/NNNN-dom0-pmem_add.bin` for the xen stage to handle. When Xen accepts a report, Dom0
 * balloons the reserved area out of its own view (seed 000 §4.2.2 (4)): recorded in
 * `dom0/balloon.json` (the frames Dom0 gave up and no longer maps).
 */
import { decodeStruct } from '../../core/schema/index.js';
import { XENPF_INTERFACE_VERSION, XENPF_pmem_add, xenPlatformOp } from '../../xen/hypercalls/index.js';
import { emitHypercall, hypercallBytes, onHypercallReturn, type HypercallEntry } from '../hypercalls.js';
import type { SimDir } from '../runDir.js';
import type { XenArea } from './xenAreas.js';

export const DOM0_BALLOON = 'dom0/balloon.json';
export const PMEM_ADD_OP = 'pmem_add';

export function reportXenArea(dir: SimDir, a: XenArea): HypercallEntry {
  return emitHypercall(dir, 'dom0', PMEM_ADD_OP, xenPlatformOp, {
    cmd: XENPF_pmem_add, interfaceVersion: XENPF_INTERFACE_VERSION,
    u: { pmem_add: { spfn: a.spfn, epfn: a.epfn, rsvSpfn: a.rsvSpfn, rsvEpfn: a.rsvEpfn, dataSpfn: a.dataSpfn, dataEpfn: a.dataEpfn } },
  });
}

interface Ballooned {
  seq: number;
  /** Frames [spfn, epfn) Dom0 gave back: the reserved area of the report. */
  spfn: string;
  epfn: string;
  pages: string;
}

/** After Xen's answer: on success, Dom0 balloons out the reserved area it reported (as the call's bytes say). */
onHypercallReturn('dom0', PMEM_ADD_OP, (dir, e) => {
  if (e.result !== '0') return;
  const op = decodeStruct(xenPlatformOp, hypercallBytes(dir, e)).value;
  const add = op.u.pmem_add;
  if (!add) return;
  const list: Ballooned[] = dir.exists(DOM0_BALLOON) ? dir.readJson<{ ballooned: Ballooned[] }>(DOM0_BALLOON).ballooned : [];
  list.push({ seq: e.seq, spfn: `0x${add.rsvSpfn.toString(16)}`, epfn: `0x${add.rsvEpfn.toString(16)}`, pages: String(add.rsvEpfn - add.rsvSpfn) });
  dir.writeText(DOM0_BALLOON, JSON.stringify({ ballooned: list }, null, 2) + '\n');
});

/**
 * `xl destroy NAME` (specs/sim.md §7.11): xl finds the domain by name (`Invalid domain identifier`
 * when there is none), libxl tears the device model down and asks Xen to destroy the domain
 * (`xc_domain_destroy` → `XEN_DOMCTL_destroydomain`, emitted as `NNNN-libxl-destroydomain.bin`
 * with its trace line and handled by Xen from the file: xen/domainDestroy.ts). On success the
 * guest's mappings.json says `destroyed`, its p2m is empty (the runs it had are kept under
 * `released`), xen/permissions.json no longer lists the domain, and the host frames' page_info is
 * free again. Every later access of the guest is refused: the domain no longer exists.
 */
import { decodeStruct } from '../../core/schema/index.js';
import { XEN_DOMCTL_destroydomain, XEN_DOMCTL_INTERFACE_VERSION, xenDomctl } from '../../xen/hypercalls/index.js';
import { completeHypercall, emitHypercall, hypercallBytes } from '../hypercalls.js';
import type { SimDir } from '../runDir.js';
import { destroyDomain } from '../xen/domainDestroy.js';
import { openMapContext } from '../xen/mapContext.js';
import { XEN_CONSOLE } from '../xen/stage.js';
import { DOM0 } from '../xen/v1.js';
import { appendGuestLog } from './dataLog.js';

export interface DestroyResult {
  guest: string;
  domid?: number;
  /** `0`, Xen's errno, or `refused` when xl found no such domain (no hypercall). */
  result: string;
  reason?: string;
  seq?: number;
  /** Pmem pages returned to free. */
  pages: bigint;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** `xl destroy name` on the run in `dir`. */
export function destroyGuest(dir: SimDir, name: string): DestroyResult {
  const rel = `guests/${name}/mappings.json`;
  const m = dir.exists(rel) ? dir.readJson<Record<string, unknown> & { domid: number; status: string; mapped?: unknown[] }>(rel) : undefined;
  if (!m || m.status !== 'running') {
    const reason = `Invalid domain identifier: ${name}${m ? ` (domain ${m.domid} is ${m.status})` : ''}`;
    appendGuestLog(dir, name, `xl destroy ${name}: ${reason}`);
    return { guest: name, result: 'refused', reason, pages: 0n };
  }
  const { ctx, save, close } = openMapContext(dir);
  try {
    const e = emitHypercall(dir, 'libxl', 'destroydomain', xenDomctl, { cmd: XEN_DOMCTL_destroydomain, interfaceVersion: XEN_DOMCTL_INTERFACE_VERSION, domain: m.domid, pad: new Uint8Array(6), u: { $raw: new Uint8Array(128) } } as never);
    const got = decodeStruct(xenDomctl, hypercallBytes(dir, e), { format: e.file }).value;
    const o = got.cmd === XEN_DOMCTL_destroydomain
      ? destroyDomain(ctx, got.domain, DOM0)
      : { result: '-ENOSYS', reason: `domctl ${got.cmd} is not XEN_DOMCTL_destroydomain`, written: 0n, pages: 0n };
    completeHypercall(dir, e.seq, o.result, xenDomctl.toJson(got));
    const base = { guest: name, domid: m.domid, seq: e.seq, pages: o.pages };
    if (o.result !== '0') {
      appendGuestLog(dir, name, `xl destroy ${name}: libxl: xc_domain_destroy failed: ${o.result}: ${o.reason}`);
      return { ...base, result: o.result, ...(o.reason ? { reason: o.reason } : {}) };
    }
    save();
    dir.writeText(rel, JSON.stringify({ ...m, status: 'destroyed', mapped: [], released: m.mapped ?? [], destroyedBy: e.seq }, null, 2) + '\n');
    const console = dir.exists(XEN_CONSOLE) ? Buffer.from(dir.readBytes(XEN_CONSOLE)).toString('utf8') : '';
    dir.writeText(XEN_CONSOLE, `${console}(XEN) [nvtool] d${m.domid}: XEN_DOMCTL_destroydomain: ${o.pages} pmem pages back to free (${dir.scenario().design === 'v1' ? 'pmem_teardown' : 'RELMEM_pmem'}), ${hex(o.written)} bytes of page_info written\n`);
    appendGuestLog(dir, name, `xl destroy ${name}: domain ${m.domid} destroyed (${o.pages} pmem pages returned)`);
    return { ...base, result: '0' };
  } finally {
    close();
  }
}

/**
 * The `xen` stage (specs/sim.md §6). v1: Xen boots with its frame table over RAM, then handles
 * Dom0's pending `XENPF_pmem_add` calls. v3/v4: Xen reads the host NFIT (raw regions, TFIN for
 * Dom0, Dom0 denied every raw region), then the administrator's `xl pmem-setup` lines become
 * `XEN_SYSCTL_nvdimm_op` calls. Leaves xen/console.log, xen/state.json, xen/metadata.json (the
 * cost of each managed range) and, in v3/v4, xen/acpi/NFIT.aml: the NFIT with signature TFIN that
 * the dom0 stage hands Dom0.
 */
import { decodeStruct } from '../../core/schema/index.js';
import {
  XENPF_INTERFACE_VERSION, XENPF_pmem_add, XEN_ERRNO, XEN_SYSCTL_INTERFACE_VERSION, XEN_SYSCTL_nvdimm_op, XEN_SYSCTL_nvdimm_pmem_setup, xenPlatformOp, xenSysctlV3, xenSysctlV4,
} from '../../xen/hypercalls/index.js';
import { completeHypercall, emitHypercall, hypercallBytes, pendingHypercalls } from '../hypercalls.js';
import { PMEM_ADD_OP } from '../dom0/report.js';
import { XEN_DOM0_NFIT } from '../dom0/stage.js';
import { HOST_NFIT } from '../host/machine.js';
import { hostMappings } from '../host/spa.js';
import type { SimDir } from '../runDir.js';
import { registerStage } from '../stages.js';
import { hex } from './geometry.js';
import { bootMaps } from './metadataLayout.js';
import { metadataReport } from './metadataReport.js';
import { PhysMem } from './physmem.js';
import { DEFAULT_XEN_OPTIONS, newXenState, xenStateToJson, type XenOptions, type XenState } from './state.js';
import { DOM0, dom0IomemCaps, pmemAdd, type CallOutcome } from './v1.js';
import { bootV4, nvdimmSysctl } from './v4.js';
import { parsePmemSetup } from './xlPmemSetup.js';
import { DEFAULT_PERMISSIONS, writePermissions } from './permissions.js';

export const XEN_STATE = 'xen/state.json';
export const XEN_CONSOLE = 'xen/console.log';
export const XEN_METADATA = 'xen/metadata.json';

export function xenOptionsOf(json: unknown): XenOptions & { paddrBits: number } {
  const x = ((json as { xen?: Record<string, unknown> }).xen ?? {}) as Record<string, unknown>;
  return {
    layout: (x.metadataLayout as XenOptions['layout']) ?? DEFAULT_XEN_OPTIONS.layout,
    order: (x.checkOrder as XenOptions['order']) ?? DEFAULT_XEN_OPTIONS.order,
    iomemEnd: (x.iomemEnd as XenOptions['iomemEnd']) ?? DEFAULT_XEN_OPTIONS.iomemEnd,
    overlap: (x.overlap as XenOptions['overlap']) ?? DEFAULT_XEN_OPTIONS.overlap,
    paddrBits: (x.paddrBits as number) ?? 46,
  };
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? hex(x) : x), 2) + '\n';

/** The RAM of the e820 QEMU gives the host (below 4 GiB from 0, the rest from 4 GiB), in frames. */
function ramFrames(dir: SimDir): [bigint, bigint][] {
  const ram = dir.scenario().platform.ram;
  const out: [bigint, bigint][] = [[0n, ram.below4g >> 12n]];
  if (ram.above4g > 0n) out.push([1n << 20n, (4n << 30n) + ram.above4g >> 12n]);
  return out;
}

function record(st: XenState, seq: number, what: string, o: CallOutcome): void {
  if (o.result !== '0') st.console.push(`(XEN) [nvtool] hypercall ${seq} ${what}: ${o.result}${o.reason ? ` (${o.reason})` : ''}`);
  for (const w of o.wouldWrite ?? []) st.console.push(`(XEN) [nvtool]   code order would have written ${w.bytes} bytes at ${w.spa} (${w.what}) over ${w.over}`);
}

export function runXen(dir: SimDir): XenState {
  const sc = dir.scenario();
  const opts = { ...xenOptionsOf(sc.json), ...(dir.codeOrder ? { order: 'code' as const } : {}) };
  const st = newXenState(sc.design, bootMaps(ramFrames(dir)), opts);
  st.iomemCaps.set(DOM0, dom0IomemCaps(opts.paddrBits));
  const mem = new PhysMem(dir.root, hostMappings(dir).map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset })));
  const outcomes: unknown[] = [];
  try {
    if (sc.design === 'v1') {
      for (const e of pendingHypercalls(dir)) {
        if (e.op !== PMEM_ADD_OP) continue;
        // Xen copies the whole struct from the caller, then do_platform_op checks the version and the command.
        const bytes = hypercallBytes(dir, e);
        const op = bytes.length === xenPlatformOp.size ? decodeStruct(xenPlatformOp, bytes, { format: e.file }).value : undefined;
        const o: CallOutcome = !op
          ? { result: '-EFAULT', reason: `${e.file} holds ${bytes.length} bytes, not the ${xenPlatformOp.size} of struct xen_platform_op`, written: 0n }
          : op.interfaceVersion !== XENPF_INTERFACE_VERSION ? { result: '-EACCES', reason: `interface_version ${hex(op.interfaceVersion)} is not XENPF_INTERFACE_VERSION ${hex(XENPF_INTERFACE_VERSION)}`, written: 0n }
            : op.cmd !== XENPF_pmem_add || !op.u.pmem_add ? { result: '-ENOSYS', reason: `platform op ${op.cmd} is not XENPF_pmem_add`, written: 0n }
              : pmemAdd(st, mem, op.u.pmem_add, DOM0);
        record(st, e.seq, 'XENPF_pmem_add', o);
        outcomes.push({ seq: e.seq, ...o });
        completeHypercall(dir, e.seq, o.result, op ? xenPlatformOp.toJson(op) : undefined);
      }
    } else {
      dir.writeBytes(XEN_DOM0_NFIT, bootV4(st, dir.readBytes(HOST_NFIT)));
      const S = sc.design === 'v3' ? xenSysctlV3 : xenSysctlV4;
      for (const line of sc.xl) {
        const c = parsePmemSetup(line);
        if (!c) continue;
        if ('error' in c) {
          outcomes.push({ xl: line, error: c.error });
          st.console.push(`(XEN) [nvtool] xl ${line}: ${c.error} (no hypercall)`);
          continue;
        }
        const nvdimm = { cmd: XEN_SYSCTL_nvdimm_pmem_setup, err: 0, u: { pmem_setup: c.setup } };
        const arg = sc.design === 'v3'
          ? { cmd: XEN_SYSCTL_nvdimm_op, interfaceVersion: XEN_SYSCTL_INTERFACE_VERSION.v3, u: { nvdimm: { ...nvdimm, pad: 0, tailPad: new Uint8Array(4) } } }
          : { cmd: XEN_SYSCTL_nvdimm_op, interfaceVersion: XEN_SYSCTL_INTERFACE_VERSION.v4, u: { nvdimm } };
        const e = emitHypercall(dir, 'xl', 'nvdimm_op', S as never, arg as never);
        // Xen reads the argument back from the .bin (it may have been edited).
        const got = decodeStruct(S, hypercallBytes(dir, e), { format: e.file }).value as { cmd: number; interfaceVersion: number; u: { nvdimm?: { cmd: number; err: number; u: Record<string, unknown> } } };
        const version = sc.design === 'v3' ? XEN_SYSCTL_INTERFACE_VERSION.v3 : XEN_SYSCTL_INTERFACE_VERSION.v4;
        const nv = got.cmd === XEN_SYSCTL_nvdimm_op && got.interfaceVersion === version ? got.u.nvdimm : undefined;
        const o: CallOutcome = nv ? nvdimmSysctl(st, mem, nv.cmd, nv.u as never)
          : got.interfaceVersion !== version ? { result: '-EACCES', reason: `interface_version ${hex(got.interfaceVersion)} is not XEN_SYSCTL_INTERFACE_VERSION ${hex(version)}`, written: 0n }
            : { result: '-ENOSYS', reason: `sysctl ${got.cmd} is not XEN_SYSCTL_nvdimm_op`, written: 0n };
        if (nv) nv.err = XEN_ERRNO[o.result.slice(1) as keyof typeof XEN_ERRNO] ?? 0; // err = -rc
        record(st, e.seq, `xl ${line}`, o);
        outcomes.push({ seq: e.seq, xl: line, ...o });
        completeHypercall(dir, e.seq, o.result, S.toJson(got as never));
      }
    }
  } finally {
    mem.close();
  }
  dir.writeText(XEN_CONSOLE, st.console.map((l) => l + '\n').join(''));
  dir.writeText(XEN_STATE, json({ ...(xenStateToJson(st) as object), calls: outcomes }));
  const ranges = sc.design === 'v1' ? st.v1.map((r) => ({ spfn: r.spfn, epfn: r.epfn })) : st.raw.map((r) => ({ spfn: r.smfn, epfn: r.emfn }));
  dir.writeText(XEN_METADATA, json(ranges.map((r) => ({ range: [hex(r.spfn), hex(r.epfn)], ...metadataReport((r.epfn - r.spfn) << 12n, r.spfn << 12n) }))));
  writePermissions(dir, dir.permissions ?? DEFAULT_PERMISSIONS, st);
  return st;
}

registerStage({ name: 'xen', describe: 'the hypervisor: pmem reports (v1) or NFIT + xl pmem-setup (v3/v4), frame table and M2P in pmem', run: (dir) => void runXen(dir) });

/**
 * The `qemu` stage (specs/sim.md §7.4-7.5): each created guest's device model starts. QEMU lays
 * out guest RAM and the vNVDIMMs (machine.ts) and builds the guest's NFIT and NVDIMM SSDT; then
 * libxl's QMP initialisation asks it where the vNVDIMMs are (v1 `query-nvdimms`, v3+
 * `query-memory-devices`), checks the answer, and the pages are mapped through the hypercall the
 * guest's `mapping` chooses: libxl's XENMEM_populate_pmem_map (the series) or QEMU's
 * XEN_DOMCTL_memory_mapping (seed 002). Xen handles each call as it is made (src/sim/xen/pmemMap.ts,
 * reading the argument back from its .bin); the first refusal aborts the guest's creation and
 * Xen frees what it had been given.
 *
 * Leaves, per guest, under guests/<name>/: layout.json (RAM split, hotplug area, each vNVDIMM's
 * slot, guest address and sizes), qemu/nfit.aml and qemu/nvdimm-ssdt.aml (what the hvm stage
 * hands the guest), qmp/<command>.json (QEMU's answer), mappings.json (every run asked for, its
 * call and result, and the guest's status); and updates xen/permissions.json.
 */
import { NvError } from '../../core/errors.js';
import { decodeStruct } from '../../core/schema/index.js';
import {
  XEN_DOMCTL_INTERFACE_VERSION, XEN_DOMCTL_memory_mapping, XENMEM_pmem_map_type, xenDomctl, xenPmemMap,
} from '../../xen/hypercalls/index.js';
import { completeHypercall, emitHypercall, hypercallBytes } from '../hypercalls.js';
import { hostMappings } from '../host/spa.js';
import type { SimDir } from '../runDir.js';
import { registerStage } from '../stages.js';
import { loadPermissions, savePermissions } from '../xen/permissions.js';
import { memoryMapping, populatePmemMap, releaseDomain, type MapContext } from '../xen/pmemMap.js';
import { PhysMem } from '../xen/physmem.js';
import { xenOptionsOf, XEN_STATE } from '../xen/stage.js';
import { xenStateFromJson } from '../xen/state.js';
import { DOM0, type CallOutcome } from '../xen/v1.js';
import { parseGuestConfig, type VnvdimmMfn } from '../xl/guest.js';
import { addDevicePlan, checkMemoryDevices, checkQueryNvdimms, LibxlError, pagemapPlan, type MapRequest, type MemoryDeviceInfo } from '../xl/libxl.js';
import { guestFile, openDom0View, readXlGuest, type XlGuestJson } from '../xl/stage.js';
import { readFileSync } from 'node:fs';
import { guestNfit, guestNvdimmSsdt, xenGuestPlatform, type GuestDm } from './machine.js';
import { qemuHandover } from '../handover/stage.js';

export const LAYOUT_JSON = 'layout.json';
export const GUEST_NFIT = 'qemu/nfit.aml';
export const GUEST_NVDIMM_SSDT = 'qemu/nvdimm-ssdt.aml';
export const MAPPINGS_JSON = 'mappings.json';

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? hex(x) : x), 2) + '\n';

interface MappingRow {
  source: string;
  mfn: string;
  gfn: string;
  nr: string;
  type: 'data' | 'label';
  caller?: string;
  seq?: number;
  result?: string;
  reason?: string;
}

/** Emit one mapping call for `r` and let Xen handle it (from the .bin as written). */
function mapOne(dir: SimDir, ctx: MapContext, domid: number, how: XlGuestJson['mapping'], r: MapRequest): { seq: number; caller: string; o: CallOutcome } {
  if (how === 'populate') {
    const e = emitHypercall(dir, 'libxl', 'populate_pmem_map', xenPmemMap, { domid, pad: new Uint8Array(6), mfn: r.mfn, gfn: r.gfn, nrMfns: Number(r.nr), type: XENMEM_pmem_map_type[r.type] });
    const a = decodeStruct(xenPmemMap, hypercallBytes(dir, e), { format: e.file }).value;
    const o = populatePmemMap(ctx, a, DOM0);
    completeHypercall(dir, e.seq, o.result, xenPmemMap.toJson(a));
    return { seq: e.seq, caller: 'libxl', o };
  }
  const arg = { cmd: XEN_DOMCTL_memory_mapping, interfaceVersion: XEN_DOMCTL_INTERFACE_VERSION, domain: domid, pad: new Uint8Array(6), u: { memory_mapping: { firstGfn: r.gfn, firstMfn: r.mfn, nrMfns: r.nr, addMapping: 1, padding: 0 } } };
  const e = emitHypercall(dir, 'qemu', 'memory_mapping', xenDomctl, arg as never);
  const got = decodeStruct(xenDomctl, hypercallBytes(dir, e), { format: e.file }).value as { cmd: number; domain: number; u: { memory_mapping?: { firstGfn: bigint; firstMfn: bigint; nrMfns: bigint; addMapping: number } } };
  const mm = got.cmd === XEN_DOMCTL_memory_mapping ? got.u.memory_mapping : undefined;
  const o: CallOutcome = mm ? memoryMapping(ctx, { domain: got.domain, ...mm }, DOM0) : { result: '-ENOSYS', reason: `domctl ${got.cmd} is not XEN_DOMCTL_memory_mapping`, written: 0n };
  completeHypercall(dir, e.seq, o.result, xenDomctl.toJson(got as never));
  return { seq: e.seq, caller: 'qemu', o };
}

function guestDm(j: XlGuestJson): GuestDm {
  const v1 = !!j.devices?.some((d) => d.path !== undefined);
  return {
    ramMiB: BigInt(j.ramMiB!), slots: j.slots ?? 0, ...(j.maxmem ? { maxmem: BigInt(j.maxmem) } : {}),
    devices: (j.devices ?? []).map((d, i) => ({ id: v1 ? `nvdimm${i + 1}` : `xen_nvdimm${i + 1}`, size: BigInt(d.size), ...(d.labelSize ? { labelSize: BigInt(d.labelSize) } : {}) })),
  };
}

export function runQemu(dir: SimDir): void {
  const sc = dir.scenario();
  const guests = sc.guests.map((g) => readXlGuest(dir, g.name));
  const created = guests.filter((g) => g.status === 'created');
  if (!created.length) return;
  if (!dir.exists(XEN_STATE)) throw new NvError('sim', XEN_STATE, undefined, 'the xen stage has not run on this directory');
  const st = xenStateFromJson(dir.readJson(XEN_STATE));
  const { table: perms, ...measured } = loadPermissions(dir);
  const mem = new PhysMem(dir.root, hostMappings(dir).map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset })));
  const ctx: MapContext = { st, mem, perms, domains: new Set([DOM0, ...created.map((g) => g.domid!)]), paddrBits: xenOptionsOf(sc.json).paddrBits, p2m: new Map() };
  const dom0 = sc.design === 'v1' ? openDom0View(dir) : undefined;
  try {
    for (const g of created) {
      const spec = sc.guests.find((s) => s.name === g.name)!;
      const f = (rel: string) => guestFile(g.name, rel);
      const p = xenGuestPlatform(guestDm(g));
      dir.writeText(f(LAYOUT_JSON), json({
        ram: { size: p.ram.ramSize, below4g: p.ram.below4g, above4g: p.ram.above4g, lowmemEnd: '0xf0000000 (HVM_BELOW_4G_RAM_END)' },
        hotplug: { base: p.deviceMemory.base, size: p.deviceMemory.size, slots: p.slots },
        nvdimms: p.dimms.map((d) => ({ id: d.id, slot: d.slot, addr: d.addr, pmemSize: d.pmemSize, labelSize: d.labelSize, backendSize: d.backendSize, align: d.align, memdev: d.memdev, ...(g.devices![d.index]!.path ? { memPath: g.devices![d.index]!.path } : { hostAddr: g.devices![d.index]!.hostAddr }) })),
      }));
      dir.writeBytes(f(GUEST_NFIT), guestNfit(p));
      dir.writeBytes(f(GUEST_NVDIMM_SSDT), guestNvdimmSsdt(p));
      const bySlot = [...p.dimms].sort((a, b) => a.slot - b.slot);
      const rows: MappingRow[] = [];
      let status: 'running' | 'failed' = 'running';
      const errors: string[] = [];
      try {
        let requests: MapRequest[];
        if (sc.design === 'v1') {
          const answer = bySlot.map((d) => ({ slot: d.slot, 'mem-path': g.devices![d.index]!.path!, spa: Number(d.addr), length: Number(d.pmemSize) }));
          dir.writeText(f('qmp/query-nvdimms.json'), json({ return: answer }));
          requests = checkQueryNvdimms(answer).flatMap((a) => (g.mapping === 'populate'
            ? addDevicePlan(dom0!.view, a.path, a.spa, a.length).requests
            : pagemapPlan(dom0!.view, a.path, a.spa, a.length)));
        } else {
          const answer: MemoryDeviceInfo[] = bySlot.map((d) => ({ type: 'nvdimm', data: { slot: d.slot, id: d.id!, addr: Number(d.addr), size: Number(d.pmemSize), memdev: `/objects/${d.memdev}`, node: d.node, hotplugged: false, hotpluggable: true } }));
          dir.writeText(f('qmp/query-memory-devices.json'), json({ return: answer }));
          const cfg = parseGuestConfig(readFileSync(spec.config, 'utf8'), spec.config, sc.design);
          requests = checkMemoryDevices(answer, cfg.vnvdimms as VnvdimmMfn[]);
          if (g.mapping === 'memory_mapping') requests = requests.filter((r) => r.type === 'data');
        }
        for (const r of requests) {
          const row: MappingRow = { source: r.source, mfn: hex(r.mfn), gfn: hex(r.gfn), nr: hex(r.nr), type: r.type };
          rows.push(row);
          const { seq, caller, o } = mapOne(dir, ctx, g.domid!, g.mapping, r);
          Object.assign(row, { caller, seq, result: o.result, ...(o.reason ? { reason: o.reason } : {}) });
          if (o.result !== '0') {
            errors.push(g.mapping === 'populate'
              ? `libxl: Cannot map PMEM pages for ${r.source}, mfn ${hex(r.mfn)}, gpfn ${hex(r.gfn)}, nr ${hex(r.nr)}, rc ${o.result}: ${o.reason ?? ''}`
              : `qemu: XEN_DOMCTL_memory_mapping of ${r.source} failed: ${o.result}: ${o.reason ?? ''}`);
            status = 'failed';
            break;
          }
        }
      } catch (e) {
        if (!(e instanceof LibxlError)) throw e;
        errors.push(e.log.startsWith('qemu: ') ? e.log : `libxl: ${e.log}`);
        status = 'failed';
      }
      if (status === 'failed') releaseDomain(ctx, g.domid!);
      else errors.push(...qemuHandover(dir, g.name, sc.design, g.domid!, p.slots, dir.readBytes(f(GUEST_NFIT)), dir.readBytes(f(GUEST_NVDIMM_SSDT))));
      dir.writeText(f(MAPPINGS_JSON), json({
        domid: g.domid, mapping: g.mapping, status, errors,
        runs: rows,
        mapped: (ctx.p2m.get(g.domid!) ?? []).map((r) => ({ gfn: r.gfn, mfn: r.mfn, nr: r.nr, type: r.type })),
      }));
    }
  } finally {
    mem.close();
    dom0?.close();
  }
  savePermissions(dir, perms, measured);
}

registerStage({ name: 'qemu', describe: 'QEMU on Xen: guest RAM and vNVDIMM layout, the guest NFIT and NVDIMM SSDT, QMP, then the pmem mapping hypercalls', run: (dir) => void runQemu(dir) });

/**
 * What the report shows, read from a run directory's artefacts (specs/sim.md §1 layout) and
 * nothing else: the host's DIMMs, Dom0's view and setup, Xen's regions and metadata, the hypercall
 * trace, each guest's mappings and view. A run stopped after any stage gives a model with what is
 * there; an artefact that cannot be read becomes a problem line, not a failure.
 */
import { NvError } from '../../core/errors.js';
import { STAGE_ORDER } from '../stages.js';
import { guestMappingViews, type GuestRunView } from '../guestMappings.js';
import { hostMappings, locateSpa, type SpaMapping } from '../host/spa.js';
import { readHostMachine } from '../host/machine.js';
import { hypercallEntries, type HypercallEntry } from '../hypercalls.js';
import type { SimDir } from '../runDir.js';
import { listArtefacts, type Artefact } from './artefacts.js';
import { readNdctl, type NdctlView } from './ndctl.js';
import { readSysDevices, type SysDevice } from './sysfs.js';

export const PAGE = 4096n;

export interface HostDimmReport {
  id: string;
  handle: number;
  slot: number;
  node: number;
  image: string;
  size: bigint;
  pmemSize: bigint;
  labelSize: bigint;
  /** The DIMM's persistent-memory ranges: SPA, length, image offset of the first byte. */
  ranges: { spa: bigint; length: bigint; fileOffset: bigint }[];
}

/** A frame range Xen keeps, placed in a host image. */
export interface XenArea {
  kind: string;
  smfn: bigint;
  /** Exclusive. */
  emfn: bigint;
  note: string;
  image?: string;
  imageOffset?: bigint;
}

export interface XenReport {
  design: string;
  areas: XenArea[];
  /** Frame table and M2P chunks (state.json `reserved`). */
  metadata: XenArea[];
  calls: { seq: number; result: string; reason?: string }[];
  /** xen/console.log, its first CONSOLE_LINES lines. */
  console?: string;
}

const CONSOLE_LINES = 200;

/** One mapped run of a vNVDIMM, in the three coordinates the picture draws. */
export interface MappedRun {
  key: string;
  type: string;
  pages: bigint;
  /** Page offset in the vNVDIMM's backend as QEMU lays it out: pmem first, the label area at the tail. */
  backendPage: bigint;
  guest: { start: bigint; end: bigint };
  mfn: bigint;
  image?: string;
  imageOffset?: bigint;
  /** v1: byte offset in the Dom0 file or device; v3/v4: undefined (the image offset is the file offset). */
  dom0Offset?: bigint;
  seq?: number;
  problem?: string;
}

export interface FileExtent {
  logical: bigint;
  physical: bigint;
  length: bigint;
}

export interface VnvdimmReport {
  id: string;
  slot: number;
  addr: bigint;
  pmemSize: bigint;
  labelSize: bigint;
  backendSize: bigint;
  memPath?: string;
  hostAddr?: bigint;
  runs: MappedRun[];
  /** v1, a file on a Dom0 ext4: its extents as the administrator's setup recorded them (4 KiB blocks). */
  extents?: FileExtent[];
}

export interface GuestReport {
  name: string;
  domid?: number;
  xlStatus?: string;
  mappingStatus?: string;
  route?: string;
  errors: string[];
  warnings: string[];
  vnvdimms: VnvdimmReport[];
  /** Mapped runs in no vNVDIMM's guest range and not a label area. */
  stray: GuestRunView[];
  requested: { seq?: number; caller?: string; source?: string; mfn: string; gfn: string; nr: string; type: string; result?: string }[];
  ndctl?: NdctlView;
  /** Files of guests/<name>/acpi/. */
  acpi: string[];
  xsdt?: { signature: string; addr: string; origin: string }[];
  /** `xl destroy`: the hypercall and the runs Xen took back (mappings.json `released`). */
  destroyed?: { seq?: number; released: { gfn: string; mfn: string; nr: string; type: string }[] };
  /** guests/<name>/console.log (the guest's shell) and guest-kernel.log, their first CONSOLE_LINES lines. */
  console?: string;
  kernelLog?: string;
}

export interface ReportModel {
  root: string;
  design: string;
  seed?: string;
  stagesDone: string[];
  stageOrder: string[];
  problems: string[];
  host: HostDimmReport[];
  dom0: { ndctl?: NdctlView; devices: SysDevice[]; setup?: Dom0Setup; mounts?: string };
  xen?: XenReport;
  trace: HypercallEntry[];
  guests: GuestReport[];
  artefacts: Artefact[];
}

export interface Dom0Setup {
  namespaces: { dimm: string; uuid: string; name: string; mode: string; containers: { partition?: number; xen?: string; filesystem?: { mount?: string; files: { path: string; size: string; how?: string; content?: string; extents: { logical: number; physical: number; length: number }[] }[] } }[] }[];
}

type Json = Record<string, any>;
const big = (v: unknown): bigint => BigInt(v as string | number);

/** Read the run directory. `exclude` (relative path) is left out of the artefact list: the report itself. */
export function reportModel(dir: SimDir, exclude?: string): ReportModel {
  const problems: string[] = [];
  const attempt = <T>(what: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof NvError) && !(e instanceof SyntaxError) && !(e instanceof TypeError) && !(e instanceof RangeError)) throw e;
      problems.push(`${what}: ${e instanceof NvError ? e.reason : e.message}`);
      return undefined;
    }
  };
  const json = (rel: string): Json | undefined => (dir.exists(rel) ? attempt(rel, () => dir.readJson<Json>(rel)) : undefined);

  const state = dir.state();
  const scenario = json('scenario.json') ?? {};
  const design = String(scenario.design ?? '?');
  const maps = dir.exists('host/nfit.aml') && dir.exists('host/machine.json') ? attempt('host/nfit.aml', () => hostMappings(dir)) ?? [] : [];
  const place = <T extends { image?: string; imageOffset?: bigint }>(x: T, spa: bigint, length: bigint): T => {
    try {
      const loc = locateSpa(maps, spa, length);
      x.image = loc.image;
      x.imageOffset = loc.offset;
    } catch (e) {
      if (!(e instanceof NvError)) throw e;
    }
    return x;
  };

  const host = dir.exists('host/machine.json') ? attempt('host/machine.json', () => hostDimms(dir, maps)) ?? [] : [];
  const setup = json('dom0/setup.json') as Dom0Setup | undefined;
  const dom0 = {
    ndctl: dir.exists('dom0/ndctl-list.json') ? attempt('dom0/ndctl-list.json', () => readNdctl(dir, 'dom0/ndctl-list.json')) : undefined,
    devices: attempt('dom0/sys', () => readSysDevices(dir).map((d) => place(d, d.resource, d.size))) ?? [],
    setup,
    mounts: dir.exists('dom0/proc/mounts') ? Buffer.from(dir.readBytes('dom0/proc/mounts')).toString('utf8') : undefined,
  };
  const xenState = json('xen/state.json');
  const xen = xenState ? attempt('xen/state.json', () => xenReport(xenState, place)) : undefined;
  if (xen && dir.exists('xen/console.log')) xen.console = Buffer.from(dir.readBytes('xen/console.log')).toString('utf8').split('\n').slice(0, CONSOLE_LINES).join('\n');
  const trace = attempt('hypercalls/trace.jsonl', () => hypercallEntries(dir)) ?? [];
  const guests = attempt('guests', () => guestReports(dir, setup, json, problems)) ?? [];
  return {
    root: dir.root,
    design,
    seed: scenario.seed === undefined ? undefined : String(scenario.seed),
    stagesDone: state.stages,
    stageOrder: [...(STAGE_ORDER[design as keyof typeof STAGE_ORDER] ?? state.stages)],
    problems,
    host,
    dom0,
    xen,
    trace,
    guests,
    artefacts: listArtefacts(dir.root, exclude),
  };
}

function hostDimms(dir: SimDir, maps: readonly SpaMapping[]): HostDimmReport[] {
  return readHostMachine(dir).dimms.map((d) => ({
    id: d.id, handle: d.handle, slot: d.slot, node: d.node, image: d.image,
    size: big(d.size), pmemSize: big(d.pmemSize), labelSize: big(d.labelSize),
    ranges: maps.filter((m) => m.dimm.id === d.id).map((m) => ({ spa: m.spa, length: m.length, fileOffset: m.fileOffset })),
  }));
}

type Place = <T extends { image?: string; imageOffset?: bigint }>(x: T, spa: bigint, length: bigint) => T;

/** xen/state.json in one shape for both designs: v1's region list, v3/v4's raw/mgmt/data. */
function xenReport(s: Json, place: Place): XenReport {
  const area = (kind: string, smfn: unknown, emfn: unknown, note = ''): XenArea => {
    const a: XenArea = { kind, smfn: big(smfn), emfn: big(emfn), note };
    return place(a, a.smfn * PAGE, (a.emfn - a.smfn) * PAGE);
  };
  const areas: XenArea[] = [];
  if (Array.isArray(s.regions)) {
    s.regions.forEach((r: Json, i: number) => {
      areas.push(area('region', r.spfn, r.epfn, `region ${i}`), area('reserved', r.rsvSpfn, r.rsvEpfn, `region ${i}: reserved (frame table, M2P)`), area('data', r.dataSpfn, r.dataEpfn, `region ${i}: data`));
    });
  } else if (s.regions) {
    for (const r of s.regions.raw ?? []) areas.push(area('raw', r.smfn, r.emfn, `PXM ${r.pxm}`));
    for (const r of s.regions.mgmt ?? []) areas.push(area('mgmt', r.smfn, r.emfn, `used 0x${big(r.used).toString(16)} pages`));
    for (const r of s.regions.data ?? []) areas.push(area('data', r.smfn, r.emfn, `metadata in mgmt 0x${big(r.mgmtSmfn).toString(16)}-0x${big(r.mgmtEmfn).toString(16)}`));
  }
  const metadata = ((s.reserved ?? []) as Json[]).map((r) => {
    const smfn = big(r.mfn);
    return area(String(r.kind), smfn, smfn + big(r.pages), `describes frames 0x${big(r.firstFrame).toString(16)} + 0x${big(r.frames).toString(16)}`);
  });
  const calls = ((s.calls ?? []) as Json[]).map((c) => ({ seq: Number(c.seq), result: String(c.result), ...(c.reason ? { reason: String(c.reason) } : {}) }));
  return { design: String(s.design), areas, metadata, calls };
}

function guestNames(dir: SimDir, scenario: Json): string[] {
  const names = ((scenario.guests ?? []) as Json[]).map((g) => String(g.name));
  return names.filter((n) => dir.exists(`guests/${n}`));
}

function guestReports(dir: SimDir, setup: Dom0Setup | undefined, json: (rel: string) => Json | undefined, problems: string[]): GuestReport[] {
  const scenario = json('scenario.json') ?? {};
  const names = guestNames(dir, scenario);
  if (!names.length) return [];
  let views: ReturnType<typeof guestMappingViews> = [];
  try {
    views = guestMappingViews(dir);
  } catch (e) {
    if (!(e instanceof NvError)) throw e;
    problems.push(`guests: mappings: ${e.reason}`);
  }
  return names.map((name) => {
    const at = (rel: string) => `guests/${name}/${rel}`;
    const xl = json(at('xl.json'));
    const m = json(at('mappings.json'));
    const layout = json(at('layout.json'));
    const view = views.find((v) => v.guest === name);
    const requested = ((m?.runs ?? []) as Json[]).map((r) => ({ seq: r.seq, caller: r.caller, source: r.source, mfn: String(r.mfn), gfn: String(r.gfn), nr: String(r.nr), type: String(r.type), result: r.result === undefined ? undefined : String(r.result) }));
    const seqOf = (mfn: bigint, pages: bigint) => requested.find((r) => r.result === '0' && big(r.mfn) === mfn && big(r.nr) === pages)?.seq;
    const labels = (view?.other ?? []).filter((r) => r.type === 'label');
    const vnvdimms = ((layout?.nvdimms ?? []) as Json[]).map((d): VnvdimmReport => {
      const v: VnvdimmReport = {
        id: String(d.id), slot: Number(d.slot), addr: big(d.addr), pmemSize: big(d.pmemSize), labelSize: big(d.labelSize ?? 0),
        backendSize: big(d.backendSize ?? d.pmemSize),
        ...(d.memPath !== undefined ? { memPath: String(d.memPath) } : {}),
        ...(d.hostAddr !== undefined ? { hostAddr: big(d.hostAddr) } : {}),
        runs: [],
      };
      const mine = view?.vnvdimms.find((x) => x.id === v.id);
      const run = (r: GuestRunView, backendPage: bigint, i: number): MappedRun => {
        const mfn = r.hostSpa.start / PAGE;
        const pages = BigInt(r.pages);
        return {
          key: `${name}.${v.id}.${i}`, type: r.type, pages, backendPage, guest: r.guest, mfn,
          ...(r.image ? { image: r.image, imageOffset: r.imageOffset } : {}),
          ...(v.memPath !== undefined && r.type === 'data' ? { dom0Offset: backendPage * PAGE } : {}),
          ...(seqOf(mfn, pages) !== undefined ? { seq: seqOf(mfn, pages) } : {}),
          ...(r.problem ? { problem: r.problem } : {}),
        };
      };
      v.runs = (mine?.runs ?? []).map((r, i) => run(r, (r.guest.start - v.addr) / PAGE, i));
      // the label area is the backend's tail (QEMU: label_host_addr = host-addr + pmem_size... here the
      // last labelSize bytes); label runs have no guest address (gfn 0): they are laid at the tail in order
      if (v.labelSize > 0n && labels.length) {
        let at = (v.backendSize - v.labelSize) / PAGE;
        for (const r of labels.splice(0, labels.length)) {
          v.runs.push(run(r, at, v.runs.length));
          at += BigInt(r.pages);
        }
      }
      if (v.memPath !== undefined) {
        const f = dom0File(setup, v.memPath);
        if (f) v.extents = f.extents.map((e) => ({ logical: BigInt(e.logical), physical: BigInt(e.physical), length: BigInt(e.length) }));
      }
      return v;
    });
    const hv = json(at('hvmloader.json'));
    const text = (rel: string) => (dir.exists(at(rel)) ? Buffer.from(dir.readBytes(at(rel))).toString('utf8').split('\n').slice(0, CONSOLE_LINES).join('\n') : undefined);
    const consoleText = text('console.log');
    const kernelLog = text('guest-kernel.log');
    return {
      name,
      ...(xl?.domid !== undefined ? { domid: Number(xl.domid) } : {}),
      ...(xl?.status !== undefined ? { xlStatus: String(xl.status) } : {}),
      ...(m?.status !== undefined ? { mappingStatus: String(m.status) } : {}),
      ...(m?.mapping ?? xl?.mapping ? { route: String(m?.mapping ?? xl?.mapping) } : {}),
      errors: [...((xl?.errors ?? []) as unknown[]), ...((m?.errors ?? []) as unknown[])].map(String),
      warnings: ((xl?.warnings ?? []) as unknown[]).map(String),
      vnvdimms,
      stray: [...(view?.other ?? []).filter((r) => r.type !== 'label'), ...labels],
      requested,
      ...(dir.exists(at('ndctl-list.json')) ? { ndctl: readNdctl(dir, at('ndctl-list.json')) } : {}),
      acpi: dir.exists(at('acpi')) ? listArtefacts(dir.path(at('acpi'))).map((a) => a.path) : [],
      ...(m?.status === 'destroyed' ? { destroyed: { ...(m.destroyedBy !== undefined ? { seq: Number(m.destroyedBy) } : {}), released: ((m.released ?? []) as Json[]).map((r) => ({ gfn: String(r.gfn), mfn: String(r.mfn), nr: String(r.nr), type: String(r.type) })) } } : {}),
      ...(consoleText !== undefined ? { console: consoleText } : {}),
      ...(kernelLog !== undefined ? { kernelLog } : {}),
      ...(hv?.xsdtEntries ? { xsdt: (hv.xsdtEntries as Json[]).map((e) => ({ signature: String(e.signature), addr: String(e.addr), origin: String(e.origin) })) } : {}),
    };
  });
}

/** The Dom0 file a v1 vNVDIMM path names: the longest mount point of the setup that holds it. */
function dom0File(setup: Dom0Setup | undefined, path: string) {
  let best: { mount: string; file: NonNullable<NonNullable<Dom0Setup['namespaces'][number]['containers'][number]['filesystem']>['files'][number]> } | undefined;
  for (const ns of setup?.namespaces ?? []) {
    for (const c of ns.containers) {
      const fs = c.filesystem;
      if (!fs?.mount) continue;
      const mount = fs.mount.replace(/\/+$/, '');
      if (!path.startsWith(`${mount}/`) || (best && best.mount.length >= mount.length)) continue;
      const rel = path.slice(mount.length + 1);
      const file = fs.files.find((f) => f.path.replace(/^\/+/, '') === rel);
      if (file) best = { mount, file };
    }
  }
  return best?.file;
}

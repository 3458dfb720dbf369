/**
 * Each guest's vNVDIMMs from guest to host: the guest range a vNVDIMM occupies (layout.json),
 * the runs Xen mapped into it (mappings.json `mapped`: gfn, mfn, nr, type), and for each run the
 * host SPA, the host NVDIMM and the byte offset in its backing image (host/spa.ts locateSpa, the
 * one SPA → image home). The presentation of `nvtool sim mappings DIR`, and the one home of the
 * guest-physical → host-image translation the guest's data path uses (`gpaPieces`).
 */
import { NvError } from '../core/errors.js';
import { hostMappings, locateSpa, type SpaMapping } from './host/spa.js';
import type { SimDir } from './runDir.js';

const PAGE = 4096n;
const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Addresses and offsets are bigints here; the CLI prints them in hex, its JSON as numbers. */
export interface GuestRunView {
  type: string;
  guest: { start: bigint; end: bigint };
  hostSpa: { start: bigint; end: bigint };
  pages: number;
  image?: string;
  imageOffset?: bigint;
  /** When the frames are in no host NVDIMM range (or cross one's end). */
  problem?: string;
}

export interface GuestMappingView {
  guest: string;
  status: string;
  vnvdimms: { id: string; slot: number; guest: { start: bigint; end: bigint }; runs: GuestRunView[] }[];
  /** Mapped runs in no vNVDIMM's guest range (label pages mapped beside the data, or stray). */
  other: GuestRunView[];
}

const big = (v: unknown) => BigInt(v as string | number);

export function guestMappingViews(dir: SimDir): GuestMappingView[] {
  const maps = hostMappings(dir);
  return dir.scenario().guests.flatMap((g) => {
    const v = guestMappingView(dir, g.name, maps);
    return v ? [v] : [];
  });
}

/** One guest's view, or undefined when its mappings.json does not exist (no qemu stage yet). */
export function guestMappingView(dir: SimDir, name: string, maps: readonly SpaMapping[] = hostMappings(dir)): GuestMappingView | undefined {
  const at = (rel: string) => `guests/${name}/${rel}`;
  if (!dir.exists(at('mappings.json'))) return undefined;
  const m = dir.readJson<{ status: string; mapped: { gfn: string; mfn: string; nr: string; type: string }[] }>(at('mappings.json'));
  const layout = dir.exists(at('layout.json')) ? dir.readJson<{ nvdimms: { id: string; slot: number; addr: string; pmemSize: string }[] }>(at('layout.json')) : { nvdimms: [] };
  const runs = (m.mapped ?? []).map((r) => ({ type: r.type, gfn: big(r.gfn), mfn: big(r.mfn), nr: big(r.nr) }));
  const view = (r: (typeof runs)[number]): GuestRunView => {
    const spa = r.mfn * PAGE;
    const len = r.nr * PAGE;
    const v: GuestRunView = { type: r.type, guest: { start: r.gfn * PAGE, end: r.gfn * PAGE + len - 1n }, hostSpa: { start: spa, end: spa + len - 1n }, pages: Number(r.nr) };
    try {
      const loc = locateSpa(maps, spa, len);
      v.image = loc.image;
      v.imageOffset = loc.offset;
    } catch (e) {
      if (!(e instanceof NvError)) throw e;
      v.problem = e.reason;
    }
    return v;
  };
  const used = new Set<number>();
  const vnvdimms = layout.nvdimms.map((d) => {
    const start = big(d.addr);
    const end = start + big(d.pmemSize);
    const mine = runs.flatMap((r, i) => (r.gfn * PAGE >= start && r.gfn * PAGE < end ? (used.add(i), [view(r)]) : []));
    return { id: d.id, slot: d.slot, guest: { start, end: end - 1n }, runs: mine };
  });
  return { guest: name, status: m.status, vnvdimms, other: runs.filter((_, i) => !used.has(i)).map(view) };
}

/** One line per run: guest range -> host frames -> image@offset. */
export function formatGuestMappings(views: readonly GuestMappingView[]): string {
  const lines: string[] = [];
  const run = (r: GuestRunView) => `    ${r.type.padEnd(5)} guest ${hex(r.guest.start)}-${hex(r.guest.end)} -> host ${hex(r.hostSpa.start)}-${hex(r.hostSpa.end)} (${r.pages} pages) -> ${r.image ? `${r.image} @ ${hex(r.imageOffset!)}` : `(${r.problem})`}`;
  for (const v of views) {
    lines.push(`${v.guest}: ${v.status}`);
    for (const d of v.vnvdimms) {
      lines.push(`  ${d.id} (slot ${d.slot}) guest ${hex(d.guest.start)}-${hex(d.guest.end)}${d.runs.length ? '' : ': nothing mapped'}`);
      lines.push(...d.runs.map(run));
    }
    if (v.other.length) lines.push('  outside the vNVDIMMs\' guest ranges:', ...v.other.map(run));
  }
  return lines.join('\n') + '\n';
}

/**
 * A guest access the simulation cannot follow: a p2m entry whose host frame no host NVDIMM image
 * backs (the run's `problem`). Found before any byte moves, so a refused access changes nothing.
 */
export class GuestFault extends NvError {
  constructor(readonly gpa: bigint, reason: string) {
    super('sim.guest', '', undefined, reason);
  }
}

/** A piece of a guest-physical range and the host bytes behind it. */
export interface HostSegment {
  gpa: bigint;
  length: bigint;
  spa: bigint;
  image: string;
  imageOffset: bigint;
}

/**
 * What Xen 4.17 does with a guest access to a page its p2m does not map (only `type: "data"` runs
 * are in the p2m; label pages are owned by the guest but reached through the device model):
 * `ept_get_entry` reports a missing entry as type `p2m_mmio_dm`, so `hvm_hap_nested_page_fault`
 * hands the access to `handle_mmio_with_translation` (emulated MMIO) and the domain keeps running;
 * `hvmemul_do_io` finds no internal handler and asks `ioreq_server_select` for a device model
 * whose MMIO ranges contain the address. The series' QEMU claims none there: `memory-backend-xen`
 * is a bare container (`memory_region_init`, no RAM, no ops), so its vNVDIMM range renders no
 * flat range and `xen_set_memory` never registers it with `xendevicemodel_map_io_range_to_ioreq_server`.
 * With no server, Xen completes the access with its `null_handler`: a read returns all ones
 * (`null_read`: `*data = ~0ul`), a write is dropped (`null_write`). specs/sim.md §7.11.
 */
export const UNCLAIMED_READ_BYTE = 0xff;

/** Guest-physical bytes with no p2m entry: emulated MMIO that no ioreq server claims. */
export interface UnclaimedSegment {
  gpa: bigint;
  length: bigint;
}

export type GpaPiece = ({ kind: 'host' } & HostSegment) | ({ kind: 'unclaimed' } & UnclaimedSegment);

/** The view's runs in the p2m (`type: "data"`), listed once per view: every guest access asks for them. */
const DATA_RUNS = new WeakMap<GuestMappingView, GuestRunView[]>();
function dataRuns(v: GuestMappingView): GuestRunView[] {
  let runs = DATA_RUNS.get(v);
  if (!runs) DATA_RUNS.set(v, (runs = [...v.vnvdimms.flatMap((d) => d.runs), ...v.other].filter((r) => r.type === 'data')));
  return runs;
}

/**
 * Guest-physical `[gpa, gpa + length)` through the guest's p2m (the data runs Xen mapped), in guest
 * order: the host image bytes behind each mapped piece, and the unmapped pieces, which Xen
 * completes as unclaimed MMIO (UNCLAIMED_READ_BYTE). Throws GuestFault, before anything is done,
 * at a mapped page no host image backs.
 */
export function gpaPieces(v: GuestMappingView, gpa: bigint, length: bigint): GpaPiece[] {
  const runs = dataRuns(v);
  const out: GpaPiece[] = [];
  for (let at = gpa; at < gpa + length;) {
    const r = runs.find((x) => at >= x.guest.start && at <= x.guest.end);
    if (!r) {
      const next = runs.map((x) => x.guest.start).filter((st) => st > at).reduce((a, b) => (b < a ? b : a), gpa + length);
      const end = next < gpa + length ? next : gpa + length;
      const last = out[out.length - 1];
      if (last?.kind === 'unclaimed') last.length += end - at;
      else out.push({ kind: 'unclaimed', gpa: at, length: end - at });
      at = end;
      continue;
    }
    if (r.image === undefined) throw new GuestFault(at, `guest ${v.guest}: guest-physical ${hex(at)} maps to host ${hex(r.hostSpa.start + (at - r.guest.start))}, which no host NVDIMM image backs (${r.problem})`);
    const end = r.guest.end + 1n < gpa + length ? r.guest.end + 1n : gpa + length;
    const off = at - r.guest.start;
    out.push({ kind: 'host', gpa: at, length: end - at, spa: r.hostSpa.start + off, image: r.image, imageOffset: r.imageOffset! + off });
    at = end;
  }
  return out;
}

/** The unmapped pieces' words (overlapping and adjacent pieces merged), for logs and steps.json. */
export function unclaimedText(guest: string, pieces: readonly UnclaimedSegment[]): string {
  const merged: UnclaimedSegment[] = [];
  for (const p of [...pieces].sort((a, b) => (a.gpa < b.gpa ? -1 : a.gpa > b.gpa ? 1 : 0))) {
    const last = merged[merged.length - 1];
    if (last && p.gpa <= last.gpa + last.length) {
      const end = p.gpa + p.length > last.gpa + last.length ? p.gpa + p.length : last.gpa + last.length;
      last.length = end - last.gpa;
    } else merged.push({ ...p });
  }
  return `guest ${guest}: guest-physical ${merged.map((p) => `${hex(p.gpa)}+${hex(p.length)}`).join(', ')} has no p2m entry: emulated MMIO no device model claims (Xen's null handler: reads all ones, writes dropped)`;
}

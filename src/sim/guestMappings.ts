/**
 * Each guest's vNVDIMMs from guest to host: the guest range a vNVDIMM occupies (layout.json),
 * the runs Xen mapped into it (mappings.json `mapped`: gfn, mfn, nr, type), and for each run the
 * host SPA, the host NVDIMM and the byte offset in its backing image (host/spa.ts locateSpa, the
 * one SPA → image home). The presentation of `nvtool sim mappings DIR`, and the one home of the
 * guest-physical → host-image translation the guest's data path uses (`translateGpa`).
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
 * A guest access to a guest-physical page its p2m does not map: on hardware an EPT violation, which
 * Xen does not resolve to any host pmem frame (only `type: "data"` runs are in the p2m; label pages
 * are owned by the guest but reached through the device model). The host image is not touched.
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
 * The host image bytes behind guest-physical `[gpa, gpa + length)` through the guest's p2m (the
 * data runs Xen mapped), in guest order; throws GuestFault naming the first unmapped page, before
 * anything is done, so a refused access changes nothing.
 */
export function translateGpa(v: GuestMappingView, gpa: bigint, length: bigint): HostSegment[] {
  const runs = [...v.vnvdimms.flatMap((d) => d.runs), ...v.other].filter((r) => r.type === 'data');
  const out: HostSegment[] = [];
  for (let at = gpa; at < gpa + length;) {
    const r = runs.find((x) => at >= x.guest.start && at <= x.guest.end);
    if (!r) throw new GuestFault(at, `guest ${v.guest}: guest-physical page ${hex(at & ~(PAGE - 1n))} has no p2m entry (EPT violation): no host frame is behind it`);
    if (r.image === undefined) throw new GuestFault(at, `guest ${v.guest}: guest-physical ${hex(at)} maps to host ${hex(r.hostSpa.start + (at - r.guest.start))}, which no host NVDIMM image backs (${r.problem})`);
    const end = r.guest.end + 1n < gpa + length ? r.guest.end + 1n : gpa + length;
    const off = at - r.guest.start;
    out.push({ gpa: at, length: end - at, spa: r.hostSpa.start + off, image: r.image, imageOffset: r.imageOffset! + off });
    at = end;
  }
  return out;
}

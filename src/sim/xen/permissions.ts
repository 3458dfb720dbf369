/**
 * The xen stage's page-permission tracker (specs/permissions.md): the design chosen with
 * `nvtool sim run --permissions DESIGN` (default `pageowner`, what the vNVDIMM series did) learns
 * the data regions Xen set up, and from then on answers every grant and check for guest pages.
 * Everything it decides is the same in every design (test/sim/permissions.test.ts), so no other
 * artefact depends on the choice; what differs goes to xen/permissions.json: the design, its
 * state, its memory (formula and measured) and the time spent in it (measured, so it varies).
 */
import { NvError } from '../../core/errors.js';
import { createStore, PmemPermissions, type DesignName, type PageRange } from '../permissions/index.js';
import type { SimDir } from '../runDir.js';
import { hex } from './geometry.js';
import type { XenState } from './state.js';

export const XEN_PERMISSIONS = 'xen/permissions.json';
export const DEFAULT_PERMISSIONS: DesignName = 'pageowner';

/** Pages Xen may hand to guests: v1 data areas, v3/v4 data regions (half-open in Xen, inclusive here). */
export function dataRegionsOf(st: XenState): PageRange[] {
  const r = st.design === 'v1' ? st.v1.map((x) => [x.dataSpfn, x.dataEpfn] as const) : st.data.map((x) => [x.smfn, x.emfn] as const);
  return r.filter(([s, e]) => e > s).map(([s, e]) => ({ first: Number(s), last: Number(e) - 1 }));
}

function bytesInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A tracker of `design` over `regions`: a bitmap or frame table spans them, first to last. */
export function newPermissions(design: DesignName, regions: readonly PageRange[]): { table: PmemPermissions; buildMs: number; measuredBytes: number } {
  const host = regions.length ? { first: Math.min(...regions.map((r) => r.first)), last: Math.max(...regions.map((r) => r.last)) } : { first: 0, last: 0 };
  const before = bytesInUse();
  const t0 = performance.now();
  const table = new PmemPermissions(createStore(design, { host }));
  for (const r of regions) table.addDataRegion(r.first, r.last);
  return { table, buildMs: performance.now() - t0, measuredBytes: bytesInUse() - before };
}

const pair = (r: PageRange) => [hex(BigInt(r.first)), hex(BigInt(r.last))];
const range = ([s, e]: readonly string[]): PageRange => ({ first: Number(BigInt(s!)), last: Number(BigInt(e!)) });

interface PermissionsJson {
  design: DesignName;
  dataRegions: string[][];
  domains: Record<string, string[][]>;
  operations: { grant: number; revoke: number; check: number; destroy: number; refused: Record<string, number> };
  timeMs: { build: number; inStore: number };
}

/** Write xen/permissions.json for `table` (the only artefact that depends on the design). */
export function savePermissions(dir: SimDir, table: PmemPermissions, measured: { buildMs: number; measuredBytes: number }): void {
  const store = table.store;
  const mem = store.memory();
  const out: PermissionsJson & Record<string, unknown> = {
    design: store.design,
    spec: 'specs/permissions.md',
    dataRegions: table.data.ranges().map(pair),
    domains: Object.fromEntries(store.domains().map((d) => [`d${d}`, table.ranges(d).map(pair)])),
    operations: { grant: table.stats.grant, revoke: table.stats.revoke, check: table.stats.check, destroy: table.stats.destroy, refused: table.stats.refused },
    memory: { xenBytes: mem.xenBytes, where: mem.where, formula: mem.formula, measuredBytes: measured.measuredBytes, measured: 'heapUsed + arrayBuffers growth while the tracker was built (no forced GC)' },
    timeMs: { build: measured.buildMs, inStore: table.stats.storeMs },
    worstCase: store.worstCase(1),
  };
  dir.writeText(XEN_PERMISSIONS, JSON.stringify(out, null, 2) + '\n');
}

/** The xen stage: a tracker of `design` over the data regions Xen set up, saved. */
export function writePermissions(dir: SimDir, design: DesignName, st: XenState): PmemPermissions {
  const { table, ...measured } = newPermissions(design, dataRegionsOf(st));
  savePermissions(dir, table, measured);
  return table;
}

/**
 * The tracker as the xen stage (or a later stage) left it in xen/permissions.json, for the stages
 * that grant and check guest pages: same design, data regions, every domain's ranges and the
 * operation counts so far.
 */
export function loadPermissions(dir: SimDir): { table: PmemPermissions; buildMs: number; measuredBytes: number } {
  const j = dir.readJson<PermissionsJson>(XEN_PERMISSIONS);
  const built = newPermissions(j.design, j.dataRegions.map(range));
  const { table } = built;
  for (const [d, ranges] of Object.entries(j.domains))
    for (const r of ranges.map(range)) {
      const rc = table.store.grant(Number(d.slice(1)), r.first, r.last);
      if (rc !== 0) throw new NvError('sim', `${XEN_PERMISSIONS}: domains.${d}`, undefined, `range [${hex(BigInt(r.first))}, ${hex(BigInt(r.last))}] cannot be restored in design ${j.design}: -${rc.errno}`);
    }
  Object.assign(table.stats, { ...j.operations, refused: { ...j.operations.refused }, storeMs: j.timeMs.inStore });
  return built;
}

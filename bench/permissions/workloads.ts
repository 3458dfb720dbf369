/**
 * The grants a host's domains receive, per workload, and a driver that applies them to one design
 * through the same hypercall-level rules the simulation uses (PmemPermissions), within a time
 * budget. Host pmem starts at page 0x140000 (SPA 5 GiB, QEMU's first hotplug address on a 4 GiB
 * guest... here simply a realistic non-zero base); domain d gets the d-th of D equal shares.
 */
import { createStore, PmemPermissions, type DesignName } from '../../src/sim/permissions/index.js';
import type { FileShape } from './ext4Extents.js';

export const HOST_FIRST = 0x140000;
export const GiB_PAGES = 262144;
/** The probe extent past the shares is at most this long (64 MiB), so it barely changes the host span. */
export const SPARE_MAX = 16384;

export interface Workload {
  name: string;
  describe: string;
  /** Grants (inclusive page ranges, ascending) for a share of `pages` pages starting at `first`. */
  grants(first: number, pages: number): Generator<[number, number]>;
  /** Ranges a rangeset ends up with per page of share (measured from the shape), for extrapolation. */
  rangesPerPage(pages: number): number;
  /** Mean grant length in pages. */
  meanGrant(pages: number): number;
  /** Pages after which the pattern repeats. */
  period: number;
}

export const contiguous: Workload = {
  name: 'contiguous',
  describe: 'one grant of the whole share',
  *grants(first, pages) {
    yield [first, first + pages - 1];
  },
  rangesPerPage: (pages) => 1 / pages,
  meanGrant: (pages) => pages,
  period: 1,
};

export const adversarial: Workload = {
  name: 'every other page',
  describe: 'one-page grants on every other page of the share (the worst case for range structs)',
  *grants(first, pages) {
    for (let p = first; p < first + pages; p += 2) yield [p, p];
  },
  rangesPerPage: () => 1 / 2,
  meanGrant: () => 1,
  period: 2,
};

/**
 * A file's extents tiled over the share: the file's physical layout (relative to its first block)
 * repeated every `period` blocks, in logical order, each extent one grant (as libxl maps each
 * FIEMAP extent separately). Adjacent extents still merge in range-based designs.
 */
export function fileWorkload(shape: FileShape): Workload {
  const byLogical = [...shape.extents].sort((a, b) => a.logical - b.logical);
  const base = Math.min(...byLogical.map((e) => e.physical));
  const period = Math.max(...byLogical.map((e) => e.physical + e.length)) - base;
  const blocks = byLogical.reduce((n, e) => n + e.length, 0);
  let runs = 0;
  const sorted = [...byLogical].sort((a, b) => a.physical - b.physical);
  sorted.forEach((e, i) => {
    if (i === 0 || sorted[i - 1]!.physical + sorted[i - 1]!.length !== e.physical) runs++;
  });
  return {
    name: `file: ${shape.name}`,
    describe: `${shape.how}: ${shape.extents.length} extents (${runs} physical runs) per ${(blocks / 256).toFixed(0)} MiB, repeated every ${period} pages`,
    *grants(first, pages) {
      for (let k = 0; k * period < pages; k++)
        for (const e of byLogical) {
          const a = first + k * period + (e.physical - base);
          const b = Math.min(a + e.length - 1, first + pages - 1);
          if (a <= b) yield [a, b];
        }
    },
    rangesPerPage: () => runs / period,
    meanGrant: () => blocks / shape.extents.length,
    period,
  };
}

export interface Populated {
  table: PmemPermissions;
  grants: number;
  /** Grants the workload has in all; fewer were made if the budget ran out. */
  complete: boolean;
  ms: number;
  /** Per domain, the last page it was granted (the label pages sit at the end of the backend). */
  lastPage: number[];
  /** Domains whose grants were all made. */
  domainsDone: number;
  /** Longest single grant (ms). */
  maxGrantMs: number;
  /** A free extent past every share, for probing grants in the final state. */
  spare: [number, number];
}

/** Apply the workload for D domains over `hostPages`, stopping when `budgetMs` is spent. */
export function populate(design: DesignName, w: Workload, domains: number, hostPages: number, budgetMs: number, chunkPages?: number): Populated {
  const spareLen = Math.max(1, Math.min(Math.round(w.meanGrant(Math.floor(hostPages / domains))), SPARE_MAX));
  const host = { first: HOST_FIRST, last: HOST_FIRST + hostPages + spareLen - 1 };
  const table = new PmemPermissions(createStore(design, { host, ...(chunkPages ? { chunkPages } : {}) }));
  table.addDataRegion(host.first, host.last);
  const share = Math.floor(hostPages / domains);
  const lastPage: number[] = [];
  let grants = 0;
  const t0 = performance.now();
  let complete = true;
  let domainsDone = 0;
  let maxGrantMs = 0;
  outer: for (let d = 0; d < domains; d++) {
    for (const [a, b] of w.grants(host.first + d * share, share)) {
      const g0 = performance.now();
      const rc = table.grant(d + 1, a, b);
      maxGrantMs = Math.max(maxGrantMs, performance.now() - g0);
      if (rc === 0) lastPage[d] = b;
      grants++;
      if ((grants & 63) === 0 && performance.now() - t0 > budgetMs) {
        complete = false;
        break outer;
      }
    }
    domainsDone++;
  }
  const spareFirst = HOST_FIRST + hostPages;
  return { table, grants, complete, ms: performance.now() - t0, lastPage, domainsDone, maxGrantMs, spare: [spareFirst, spareFirst + spareLen - 1] };
}

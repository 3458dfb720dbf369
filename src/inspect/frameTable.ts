/**
 * The frame table and M2P inside a Xen reserved area, summarised as runs of identical entries
 * (specs/inspect.md, "Xen"): each `page_info` is classified as one of the states Xen or nvtool
 * leave (xen.md §1A/§1B; specs/sim.md §6), and anything else is damage. Runs are found on the
 * raw bytes: a whole read block equal to the current entry repeated continues the run (one native
 * compare), so a table is read once, in large blocks — when asked (`inspect --deep`). By default
 * the table is sampled (SAMPLES entries, evenly spaced) and the boundaries between differing
 * samples found by bisection: inspect reads a constant amount for any size, and a run shorter than
 * the sample spacing can be missed (the layer says so).
 */
import { decodeStruct, encodeStruct } from '../core/schema/index.js';
import {
  INITIAL_PAGE_INFO, INVALID_M2P_ENTRY, PGC_allocated, PGC_count_mask, PGC_pmem_page, PGC_state, PGC_state_free, PGC_state_inuse, pageInfo,
} from '../xen/pageInfo.js';

export interface EntryRun {
  /** Index of the first entry of the run (page number in the managed range). */
  first: number;
  count: number;
  /** What the entries are (a state name, or `damaged: ...`). */
  state: string;
}

export interface RunScan {
  runs: EntryRun[];
  /** True when the table was sampled rather than read whole. */
  sampled: boolean;
  /** Set when the scan stopped at MAX_RUNS runs (a table of mostly distinct entries): entries from here on are not summarised. */
  stoppedAt?: number;
  bytesRead: number;
}

const BLOCK = 8 << 20;
export const MAX_RUNS = 10000;
/** Entries read when a table is sampled (a constant, so inspect reads the same amount for any size). */
export const SAMPLES = 1024;

const nvtoolInitial = encodeStruct(pageInfo, INITIAL_PAGE_INFO);

/** Name of a page_info state, or `damaged: <why>`. */
export function pageInfoState(b: Uint8Array): string {
  if (b.every((x) => x === 0xff)) return 'unused (0xff: frame-table chunk beyond the range)';
  if (Buffer.from(b).equals(Buffer.from(nvtoolInitial))) return 'free | pmem (nvtool format: lists PAGE_LIST_NULL)';
  const p = decodeStruct(pageInfo, b).value;
  const bare = p.listNext === 0 && p.listPrev === 0 && p.typeInfo === 0n && p.tlbflushTimestamp === 0;
  const ci = p.countInfo;
  if (bare && p.owner === 0) {
    if (ci === PGC_state_inuse) return 'in use (Xen v1: reserved page holding metadata)';
    if (ci === PGC_state_free) return 'free (Xen v1)';
    if (ci === (PGC_state_free | PGC_pmem_page)) return 'free | pmem (Xen v3/v4)';
  }
  if ((ci & PGC_allocated) && (ci & PGC_state) === PGC_state_inuse && (ci & PGC_count_mask) >= 1n && p.owner !== 0) {
    return `allocated to domain pdx ${p.owner}${ci & PGC_pmem_page ? ' | pmem' : ''}`;
  }
  return `damaged: count_info 0x${ci.toString(16)}, type_info 0x${p.typeInfo.toString(16)}, owner ${p.owner}, links ${p.listNext}/${p.listPrev}`;
}

export function m2pState(b: Uint8Array): string {
  const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  return v === INVALID_M2P_ENTRY ? 'INVALID_M2P_ENTRY' : 'mapped (a guest frame number)';
}

/**
 * Runs of identical entries over `entries` entries of `size` bytes from `offset`, classified by
 * `classify`. `read` reads file bytes.
 */
export function scanRuns(read: (offset: number, length: number) => Uint8Array, offset: number, entries: number, size: number, classify: (b: Uint8Array) => string, deep: boolean): RunScan {
  if (entries <= 0) return { runs: [], sampled: false, bytesRead: 0 };
  return deep || entries <= SAMPLES ? exactRuns(read, offset, entries, size, classify) : sampledRuns(read, offset, entries, size, classify);
}

function exactRuns(read: (o: number, l: number) => Uint8Array, offset: number, entries: number, size: number, classify: (b: Uint8Array) => string): RunScan {
  const runs: EntryRun[] = [];
  const per = Math.floor(BLOCK / size);
  let cur: Buffer | undefined;
  let filled: Buffer | undefined;
  let bytesRead = 0;
  const push = (i: number, e: Buffer) => {
    const state = classify(e);
    const last = runs[runs.length - 1];
    if (last && last.state === state && last.first + last.count === i) last.count++;
    else runs.push({ first: i, count: 1, state });
  };
  let filledFor: Buffer | undefined;
  for (let i = 0; i < entries; i += per) {
    const n = Math.min(per, entries - i);
    const b = Buffer.from(read(offset + i * size, n * size));
    bytesRead += b.length;
    if (cur) {
      if (!filledFor || !filledFor.equals(cur)) {
        filled = Buffer.alloc(per * size);
        for (let k = 0; k < per; k++) cur.copy(filled, k * size);
        filledFor = cur;
      }
      if (b.equals(filled!.subarray(0, b.length))) {
        runs[runs.length - 1]!.count += n;
        continue;
      }
    }
    for (let j = 0; j < n; j++) {
      const e = b.subarray(j * size, (j + 1) * size);
      if (cur && e.equals(cur)) runs[runs.length - 1]!.count++;
      else {
        if (runs.length >= MAX_RUNS) return { runs: merge(runs), sampled: false, bytesRead, stoppedAt: i + j };
        push(i + j, e);
        cur = Buffer.from(e);
      }
    }
  }
  return { runs: merge(runs), sampled: false, bytesRead };
}

/** Adjacent runs of the same state (different bytes, same meaning) become one. */
function merge(runs: EntryRun[]): EntryRun[] {
  const out: EntryRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && last.state === r.state && last.first + last.count === r.first) last.count += r.count;
    else out.push({ ...r });
  }
  return out;
}

function sampledRuns(read: (o: number, l: number) => Uint8Array, offset: number, entries: number, size: number, classify: (b: Uint8Array) => string): RunScan {
  const samples = SAMPLES;
  let bytesRead = 0;
  const at = (i: number) => {
    bytesRead += size;
    return classify(read(offset + i * size, size));
  };
  const idx = [...new Set(Array.from({ length: samples + 1 }, (_, k) => Math.min(entries - 1, Math.floor((k * (entries - 1)) / samples))))];
  const st = idx.map(at);
  const runs: EntryRun[] = [{ first: 0, count: 0, state: st[0]! }];
  for (let k = 1; k < idx.length; k++) {
    if (st[k] === st[k - 1]) continue;
    // Bisect for the first entry after idx[k-1] whose state is not st[k-1].
    let lo = idx[k - 1]!;
    let hi = idx[k]!;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (at(mid) === st[k - 1]) lo = mid;
      else hi = mid;
    }
    runs.push({ first: hi, count: 0, state: at(hi) });
  }
  for (let r = 0; r < runs.length; r++) runs[r]!.count = (r + 1 < runs.length ? runs[r + 1]!.first : entries) - runs[r]!.first;
  return { runs: merge(runs), sampled: true, bytesRead };
}

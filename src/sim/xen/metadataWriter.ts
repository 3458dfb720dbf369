/**
 * The bytes Xen writes when it takes over a pmem range: each new frame-table chunk filled with
 * 0xff (`setup_frametable_chunk`'s memset -1), each M2P chunk with 0xff (INVALID_M2P_ENTRY), then the
 * `page_info` of every frame of the range zeroed with its `count_info` set (`extend_frame_table`'s
 * memset 0, then pmem_setup's / pmem_init_frame_table's loop). Planned as a list of fills first, so
 * a caller can report what would be written (where, over whose bytes) before writing anything.
 */
import { encodeStruct } from '../../core/schema/index.js';
import { fillPattern } from '../../xen/frameTable.js';
import { pageInfo } from '../../xen/pageInfo.js';
import { M2P_ENTRY_SIZE, PAGE_INFO_SIZE, PAGE_SHIFT } from './geometry.js';
import type { MetaChunk } from './metadataLayout.js';
import type { PhysMem } from './physmem.js';

/** `count_info` for frames `[start, end)`. */
export interface PageRun {
  start: bigint;
  end: bigint;
  countInfo: bigint;
}

/** `count` copies of `pattern` from machine address `spa`. */
export interface Fill {
  what: string;
  spa: bigint;
  pattern: Uint8Array;
  count: bigint;
}

export const fillBytes = (f: Fill): bigint => f.count * BigInt(f.pattern.length);

const FF = (n: number) => new Uint8Array(n).fill(0xff);
const entry = (countInfo: bigint) => encodeStruct(pageInfo, { listNext: 0, listPrev: 0, countInfo, typeInfo: 0n, owner: 0, tlbflushTimestamp: 0 });

/** Machine address of frame `pfn`'s page_info, from the frame-table chunks; undefined: it lives in RAM. */
export function pageInfoAddress(chunks: readonly MetaChunk[], pfn: bigint): bigint | undefined {
  const c = chunks.find((x) => x.kind === 'frame-table' && pfn >= x.firstFrame && pfn < x.firstFrame + x.frames);
  return c ? (c.mfn << PAGE_SHIFT) + (pfn - c.firstFrame) * BigInt(PAGE_INFO_SIZE) : undefined;
}

/** Machine address of frame `pfn`'s M2P entry (8 bytes), or undefined. */
export function m2pAddress(chunks: readonly MetaChunk[], pfn: bigint): bigint | undefined {
  const c = chunks.find((x) => x.kind === 'm2p' && pfn >= x.firstFrame && pfn < x.firstFrame + x.frames);
  return c ? (c.mfn << PAGE_SHIFT) + (pfn - c.firstFrame) * BigInt(M2P_ENTRY_SIZE) : undefined;
}

/**
 * The fills for a setup: `fresh` are the chunks this setup maps, `all` every frame-table chunk
 * (earlier ones included: the entries of `[spfn, epfn)` may live in a chunk another range mapped).
 * `zeroes`: the entries are rewritten whole (else only count_info, as when extend_frame_table
 * mapped nothing and skipped its memset).
 */
export function metadataFills(fresh: readonly MetaChunk[], all: readonly MetaChunk[], runs: readonly PageRun[], zeroes: boolean): Fill[] {
  const out: Fill[] = [];
  const spfn = runs.reduce((m, r) => (r.start < m ? r.start : m), runs[0]?.start ?? 0n);
  const epfn = runs.reduce((m, r) => (r.end > m ? r.end : m), 0n);
  for (const c of fresh) {
    if (c.kind === 'frame-table') {
      // memset -1 of the whole chunk; the entries of [spfn, epfn) are rewritten below, so only the rest is filled here.
      const end = c.firstFrame + c.frames;
      for (const [s, e] of [[c.firstFrame, spfn < end ? spfn : end], [epfn > c.firstFrame ? epfn : c.firstFrame, end]] as const) {
        if (s < e) out.push({ what: `frame-table chunk, frames 0x${s.toString(16)}-0x${e.toString(16)} outside the range (memset -1)`, spa: (c.mfn << PAGE_SHIFT) + (s - c.firstFrame) * BigInt(PAGE_INFO_SIZE), pattern: FF(PAGE_INFO_SIZE), count: e - s });
      }
    } else {
      const size = c.kind === 'compat-m2p' ? 4 : M2P_ENTRY_SIZE;
      const n = c.frames * BigInt(size) < c.pages << PAGE_SHIFT ? c.frames : (c.pages << PAGE_SHIFT) / BigInt(size);
      out.push({ what: `${c.kind} for frames 0x${c.firstFrame.toString(16)}+0x${c.frames.toString(16)} (INVALID_M2P_ENTRY)`, spa: c.mfn << PAGE_SHIFT, pattern: FF(size), count: n });
    }
  }
  const ci = pageInfo.offsetOf('countInfo');
  for (const r of runs) {
    for (const c of all) {
      if (c.kind !== 'frame-table') continue;
      const s = r.start > c.firstFrame ? r.start : c.firstFrame;
      const e = r.end < c.firstFrame + c.frames ? r.end : c.firstFrame + c.frames;
      if (s >= e) continue;
      const at = (c.mfn << PAGE_SHIFT) + (s - c.firstFrame) * BigInt(PAGE_INFO_SIZE);
      if (zeroes) out.push({ what: `page_info of frames 0x${s.toString(16)}-0x${e.toString(16)}`, spa: at, pattern: entry(r.countInfo), count: e - s });
      else {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, r.countInfo, true);
        for (let p = s; p < e; p++) out.push({ what: `count_info of frame 0x${p.toString(16)}`, spa: at + (p - s) * BigInt(PAGE_INFO_SIZE) + BigInt(ci), pattern: b, count: 1n });
      }
    }
  }
  return out;
}

/** Write the fills (large sequential writes); fills outside every PMEM range are counted as RAM. */
export function applyFills(mem: PhysMem, fills: readonly Fill[]): void {
  for (const f of fills) {
    const w = mem.window(f.spa, fillBytes(f));
    if (!w) {
      mem.ramBytes += fillBytes(f);
      continue;
    }
    fillPattern(w.io, 0, f.pattern, Number(f.count));
  }
  mem.flush();
}

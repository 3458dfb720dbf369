/**
 * Writing the initial Xen frame table (32-byte page_info entries, free | pmem) through nvtool's
 * writer vs a plain sequential write of the same bytes: the same entry pattern, the same chunk
 * size, into the same kind of file (created sparse at its full size, as `xen format` does), each
 * ending with an fsync. Runs are interleaved in rounds (the machine is shared: both sides meet
 * the same load) and the ratio is the median of the per-round writer / plain times.
 * Run: npx tsx bench/frametable.bench.ts [MiB] [rounds]   (default 256 MiB = 32 GiB managed, 15)
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileBlockIO } from '../src/core/blockio.js';
import { encodeStruct } from '../src/core/schema/index.js';
import { FILL_CHUNK, writeFrameTable } from '../src/xen/frameTable.js';
import { INITIAL_PAGE_INFO, pageInfo } from '../src/xen/pageInfo.js';

export interface FrameTableBenchResult {
  bytes: number;
  pages: number;
  frameTableMs: number;
  plainMs: number;
  /** Median of the per-round frame-table / plain times. */
  ratio: number;
  /** First and third quartile of the per-round ratios (the spread the shared machine gives). */
  ratioQuartiles: [number, number];
  rounds: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const quartiles = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)]!, s[Math.ceil((3 * (s.length - 1)) / 4)]!];
};

/** The baseline: one chunk of the entry pattern, written again and again with positioned writes. */
function plainWrite(file: string, bytes: number): number {
  FileBlockIO.create(file, bytes).close();
  const entry = encodeStruct(pageInfo, INITIAL_PAGE_INFO);
  const buf = new Uint8Array(FILL_CHUNK);
  for (let i = 0; i < buf.length; i += entry.length) buf.set(entry, i);
  const fd = openSync(file, 'r+');
  const t0 = performance.now();
  for (let done = 0; done < bytes; ) {
    const n = Math.min(buf.length, bytes - done);
    done += writeSync(fd, buf, 0, n, done);
  }
  fsyncSync(fd);
  const ms = performance.now() - t0;
  closeSync(fd);
  return ms;
}

function frameTableWrite(file: string, pages: number): number {
  const io = FileBlockIO.create(file, pages * 32);
  const t0 = performance.now();
  writeFrameTable(io, 0, pages);
  io.flush();
  const ms = performance.now() - t0;
  io.close();
  return ms;
}

export function measure(mib = 256, rounds = 15): FrameTableBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-ftbench-'));
  try {
    const bytes = mib * 1024 * 1024;
    const pages = bytes / 32;
    const ft: number[] = [], plain: number[] = [], ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so page-cache and load changes favour neither.
      let a: number, b: number;
      if (i % 2) {
        b = frameTableWrite(join(dir, `ft${i}`), pages);
        a = plainWrite(join(dir, `plain${i}`), bytes);
      } else {
        a = plainWrite(join(dir, `plain${i}`), bytes);
        b = frameTableWrite(join(dir, `ft${i}`), pages);
      }
      rmSync(join(dir, `plain${i}`));
      rmSync(join(dir, `ft${i}`));
      plain.push(a);
      ft.push(b);
      ratios.push(b / a);
    }
    return { bytes, pages, frameTableMs: median(ft), plainMs: median(plain), ratio: median(ratios), ratioQuartiles: quartiles(ratios), rounds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report `npm run bench` prints: the writer against a plain sequential write of the same bytes. */
export function run(mib = 256, rounds = 15): string {
  const r = measure(mib, rounds);
  const rate = (ms: number) => (mib / (ms / 1000)).toFixed(0);
  return (
    `frame table: ${r.pages} page_info entries (${mib} MiB, manages ${(r.pages * 4096) / 2 ** 30} GiB), median of ${r.rounds} interleaved rounds\n` +
    `  plain write   : ${r.plainMs.toFixed(0)} ms (${rate(r.plainMs)} MiB/s)  (baseline)\n` +
    `  nvtool writer : ${r.frameTableMs.toFixed(0)} ms (${rate(r.frameTableMs)} MiB/s)\n` +
    `  ratio         : ${r.ratio.toFixed(2)}× the time of the plain sequential write (median of per-round ratios, quartiles ${r.ratioQuartiles.map((q) => q.toFixed(2)).join('-')}; target ≤ 1.10)\n`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run(Number(process.argv[2] ?? 256), Number(process.argv[3] ?? 15)));

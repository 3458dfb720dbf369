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
import { FileBlockIO, type BlockIO } from '../src/core/blockio.js';
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
  /** The same up to the last write, before the fsync (the page-cache copy, without the disk). */
  writeRatio: number;
  writeRatioQuartiles: [number, number];
  rounds: number;
  /** The writer's calls against the baseline's, and its time with the I/O taken away. */
  own: { calls: number; plainCalls: number; mismatches: number; ms: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const quartiles = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)]!, s[Math.ceil((3 * (s.length - 1)) / 4)]!];
};

/** Milliseconds in all, and until the last write returned (before the fsync). */
interface Timing {
  ms: number;
  written: number;
}

/** The baseline's buffer: one chunk of the entry pattern. */
function plainChunk(): Uint8Array {
  const entry = encodeStruct(pageInfo, INITIAL_PAGE_INFO);
  const buf = new Uint8Array(FILL_CHUNK);
  for (let i = 0; i < buf.length; i += entry.length) buf.set(entry, i);
  return buf;
}

/** The baseline: that chunk, written again and again with positioned writes. */
function plainWrite(file: string, bytes: number): Timing {
  FileBlockIO.create(file, bytes).close();
  const buf = plainChunk();
  const fd = openSync(file, 'r+');
  const t0 = performance.now();
  for (let done = 0; done < bytes; ) {
    const n = Math.min(buf.length, bytes - done);
    done += writeSync(fd, buf, 0, n, done);
  }
  const written = performance.now() - t0;
  fsyncSync(fd);
  const ms = performance.now() - t0;
  closeSync(fd);
  return { ms, written };
}

function frameTableWrite(file: string, pages: number): Timing {
  const io = FileBlockIO.create(file, pages * 32);
  const t0 = performance.now();
  writeFrameTable(io, 0, pages);
  const written = performance.now() - t0;
  io.flush();
  const ms = performance.now() - t0;
  io.close();
  return { ms, written };
}

/**
 * A store that takes the writer's calls without doing I/O: `check` compares each with the
 * baseline's call (same offset, length and bytes), else the calls only cost their JavaScript.
 */
class NoIO implements BlockIO {
  calls = 0;
  mismatches = 0;
  private at = 0;
  constructor(readonly size: number, private readonly expect?: Uint8Array) {}
  read(): Uint8Array {
    throw new Error('not read');
  }
  write(offset: number, data: Uint8Array): void {
    this.calls++;
    if (!this.expect) return;
    const n = Math.min(this.expect.length, this.size - this.at);
    if (offset !== this.at || data.length !== n || Buffer.compare(data, this.expect.subarray(0, n)) !== 0) this.mismatches++;
    this.at += n;
  }
  flush(): void {}
}

/**
 * What the writer does besides the baseline's system calls: the same calls? (offsets, lengths,
 * bytes), and the median time of `writeFrameTable` into a store that does no I/O (building its
 * buffer, the calls' JavaScript).
 */
function writerOwnWork(bytes: number, rounds: number): { calls: number; plainCalls: number; mismatches: number; ms: number } {
  const check = new NoIO(bytes, plainChunk());
  writeFrameTable(check, 0, bytes / 32);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    writeFrameTable(new NoIO(bytes), 0, bytes / 32);
    times.push(performance.now() - t0);
  }
  return { calls: check.calls, plainCalls: Math.ceil(bytes / FILL_CHUNK), mismatches: check.mismatches, ms: median(times) };
}

export function measure(mib = 256, rounds = 15): FrameTableBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-ftbench-'));
  try {
    const bytes = mib * 1024 * 1024;
    const pages = bytes / 32;
    const ft: number[] = [], plain: number[] = [], ratios: number[] = [], writeRatios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so page-cache and load changes favour neither.
      let a: Timing, b: Timing;
      if (i % 2) {
        b = frameTableWrite(join(dir, `ft${i}`), pages);
        a = plainWrite(join(dir, `plain${i}`), bytes);
      } else {
        a = plainWrite(join(dir, `plain${i}`), bytes);
        b = frameTableWrite(join(dir, `ft${i}`), pages);
      }
      rmSync(join(dir, `plain${i}`));
      rmSync(join(dir, `ft${i}`));
      plain.push(a.ms);
      ft.push(b.ms);
      ratios.push(b.ms / a.ms);
      writeRatios.push(b.written / a.written);
    }
    return { bytes, pages, frameTableMs: median(ft), plainMs: median(plain), ratio: median(ratios), ratioQuartiles: quartiles(ratios), writeRatio: median(writeRatios), writeRatioQuartiles: quartiles(writeRatios), rounds, own: writerOwnWork(bytes, rounds) };
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
    `  ratio         : ${r.ratio.toFixed(2)}× the time of the plain sequential write (median of per-round ratios, quartiles ${r.ratioQuartiles.map((q) => q.toFixed(2)).join('-')}; target ≤ 1.10)\n` +
    `  before fsync  : ${r.writeRatio.toFixed(2)}× (writes only, median of per-round ratios, quartiles ${r.writeRatioQuartiles.map((q) => q.toFixed(2)).join('-')})\n` +
    `  system calls  : the writer's ${r.own.calls} writes vs the baseline's ${r.own.plainCalls}, ${r.own.mismatches} differing in offset, length or bytes; ` +
    `its work without the I/O ${r.own.ms.toFixed(1)} ms (median), ${((100 * r.own.ms) / r.plainMs).toFixed(1)} % of the plain write's median\n`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run(Number(process.argv[2] ?? 256), Number(process.argv[3] ?? 15)));

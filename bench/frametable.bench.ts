/**
 * Writing the initial Xen frame table (32-byte page_info entries, free | pmem) through nvtool's
 * writer vs a plain sequential write of the same number of bytes (one zero buffer, same chunk
 * size, same file), with an fsync at the end of each. The ratio is frame-table time / plain time.
 * Run: npx tsx bench/frametable.bench.ts [MiB]   (default 512 MiB of frame table = 64 GiB managed)
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileBlockIO } from '../src/core/blockio.js';
import { FILL_CHUNK, writeFrameTable } from '../src/xen/frameTable.js';

export interface FrameTableBenchResult {
  bytes: number;
  pages: number;
  frameTableMs: number;
  plainMs: number;
  frameTableMiBps: number;
  plainMiBps: number;
  ratio: number;
}

function plainWrite(file: string, bytes: number): number {
  const buf = new Uint8Array(FILL_CHUNK);
  const fd = openSync(file, 'w');
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

export function measure(mib = 512): FrameTableBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-ftbench-'));
  try {
    const bytes = mib * 1024 * 1024;
    const pages = bytes / 32;
    // alternate, best of 3 each, so page-cache warmth favours neither
    let ft = Infinity;
    let plain = Infinity;
    for (let i = 0; i < 3; i++) {
      plain = Math.min(plain, plainWrite(join(dir, `plain${i}`), bytes));
      ft = Math.min(ft, frameTableWrite(join(dir, `ft${i}`), pages));
      rmSync(join(dir, `plain${i}`));
      rmSync(join(dir, `ft${i}`));
    }
    const r = { bytes, pages, frameTableMs: ft, plainMs: plain, frameTableMiBps: mib / (ft / 1000), plainMiBps: mib / (plain / 1000), ratio: ft / plain };
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report `npm run bench` prints: the writer against a plain sequential write of the same bytes. */
export function run(mib = 512): string {
  const r = measure(mib);
  return (
    `frame table: ${r.pages} page_info entries (${mib} MiB, manages ${(r.pages * 4096) / 2 ** 30} GiB)\n` +
    `  nvtool writer : ${r.frameTableMs.toFixed(0)} ms (${r.frameTableMiBps.toFixed(0)} MiB/s)\n` +
    `  plain write   : ${r.plainMs.toFixed(0)} ms (${r.plainMiBps.toFixed(0)} MiB/s)\n` +
    `  ratio         : ${r.ratio.toFixed(2)}× the time of the plain sequential write\n`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run(Number(process.argv[2] ?? 512)));

/**
 * BTT sector reads/writes per second through nvtool's BTT (map lookup, flog update, free-block
 * rotation) against plain positioned reads/writes of the same sizes on the same file.
 * Run: npx tsx bench/btt.bench.ts
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileBlockIO } from '../src/core/blockio.js';
import { Btt } from '../src/infoblocks/btt.js';

export interface BttBenchResult {
  sectorSize: number;
  ops: number;
  bttWritesPerSec: number;
  plainWritesPerSec: number;
  bttReadsPerSec: number;
  plainReadsPerSec: number;
  writeRatio: number;
  readRatio: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Seconds `f` takes. */
function secs(f: () => void): number {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
}

/**
 * `rounds` rounds of `ops` random-sector operations, BTT and plain interleaved (the machine is
 * shared: each pair meets the same load); rates are medians, ratios the medians of the per-round
 * BTT / plain rate ratios. Plain I/O goes to the same file (past the BTT's first info block).
 */
export function measure(o: { sizeMiB?: number; ops?: number; sectorSize?: 512 | 4096; rounds?: number } = {}): BttBenchResult {
  const size = (o.sizeMiB ?? 64) * 1024 * 1024;
  const ops = o.ops ?? 5000;
  const rounds = o.rounds ?? 7;
  const sectorSize = o.sectorSize ?? 4096;
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-bench-'));
  try {
    const file = join(dir, 'ns.img');
    const fd0 = openSync(file, 'w');
    ftruncateSync(fd0, size);
    closeSync(fd0);
    const store = FileBlockIO.open(file, true);
    const btt = Btt.create(store, { uuid: '0b0b0b0b-0000-4000-8000-000000000000', lbasize: sectorSize, version: { major: 1, minor: 1 } });
    const data = Uint8Array.from({ length: sectorSize }, (_, i) => i & 0xff);
    let x = 12345;
    const lbas = Array.from({ length: ops }, () => ((x = (x * 1103515245 + 12345) >>> 0), x % btt.nlba));
    const fd = openSync(file, 'r+');
    const buf = new Uint8Array(sectorSize);
    const bw: number[] = [], br: number[] = [], pw: number[] = [], pr: number[] = [], wr: number[] = [], rr: number[] = [];
    const bttWrite = () => ops / secs(() => lbas.forEach((l) => btt.write(l, data)));
    const bttRead = () => ops / secs(() => lbas.forEach((l) => btt.read(l)));
    const plainWrite = () => ops / secs(() => lbas.forEach((l) => writeSync(fd, data, 0, sectorSize, 4096 + l * sectorSize)));
    const plainRead = () => ops / secs(() => lbas.forEach((l) => readSync(fd, buf, 0, sectorSize, 4096 + l * sectorSize)));
    bttWrite(); // warm-up: every map page cached, every code path compiled
    bttRead();
    /** Both sides of a pair, the first one alternating between rounds: [plain, btt] rates. */
    const pair = (r: number, plain: () => number, btt: () => number): [number, number] => {
      if (r % 2) {
        const p = plain();
        return [p, btt()];
      }
      const b = btt();
      return [plain(), b];
    };
    for (let r = 0; r < rounds; r++) {
      const [a, b] = pair(r, plainWrite, bttWrite);
      pw.push(a);
      bw.push(b);
      wr.push(b / a);
      const [c, d] = pair(r, plainRead, bttRead);
      pr.push(c);
      br.push(d);
      rr.push(d / c);
    }
    closeSync(fd);
    store.close();
    return {
      sectorSize, ops: ops * rounds, bttWritesPerSec: median(bw), plainWritesPerSec: median(pw), bttReadsPerSec: median(br), plainReadsPerSec: median(pr),
      writeRatio: median(wr), readRatio: median(rr),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report `npm run bench` prints (bench/run.ts convention: run() returns text). */
export function run(): string {
  let out = '';
  for (const sectorSize of [4096, 512] as const) {
    const r = measure({ sectorSize });
    const k = (n: number) => `${(n / 1000).toFixed(1)}k/s`;
    out +=
      `BTT ${sectorSize}-byte sectors, ${r.ops} random ops in 7 interleaved rounds: writes ${k(r.bttWritesPerSec)} vs plain ${k(r.plainWritesPerSec)} (ratio ${r.writeRatio.toFixed(2)}, target ≥ 0.50), ` +
      `reads ${k(r.bttReadsPerSec)} vs plain ${k(r.plainReadsPerSec)} (ratio ${r.readRatio.toFixed(2)}, target ≥ 0.80)\n`;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run());

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

function rate(ops: number, f: () => void): number {
  const t0 = performance.now();
  f();
  return ops / ((performance.now() - t0) / 1000);
}

export function measure(o: { sizeMiB?: number; ops?: number; sectorSize?: 512 | 4096 } = {}): BttBenchResult {
  const size = (o.sizeMiB ?? 64) * 1024 * 1024;
  const ops = o.ops ?? 20000;
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
    const bttWritesPerSec = rate(ops, () => lbas.forEach((l) => btt.write(l, data)));
    const bttReadsPerSec = rate(ops, () => lbas.forEach((l) => btt.read(l)));
    store.close();
    const fd = openSync(file, 'r+');
    const buf = new Uint8Array(sectorSize);
    const plainWritesPerSec = rate(ops, () => lbas.forEach((l) => writeSync(fd, data, 0, sectorSize, 4096 + l * sectorSize)));
    const plainReadsPerSec = rate(ops, () => lbas.forEach((l) => readSync(fd, buf, 0, sectorSize, 4096 + l * sectorSize)));
    closeSync(fd);
    return {
      sectorSize, ops, bttWritesPerSec, plainWritesPerSec, bttReadsPerSec, plainReadsPerSec,
      writeRatio: bttWritesPerSec / plainWritesPerSec, readRatio: bttReadsPerSec / plainReadsPerSec,
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
      `BTT ${sectorSize}-byte sectors, ${r.ops} random ops: writes ${k(r.bttWritesPerSec)} vs plain ${k(r.plainWritesPerSec)} (ratio ${r.writeRatio.toFixed(2)}), ` +
      `reads ${k(r.bttReadsPerSec)} vs plain ${k(r.plainReadsPerSec)} (ratio ${r.readRatio.toFixed(2)})\n`;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run());

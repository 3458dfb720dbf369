/**
 * BTT sector reads/writes per second through nvtool's BTT (map lookup, flog update, free-block
 * rotation) against plain positioned reads/writes of the same sizes on the same file. Like with
 * like: both sides use one open file descriptor, preallocated buffers of the sector size, random
 * LBAs from the same list, and no fsync (the BTT flushes only when its user asks, as the write gate
 * does at a command's end). A plain write is one pwrite and a plain read one pread; the BTT's own
 * work on top is what Linux's btt_write_pg does (data, flog entry, map entry: counted below, from
 * the writes the BTT issues) and a map lookup from its cached map before the one pread of a read.
 * Run: npx tsx bench/btt.bench.ts
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileBlockIO, type BlockIO } from '../src/core/blockio.js';
import { Btt } from '../src/infoblocks/btt.js';
import { LOG_ENT_SIZE, MAP_ENT_SIZE } from '../src/infoblocks/bttLog.js';

export interface BttBenchResult {
  sectorSize: number;
  ops: number;
  bttWritesPerSec: number;
  plainWritesPerSec: number;
  bttReadsPerSec: number;
  plainReadsPerSec: number;
  writeRatio: number;
  readRatio: number;
  rounds: number;
  /** The BTT write's three pwrites issued directly (no BTT code): its rate and ratio to plain. */
  floorWritesPerSec: number;
  floorRatio: number;
  /** Store calls per BTT write and per BTT read, counted on a warm BTT (plain I/O: one each). */
  perWrite: { writes: number; reads: number };
  perRead: { writes: number; reads: number };
}

/** Counts the calls a BTT makes on its store. */
class CountingStore implements BlockIO {
  writes = 0;
  reads = 0;
  constructor(readonly inner: BlockIO) {}
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number): Uint8Array {
    this.reads++;
    return this.inner.read(offset, length);
  }
  readInto(offset: number, out: Uint8Array): void {
    this.reads++;
    this.inner.readInto!(offset, out);
  }
  write(offset: number, data: Uint8Array): void {
    this.writes++;
    this.inner.write(offset, data);
  }
  flush(): void {
    this.inner.flush();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Times each side of a group once per round, the order rotating between rounds (the machine is
 * shared: each group meets the same load); returns the per-side rates (ops/s) of every round.
 */
function rounds(n: number, ops: number, sides: (() => void)[]): number[][] {
  const rates = sides.map(() => [] as number[]);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (k + r) % sides.length;
      const t0 = performance.now();
      sides[i]!();
      rates[i]!.push((ops * 1000) / (performance.now() - t0));
    }
  }
  return rates;
}

/** Median over rounds of a/b. */
const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));

/**
 * `rounds` rounds of `ops` random-sector operations (short rounds, so both sides of a pair meet the
 * same load), BTT and plain interleaved; rates are medians, ratios the medians of the per-round
 * BTT / plain rate ratios. Plain I/O goes to the same file (past the BTT's first info block). A
 * third write side, `floor`, issues a BTT write's three pwrites (sector, 16 bytes into the flog, 4
 * bytes into the map) straight to the file: what Linux's I/O costs with no BTT code around it.
 */
export function measure(o: { sizeMiB?: number; ops?: number; sectorSize?: 512 | 4096; rounds?: number } = {}): BttBenchResult {
  const size = (o.sizeMiB ?? 64) * 1024 * 1024;
  const ops = o.ops ?? 2000;
  const nRounds = o.rounds ?? 31;
  const sectorSize = o.sectorSize ?? 4096;
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-bench-'));
  try {
    const file = join(dir, 'ns.img');
    const fd0 = openSync(file, 'w');
    ftruncateSync(fd0, size);
    closeSync(fd0);
    const store = FileBlockIO.open(file, true);
    const created = Btt.create(store, { uuid: '0b0b0b0b-0000-4000-8000-000000000000', lbasize: sectorSize, version: { major: 1, minor: 1 } });
    const data = Uint8Array.from({ length: sectorSize }, (_, i) => i & 0xff);
    let x = 12345;
    const lbas = Array.from({ length: ops }, () => ((x = (x * 1103515245 + 12345) >>> 0), x % created.nlba));
    const fd = openSync(file, 'r+');
    const buf = new Uint8Array(sectorSize);
    const out = new Uint8Array(sectorSize);
    // The I/O a BTT issues per operation, counted on a BTT over the same file with its map pages
    // read once first (as the timed BTT has them after its warm-up).
    const counting = new CountingStore(store);
    const counted = Btt.open(counting);
    lbas.forEach((l) => counted.readInto(l, out));
    const c0 = { w: counting.writes, r: counting.reads };
    lbas.forEach((l) => counted.write(l, data));
    const perWrite = { writes: (counting.writes - c0.w) / ops, reads: (counting.reads - c0.r) / ops };
    const c1 = { w: counting.writes, r: counting.reads };
    lbas.forEach((l) => counted.readInto(l, out));
    const perRead = { writes: (counting.writes - c1.w) / ops, reads: (counting.reads - c1.r) / ops };
    const btt = Btt.open(store); // the timed one, opened after the counted writes
    const a = btt.arenas[0]!;
    const flog = new Uint8Array(LOG_ENT_SIZE);
    const map = new Uint8Array(MAP_ENT_SIZE);
    const bttWrite = () => lbas.forEach((l) => btt.write(l, data));
    const bttRead = () => lbas.forEach((l) => btt.readInto(l, out));
    const plainWrite = () => lbas.forEach((l) => writeSync(fd, data, 0, sectorSize, 4096 + l * sectorSize));
    const plainRead = () => lbas.forEach((l) => readSync(fd, buf, 0, sectorSize, 4096 + l * sectorSize));
    // The floor writes into a file of its own with the same size and layout (the BTT's stays intact).
    const floorFile = join(dir, 'floor.img');
    const ffd = openSync(floorFile, 'w+');
    ftruncateSync(ffd, size);
    const floorWrite = () =>
      lbas.forEach((l, i) => {
        writeSync(ffd, data, 0, sectorSize, a.dataAt + l * a.info.internalLbasize);
        writeSync(ffd, flog, 0, flog.length, a.logAt + (i & 1) * flog.length);
        writeSync(ffd, map, 0, map.length, a.mapAt + l * map.length);
      });
    for (const f of [bttWrite, bttRead, plainWrite, plainRead, floorWrite]) f(); // warm-up: map pages cached, code compiled
    const [pw, bw, fw] = rounds(nRounds, ops, [plainWrite, bttWrite, floorWrite]);
    const [pr, br] = rounds(nRounds, ops, [plainRead, bttRead]);
    closeSync(fd);
    closeSync(ffd);
    store.close();
    return {
      sectorSize, ops, rounds: nRounds, bttWritesPerSec: median(bw!), plainWritesPerSec: median(pw!), bttReadsPerSec: median(br!), plainReadsPerSec: median(pr!),
      writeRatio: ratio(bw!, pw!), readRatio: ratio(br!, pr!), floorWritesPerSec: median(fw!), floorRatio: ratio(fw!, pw!), perWrite, perRead,
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
      `BTT ${sectorSize}-byte sectors, ${r.rounds} interleaved rounds of ${r.ops} random ops: writes ${k(r.bttWritesPerSec)} vs plain ${k(r.plainWritesPerSec)} (ratio ${r.writeRatio.toFixed(2)}, target ≥ 0.50; ` +
      `its three pwrites alone ${k(r.floorWritesPerSec)}, ratio ${r.floorRatio.toFixed(2)}), ` +
      `reads ${k(r.bttReadsPerSec)} vs plain ${k(r.plainReadsPerSec)} (ratio ${r.readRatio.toFixed(2)}, target ≥ 0.80); ` +
      `store calls per BTT write: ${r.perWrite.writes} writes + ${r.perWrite.reads} reads, per BTT read: ${r.perRead.reads} reads + ${r.perRead.writes} writes (plain: 1 pwrite, 1 pread)\n`;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run());

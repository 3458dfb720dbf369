/**
 * The simulated Xen building a frame table on a 1 TiB sparse host DIMM (design v4 flow: host
 * stage, NFIT boot, `xl pmem-setup -m` then `-d` for a data region at the DIMM's far end) against a
 * plain sequential write of the same number of bytes into the same kind of file (a fresh sparse
 * 1 TiB image, at the same offsets), each ending with an fsync. Rounds are interleaved and the
 * ratio is the median of per-round (Xen data setup) / (plain write) times.
 * Run: npx tsx bench/sim-frametable.bench.ts [data GiB] [rounds]   (default 32 GiB = 320 MiB of metadata, 5)
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileBlockIO } from '../src/core/blockio.js';
import { FILL_CHUNK } from '../src/xen/frameTable.js';
import { SimDir, hostMappings, startRun } from '../src/sim/index.js';
import { PhysMem, bootMaps, bootV4, newXenState, pmemSetup } from '../src/sim/xen/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const TiB = 1n << 40n;

export interface SimFrameTableResult {
  dataGiB: number;
  metadataBytes: number;
  xenMs: number;
  plainMs: number;
  ratio: number;
  rounds: number;
}

/** One Xen setup on a fresh image: mgmt region at the DIMM's start, data region at its end. */
function xenRound(dir: SimDir, dataPages: bigint): { ms: number; bytes: number; offset: number } {
  const img = dir.path('host/nv0.img');
  rmSync(img);
  FileBlockIO.create(img, Number(TiB)).close();
  const st = newXenState('v4', bootMaps([[0n, 0xc0000n], [0x100000n, 0x140000n]]));
  bootV4(st, dir.readBytes('host/nfit.aml'));
  const raw = st.raw[0]!;
  const mem = new PhysMem(dir.root, hostMappings(dir).map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset })));
  const mgmtEnd = raw.smfn + 0x100000n; // 4 GiB of management pages
  const pad = new Uint8Array(7);
  if (pmemSetup(st, mem, { smfn: raw.smfn, emfn: mgmtEnd, mgmtSmfn: raw.smfn, mgmtEmfn: mgmtEnd, type: 1, pad }).result !== '0') throw new Error('mgmt setup refused');
  const de = raw.emfn - (raw.emfn % 0x10000n);
  const ds = de - dataPages;
  const t0 = performance.now();
  const o = pmemSetup(st, mem, { smfn: ds, emfn: de, mgmtSmfn: raw.smfn, mgmtEmfn: mgmtEnd, type: 2, pad });
  const ms = performance.now() - t0;
  mem.close();
  if (o.result !== '0') throw new Error(`data setup refused: ${o.result} ${o.reason}`);
  return { ms, bytes: Number(o.written), offset: Number((st.data[0]!.mgmtSmfn - raw.smfn) << 12n) };
}

/** The baseline: the same number of bytes, one 8 MiB buffer written again and again, then fsync. */
function plainRound(file: string, offset: number, bytes: number): number {
  FileBlockIO.create(file, Number(TiB)).close();
  const buf = new Uint8Array(FILL_CHUNK).fill(0xff);
  const fd = openSync(file, 'r+');
  const t0 = performance.now();
  for (let done = 0; done < bytes; ) done += writeSync(fd, buf, 0, Math.min(buf.length, bytes - done), offset + done);
  fsyncSync(fd);
  const ms = performance.now() - t0;
  closeSync(fd);
  rmSync(file);
  return ms;
}

export async function measure(dataGiB = 32, rounds = 5): Promise<SimFrameTableResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'nvtool-simftbench-'));
  try {
    writeFileSync(join(tmp, 's.json'), JSON.stringify({
      design: 'v4',
      host: { platform: { machine: { type: 'pc' }, memory: { size: '4G', slots: 2, maxmem: '2T' }, nvdimms: [{ id: 'nv0', size: '1T', labelSize: '128K' }] } },
      guests: [],
    }));
    const dir = await startRun(join(tmp, 's.json'), join(tmp, 'run'));
    const dataPages = BigInt(dataGiB) << 18n;
    const xen: number[] = [], plain: number[] = [], ratios: number[] = [];
    // A first setup tells the plain write how many bytes to write, and where (the same offsets).
    const { bytes, offset } = xenRound(dir, dataPages);
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so page-cache and load changes favour neither.
      let x: number, p: number;
      if (i % 2) {
        x = xenRound(dir, dataPages).ms;
        p = plainRound(join(tmp, 'plain.img'), offset, bytes);
      } else {
        p = plainRound(join(tmp, 'plain.img'), offset, bytes);
        x = xenRound(dir, dataPages).ms;
      }
      xen.push(x);
      plain.push(p);
      ratios.push(x / p);
    }
    return { dataGiB, metadataBytes: bytes, xenMs: median(xen), plainMs: median(plain), ratio: median(ratios), rounds };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(dataGiB = 32, rounds = 5): Promise<string> {
  const r = await measure(dataGiB, rounds);
  const mib = r.metadataBytes / 2 ** 20;
  const rate = (ms: number) => (mib / (ms / 1000)).toFixed(0);
  return (
    `simulated Xen, 1 TiB sparse host DIMM: data region of ${r.dataGiB} GiB at its end, ${mib.toFixed(0)} MiB of frame table + M2P in the mgmt region, median of ${r.rounds} rounds\n` +
    `  plain write            : ${r.plainMs.toFixed(0)} ms (${rate(r.plainMs)} MiB/s)  (baseline)\n` +
    `  xl pmem-setup -d (Xen) : ${r.xenMs.toFixed(0)} ms (${rate(r.xenMs)} MiB/s)\n` +
    `  ratio                  : ${r.ratio.toFixed(2)}× the time of the plain sequential write (median of per-round ratios)\n`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(await run(Number(process.argv[2] ?? 32), Number(process.argv[3] ?? 5)));

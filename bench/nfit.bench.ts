/**
 * NFIT decode/encode throughput on a large table (1000+ structures): nvtool's declarative layer
 * vs binary-parser (decode only: it has no encoder) vs restructure (decode and encode), and nvtool
 * vs `iasl -d` as whole processes. Run: `npx tsx bench/nfit.bench.ts` (or `npm run bench`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from 'binary-parser';
import * as r from 'restructure';
import { buildNfit } from '../src/acpi/build/index.js';
import { decodeNfit, encodeNfit, nfitTable } from '../src/acpi/nfit/index.js';
import { decodeStruct } from '../src/core/schema/index.js';
import { measure, report } from './harness.js';

/** 1024 dimms × (SPA, memdev, DCR) + flush hints and an interleave each 8 dimms: ~3200 structures. */
export function largeTable(): Uint8Array {
  const structures: object[] = [];
  for (let i = 0; i < 1024; i++) {
    const base = 0x100000000n + BigInt(i) * 0x40000000n;
    structures.push(
      { type: 0, rangeIndex: i + 1, flags: 2, rangeGuid: 'persistent', address: '0x' + base.toString(16), rangeLength: '0x40000000', memoryMapping: '0x8008' },
      { type: 1, deviceHandle: i, rangeIndex: i + 1, regionIndex: 2000 + i, regionSize: '0x40000000', interleaveWays: 1, interleaveIndex: i % 8 === 0 ? 5000 + i : 0 },
      { type: 4, regionIndex: 2000 + i, vendorId: 0x8086, serialNumber: i, code: 0x301, windowSize: '0x0', commandOffset: '0x0', commandSize: '0x0', statusOffset: '0x0', statusSize: '0x0', flags: 0 },
    );
    if (i % 8 === 0) {
      structures.push({ type: 2, interleaveIndex: 5000 + i, lineSize: 4096, lineOffsets: [0, 1, 2, 3] });
      structures.push({ type: 6, deviceHandle: i, hintAddresses: ['0xfed00000', '0xfed00040'] });
    }
  }
  return buildNfit({ profile: 'generic', structures }).bytes;
}

/**
 * The same structures with every range GUID, address, size and serial number distinct (a random
 * walk from a fixed seed): nothing repeats for nvtool's remembered GUID strings and 8-byte values,
 * which the table above repeats as a QEMU-built NFIT does. The worst case for those caches.
 */
export function variedTable(): Uint8Array {
  let x = 99;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0), x);
  const hex = (n: number) => next().toString(16).padStart(8, '0').slice(0, n);
  const big = (shift: bigint) => '0x' + ((BigInt(next()) << shift) | BigInt(next())).toString(16);
  const structures: object[] = [];
  for (let i = 0; i < 1024; i++) {
    const guid = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(8)}${hex(4)}`;
    structures.push(
      { type: 0, rangeIndex: i + 1, flags: 2, rangeGuid: guid, address: big(30n), rangeLength: big(12n), memoryMapping: big(32n) },
      { type: 1, deviceHandle: next(), rangeIndex: i + 1, regionIndex: 2000 + i, regionSize: big(20n), regionOffset: big(8n), address: big(16n), interleaveWays: 1, interleaveIndex: i % 8 === 0 ? 5000 + i : 0 },
      { type: 4, regionIndex: 2000 + i, vendorId: 0x8086, serialNumber: next(), code: 0x301, windowSize: big(8n), commandOffset: big(9n), commandSize: big(1n), statusOffset: big(10n), statusSize: big(2n), flags: 0 },
    );
    if (i % 8 === 0) {
      structures.push({ type: 2, interleaveIndex: 5000 + i, lineSize: 4096, lineOffsets: [next(), next(), next(), next()] });
      structures.push({ type: 6, deviceHandle: next(), hintAddresses: [big(4n), big(4n)] });
    }
  }
  return buildNfit({ profile: 'generic', structures }).bytes;
}

// ---- binary-parser: decode only; flags read as whole words (its LE bit fields read wrong) ----
/**
 * Two declarations of the same structures. `like` gives the kinds of value nvtool's decode gives:
 * every reserved field as bytes (nvtool: an owned copy, here a view of the input), the range GUID
 * as bytes (nvtool: its string, remembered across repeats), u64 as BigInt. `ints` is how this
 * bench first declared it: the 2- and 4-byte reserved fields read as integers, which skips a
 * typed array per field that nvtool's values must hold — shown for reference.
 */
export function bpParsers(reserved: 'like' | 'ints') {
  const res = (p: any, name: string, size: 2 | 4) => (reserved === 'like' ? p.buffer(name, { length: size }) : size === 2 ? p.uint16le(name) : p.uint32le(name));
  const bpSpa = res(new Parser().uint16le('rangeIndex').uint16le('flags'), 'reserved', 4).uint32le('proximityDomain').buffer('rangeGuid', { length: 16 }).uint64le('address').uint64le('rangeLength').uint64le('memoryMapping');
  const bpMemdev = res(new Parser().uint32le('deviceHandle').uint16le('physicalId').uint16le('regionId').uint16le('rangeIndex').uint16le('regionIndex').uint64le('regionSize').uint64le('regionOffset').uint64le('address').uint16le('interleaveIndex').uint16le('interleaveWays').uint16le('flags'), 'reserved', 2);
  const bpIdt = res(new Parser().uint16le('interleaveIndex'), 'reserved', 2).uint32le('lineCount').uint32le('lineSize').array('lineOffsets', { type: 'uint32le', length: 'lineCount' });
  const bpDcr = res(new Parser().uint16le('regionIndex').uint16le('vendorId').uint16le('deviceId').uint16le('revisionId').uint16le('subsystemVendorId').uint16le('subsystemDeviceId').uint16le('subsystemRevisionId').uint8('validFields').uint8('manufacturingLocation').uint16le('manufacturingDate'), 'reserved', 2).uint32le('serialNumber').uint16le('code').uint16le('windows').uint64le('windowSize').uint64le('commandOffset').uint64le('commandSize').uint64le('statusOffset').uint64le('statusSize').uint16le('flags').buffer('reserved1', { length: 6 });
  const bpFlush = new Parser().uint32le('deviceHandle').uint16le('hintCount').buffer('reserved', { length: 6 }).array('hintAddresses', { type: 'uint64le', length: 'hintCount' });
  const bpSubtable = new Parser()
    .uint16le('type')
    .uint16le('length')
    .choice('body', { tag: 'type', choices: { 0: bpSpa, 1: bpMemdev, 2: bpIdt, 4: bpDcr, 6: bpFlush }, defaultChoice: new Parser().buffer('raw', { length: function (this: { length: number }) { return this.length - 4; } }) });
  return new Parser().string('signature', { length: 4 }).uint32le('length').uint8('revision').uint8('checksum').string('oemId', { length: 6 }).string('oemTableId', { length: 8 }).uint32le('oemRevision').string('creatorId', { length: 4 }).uint32le('creatorRevision').uint32le('reserved').array('structures', { type: bpSubtable, readUntil: 'eof' });
}
const bpNfit = bpParsers('like');
const bpNfitInts = bpParsers('ints');

// ---- restructure: no u64 built in; a small custom type ----
const u64le = {
  decode: (s: { buffer: Buffer; pos: number }) => {
    const v = s.buffer.readBigUInt64LE(s.pos);
    s.pos += 8;
    return v;
  },
  encode: (s: { writeBuffer: (b: Buffer) => void }, v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    s.writeBuffer(b);
  },
  size: () => 8,
};
const rsSub = new r.VersionedStruct(r.uint16le, {
  header: { length: r.uint16le },
  0: { rangeIndex: r.uint16le, flags: r.uint16le, reserved: r.uint32le, proximityDomain: r.uint32le, rangeGuid: new r.Buffer(16), address: u64le, rangeLength: u64le, memoryMapping: u64le },
  1: { deviceHandle: r.uint32le, physicalId: r.uint16le, regionId: r.uint16le, rangeIndex: r.uint16le, regionIndex: r.uint16le, regionSize: u64le, regionOffset: u64le, address: u64le, interleaveIndex: r.uint16le, interleaveWays: r.uint16le, flags: r.uint16le, reserved: r.uint16le },
  2: { interleaveIndex: r.uint16le, reserved: r.uint16le, lineCount: r.uint32le, lineSize: r.uint32le, lineOffsets: new r.Array(r.uint32le, 'lineCount') },
  4: { regionIndex: r.uint16le, vendorId: r.uint16le, deviceId: r.uint16le, revisionId: r.uint16le, subsystemVendorId: r.uint16le, subsystemDeviceId: r.uint16le, subsystemRevisionId: r.uint16le, validFields: r.uint8, manufacturingLocation: r.uint8, manufacturingDate: r.uint16le, reserved: r.uint16le, serialNumber: r.uint32le, code: r.uint16le, windows: r.uint16le, windowSize: u64le, commandOffset: u64le, commandSize: u64le, statusOffset: u64le, statusSize: u64le, flags: r.uint16le, reserved1: new r.Buffer(6) },
  6: { deviceHandle: r.uint32le, hintCount: r.uint16le, reserved: new r.Buffer(6), hintAddresses: new r.Array(u64le, 'hintCount') },
});
const rsNfit = new r.Struct({
  signature: new r.String(4), length: r.uint32le, revision: r.uint8, checksum: r.uint8, oemId: new r.String(6), oemTableId: new r.String(8),
  oemRevision: r.uint32le, creatorId: new r.String(4), creatorRevision: r.uint32le, reserved: r.uint32le,
  structures: new r.Array(rsSub, (p: { length: number }) => p.length - 40, 'bytes'),
});

export function run(): string {
  const table = largeTable();
  const count = decodeNfit(table).table.structures.length;
  let out = `NFIT: ${table.length} bytes, ${count} structures\n`;

  // Sanity: every library decodes the same structure count and the re-encodes are byte-identical.
  const bp = bpNfit.parse(Buffer.from(table)) as { structures: unknown[] };
  const rs = rsNfit.fromBuffer(Buffer.from(table)) as { structures: unknown[] };
  if (bp.structures.length !== count || rs.structures.length !== count) throw new Error('libraries disagree on the structure count');
  const nvValue = decodeNfit(table).table;
  if (!Buffer.from(encodeNfit(nvValue)).equals(Buffer.from(table))) throw new Error('nvtool re-encode differs');
  if (!Buffer.from(rsNfit.toBuffer(rs)).equals(Buffer.from(table))) throw new Error('restructure re-encode differs');

  const buf = Buffer.from(table);
  sameValues(nvValue.structures, (bp as { structures: BpStructure[] }).structures);
  sameValues(nvValue.structures, (bpNfitInts.parse(Buffer.from(table)) as { structures: BpStructure[] }).structures);
  out += paired(table);
  const varied = variedTable();
  sameValues(decodeNfit(varied).table.structures, (bpNfit.parse(Buffer.from(varied)) as { structures: BpStructure[] }).structures);
  out += paired(varied, undefined, undefined, 'every GUID and 8-byte value distinct');
  const nvDecode = measure('nvtool decode (schema walk, findings)', () => decodeStruct(nfitTable, table), { bytes: table.length });
  out += report('decode', nvDecode, [
    measure('nvtool decode + validate (decodeNfit)', () => decodeNfit(table), { bytes: table.length }),
    measure('binary-parser decode (values like nvtool)', () => bpNfit.parse(buf), { bytes: table.length }),
    measure('binary-parser decode (reserved as integers)', () => bpNfitInts.parse(buf), { bytes: table.length }),
    measure('restructure decode', () => rsNfit.fromBuffer(buf), { bytes: table.length }),
  ]);
  const nvEncode = measure('nvtool encode (lengths, counts, checksum)', () => encodeNfit(nvValue), { bytes: table.length });
  out += report('encode', nvEncode, [measure('restructure encode (lengths as given)', () => rsNfit.toBuffer(rs), { bytes: table.length })]);
  out += processes(table);
  return out;
}

interface BpStructure {
  type: number;
  length: number;
  body: Record<string, unknown>;
}

/**
 * Like with like: binary-parser must have read the same structures to the same numbers (its GUIDs
 * and reserved bytes are views of the input; nvtool's are strings and owned copies) before the two
 * are timed against each other.
 */
function sameValues(nv: readonly object[], bp: readonly BpStructure[]): void {
  nv.forEach((s, i) => {
    const n = s as Record<string, unknown>;
    const b = bp[i]!;
    if (n.type !== b.type || n.length !== b.length) throw new Error(`structure ${i}: type/length differ`);
    for (const [k, v] of Object.entries(b.body)) {
      const mine = n[k];
      const same =
        typeof v === 'number' && mine instanceof Uint8Array
          ? mine.reduceRight((acc, x) => acc * 256 + x, 0) === v
          : typeof v === 'number' || typeof v === 'bigint'
          ? mine === v
          : Array.isArray(v)
            ? Array.isArray(mine) && mine.length === v.length && v.every((x, j) => x === mine[j])
            : v instanceof Uint8Array && (mine instanceof Uint8Array ? Buffer.from(mine).equals(v) : typeof mine === 'string' && mine.length === 36);
      if (!same) throw new Error(`structure ${i}.${k}: binary-parser and nvtool read different values`);
    }
  });
}

/**
 * Issue 13 target 4 in one process: nvtool's compiled schema walker (`decodeStruct`, findings,
 * checksum, reserved checks, GUID strings, owned byte copies) against binary-parser's generated
 * parser on the same bytes, alternating in rounds (which one goes first alternates too, so both
 * see the same machine load and the same garbage collector); the ratio is the median of the
 * per-round time ratios.
 */
export function paired(table: Uint8Array, rounds = Number(process.env.NVTOOL_BENCH_ROUNDS ?? 31), reps = 20, what = 'the table above'): string {
  const buf = Buffer.from(table);
  const runs: [string, () => unknown][] = [
    ['nvtool decodeStruct(nfitTable)', () => decodeStruct(nfitTable, table)],
    ['binary-parser, values like nvtool', () => bpNfit.parse(buf)],
    ['binary-parser, reserved as integers', () => bpNfitInts.parse(buf)],
  ];
  for (let i = 0; i < 50; i++) for (const [, f] of runs) f();
  // Wall time, and the process's CPU time (user + system, garbage collector threads included): on
  // a shared machine a round can lose the CPU to another process, which shows in wall time only.
  const ms: number[][] = runs.map(() => []);
  const cpu: number[][] = runs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (k + r) % runs.length;
      const f = runs[i]![1];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let j = 0; j < reps; j++) f();
      ms[i]!.push((performance.now() - t0) / reps);
      const c = process.cpuUsage(c0);
      cpu[i]!.push((c.user + c.system) / 1000 / reps);
    }
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  const ratio = (xs: number[][], i: number) => med(xs[0]!.map((t, r) => t / xs[i]![r]!)).toFixed(2);
  let out =
    `paired in process, ${what} (${rounds} rounds, each timing ${reps} decodes of every parser, the order rotating; medians; ` +
    `ratio: median of per-round nvtool time / that parser's, wall and CPU):\n`;
  runs.forEach(([name], i) => {
    const vs = i === 0 ? '' : `  nvtool x${ratio(ms, i)} wall, x${ratio(cpu, i)} CPU of this${i === 1 ? ' (target <= 1.00)' : ''}`;
    out += `  ${name.padEnd(38)} ${med(ms[i]!).toFixed(3).padStart(7)} ms ${((table.length / 1e3) / med(ms[i]!)).toFixed(1).padStart(7)} MB/s  CPU ${med(cpu[i]!).toFixed(3)} ms${vs}\n`;
  });
  return out;
}

/**
 * Whole processes on the same file: `iasl -d`, `nvtool decode` (annotated dump), `nvtool decode
 * --json` and `node -e 0` (Node's own start-up, the floor of any nvtool run), interleaved in
 * rounds (the machine is shared); medians, ratios are medians of the per-round ratios to iasl.
 */
export function processes(table: Uint8Array, rounds = 7): string {
  if (spawnSync('sh', ['-c', 'command -v iasl']).status !== 0) return 'processes: iasl not installed (apt-get install acpica-tools)\n';
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-bench-'));
  try {
    const file = join(dir, 'nfit.aml');
    writeFileSync(file, table);
    const bin = fileURLToPath(new URL('../bin/nvtool.js', import.meta.url));
    const once = (cmd: string, args: string[]) => {
      const t0 = performance.now();
      try {
        execFileSync(cmd, args, { cwd: dir, stdio: 'ignore' });
      } catch {
        /* decode exits 1 on findings; timing is what matters */
      }
      return performance.now() - t0;
    };
    const runs: [string, string, string[]][] = [
      ['iasl -d', 'iasl', ['-d', file]],
      ['nvtool decode (annotated dump)', process.execPath, [bin, 'decode', file, '-o', join(dir, 'out.txt'), '--force']],
      ['nvtool decode --json', process.execPath, [bin, 'decode', '--json', file, '-o', join(dir, 'out.json'), '--force']],
      ["node -e 0 (Node's start-up)", process.execPath, ['-e', '0']],
    ];
    const ms: number[][] = runs.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < runs.length; k++) {
        const i = (k + r) % runs.length;
        const [, cmd, args] = runs[i]!;
        ms[i]!.push(once(cmd, args));
      }
    }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
    let out = `whole processes on the same ${table.length}-byte NFIT (median of ${rounds} interleaved rounds; ratio: median of per-round time / iasl -d time):\n`;
    runs.forEach(([name], i) => {
      const ratio = med(ms[i]!.map((t, r) => t / ms[0]![r]!));
      out += `  ${name.padEnd(32)} ${med(ms[i]!).toFixed(0).padStart(6)} ms  ×${ratio.toFixed(2)} of iasl -d\n`;
    });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(run());

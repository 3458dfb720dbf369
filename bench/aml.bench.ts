/**
 * AML: nvtool's decoder and disassembler against ACPICA's `iasl -d` on the same SSDTs (issue 13,
 * targets 1 and 5).
 *
 * The tables are written as ASL and compiled by iasl when the bench runs (`largeAsl`): N devices,
 * each with an address, a buffer, a package, an operation region with a field, and 3 methods (one
 * calling a method defined after it, so decoding needs its second pass). Sizes run from about
 * 100 KB (520 devices) to 1.6 MB (8320).
 *
 * Whole processes: for each size, `iasl -d`, `nvtool disasm` and `node -e 0` run interleaved in
 * rounds (same load for each, the machine is shared), and each line is the median wall time, its
 * ratio to iasl's (the median of the per-round ratios), the median CPU time (user + system, all
 * threads: V8 compiles on helper threads) with its ratio, and the peak RSS (`timed`).
 * On a shared machine the CPU ratio is the steadier of the two: wall time also counts the time
 * other processes hold the cores.
 * Cold, in a fresh process: the first decode and the first disassembly of the 404 KB table, as
 * CPU time of the main thread (/proc/thread-self/schedstat) and of the whole process; this is what
 * the CLI pays, before V8 has optimized the decoder (see specs/aml.md "Speed").
 * In process, warmed up: decode MB/s, decode + disassemble MB/s, and the heap the decoded model
 * keeps per input byte (after a full GC). Run: `node --expose-gc --import tsx bench/aml.bench.ts
 * [rounds]` after `npm run build` (nvtool runs from dist/, as installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disassembleTable } from '../src/aml/disasm.js';
import { decodeAmlTable, encodeAmlTable } from '../src/aml/table.js';
import { measure } from './harness.js';

/** Device names D000..DZZZ (base 36): 46656 of them. */
const devName = (i: number) => 'D' + i.toString(36).toUpperCase().padStart(3, '0');

/** An SSDT in ASL with `devices` devices (about 192 bytes of AML each). */
export function largeAsl(devices: number): string {
  const out: string[] = ['DefinitionBlock ("", "SSDT", 2, "NVTOOL", "BENCH", 0x00000001)', '{', '    Scope (\\_SB)', '    {'];
  for (let i = 0; i < devices; i++) {
    const buf = Array.from({ length: 24 }, (_, k) => '0x' + ((k * 7 + i) & 0xff).toString(16).padStart(2, '0')).join(', ');
    out.push(
      `        Device (${devName(i)})`,
      '        {',
      `            Name (_ADR, 0x${i.toString(16)})`,
      `            Name (BUF0, Buffer (0x18) { ${buf} })`,
      `            Name (PKG0, Package (0x03) { 0x${i.toString(16)}, "dev${i}", Package (0x02) { One, 0x${(0x10000 + i).toString(16)} } })`,
      `            OperationRegion (REG0, SystemMemory, 0x${(0xfed00000 + i * 0x100).toString(16)}, 0x0100)`,
      '            Field (REG0, DWordAcc, NoLock, Preserve) { STAT, 32, , 32, CTRL, 32 }',
      '            Method (_STA, 0, NotSerialized) { If (LEqual (STAT, Zero)) { Return (Zero) } Return (0x0F) }',
      '            Method (MTH1, 2, Serialized)',
      '            {',
      `                Store (MTH2 (Arg0, Arg1, 0x${i.toString(16)}), Local0)`,
      '                Store (Zero, Local1)',
      '                While (LLess (Local1, 0x08)) { Add (Local0, DerefOf (Index (BUF0, Local1)), Local0) Increment (Local1) }',
      '                Store (Local0, CTRL)',
      '                Return (Local0)',
      '            }',
      '            Method (MTH2, 3, NotSerialized) { Return (Add (Multiply (Arg0, Arg1), Arg2)) }',
      '        }',
    );
  }
  out.push('    }', '}', '');
  return out.join('\n');
}

export const SIZES = [520, 1040, 2080, 4160, 8320] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function need(tool: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} not found: apt-get install ${pkg}`);
}

interface Timed {
  /** Wall time. */
  ms: number;
  /** CPU time, user + system, all threads. */
  cpuMs: number;
  /** Peak RSS. */
  kib: number;
}

/**
 * One whole process: wall and CPU time from bash's `time` (getrusage of the child, to the
 * millisecond; GNU time's own figures are in 10 ms steps, too coarse for a 60 ms start-up), peak
 * RSS from GNU time. Output goes to /dev/null.
 */
export function timed(cmd: string, args: string[], cwd: string): Timed {
  const rss = join(cwd, '.bench-rss');
  const script = 'TIMEFORMAT="%3R %3U %3S"; { time /usr/bin/time -o "$0" -f %M "$@" >/dev/null 2>&1; } 2>&1';
  const r = spawnSync('bash', ['-c', script, rss, cmd, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const kibText = existsSync(rss) ? readFileSync(rss, 'utf8').trim() : '';
  if (r.status !== 0 || !/^\d+$/.test(kibText)) throw new Error(`${cmd} ${args.join(' ')} failed (${kibText || r.stderr}): run it by hand to see why`);
  const [wall, user, sys] = r.stdout.trim().split(/\s+/).map(Number) as [number, number, number];
  return { ms: wall * 1000, cpuMs: (user + sys) * 1000, kib: Number(kibText) };
}

export interface ProcessLine {
  devices: number;
  bytes: number;
  iaslMs: number;
  nvtoolMs: number;
  nodeMs: number;
  /** Median of the per-round nvtool / iasl wall-time ratios. */
  ratio: number;
  iaslCpuMs: number;
  nvtoolCpuMs: number;
  nodeCpuMs: number;
  /** Median of the per-round nvtool / iasl CPU-time ratios. */
  cpuRatio: number;
  iaslKib: number;
  nvtoolKib: number;
  nodeKib: number;
}

/** Compiles each size with iasl, then runs the three commands interleaved `rounds` times. */
export function processes(rounds: number, sizes: readonly number[] = SIZES): { lines: ProcessLine[]; tables: Map<number, Uint8Array> } {
  need('iasl', 'acpica-tools');
  need('/usr/bin/time', 'time');
  need('bash', 'bash');
  const bin = fileURLToPath(new URL('../bin/nvtool.cjs', import.meta.url));
  if (!existsSync(fileURLToPath(new URL('../dist/cli-bundle/nvtool.cjs', import.meta.url)))) throw new Error('dist/cli-bundle missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-aml-bench-'));
  const tables = new Map<number, Uint8Array>();
  try {
    const lines: ProcessLine[] = [];
    for (const n of sizes) {
      const asl = join(dir, `ssdt${n}.asl`);
      writeFileSync(asl, largeAsl(n));
      const c = spawnSync('iasl', ['-p', join(dir, `ssdt${n}`), asl], { encoding: 'utf8' });
      const aml = join(dir, `ssdt${n}.aml`);
      if (c.status !== 0 || !existsSync(aml)) throw new Error(`iasl could not compile the ${n}-device table: ${(c.stdout + c.stderr).slice(0, 2000)}`);
      const bytes = new Uint8Array(readFileSync(aml));
      tables.set(n, bytes);
      const iasl: Timed[] = [], nv: Timed[] = [], node: Timed[] = [];
      const ratios: number[] = [], cpuRatios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // Alternate who goes first so a load change between them favours neither.
        const a = () => timed('iasl', ['-d', aml], dir);
        const b = () => timed(process.execPath, [bin, 'disasm', aml, '-o', join(dir, 'out.dsl'), '--force'], dir);
        let x, y;
        if (r % 2) { y = b(); x = a(); } else { x = a(); y = b(); }
        iasl.push(x);
        nv.push(y);
        ratios.push(y.ms / x.ms);
        cpuRatios.push(y.cpuMs / x.cpuMs);
        node.push(timed(process.execPath, ['-e', '0'], dir));
      }
      lines.push({
        devices: n,
        bytes: bytes.length,
        iaslMs: median(iasl.map((t) => t.ms)),
        nvtoolMs: median(nv.map((t) => t.ms)),
        nodeMs: median(node.map((t) => t.ms)),
        ratio: median(ratios),
        iaslCpuMs: median(iasl.map((t) => t.cpuMs)),
        nvtoolCpuMs: median(nv.map((t) => t.cpuMs)),
        nodeCpuMs: median(node.map((t) => t.cpuMs)),
        cpuRatio: median(cpuRatios),
        iaslKib: median(iasl.map((t) => t.kib)),
        nvtoolKib: median(nv.map((t) => t.kib)),
        nodeKib: median(node.map((t) => t.kib)),
      });
    }
    return { lines, tables };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Heap (JS heap + typed-array stores) the decoded model keeps, per input byte, after full GCs. */
export function modelBytesPerInputByte(table: Uint8Array): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const d = decodeAmlTable(table);
  const after = used();
  if (d.passes < 1) throw new Error('unreachable');
  return (after - before) / table.length;
}

/** The script a fresh process runs: the first decode and disassembly of a table, timed. */
const COLD = `
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
for (const f of ['--no-turbo-inlining', '--interrupt-budget=20000']) setFlagsFromString(f); // as bin/nvtool.cjs does for disasm

const [dist, file] = process.argv.slice(1);
const { decodeAmlTable } = await import(dist + '/aml/table.js');
const { disassembleTable } = await import(dist + '/aml/disasm.js');
const main = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
const all = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const bytes = new Uint8Array(readFileSync(file));
const m0 = main(), a0 = all();
const d = decodeAmlTable(bytes);
const m1 = main(), a1 = all();
disassembleTable(d, { unresolved: d.unresolved.keys() });
const m2 = main(), a2 = all();
console.log(JSON.stringify([m1 - m0, a1 - a0, m2 - m1, a2 - a1]));
`;

/** Medians over `rounds` fresh processes: [decode main-thread ms, decode all-threads ms, disasm main, disasm all]. */
export function cold(table: Uint8Array, rounds: number): [number, number, number, number] {
  const dist = fileURLToPath(new URL('../dist', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-aml-cold-'));
  try {
    const file = join(dir, 'table.aml');
    writeFileSync(file, table);
    const runs: number[][] = [];
    for (let r = 0; r < rounds; r++) {
      const c = spawnSync(process.execPath, ['--input-type=module', '-e', COLD, dist, file], { encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`cold run failed: ${c.stderr}`);
      runs.push(JSON.parse(c.stdout) as number[]);
    }
    const m = (i: number) => median(runs.map((x) => x[i]!));
    return [m(0), m(1), m(2), m(3)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function run(rounds = 7): string {
  const { lines, tables } = processes(rounds);
  const mid = tables.get(2080)!;
  const d = decodeAmlTable(mid);
  if (!Buffer.from(encodeAmlTable(d.table)).equals(Buffer.from(mid))) throw new Error('nvtool re-encode differs');
  const dec = measure('decode (2 passes: forward calls)', () => decodeAmlTable(mid), { bytes: mid.length, minMs: 500, rounds: 5 });
  const dis = measure('decode + disassemble', () => disassembleTable(decodeAmlTable(mid)), { bytes: mid.length, minMs: 500, rounds: 5 });
  const decCpu = measure('decode, CPU time', () => decodeAmlTable(mid), { bytes: mid.length, minMs: 500, rounds: 5, clock: 'cpu' }).bytesPerSec!;
  const disCpu = measure('decode + disassemble, CPU time', () => disassembleTable(decodeAmlTable(mid)), { bytes: mid.length, minMs: 500, rounds: 5, clock: 'cpu' }).bytesPerSec!;
  const perByte = modelBytesPerInputByte(mid);
  const [decMain, decAll, disMain, disAll] = cold(mid, rounds);
  const f = (x: number, w = 6) => x.toFixed(0).padStart(w);
  const x = (r: number) => `${r.toFixed(2).padStart(5)}x`;
  let s = `whole processes, median of ${rounds} interleaved rounds (ratio: median of the per-round nvtool/iasl ratios):\n`;
  s += '  devices    bytes | wall ms: iasl -d  nvtool  node -e 0  ratio | CPU ms: iasl -d  nvtool  node -e 0  ratio | peak RSS MiB: iasl  nvtool  node -e 0 (+nvtool over node)\n';
  for (const l of lines) {
    s += `  ${f(l.devices, 7)} ${f(l.bytes, 8)} |${f(l.iaslMs, 16)} ${f(l.nvtoolMs, 7)} ${f(l.nodeMs, 10)} ${x(l.ratio)} |`;
    s += `${f(l.iaslCpuMs, 15)} ${f(l.nvtoolCpuMs, 7)} ${f(l.nodeCpuMs, 10)} ${x(l.cpuRatio)} |`;
    s += `${(l.iaslKib / 1024).toFixed(0).padStart(18)} ${(l.nvtoolKib / 1024).toFixed(0).padStart(7)} ${(l.nodeKib / 1024).toFixed(0).padStart(10)} (+${((l.nvtoolKib - l.nodeKib) / 1024).toFixed(0)})\n`;
  }
  s += `cold, the first run in a fresh process (median of ${rounds}; V8 flags as nvtool disasm sets them), the ${mid.length}-byte table, CPU ms main thread / all threads:\n`;
  s += `  decode ${decMain.toFixed(0)} / ${decAll.toFixed(0)}, disassemble ${disMain.toFixed(0)} / ${disAll.toFixed(0)}\n`;
  s += `in process, warmed up, the ${mid.length}-byte table (${d.passes} passes, ${d.code.count} nodes):\n`;
  s += `  decode                 ${(dec.bytesPerSec! / 1e6).toFixed(1).padStart(7)} MB/s of wall time, ${(decCpu / 1e6).toFixed(1).padStart(7)} MB/s of CPU time\n`;
  s += `  decode + disassemble   ${(dis.bytesPerSec! / 1e6).toFixed(1).padStart(7)} MB/s of wall time, ${(disCpu / 1e6).toFixed(1).padStart(7)} MB/s of CPU time\n`;
  s += `  decoded model          ${perByte === undefined ? 'n/a (run node with --expose-gc)' : perByte.toFixed(1) + ' bytes of heap per input byte'}\n`;
  return s;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(run(Number(process.argv[2] ?? 7)));

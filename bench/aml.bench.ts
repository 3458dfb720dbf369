/**
 * AML: nvtool's decoder and disassembler against ACPICA's `iasl -d` on the same SSDTs.
 *
 * The tables are written as ASL and compiled by iasl when the bench runs (`largeAsl`): N devices,
 * each with an address, a buffer, a package, an operation region with a field, and 3 methods (one
 * calling a method defined after it, so decoding needs its second pass). Sizes run from about
 * 100 KB (520 devices) to 1.6 MB (8320).
 *
 * Whole processes: for each size, `iasl -d`, `nvtool disasm` and `node -e 0` run interleaved in
 * rounds (same load for each, the machine is shared), and each line is the median wall time, its
 * ratio to iasl's (the median of the per-round ratios) and the peak RSS (`/usr/bin/time -f %M`).
 * In process: decode MB/s, decode + disassemble MB/s, and the heap the decoded model keeps per
 * input byte (after a full GC). Run: `npx tsx bench/aml.bench.ts [rounds]` after `npm run build`
 * (nvtool runs from dist/, as installed).
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

/** One run under GNU time: wall ms and peak RSS KiB. */
function timed(cmd: string, args: string[], cwd: string): { ms: number; kib: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  return { ms, kib: Number(lines[lines.length - 1]) };
}

export interface ProcessLine {
  devices: number;
  bytes: number;
  iaslMs: number;
  nvtoolMs: number;
  nodeMs: number;
  /** Median of the per-round nvtool / iasl wall-time ratios. */
  ratio: number;
  iaslKib: number;
  nvtoolKib: number;
  nodeKib: number;
}

/** Compiles each size with iasl, then runs the three commands interleaved `rounds` times. */
export function processes(rounds: number, sizes: readonly number[] = SIZES): { lines: ProcessLine[]; tables: Map<number, Uint8Array> } {
  need('iasl', 'acpica-tools');
  need('/usr/bin/time', 'time');
  const bin = fileURLToPath(new URL('../bin/nvtool.js', import.meta.url));
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('dist/ missing: run `npm run build` first');
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
      const iasl: { ms: number; kib: number }[] = [], nv: typeof iasl = [], node: typeof iasl = [];
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // Alternate who goes first so a load change between them favours neither.
        const a = () => timed('iasl', ['-d', aml], dir);
        const b = () => timed(process.execPath, [bin, 'disasm', aml, '-o', join(dir, 'out.dsl'), '--force'], dir);
        let x, y;
        if (r % 2) { y = b(); x = a(); } else { x = a(); y = b(); }
        iasl.push(x);
        nv.push(y);
        ratios.push(y.ms / x.ms);
        node.push(timed(process.execPath, ['-e', '0'], dir));
      }
      lines.push({
        devices: n,
        bytes: bytes.length,
        iaslMs: median(iasl.map((t) => t.ms)),
        nvtoolMs: median(nv.map((t) => t.ms)),
        nodeMs: median(node.map((t) => t.ms)),
        ratio: median(ratios),
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

export function run(rounds = 7): string {
  const { lines, tables } = processes(rounds);
  const mid = tables.get(2080)!;
  const d = decodeAmlTable(mid);
  if (!Buffer.from(encodeAmlTable(d.table)).equals(Buffer.from(mid))) throw new Error('nvtool re-encode differs');
  const dec = measure('decode (2 passes: forward calls)', () => decodeAmlTable(mid), { bytes: mid.length, minMs: 500, rounds: 5 });
  const dis = measure('decode + disassemble', () => disassembleTable(decodeAmlTable(mid)), { bytes: mid.length, minMs: 500, rounds: 5 });
  const perByte = modelBytesPerInputByte(mid);
  const f = (x: number, w = 6) => x.toFixed(0).padStart(w);
  let s = `whole processes, median of ${rounds} interleaved rounds (ratio: median of per-round nvtool/iasl wall time):\n`;
  s += '  devices    bytes   iasl -d ms  nvtool disasm ms  node -e 0 ms  ratio  | peak RSS MiB: iasl  nvtool  node -e 0 (+nvtool over node)\n';
  for (const l of lines) {
    s += `  ${f(l.devices, 7)} ${f(l.bytes, 8)} ${f(l.iaslMs, 12)} ${f(l.nvtoolMs, 17)} ${f(l.nodeMs, 13)}  ${l.ratio.toFixed(2).padStart(5)}x |`;
    s += `${(l.iaslKib / 1024).toFixed(0).padStart(18)} ${(l.nvtoolKib / 1024).toFixed(0).padStart(7)} ${(l.nodeKib / 1024).toFixed(0).padStart(10)} (+${((l.nvtoolKib - l.nodeKib) / 1024).toFixed(0)})\n`;
  }
  s += `in process, the ${mid.length}-byte table (${d.passes} passes, ${d.code.count} nodes):\n`;
  s += `  decode                 ${(dec.bytesPerSec! / 1e6).toFixed(1).padStart(7)} MB/s\n`;
  s += `  decode + disassemble   ${(dis.bytesPerSec! / 1e6).toFixed(1).padStart(7)} MB/s\n`;
  s += `  decoded model          ${perByte === undefined ? 'n/a (run node with --expose-gc)' : perByte.toFixed(1) + ' bytes of heap per input byte'}\n`;
  return s;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(run(Number(process.argv[2] ?? 7)));

/**
 * AML disassembly throughput on a large table built with the builder (thousands of devices and
 * methods, with calls, fields, buffers and packages): nvtool in process (decode, decode +
 * disassemble, encode), and whole processes `nvtool disasm` vs `iasl -d` on the same file.
 * `npx tsx bench/aml.bench.ts`, or through `npm run bench`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aml, AccessType, LockRule, RegionSpace, UpdateRule } from '../src/aml/builder.js';
import { disassembleTable } from '../src/aml/disasm.js';
import { amlHeader, decodeAmlTable, encodeAmlTable } from '../src/aml/table.js';
import type { Term } from '../src/aml/model.js';
import { measure, report } from './harness.js';

/** `devices` devices, each with 3 methods (one calling a method defined after it), a field, data. */
export function largeTable(devices: number): Uint8Array {
  const L = aml.local;
  const devs: Term[] = [];
  for (let i = 0; i < devices; i++) {
    const n = 'D' + i.toString(16).toUpperCase().padStart(3, '0');
    devs.push(
      aml.device(n, [
        aml.name('_ADR', aml.int(i)),
        aml.name('BUF0', aml.buffer(Uint8Array.from({ length: 24 }, (_, k) => (k * 7 + i) & 0xff))),
        aml.name('PKG0', aml.package([aml.int(i), aml.str(`dev${i}`), aml.package([aml.int(1), aml.int(0x10000 + i)])])),
        aml.operationRegion('REG0', RegionSpace.SystemMemory, aml.int(0xfed00000 + i * 0x100), aml.int(0x100)),
        aml.field('REG0', AccessType.DWord, LockRule.NoLock, UpdateRule.Preserve, [aml.namedField('STAT', 32), aml.reservedField(32), aml.namedField('CTRL', 32)]),
        aml.method('_STA', 0, false, [aml.if_(aml.lequal('STAT', aml.int(0)), [aml.return_(aml.int(0))]), aml.return_(aml.int(0x0f))]),
        aml.method('MTH1', 2, true, [
          aml.store(aml.call('MTH2', [aml.arg(0), aml.arg(1), aml.int(i)]), L(0)),
          aml.while_(aml.lless(L(1), aml.int(8)), [aml.add(L(0), aml.derefOf(aml.index('BUF0', L(1))), L(0)), aml.increment(L(1))]),
          aml.store(L(0), 'CTRL'),
          aml.return_(L(0)),
        ]),
        aml.method('MTH2', 3, false, [aml.return_(aml.add(aml.multiply(aml.arg(0), aml.arg(1)), aml.arg(2)))]),
      ]),
    );
  }
  return encodeAmlTable({ header: amlHeader('SSDT', 'BENCH'), terms: [aml.scope('\\_SB', devs)] });
}

function processes(table: Uint8Array): string {
  if (spawnSync('sh', ['-c', 'command -v iasl']).status !== 0) return 'processes: iasl not installed (apt-get install acpica-tools)\n';
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-aml-bench-'));
  try {
    const file = join(dir, 'big.aml');
    writeFileSync(file, table);
    const dist = fileURLToPath(new URL('../dist/cli/commands/disasm.js', import.meta.url));
    const nvArgs = existsSync(dist)
      ? [fileURLToPath(new URL('../bin/nvtool.js', import.meta.url))]
      : ['--import', 'tsx', '--input-type=module', '-e', `import {main} from ${JSON.stringify(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)))}; process.exitCode = await main(process.argv.slice(1))`];
    const time = (cmd: string, args: string[]) => {
      const ts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        execFileSync(cmd, args, { cwd: dir, stdio: 'ignore' });
        ts.push(performance.now() - t0);
      }
      return ts.sort((a, b) => a - b)[2]!;
    };
    const iasl = time('iasl', ['-d', file]);
    const iaslLegacy = time('iasl', ['-dl', file]);
    const nv = time(process.execPath, [...nvArgs, 'disasm', file, '-o', join(dir, 'out.dsl'), '--force']);
    const nvJson = time(process.execPath, [...nvArgs, 'disasm', '--json', file, '-o', join(dir, 'out.json'), '--force']);
    return (
      `whole processes on the same ${table.length}-byte SSDT (median of 5, baseline iasl -d; nvtool from ${existsSync(dist) ? 'dist' : 'tsx'}):\n` +
      `  iasl -d                  ${iasl.toFixed(0).padStart(6)} ms  ×1.00\n` +
      `  iasl -dl (legacy ASL)    ${iaslLegacy.toFixed(0).padStart(6)} ms  ×${(iasl / iaslLegacy).toFixed(2)} speed of iasl -d\n` +
      `  nvtool disasm            ${nv.toFixed(0).padStart(6)} ms  ×${(iasl / nv).toFixed(2)} speed of iasl -d\n` +
      `  nvtool disasm --json     ${nvJson.toFixed(0).padStart(6)} ms  ×${(iasl / nvJson).toFixed(2)} speed of iasl -d\n`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function run(): string {
  const table = largeTable(3000);
  const d = decodeAmlTable(table);
  if (!Buffer.from(encodeAmlTable(d.table)).equals(Buffer.from(table))) throw new Error('nvtool re-encode differs');
  const dec = measure('decode (2 passes: forward calls)', () => decodeAmlTable(table), { bytes: table.length, minMs: 500, rounds: 3 });
  const dis = measure('decode + disassemble', () => disassembleTable(decodeAmlTable(table).table), { bytes: table.length, minMs: 500, rounds: 3 });
  const enc = measure('encode (PkgLengths computed)', () => encodeAmlTable(d.table), { bytes: table.length, minMs: 500, rounds: 3 });
  return `${table.length}-byte SSDT, 3000 devices, 9000 methods, decoded in ${d.passes} passes\n` + report('in process', dis, [dec, enc]) + processes(table);
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(run());

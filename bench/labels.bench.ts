/**
 * Label-area engine benchmarks: decode+validate of full areas, create/delete cycles, and the
 * update protocol's bytes written per operation against the minimum (one label + one index block).
 * Run: npx tsx bench/labels.bench.ts
 */
import { pathToFileURL } from 'node:url';
import {
  applyWrite, collectWrites, createNamespace, deleteNamespace, initArea, namespacesOf, readLabelArea, FUZZ_SET,
  type MediaWrite,
} from '../src/labels/index.js';

const MiB = 1n << 20n;

function fill(size: number, version: '1.1' | '1.2'): Uint8Array {
  const area = new Uint8Array(size);
  for (const w of collectWrites(initArea(area, { version, variant: 'linux' })).writes) applyWrite(area, w);
  // Fill every slot but two with live 4 KiB namespaces (the worst case for the reader).
  const view = readLabelArea(area);
  const nslot = view.checks[view.current!]!.value.nslot;
  for (let i = 0; i < Math.min(nslot - 2, 400); i++) {
    const { writes } = collectWrites(createNamespace(area, { size: 4096n, dpaStart: 0n, dpaSize: 1n << 40n, align: 4096n, set: FUZZ_SET }));
    for (const w of writes) applyWrite(area, w);
  }
  return area;
}

function opsPerSec(fn: () => void, minMs = 300): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - t0);
}

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

export function measureLabels(): BenchResult[] {
  const out: BenchResult[] = [];
  for (const [label, size] of [['128 KiB', 128 * 1024], ['1 MiB', 1024 * 1024]] as const) {
    const area = fill(size, '1.2');
    const live = readLabelArea(area).live.length;
    out.push({ name: `decode+validate ${label} area (v1.2, ${live} live labels)`, value: opsPerSec(() => namespacesOf(readLabelArea(area), FUZZ_SET)), unit: 'ops/s' });
  }
  const area = new Uint8Array(128 * 1024);
  for (const w of collectWrites(initArea(area, { version: '1.2', variant: 'linux' })).writes) applyWrite(area, w);
  let created: MediaWrite[] = [];
  let deleted: MediaWrite[] = [];
  out.push({
    name: 'create+delete cycle (128 KiB v1.2 area)',
    value: opsPerSec(() => {
      const c = collectWrites(createNamespace(area, { size: 16n * MiB, dpaStart: 0n, dpaSize: 256n * MiB, align: 16n * MiB, set: FUZZ_SET }));
      for (const w of c.writes) applyWrite(area, w);
      const d = collectWrites(deleteNamespace(area, c.result.uuid));
      for (const w of d.writes) applyWrite(area, w);
      created = c.writes;
      deleted = d.writes;
    }),
    unit: 'cycles/s',
  });
  const minimum = 256 + 256; // one 256-byte label + one 256-byte index block
  const bytes = (ws: MediaWrite[]) => ws.reduce((n, w) => n + w.bytes.length, 0);
  out.push({ name: 'create: bytes written (Linux two-pass protocol)', value: bytes(created), unit: `bytes (minimum ${minimum}: ${(bytes(created) / minimum).toFixed(1)}x)` });
  out.push({ name: 'delete: bytes written (one index block)', value: bytes(deleted), unit: `bytes (minimum ${minimum}: ${(bytes(deleted) / minimum).toFixed(1)}x)` });
  return out;
}

/** The report `npm run bench` prints (bench/run.ts). */
export function run(): string {
  return measureLabels().map((r) => `${r.name}: ${r.value.toFixed(r.value < 100 ? 1 : 0)} ${r.unit}\n`).join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run());

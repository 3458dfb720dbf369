/**
 * nvtool inspect on 1 GiB, 64 GiB and 1 TiB sparse images with the same layers (labels, fsdax
 * namespace, GPT, Xen placement a super block, 64 MiB ext4): time and bytes read must not grow
 * with the image size. Ratios are against the 1 GiB image of the same run.
 * Run: npx tsx bench/inspect.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspectFile } from '../src/inspect/index.js';
import { buildImage } from '../test/inspect/build.js';

const GiB = 2 ** 30;

export function run(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-bench-'));
  const rows: { name: string; ms: number; bytes: number; reads: number }[] = [];
  try {
    for (const [name, size] of [['1 GiB', GiB], ['64 GiB', 64 * GiB], ['1 TiB', 1024 * GiB]] as const) {
      const path = join(dir, 'image.img');
      buildImage(path, size, { frameTable: false, partSize: 64 * 1024 * 1024 });
      inspectFile(path); // warm up (module JIT, page cache)
      const times: number[] = [];
      let last = inspectFile(path);
      for (let i = 0; i < 15; i++) {
        last = inspectFile(path);
        times.push(last.ms);
      }
      times.sort((a, b) => a - b);
      rows.push({ name, ms: times[Math.floor(times.length / 2)]!, bytes: last.stats.bytesRead, reads: last.stats.reads });
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = rows[0]!;
  return rows
    .map((r) => `inspect ${r.name.padEnd(6)}: ${r.ms.toFixed(2)} ms (median of 15), ${r.bytes} bytes in ${r.reads} reads; vs 1 GiB: time ×${(r.ms / base.ms).toFixed(2)}, bytes ×${(r.bytes / base.bytes).toFixed(2)}\n`)
    .join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run());

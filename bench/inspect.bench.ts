/**
 * nvtool inspect on 1 GiB, 64 GiB and 1 TiB sparse images with the same layers (labels, fsdax
 * namespace, GPT, Xen placement a super block, 64 MiB ext4): time and bytes read must not grow
 * with the image size. Ratios are against the 1 GiB image of the same run. The same for a
 * label-less sector-mode namespace (BTT, 512-byte sectors) holding a GPT and ext4 written through
 * the BTT: inspect reads them through the map (1 TiB: two arenas, the backup GPT in the second).
 * Run: npx tsx bench/inspect.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspectFile } from '../src/inspect/index.js';
import { ofKind } from '../test/inspect/helpers.js';
import { buildImage, buildSectorImage } from '../test/inspect/build.js';

const GiB = 2 ** 30;

export function run(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-bench-'));
  const rows: { name: string; ms: number; bytes: number; reads: number }[] = [];
  try {
    for (const [name, size, kind] of [['1 GiB', GiB, 'fsdax'], ['64 GiB', 64 * GiB, 'fsdax'], ['1 TiB', 1024 * GiB, 'fsdax'], ['1 GiB', GiB, 'sector'], ['64 GiB', 64 * GiB, 'sector'], ['1 TiB', 1024 * GiB, 'sector']] as const) {
      const path = join(dir, 'image.img');
      if (kind === 'fsdax') buildImage(path, size, { frameTable: false, partSize: 64 * 1024 * 1024 });
      else buildSectorImage(path, size, { partSize: 64 * 1024 * 1024, fsLabel: 'bench' }, dir).store.close();
      inspectFile(path); // warm up (module JIT, page cache)
      const times: number[] = [];
      let last = inspectFile(path);
      for (let i = 0; i < 15; i++) {
        last = inspectFile(path);
        times.push(last.ms);
      }
      times.sort((a, b) => a - b);
      const found = ofKind(last.report.layers, 'filesystem').length + ofKind(last.report.layers, 'gpt').length;
      if (found !== 3) throw new Error(`${kind} ${name}: expected 2 GPT copies and a file system, found ${found} layers`);
      rows.push({ name: `${kind} ${name}`, ms: times[Math.floor(times.length / 2)]!, bytes: last.stats.bytesRead, reads: last.stats.reads });
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows
    .map((r, i) => {
      const base = rows[i < 3 ? 0 : 3]!;
      return `inspect ${r.name.padEnd(13)}: ${r.ms.toFixed(2)} ms (median of 15), ${r.bytes} bytes in ${r.reads} reads; vs 1 GiB: time ×${(r.ms / base.ms).toFixed(2)}, bytes ×${(r.bytes / base.bytes).toFixed(2)}\n`;
    })
    .join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run());

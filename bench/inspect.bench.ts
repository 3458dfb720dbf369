/**
 * nvtool inspect on 1 GiB, 64 GiB and 1 TiB sparse images with the same layers (labels, fsdax
 * namespace, GPT, Xen placement a super block, 64 MiB ext4): time and bytes read must not grow
 * with the image size. Ratios are against the 1 GiB image of the same run. The same for a
 * label-less sector-mode namespace (BTT, 512-byte sectors) holding a GPT and ext4 written through
 * the BTT: inspect reads them through the map (1 TiB: two arenas, the backup GPT in the second).
 * Target: a sector namespace of 1 TiB within 1.2x the time of 1 GiB.
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * All six images are built first, then inspected in 61 rounds, every image once per round in a
 * rotating order (the machine is shared: each round's runs meet the same load). Times are medians;
 * a ratio is the median of the per-round ratios to the 1 GiB image of the same kind.
 */
export function run(rounds = 61): string {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-bench-'));
  const images = [['1 GiB', GiB, 'fsdax'], ['64 GiB', 64 * GiB, 'fsdax'], ['1 TiB', 1024 * GiB, 'fsdax'], ['1 GiB', GiB, 'sector'], ['64 GiB', 64 * GiB, 'sector'], ['1 TiB', 1024 * GiB, 'sector']] as const;
  try {
    const paths = images.map(([name, size, kind], i) => {
      const path = join(dir, `image${i}.img`);
      if (kind === 'fsdax') buildImage(path, size, { frameTable: false, partSize: 64 * 1024 * 1024 });
      else buildSectorImage(path, size, { partSize: 64 * 1024 * 1024, fsLabel: 'bench' }, dir).store.close();
      const r = inspectFile(path); // warm up (module JIT, page cache)
      const found = ofKind(r.report.layers, 'filesystem').length + ofKind(r.report.layers, 'gpt').length;
      if (found !== 3) throw new Error(`${kind} ${name}: expected 2 GPT copies and a file system, found ${found} layers`);
      return path;
    });
    const times: number[][] = images.map(() => []);
    const stats = images.map(() => ({ bytes: 0, reads: 0 }));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < images.length; k++) {
        const i = (k + r) % images.length;
        const res = inspectFile(paths[i]!);
        times[i]!.push(res.ms);
        stats[i] = { bytes: res.stats.bytesRead, reads: res.stats.reads };
      }
    }
    return images
      .map(([name, , kind], i) => {
        const base = i < 3 ? 0 : 3;
        const ratio = median(times[i]!.map((t, r) => t / times[base]![r]!));
        return `inspect ${`${kind} ${name}`.padEnd(13)}: ${median(times[i]!).toFixed(2)} ms (median of ${rounds}), ${stats[i]!.bytes} bytes in ${stats[i]!.reads} reads; vs 1 GiB: time ×${ratio.toFixed(2)}, bytes ×${(stats[i]!.bytes / stats[base]!.bytes).toFixed(2)}\n`;
      })
      .join('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(run());

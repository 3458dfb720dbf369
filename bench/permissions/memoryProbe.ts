/**
 * Run in a child `node --expose-gc --import tsx` by permissions.bench.ts: builds one design's state
 * for each workload it is given and prints, per workload, the bytes the JavaScript heap and array
 * buffers grew by (after full collections) beside the design's formula. Typed arrays live outside
 * the V8 heap, so `arrayBuffers` is counted with `heapUsed`.
 * Argument: JSON { design, domains, hostPages, budgetMs, shapes: FileShape[] }.
 */
import { CAPPED_RANGES, DEFAULT_CHUNK_PAGES, HybridStore, Rangeset, RANGE_STRUCT_SIZE, RANGESET_STRUCT_SIZE, type DesignName } from '../../src/sim/permissions/index.js';
import type { FileShape } from './ext4Extents.js';
import { adversarial, contiguous, fileWorkload, populate, type Populated } from './workloads.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memoryProbe needs node --expose-gc');

function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const arg = JSON.parse(process.argv[2]!) as { design: DesignName; domains: number; hostPages: number; budgetMs: number; shapes: FileShape[]; scale?: boolean };

/**
 * States too large to build grant by grant in a bench (a rangeset's adds are O(n) each): loaded in
 * bulk, so the bytes per range or per sub-bitmap are measured where GC noise is small beside them.
 */
if (arg.scale) {
  const n = 1 << 20;
  const lines: Record<string, unknown>[] = [];
  let before = used();
  let keep: unknown = Rangeset.fromRanges('scale', Array.from({ length: n }, (_, i) => ({ first: 2 * i, last: 2 * i })));
  lines.push({ what: `rangeset: 1 domain, ${n} ranges`, measuredBytes: used() - before, jsBytes: n * 16, xenBytes: RANGESET_STRUCT_SIZE + n * RANGE_STRUCT_SIZE });
  keep = undefined;
  before = used();
  keep = Array.from({ length: 1000 }, (_, d) => Rangeset.fromRanges(`d${d}`, Array.from({ length: CAPPED_RANGES }, (_, i) => ({ first: 2 * i, last: 2 * i }))));
  lines.push({ what: `capped: 1000 domains at the ${CAPPED_RANGES}-range cap`, measuredBytes: used() - before, jsBytes: 1000 * CAPPED_RANGES * 16, xenBytes: 1000 * (RANGESET_STRUCT_SIZE + CAPPED_RANGES * RANGE_STRUCT_SIZE) });
  keep = undefined;
  before = used();
  const h = new HybridStore(DEFAULT_CHUNK_PAGES);
  for (let p = 0; p < 1 << 22; p += 32) h.grant(1, p, p + 15); // 16 of every 32 pages over 16 GiB: every chunk a sub-bitmap
  keep = h;
  lines.push({ what: `hybrid: 1 domain, 16 of every 32 pages over 16 GiB (${h.shape().nodes} nodes)`, measuredBytes: used() - before, jsBytes: h.memory().xenBytes, xenBytes: h.memory().xenBytes });
  void keep;
  for (const l of lines) process.stdout.write(JSON.stringify(l) + '\n');
  process.exit(0);
}
const workloads = [contiguous, ...arg.shapes.map(fileWorkload), adversarial];
populate(arg.design, workloads[workloads.length - 1]!, arg.domains, arg.hostPages, arg.budgetMs / 4); // warm-up: code and allocator caches, then dropped
for (const w of workloads) {
  const before = used();
  let p: Populated | undefined = populate(arg.design, w, arg.domains, arg.hostPages, arg.budgetMs);
  const after = used();
  const shape = p.table.store.domains().reduce((n, d) => n + p!.table.ranges(d).length, 0);
  const line = {
    workload: w.name,
    measuredBytes: after - before,
    xenBytes: p.table.store.memory().xenBytes,
    where: p.table.store.memory().where,
    ranges: shape,
    domains: p.table.store.domains().length,
    grants: p.grants,
    complete: p.complete,
  };
  p = undefined;
  process.stdout.write(JSON.stringify(line) + '\n');
}

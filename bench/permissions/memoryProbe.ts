/**
 * Run in a child `node --expose-gc --import tsx` by permissions.bench.ts: builds one design's state
 * for each workload it is given and prints, per workload, the bytes the JavaScript heap and array
 * buffers grew by (after full collections) beside the design's formula. Typed arrays live outside
 * the V8 heap, so `arrayBuffers` is counted with `heapUsed`.
 * Argument: JSON { design, domains, hostPages, budgetMs, shapes: FileShape[] }.
 */
import type { DesignName } from '../../src/sim/permissions/index.js';
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

const arg = JSON.parse(process.argv[2]!) as { design: DesignName; domains: number; hostPages: number; budgetMs: number; shapes: FileShape[] };
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

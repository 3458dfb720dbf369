/**
 * The one path every nvtool command writes through (specs/writes.md):
 *  1. nothing is written unless the command line parsed clean (usage errors end before `run`);
 *  2. every file written is locked (lock.ts) before the command reads it;
 *  3. the command runs against overlays and its writes are recorded (plan.ts);
 *  4. inspect's detectors decide what the plan would overwrite: a partition table, file system,
 *     label area, info block, Xen super block or reserved area, ACPI table, unless it is a
 *     structure the command updates under its own protocol, is refused without --force; a whole
 *     file is replaced only with --force;
 *  5. --dry-run stops here and lists each write (file, offset, length, what);
 *  6. otherwise the plan is committed in the command's order, each flush an fsync, new whole files
 *     atomically (temporary file, fsync, rename, fsync of the directory).
 */
import { NvError } from '../../core/errors.js';
import type { BlockIO } from '../../core/blockio.js';
import { inspectReader, type Layer } from '../../inspect/index.js';
import { CountingReader } from '../../inspect/reader.js';
import { flattenLayers, withWritesUsing, type WriteGate, type WriteOptions, type WriteOutcome } from './session.js';

export * from './session.js';

function layersOf(io: BlockIO, name: string): Layer[] {
  try {
    return flattenLayers(inspectReader(CountingReader.fromBlockIO(io, name)).report.layers);
  } catch (e) {
    if (e instanceof NvError) return [];
    throw e;
  }
}

/**
 * Run `body` through the gate: plan, check, then (unless --dry-run) commit. `body` must write only
 * through the gate and print nothing: it may run twice (a plan too large to hold is run again,
 * confined to the checked ranges), and its result is what the caller prints.
 */
export function withWrites<T>(o: WriteOptions, body: (g: WriteGate) => T): WriteOutcome<T> {
  return withWritesUsing(layersOf, o, body);
}

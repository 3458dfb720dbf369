import fc from 'fast-check';
import type { FuzzTarget } from '../core/fuzz.js';
import { readLabelArea, namespacesOf } from './area.js';
import { collectWrites, applyWrite, createNamespace, deleteNamespace, initArea, type MediaWrite } from './update.js';
import { qemuSetMember, interleaveSetCookies } from './cookie.js';

/** A DIMM identity for generated areas: QEMU slot 0 of a single-DIMM set. */
export const FUZZ_SET = { ...interleaveSetCookies([qemuSetMember(0)]), mappings: 1, position: 0 };

export interface AreaRecipe {
  size: number;
  version: '1.1' | '1.2';
  variant: 'linux' | 'ndctl';
  ops: Array<{ op: 'create'; units: number; name: string } | { op: 'delete'; which: number }>;
}

export const areaRecipe: fc.Arbitrary<AreaRecipe> = fc.record({
  size: fc.constantFrom(1024, 2048, 4096, 8192, 16384),
  version: fc.constantFrom('1.1' as const, '1.2' as const),
  variant: fc.constantFrom('linux' as const, 'ndctl' as const),
  ops: fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('create' as const), units: fc.integer({ min: 1, max: 4 }), name: fc.string({ maxLength: 8 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')) }),
      fc.record({ op: fc.constant('delete' as const), which: fc.nat() }),
    ),
    { maxLength: 6 },
  ),
});

const MiB = 1n << 20n;

/** Build an area through the engine only (init, then creates and deletes), skipping ops that do not fit. */
export function buildArea(r: AreaRecipe, uuids: () => string = () => crypto.randomUUID()): Uint8Array {
  const area = new Uint8Array(r.size);
  for (const w of collectWrites(initArea(area, { version: r.version, variant: r.variant })).writes) applyWrite(area, w);
  for (const op of r.ops) {
    try {
      const gen: Generator<MediaWrite, unknown> =
        op.op === 'create'
          ? createNamespace(area, { uuid: uuids(), name: op.name, size: BigInt(op.units) * 16n * MiB, dpaStart: 0n, dpaSize: 256n * MiB, align: 16n * MiB, set: FUZZ_SET })
          : (() => {
              const live = readLabelArea(area).live;
              const l = live[op.which % Math.max(1, live.length)];
              if (!l) throw new Error('skip');
              return deleteNamespace(area, (l.value as { uuid: string }).uuid);
            })();
      for (const w of collectWrites(gen).writes) applyWrite(area, w);
    } catch {
      /* the op did not fit (no space or slots): skipped */
    }
  }
  return area;
}

/** `nvtool fuzz labels`: engine-built areas round-trip; mutated or arbitrary areas never crash the reader. */
export const labelsFuzzTarget: FuzzTarget<Uint8Array> = {
  name: 'labels',
  values: areaRecipe.map((r) => buildArea(r)),
  encode: (v) => v,
  decode: (b) => {
    const view = readLabelArea(b);
    namespacesOf(view, FUZZ_SET);
    return b;
  },
};

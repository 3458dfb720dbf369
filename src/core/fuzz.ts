import fc from 'fast-check';
import { isNvError } from './errors.js';

/**
 * A decoder under test, described so one runner can fuzz every format: round trips on values
 * the format's own generator builds, and mutated or arbitrary bytes that must give a result or
 * the typed error, within a time bound.
 */
export interface FuzzTarget<T = unknown> {
  name: string;
  /** Valid values, derived from the format's declaration. */
  values: fc.Arbitrary<T>;
  encode(v: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  /** Compare two decoded values (default: re-encode both and compare bytes). */
  equal?(a: T, b: T): boolean;
  /** Longest a single decode may take, in ms (default 250). */
  timeBoundMs?: number;
}

export type FuzzProperty = 'roundtrip' | 'mutated' | 'arbitrary';

export interface FuzzFailure {
  property: FuzzProperty;
  /** The input that failed (bytes for decode properties). */
  input: Uint8Array;
  error: string;
  seed: number;
  path?: string;
}

export interface FuzzReport {
  target: string;
  runs: number;
  seed: number;
  failures: FuzzFailure[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Decode must return or throw NvError, and finish within the bound. A run over the bound is
 * repeated (up to three runs) and judged by the fastest: a slow input is slow every time, a GC
 * pause or a descheduled process on a loaded machine is not.
 */
function decodeSafely<T>(t: FuzzTarget<T>, bytes: Uint8Array): string | undefined {
  const bound = t.timeBoundMs ?? 250;
  let fastest = Infinity;
  for (let run = 0; run < 3 && fastest > bound; run++) {
    const start = performance.now();
    try {
      t.decode(bytes);
    } catch (e) {
      if (!isNvError(e)) return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} instead of NvError`;
    }
    fastest = Math.min(fastest, performance.now() - start);
  }
  if (fastest > bound) return `decode took ${fastest.toFixed(0)} ms (fastest of 3 runs), over the ${bound} ms bound`;
  return undefined;
}

/** Flip, overwrite, insert or cut bytes of a valid encoding. */
export function mutatedBytes(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('ones' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  );
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([b, edits]) => {
    let out = b.slice();
    for (const e of edits) {
      if (out.length === 0) break;
      const at = e.at % out.length;
      if (e.kind === 'set') out[at] = e.byte;
      else if (e.kind === 'flip') out[at] = out[at]! ^ (1 << e.bit);
      else if (e.kind === 'cut') out = out.slice(0, at);
      else out.fill(0xff, at, at + e.n);
    }
    return out;
  });
}

/** Run the three properties; failing inputs are returned for the caller to save. */
export function runFuzz<T>(t: FuzzTarget<T>, runs: number, seed: number): FuzzReport {
  const failures: FuzzFailure[] = [];
  const valid = t.values.map((v) => t.encode(v));
  const params = { numRuns: runs, seed, endOnFailure: true } as const;

  const rt = fc.check(
    fc.property(t.values, (v) => {
      const bytes = t.encode(v);
      const again = t.encode(t.decode(bytes));
      return sameBytes(bytes, again);
    }),
    params,
  );
  if (rt.failed) {
    const [v] = rt.counterexample ?? [];
    failures.push({ property: 'roundtrip', input: v === undefined ? new Uint8Array() : safeEncode(t, v), error: String(rt.errorInstance ?? 'encode(decode(bytes)) differs from bytes'), seed: rt.seed, path: rt.counterexamplePath ?? undefined });
  }
  for (const [property, arb] of [
    ['mutated', mutatedBytes(valid)],
    ['arbitrary', fc.uint8Array({ maxLength: 2048 })],
  ] as const) {
    const res = fc.check(
      fc.property(arb, (b) => {
        const err = decodeSafely(t, b);
        if (err) throw new Error(err);
      }),
      params,
    );
    if (res.failed) {
      const [b] = res.counterexample ?? [new Uint8Array()];
      failures.push({ property, input: b, error: String(res.errorInstance instanceof Error ? res.errorInstance.message : res.errorInstance), seed: res.seed, path: res.counterexamplePath ?? undefined });
    }
  }
  return { target: t.name, runs, seed, failures };
}

function safeEncode<T>(t: FuzzTarget<T>, v: T): Uint8Array {
  try {
    return t.encode(v);
  } catch {
    return new Uint8Array();
  }
}

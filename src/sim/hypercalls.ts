/**
 * The one home of hypercall emission (specs/sim.md §4). A caller (Dom0's kernel, xl, QEMU, ...)
 * emits a call: its whole argument struct goes to `hypercalls/NNNN-<caller>-<op>.bin`, encoded with
 * the struct's one declaration, and a line to `hypercalls/trace.jsonl` (seq, caller, op, file, args
 * decoded, result). A call Xen has not handled yet has result "pending"; the stage that plays Xen
 * reads the `.bin` (which the user may have edited), handles it, and calls `completeHypercall`,
 * which records the result and runs the caller's continuation (what the caller does once the
 * hypercall returns, e.g. Dom0 ballooning out a reserved area).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { NvError } from '../core/errors.js';
import { decodeStruct, encodeStruct, type Struct, type ValueOf } from '../core/schema/index.js';
import type { SimDir } from './runDir.js';

export const PENDING = 'pending';

export interface HypercallEntry {
  seq: number;
  caller: string;
  op: string;
  /** File name inside `hypercalls/`. */
  file: string;
  /** The argument struct decoded (the struct's JSON form). */
  args: unknown;
  /** "0", "-EINVAL", ..., or "pending" until Xen handled it. */
  result: string;
}

const TRACE = 'hypercalls/trace.jsonl';

const jsonLine = (e: HypercallEntry) => JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));

export function hypercallEntries(dir: SimDir): HypercallEntry[] {
  if (!dir.exists(TRACE)) return [];
  return readFileSync(dir.path(TRACE), 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l) as HypercallEntry;
    } catch (e) {
      throw new NvError('sim', `${TRACE}:${i + 1}`, undefined, `not a JSON line: ${(e as Error).message}`);
    }
  });
}

function saveEntries(dir: SimDir, entries: HypercallEntry[]): void {
  writeFileSync(dir.file(TRACE), entries.map((e) => jsonLine(e) + '\n').join(''));
}

/** Emit a call: its argument struct's bytes to a new `.bin`, a trace line with `result` (default pending). */
export function emitHypercall<S extends Struct<any>>(dir: SimDir, caller: string, op: string, s: S, value: ValueOf<S>, result: string = PENDING): HypercallEntry {
  if (!/^[a-z0-9_]+$/.test(caller) || !/^[a-z0-9_]+$/.test(op)) throw new Error(`hypercall caller/op must be [a-z0-9_]+: ${caller} ${op}`);
  const entries = hypercallEntries(dir);
  const seq = entries.length + 1;
  const file = `${String(seq).padStart(4, '0')}-${caller}-${op}.bin`;
  const bytes = encodeStruct(s, value);
  dir.writeBytes(`hypercalls/${file}`, bytes);
  const entry: HypercallEntry = { seq, caller, op, file, args: s.toJson(decodeStruct(s, bytes).value), result };
  saveEntries(dir, [...entries, entry]);
  return entry;
}

/** The bytes of a call's argument struct as they are now in its `.bin`. */
export function hypercallBytes(dir: SimDir, e: HypercallEntry): Uint8Array {
  return dir.readBytes(`hypercalls/${e.file}`);
}

/** Calls not handled yet, in call order. */
export function pendingHypercalls(dir: SimDir): HypercallEntry[] {
  return hypercallEntries(dir).filter((e) => e.result === PENDING);
}

export type Continuation = (dir: SimDir, e: HypercallEntry) => void;
const continuations = new Map<string, Continuation>();

/** What `caller` does when its `op` call returns (registered by the caller's module). */
export function onHypercallReturn(caller: string, op: string, fn: Continuation): void {
  continuations.set(`${caller}/${op}`, fn);
}

/**
 * Record the result of call `seq` (and its args as Xen decoded them from the `.bin`), then run
 * the caller's continuation, if it registered one.
 */
export function completeHypercall(dir: SimDir, seq: number, result: string, args?: unknown): HypercallEntry {
  const entries = hypercallEntries(dir);
  const i = entries.findIndex((e) => e.seq === seq);
  if (i < 0) throw new NvError('sim', TRACE, undefined, `no hypercall ${seq}`);
  const e: HypercallEntry = { ...entries[i]!, result, ...(args !== undefined ? { args } : {}) };
  entries[i] = e;
  saveEntries(dir, entries);
  continuations.get(`${e.caller}/${e.op}`)?.(dir, e);
  return e;
}

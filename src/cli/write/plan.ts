/**
 * The plan of a writing command: every write, flush, file creation and whole-file replacement, in
 * the order the command issued them, recorded against in-memory overlays of the files (reads see
 * the planned writes) so nothing reaches a file before the plan was checked. Holding the data lets
 * the commit replay exactly what was checked; past HELD_LIMIT bytes only the ranges are kept and the
 * commit runs the command again, confined to those ranges.
 */
import type { BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';

export type PlanOp =
  | { kind: 'write'; file: string; offset: number; length: number; what?: string; data?: Uint8Array; zero?: boolean }
  | { kind: 'flush'; file: string }
  | { kind: 'create'; file: string; size: number }
  | { kind: 'replace'; file: string; data: Uint8Array; what?: string }
  /** A new folder for the files after it (its parent exists): made at commit, before them. */
  | { kind: 'folder'; file: string }
  /** A range the command takes over without writing all of it (a label area): checked like a write, never written. */
  | { kind: 'claim'; file: string; offset: number; length: number };

const HELD_LIMIT = 256 << 20;

export class Plan {
  readonly ops: PlanOp[] = [];
  private held = 0;
  /** Every write's data is held (the commit can replay it). */
  complete = true;

  write(file: string, offset: number, data: Uint8Array, what?: string): void {
    const zero = data.every((b) => b === 0);
    const op: PlanOp = { kind: 'write', file, offset, length: data.length, ...(what ? { what } : {}), ...(zero ? { zero } : {}) };
    if (!zero) {
      if (this.held + data.length <= HELD_LIMIT) {
        op.data = data.slice();
        this.held += data.length;
      } else this.complete = false;
    }
    this.ops.push(op);
  }

  /** Writes to `file` that intersect [offset, offset+length), oldest first. */
  writesTo(file: string, offset: number, length: number): Extract<PlanOp, { kind: 'write' }>[] {
    return this.ops.filter((o): o is Extract<PlanOp, { kind: 'write' }> => o.kind === 'write' && o.file === file && o.offset < offset + length && offset < o.offset + o.length);
  }

  /** Files the plan writes in place, each with its coalesced write ranges. */
  ranges(file: string, withClaims = false): [number, number][] {
    const rs = this.ops
      .filter((o): o is Extract<PlanOp, { kind: 'write' | 'claim' }> => (o.kind === 'write' || (withClaims && o.kind === 'claim')) && o.file === file)
      .map((o) => [o.offset, o.offset + o.length] as [number, number])
      .sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const r of rs) {
      const last = out[out.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else out.push([...r]);
    }
    return out;
  }
}

/** A file as the command sees it during planning: the file's bytes with the planned writes over them. */
export class OverlayFile implements BlockIO {
  constructor(readonly path: string, private readonly base: BlockIO | undefined, readonly size: number, private readonly plan: Plan) {}

  read(offset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new NvError(this.path, '', offset, `range of ${length} bytes at ${offset} is outside the ${this.size}-byte file`);
    }
    const out = new Uint8Array(length);
    if (this.base && offset < this.base.size) out.set(this.base.read(offset, Math.min(length, this.base.size - offset)));
    for (const w of this.plan.writesTo(this.path, offset, length)) {
      const from = Math.max(offset, w.offset);
      const to = Math.min(offset + length, w.offset + w.length);
      if (w.zero) out.fill(0, from - offset, to - offset);
      else if (w.data) out.set(w.data.subarray(from - w.offset, to - w.offset), from - offset);
      else throw new NvError(this.path, '', from, 'internal: the plan no longer holds the data of an earlier write that is read back');
    }
    return out;
  }

  write(offset: number, data: Uint8Array, what?: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + data.length > this.size) {
      throw new NvError(this.path, '', offset, `write of ${data.length} bytes at ${offset} is outside the ${this.size}-byte file`);
    }
    this.plan.write(this.path, offset, data, what);
  }

  flush(): void {
    this.plan.ops.push({ kind: 'flush', file: this.path });
  }

  /** The gate's session closes the files it opened. */
  close(): void {}
}

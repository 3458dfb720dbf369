/**
 * Where a DIMM's label storage area is in a file: the one locator `nvtool labels`, `nvtool decode`,
 * `nvtool inspect` and the namespace commands use. The rules are specs/labels.md §7.1:
 *  1. a size given (QEMU's label-size=, `--label-size`, a platform file): the file's last N bytes
 *     (the whole file when N is its size), whatever they hold;
 *  2. a file of 1 KiB .. 16 MiB with an index block signature at 0 (or where index 1 sits) is a
 *     raw label area: the whole file;
 *  3. a QEMU backing file: its last 128 KiB · 2^k bytes (k = 0, 1, ... up to 64 MiB and half the
 *     file), checked by the index signature where either block would be;
 *  4. optionally (`scan` bytes), the signature anywhere in the file's tail: the block's own myoff
 *     says where the area starts, the file's end where it ends (label sizes that are not powers of
 *     two);
 * an area with a valid index wins; otherwise the first damaged one found (signature present, no
 * valid index) in that order; nothing (a blank or foreign tail) is undefined: Linux's label-less
 * DIMM.
 */
import type { BlockIO } from '../core/blockio.js';
import { readLabelArea, type AreaView } from './area.js';
import { LABEL_AREA_MIN_SIZE, geometryFor } from './geometry.js';
import { NSINDEX_SIGNATURE, indexBlockStruct } from './indexBlock.js';

const KiB = 1024;
/** A file this small with an index signature at the start is a raw label area (rule 2). */
export const RAW_AREA_MAX = 16 * 1024 * KiB;
/** QEMU's smallest label-size (hw/mem/nvdimm.c MIN_NAMESPACE_LABEL_SIZE): where probing starts. */
export const QEMU_MIN_LABEL_SIZE = 128 * KiB;
/** Largest label size probed at a file's tail (rule 3); anything larger must be given. */
export const PROBE_MAX = 64 * 1024 * KiB;
/** Rule 4's search for tools that read whole areas anyway (`labels`, `decode`); `inspect` reads metadata only and skips it. */
export const TAIL_SCAN = 8 * 1024 * KiB;

const SIG = new TextEncoder().encode(NSINDEX_SIGNATURE + '\0');
const INDEX = indexBlockStruct(256);
const MYOFF = INDEX.offsetOf('myoff');

export interface LocatedArea {
  /** Offset of the area in the file. */
  offset: number;
  size: number;
  /** The whole file, or the tail of a QEMU backing file. */
  kind: 'raw' | 'backing';
  view: AreaView;
  /** Which rule found it, in words. */
  how: string;
}

export interface LocateOptions {
  /** Rule 1: the area's size (QEMU label-size=). */
  labelSize?: number;
  /** Rule 4: bytes of the file's tail searched for an index signature (0: none). */
  scan?: number;
}

function sigAt(io: BlockIO, at: number): boolean {
  if (at < 0 || at + SIG.length > io.size) return false;
  const b = io.read(at, SIG.length);
  return SIG.every((c, i) => b[i] === c);
}

/** Either index block of an area of `size` bytes at `at` carries the signature. */
function looksLikeArea(io: BlockIO, at: number, size: number): boolean {
  if (sigAt(io, at)) return true;
  for (const L of [128, 256] as const) {
    const g = geometryFor(size, L);
    if (g && sigAt(io, at + g.indexSize)) return true;
  }
  return false;
}

function area(io: BlockIO, offset: number, size: number, how: string): LocatedArea {
  return { offset, size, kind: offset === 0 && size === io.size ? 'raw' : 'backing', view: readLabelArea(io.read(offset, size)), how };
}

const human = (n: number) => (n % (1024 * KiB) === 0 ? `${n / (1024 * KiB)} MiB` : n % KiB === 0 ? `${n / KiB} KiB` : `${n} bytes`);

/** Signature hits in the last `scan` bytes, nearest the end first, as candidate areas (rule 4). */
function* scanTail(io: BlockIO, scan: number): Generator<{ offset: number; size: number }> {
  const from = Math.max(0, io.size - scan);
  const tail = Buffer.from(io.read(from, io.size - from));
  const hits: number[] = [];
  for (let at = tail.indexOf(SIG); at >= 0; at = tail.indexOf(SIG, at + 1)) hits.push(at);
  for (const at of hits.reverse()) {
    if (at + MYOFF + 8 > tail.length) continue;
    const myoff = tail.readBigUInt64LE(at + MYOFF);
    const start = from + at - Number(myoff);
    if (myoff > BigInt(io.size) || start < 0) continue;
    if (io.size - start >= LABEL_AREA_MIN_SIZE) yield { offset: start, size: io.size - start };
  }
}

/** The label area of `io` under the rules above, or undefined when there is none. */
export function locateLabelArea(io: BlockIO, o: LocateOptions = {}): LocatedArea | undefined {
  if (o.labelSize !== undefined) {
    if (!(o.labelSize > 0 && o.labelSize <= io.size)) return undefined;
    return o.labelSize === io.size
      ? area(io, 0, io.size, `the whole file is the label area (label size ${o.labelSize})`)
      : area(io, io.size - o.labelSize, o.labelSize, `QEMU backing file: the label area is its last ${human(o.labelSize)} (label size given)`);
  }
  let damaged: LocatedArea | undefined;
  const consider = (a: LocatedArea): LocatedArea | undefined => {
    if (a.view.current !== undefined) return a;
    damaged ??= a;
    return undefined;
  };
  if (io.size >= LABEL_AREA_MIN_SIZE && io.size <= RAW_AREA_MAX && looksLikeArea(io, 0, io.size)) {
    const hit = consider(area(io, 0, io.size, 'raw label area: the whole file (index block signature at its start)'));
    if (hit) return hit;
  }
  for (let ls = QEMU_MIN_LABEL_SIZE; ls <= Math.min(PROBE_MAX, io.size / 2); ls *= 2) {
    if (!looksLikeArea(io, io.size - ls, ls)) continue;
    const hit = consider(area(io, io.size - ls, ls, `QEMU backing file: label-size ${human(ls)} found by probing the file's tail (128 KiB, 256 KiB, ... up to ${human(PROBE_MAX)})`));
    if (hit) return hit;
  }
  if (o.scan) {
    for (const c of scanTail(io, o.scan)) {
      if (c.offset === 0 && c.size > RAW_AREA_MAX) continue;
      const hit = consider(area(io, c.offset, c.size, `label area found by its index signature in the file's last ${human(o.scan)}: ${c.size} bytes at ${c.offset} (the block's myoff gives the start)`));
      if (hit) return hit;
    }
  }
  return damaged;
}

import type { XenRc } from '../../xen/hypercalls/errno.js';
import { allSet, anySet, appendRuns, clearBits, setBits } from './bits.js';
import type { DomId, MemoryUse, OperationCost, PageRange, PermissionStore } from './types.js';

/**
 * An interval-tree node as the hybrid would allocate it in Xen: rb_node (parent+colour, left,
 * right: 24 B) + s, e (16 B) + kind / sub-bitmap pointer (8 B). An estimate: the design was never
 * coded.
 */
export const HYBRID_NODE_SIZE = 48;
export const DEFAULT_CHUNK_PAGES = 32768;

/** A run of whole chunks the domain holds entirely, or one chunk's sub-bitmap. */
type Node = { s: number; e: number; bits?: Uint32Array; count: number };

/**
 * The hybrid of seed 001 (Haozhong Zhang, 8 Apr 2016): the per-domain bitmap split into chunks of
 * `chunkPages` pages; a chunk's sub-bitmap is allocated when the domain first gets a page in it
 * and freed when it holds none; a full chunk's sub-bitmap is replaced by a range struct, adjacent
 * ranges merged; all nodes kept ordered by start. The balanced interval tree is modelled as a
 * sorted array searched by bisection: the same O(log n) lookups and the same nodes (so the same
 * memory formula); inserting shifts the array where a tree would rebalance.
 */
export class HybridStore implements PermissionStore {
  readonly design = 'hybrid' as const;
  private readonly trees = new Map<DomId, Node[]>();
  private readonly words: number;

  constructor(readonly chunkPages = DEFAULT_CHUNK_PAGES) {
    if (chunkPages < 32 || chunkPages % 32 !== 0 || (chunkPages & (chunkPages - 1)) !== 0)
      throw new RangeError(`hybrid chunk of ${chunkPages} pages: must be a power of two, at least 32`);
    this.words = chunkPages / 32;
  }

  /** Index of the last node starting at or below p, or -1. */
  private static floor(t: Node[], p: number): number {
    let lo = 0;
    let hi = t.length - 1;
    let r = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid]!.s <= p) {
        r = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return r;
  }

  private tree(dom: DomId): Node[] {
    let t = this.trees.get(dom);
    if (!t) this.trees.set(dom, (t = []));
    return t;
  }

  /** Split [first, last] at chunk boundaries: partial head and tail chunks, whole chunks in between as one piece. */
  private pieces(first: number, last: number, fn: (a: number, b: number, whole: boolean) => void): void {
    const C = this.chunkPages;
    let p = first;
    while (p <= last) {
      const chunkEnd = p - (p % C) + C - 1;
      let b: number;
      let whole: boolean;
      if (p % C === 0 && last >= chunkEnd) {
        b = last - ((last + 1) % C); // the last page of the last whole chunk in [p, last]
        whole = true;
      } else {
        b = Math.min(last, chunkEnd);
        whole = false;
      }
      fn(p, b, whole);
      p = b + 1;
    }
  }

  /** Make [a, b] (chunk aligned) one merged range node, absorbing sub-bitmaps and ranges it covers or touches. */
  private addWhole(t: Node[], a: number, b: number): void {
    let s = a;
    let e = b;
    let i = HybridStore.floor(t, a - 1);
    if (i >= 0 && !t[i]!.bits && t[i]!.e >= a - 1) s = t[i]!.s;
    else i++;
    let j = i;
    while (j < t.length && t[j]!.s <= b + 1) {
      const n = t[j]!;
      if (n.bits && n.s > b) break; // the sub-bitmap of the chunk after: stays
      if (!n.bits) e = Math.max(e, n.e);
      j++;
    }
    t.splice(i, j - i, { s, e, count: 0 });
  }

  /** Remove [a, b] (chunk aligned) from every node: sub-bitmaps inside are freed, ranges trimmed or split. */
  private removeWhole(t: Node[], a: number, b: number): void {
    let i = Math.max(0, HybridStore.floor(t, a));
    if (i < t.length && t[i]!.e < a) i++;
    let j = i;
    const keep: Node[] = [];
    while (j < t.length && t[j]!.s <= b) {
      const n = t[j]!;
      if (!n.bits) {
        if (n.s < a) keep.push({ s: n.s, e: a - 1, count: 0 });
        if (n.e > b) keep.push({ s: b + 1, e: n.e, count: 0 });
      }
      j++;
    }
    t.splice(i, j - i, ...keep);
  }

  /** The sub-bitmap node of the chunk holding page p, turning a range that covers it into range + full sub-bitmap + range. */
  private subBitmap(t: Node[], p: number, create: boolean): Node | undefined {
    const C = this.chunkPages;
    const cs = p - (p % C);
    const ce = cs + C - 1;
    const i = HybridStore.floor(t, p);
    const n = i >= 0 ? t[i] : undefined;
    if (n && n.e >= p) {
      if (n.bits) return n;
      const full: Node = { s: cs, e: ce, bits: new Uint32Array(this.words).fill(0xffffffff), count: C };
      const parts: Node[] = [];
      if (n.s < cs) parts.push({ s: n.s, e: cs - 1, count: 0 });
      parts.push(full);
      if (n.e > ce) parts.push({ s: ce + 1, e: n.e, count: 0 });
      t.splice(i, 1, ...parts);
      return full;
    }
    if (!create) return undefined;
    const fresh: Node = { s: cs, e: ce, bits: new Uint32Array(this.words), count: 0 };
    t.splice(i + 1, 0, fresh);
    return fresh;
  }

  grant(dom: DomId, first: number, last: number): XenRc {
    const t = this.tree(dom);
    this.pieces(first, last, (a, b, whole) => {
      if (whole) return this.addWhole(t, a, b);
      const i = HybridStore.floor(t, a);
      if (i >= 0 && !t[i]!.bits && t[i]!.e >= b) return; // inside a range already
      const n = this.subBitmap(t, a, true)!;
      n.count += setBits(n.bits!, a - n.s, b - n.s);
      if (n.count === this.chunkPages) {
        t.splice(HybridStore.floor(t, n.s), 1);
        this.addWhole(t, n.s, n.e);
      }
    });
    return 0;
  }

  revoke(dom: DomId, first: number, last: number): XenRc {
    const t = this.trees.get(dom);
    if (!t) return 0;
    this.pieces(first, last, (a, b, whole) => {
      if (whole) return this.removeWhole(t, a, b);
      const n = this.subBitmap(t, a, false);
      if (!n) return;
      n.count -= clearBits(n.bits!, a - n.s, b - n.s);
      if (n.count === 0) t.splice(HybridStore.floor(t, n.s), 1);
    });
    return 0;
  }

  check(dom: DomId, first: number, last: number): boolean {
    const t = this.trees.get(dom);
    if (!t) return false;
    let p = first;
    for (let i = Math.max(0, HybridStore.floor(t, first)); i < t.length && p <= last; i++) {
      const n = t[i]!;
      if (n.e < p) continue;
      if (n.s > p) return false;
      const b = Math.min(last, n.e);
      if (n.bits && !allSet(n.bits, p - n.s, b - n.s)) return false;
      p = b + 1;
    }
    return p > last;
  }

  private overlaps(t: Node[], first: number, last: number): boolean {
    for (let i = Math.max(0, HybridStore.floor(t, first)); i < t.length && t[i]!.s <= last; i++) {
      const n = t[i]!;
      if (n.e < first) continue;
      if (!n.bits) return true;
      if (anySet(n.bits, Math.max(first, n.s) - n.s, Math.min(last, n.e) - n.s)) return true;
    }
    return false;
  }

  heldByOther(dom: DomId, first: number, last: number): boolean {
    for (const [d, t] of this.trees) if (d !== dom && this.overlaps(t, first, last)) return true;
    return false;
  }

  ranges(dom: DomId): PageRange[] {
    const out: PageRange[] = [];
    for (const n of this.trees.get(dom) ?? []) {
      if (n.bits) appendRuns(n.bits, this.chunkPages, n.s, out);
      else {
        const prev = out[out.length - 1];
        if (prev && prev.last + 1 === n.s) prev.last = n.e;
        else out.push({ first: n.s, last: n.e });
      }
    }
    return out;
  }

  domains(): DomId[] {
    return [...this.trees.keys()];
  }

  destroy(dom: DomId): void {
    this.trees.delete(dom);
  }

  /** Nodes and sub-bitmaps of one domain's tree, or of all. */
  shape(dom?: DomId): { nodes: number; bitmaps: number } {
    let nodes = 0;
    let bitmaps = 0;
    for (const [d, t] of this.trees) {
      if (dom !== undefined && d !== dom) continue;
      nodes += t.length;
      for (const n of t) if (n.bits) bitmaps++;
    }
    return { nodes, bitmaps };
  }

  memory(dom?: DomId): MemoryUse {
    const { nodes, bitmaps } = this.shape(dom);
    const roots = dom === undefined ? this.trees.size : this.trees.has(dom) ? 1 : 0;
    return {
      xenBytes: roots * 8 + nodes * HYBRID_NODE_SIZE + bitmaps * (this.chunkPages / 8),
      where: 'ram',
      formula: `8 B tree root per domain + ${HYBRID_NODE_SIZE} B per tree node + ${this.chunkPages / 8} B per sub-bitmap (chunk of ${this.chunkPages} pages)`,
    };
  }

  worstCase(pages: number): OperationCost[] {
    let most = 1;
    let all = 0;
    for (const t of this.trees.values()) {
      most = Math.max(most, t.length);
      all += Math.ceil(Math.log2(t.length + 1)) + 1;
    }
    const depth = Math.ceil(Math.log2(most + 1)) + 1;
    const words = Math.min(Math.ceil(pages / 32), 2 * this.words) + Math.ceil(pages / this.chunkPages);
    const unit = 'tree levels + words + nodes touched';
    return [
      { op: 'grant', steps: depth + words, unit, bound: 'log n + the two partial chunks\' words + whole chunks absorbed' },
      { op: 'revoke', steps: depth + words, unit, bound: 'log n + partial chunks\' words + nodes split or freed' },
      { op: 'check', steps: depth + words, unit, bound: 'log n + nodes and words the range crosses' },
      { op: 'heldByOther', steps: all + words * Math.max(0, this.trees.size - 1), unit, bound: 'the same lookup in each other domain' },
      { op: 'destroy', steps: most, unit, bound: 'free each node and sub-bitmap' },
    ];
  }
}

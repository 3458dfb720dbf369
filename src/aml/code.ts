/**
 * The decoded AML model: a compact node table over the table's own bytes, walked by the
 * disassembler, by `toTerms` (the object model of `model.ts`) and by an interpreter.
 *
 * One node per term, argument, list and field element, in byte (pre-)order, held in three typed
 * arrays: `kind` (what the node is), `pos` (where its encoding starts in `bytes`) and `next` (its
 * next sibling, -1 for the last). A node with children has them starting at the next index
 * (flag `KIDS` in its kind), except a method body a second decoder pass re-parsed, whose children
 * were appended at the end of the table (`moved`). Values are not copied out of the bytes: an
 * integer, string, name or byte list is read from `pos` when asked, NameSegs come from one
 * interned string per distinct segment. That is 10 bytes of heap per node, about 0.4 nodes per
 * input byte in a typical SSDT, against ~60 bytes per input byte for an object tree.
 *
 * An operator node's children are its arguments in opcode-table order (`opcodes.ts` `args`),
 * so an interpreter dispatches on `opOf(n)` and pulls arguments with `child`/`next` like the
 * disassembler does.
 */
import type { NameString } from './model.js';
import { OPCODES, type OpInfo } from './opcodes.js';
import { pkgLengthSize, pkgLengthSizeFor } from './pkgLength.js';

/** Node kinds that are not operators. Operators are `OP + index` into `OPCODES`. */
export const K = {
  /** ZeroOp, OneOp, OnesOp (no data), Byte/Word/DWord/QWordPrefix (data at pos + 1). */
  zero: 0, one: 1, ones: 2, byte: 3, word: 4, dword: 5, qword: 6,
  /** StringPrefix; the characters from pos + 1 up to the NUL. */
  str: 7,
  /** A NameString (pos: its first byte) used as a value, target or an operator's name argument. */
  name: 8,
  /** MethodInvocation: NameString at pos, children are the arguments. */
  call: 9,
  /** NullName target (discard). */
  none: 10,
  /** ByteData / WordData / DWordData at pos. */
  u8: 11, u16: 12, u32: 13,
  /** TermList or PackageElementList: children are the terms. */
  list: 14,
  /** ByteList from pos to the end of the enclosing operator's PkgLength. */
  bytes: 15,
  /** FieldList: children are the field elements. */
  fields: 16,
  /** NamedField (NameSeg at pos, then a PkgLength width). */
  fnamed: 17,
  /** ReservedField (0x00 at pos, then a PkgLength width). */
  freserved: 18,
  /** AccessField (0x01, AccessType, AccessAttrib). */
  faccess: 19,
  /** ExtendedAccessField (0x03, AccessType, ExtendedAccessAttrib, AccessLength). */
  fextaccess: 20,
  /** ConnectField (0x02), its one child the NameString or BufferData. */
  fconn: 21,
} as const;

export const OP = 32;
export const KIDS = 0x8000;
const KIND_MASK = 0x7fff;

/** Node kind of each operator by its opcode byte (one-byte opcodes, and the byte after 0x5B). */
const ONE_BYTE_KIND = new Int16Array(256).fill(-1);
const EXT_BYTE_KIND = new Int16Array(256).fill(-1);
OPCODES.forEach((o, i) => ((o.code > 0xff ? EXT_BYTE_KIND : ONE_BYTE_KIND)[o.code & 0xff] = OP + i));
/** The node kind of an opcode (a byte, or 0x5Bxx), -1 for none. */
export const opKindOf = (code: number): number => (code > 0xff ? EXT_BYTE_KIND[code & 0xff]! : ONE_BYTE_KIND[code]!);
export const opKind = (info: OpInfo): number => opKindOf(info.code);

/** `0n..255n`, shared. */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));

export class AmlCode {
  kind = new Uint16Array(1024);
  pos = new Int32Array(1024);
  next = new Int32Array(1024);
  count = 0;
  /** Children of a re-parsed method body (list node → first child, -1 none). */
  readonly moved = new Map<number, number>();
  /** NameSeg strings by their 24-bit key (shared by every pass). */
  readonly segs: Map<number, string>;

  constructor(
    /** The TermList bytes (a table's body). */
    readonly bytes: Uint8Array,
    /** Absolute offset of `bytes[0]` in the file. */
    readonly base = 0,
    segs?: Map<number, string>,
  ) {
    this.segs = segs ?? new Map();
    // 0.42-0.46 nodes per byte in QEMU's tables, 0.62-0.63 in the bench's method-heavy SSDTs:
    // sized once for the dense case, so a large table neither grows nor is copied by `trim`.
    if (bytes.length > 1024) this.grow(Math.min(Math.ceil(bytes.length * 0.66), 1 << 26));
  }

  /** Top-level terms: node 0 and its siblings (-1 when the body is empty). */
  get top(): number {
    return this.count > 0 ? 0 : -1;
  }

  /** Appends a node; returns its index. */
  add(kind: number, pos: number): number {
    const n = this.count;
    if (n === this.kind.length) this.grow(n * 2);
    this.kind[n] = kind;
    this.pos[n] = pos;
    this.next[n] = -1;
    this.count = n + 1;
    return n;
  }

  /** Marks node n as having children (starting at n + 1 unless `moved`). */
  setKids(n: number): void {
    this.kind[n] = this.kind[n]! | KIDS;
  }

  private grow(size: number): void {
    const k = new Uint16Array(size), p = new Int32Array(size), x = new Int32Array(size);
    k.set(this.kind.subarray(0, this.count));
    p.set(this.pos.subarray(0, this.count));
    x.set(this.next.subarray(0, this.count));
    this.kind = k;
    this.pos = p;
    this.next = x;
  }

  /**
   * The arrays cut to their used length (after decoding: the slack is given back) when the slack
   * is over an eighth: a copy costs time and, until the old arrays are collected, memory.
   */
  trim(): void {
    if (this.kind.length - this.count > Math.max(1024, this.count >> 3)) {
      this.kind = this.kind.slice(0, this.count);
      this.pos = this.pos.slice(0, this.count);
      this.next = this.next.slice(0, this.count);
    }
  }

  kindOf(n: number): number {
    return this.kind[n]! & KIND_MASK;
  }

  /** The operator row of an operator node, else undefined. */
  opOf(n: number): OpInfo | undefined {
    const k = this.kind[n]! & KIND_MASK;
    return k >= OP ? OPCODES[k - OP] : undefined;
  }

  /** First child, -1 when none. */
  child(n: number): number {
    if (!(this.kind[n]! & KIDS)) return -1;
    if (this.moved.size === 0) return n + 1;
    const m = this.moved.get(n);
    return m === undefined ? n + 1 : m;
  }

  /** The i-th child (an operator's i-th argument), -1 past the last. */
  arg(n: number, i: number): number {
    let c = this.child(n);
    while (i-- > 0 && c >= 0) c = this.next[c]!;
    return c;
  }

  childCount(n: number): number {
    return this.siblings(this.child(n));
  }

  /** Number of nodes from `first` along its siblings (the top level: `siblings(top)`). */
  siblings(first: number): number {
    let k = 0;
    for (let c = first; c >= 0; c = this.next[c]!) k++;
    return k;
  }

  // ---- values, read from the bytes ----

  /** ByteData/WordData/DWordData of a u8/u16/u32 node, or the data of a byte/word/dword integer. */
  num(n: number): number {
    const b = this.bytes;
    const k = this.kind[n]! & KIND_MASK;
    const p = k === K.byte || k === K.word || k === K.dword ? this.pos[n]! + 1 : this.pos[n]!;
    if (k === K.u8 || k === K.byte) return b[p]!;
    if (k === K.u16 || k === K.word) return b[p]! | (b[p + 1]! << 8);
    if (k === K.u32 || k === K.dword) return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    if (k === K.zero) return 0;
    if (k === K.one) return 1;
    throw new Error(`node ${n} is not a 32-bit number`);
  }

  /** The two 32-bit halves of a QWordConst (low, high). */
  qwordHalves(n: number): [number, number] {
    const b = this.bytes;
    const p = this.pos[n]! + 1;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    return [lo, hi];
  }

  /** The value of an integer node as a bigint. */
  int(n: number): bigint {
    const k = this.kind[n]! & KIND_MASK;
    if (k === K.ones) return 0xffffffffffffffffn;
    if (k === K.qword) {
      const [lo, hi] = this.qwordHalves(n);
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    const v = this.num(n);
    return v < 256 ? SMALL_BIGINTS[v]! : BigInt(v);
  }

  /** A StringPrefix node's characters (ASCII, checked by the decoder). */
  str(n: number): string {
    const b = this.bytes;
    const from = this.pos[n]! + 1;
    let end = from;
    while (b[end] !== 0) end++;
    let s = '';
    for (let i = from; i < end; i += 4096) s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 4096)));
    return s;
  }

  /** NameSeg at byte offset p (checked by the decoder), interned. */
  segAt(p: number): string {
    const b = this.bytes;
    const c0 = b[p]!, c1 = b[p + 1]!, c2 = b[p + 2]!, c3 = b[p + 3]!;
    // Segment bytes are 0x30..0x5F: 6 bits each after subtracting 0x30, a 24-bit (small integer) key.
    const key = ((c0 - 0x30) << 18) | ((c1 - 0x30) << 12) | ((c2 - 0x30) << 6) | (c3 - 0x30);
    let s = this.segs.get(key);
    if (s === undefined) {
      s = String.fromCharCode(c0, c1, c2, c3);
      this.segs.set(key, s);
    }
    return s;
  }

  /** The NameString at byte offset p. */
  nameAt(p: number): NameString {
    const b = this.bytes;
    let root = false;
    let parents = 0;
    if (b[p] === 0x5c) {
      root = true;
      p++;
    } else while (b[p] === 0x5e) {
      parents++;
      p++;
    }
    const lead = b[p]!;
    let count: number;
    let multi = false;
    if (lead === 0x00) return { root, parents, segs: [] };
    if (lead === 0x2e) {
      count = 2;
      p++;
    } else if (lead === 0x2f) {
      count = b[p + 1]!;
      multi = count < 3;
      p += 2;
    } else count = 1;
    const segs: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) segs[i] = this.segAt(p + 4 * i);
    return multi ? { root, parents, segs, multi } : { root, parents, segs };
  }

  /** ASL text of the NameString at byte offset p (`\_SB_.NVDR`, `^FOO_`). */
  nameTextAt(p: number): string {
    const b = this.bytes;
    let s = '';
    if (b[p] === 0x5c) {
      s = '\\';
      p++;
    } else while (b[p] === 0x5e) {
      s += '^';
      p++;
    }
    const lead = b[p]!;
    if (lead === 0x00) return s;
    if (lead === 0x2e) return s + this.segAt(p + 1) + '.' + this.segAt(p + 5);
    if (lead !== 0x2f) return s + this.segAt(p);
    const count = b[p + 1]!;
    for (let i = 0; i < count; i++) s += (i ? '.' : '') + this.segAt(p + 2 + 4 * i);
    return s;
  }

  /** True when the NameString at p uses MultiNamePrefix for fewer than 3 segments. */
  nameIsMulti(p: number): boolean {
    const b = this.bytes;
    if (b[p] === 0x5c) p++;
    else while (b[p] === 0x5e) p++;
    return b[p] === 0x2f && b[p + 1]! < 3;
  }

  /** Where the operator node's PkgLength is, its value and width (operators with `pkg`). */
  pkgOf(n: number): { at: number; value: number; width: number } {
    const b = this.bytes;
    const at = this.pos[n]! + (b[this.pos[n]!] === 0x5b ? 2 : 1);
    const lead = b[at]!;
    const follow = lead >> 6;
    let value = follow === 0 ? lead & 0x3f : lead & 0x0f;
    for (let i = 1; i <= follow; i++) value |= b[at + i]! << (4 + 8 * (i - 1));
    return { at, value: value >>> 0, width: follow + 1 };
  }

  /** The PkgLength width of an operator node when wider than needed, else undefined. */
  pkgLenBytes(n: number): number | undefined {
    const { value, width } = this.pkgOf(n);
    return width !== pkgLengthSizeFor(value - width) ? width : undefined;
  }

  /** End (exclusive byte offset) of an operator node's PkgLength. */
  pkgEnd(n: number): number {
    const { at, value } = this.pkgOf(n);
    return at + value;
  }

  /** A field element's width (bits) and, when wider than needed, its PkgLength width. */
  fieldWidth(n: number): { bits: number; lenBytes?: number } {
    const b = this.bytes;
    const at = this.pos[n]! + ((this.kind[n]! & KIND_MASK) === K.fnamed ? 4 : 1);
    const lead = b[at]!;
    const follow = lead >> 6;
    let bits = follow === 0 ? lead & 0x3f : lead & 0x0f;
    for (let i = 1; i <= follow; i++) bits |= b[at + i]! << (4 + 8 * (i - 1));
    bits >>>= 0;
    return follow + 1 !== pkgLengthSize(bits) ? { bits, lenBytes: follow + 1 } : { bits };
  }
}

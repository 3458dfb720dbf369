/**
 * What the decoder knows about the namespace: every object a table (or a reference table, or an
 * External) creates, and the argument count of every method. A NameString in a TermArg is a
 * method invocation exactly when it resolves to a method here (ACPI 6.5 §20.2.5: MethodInvocation;
 * ACPICA resolves it the same way, from the parsed namespace and `iasl -e` tables).
 *
 * Stored as a node table like the decoded terms (`code.ts`): a namespace path is a number, its
 * parent, segment, object and children live in typed arrays, and a (parent, segment) → child
 * index is an open-addressing hash table. Resolving a name allocates nothing, and the namespace
 * of a 2000-device table is a few hundred KiB rather than one Map and two objects per path.
 */
import type { NameString } from './model.js';
import { absolutePath } from './nameString.js';

export interface NsObject {
  /** ObjectType code as in External (8 = method, 6 = device...; 0 unknown). */
  type: number;
  /** Method argument count (type 8). */
  argc?: number;
  /** Where it came from. */
  from: 'table' | 'external' | 'ref';
}

/** Objects every ACPI namespace has before any table loads (ACPICA `AcpiGbl_PreDefinedNames`). */
export const PREDEFINED: readonly [string, NsObject][] = [
  ['\\_GPE', { type: 6, from: 'ref' }],
  ['\\_PR_', { type: 6, from: 'ref' }],
  ['\\_SB_', { type: 6, from: 'ref' }],
  ['\\_SI_', { type: 6, from: 'ref' }],
  ['\\_TZ_', { type: 6, from: 'ref' }],
  ['\\_GL_', { type: 9, from: 'ref' }],
  ['\\_OS_', { type: 2, from: 'ref' }],
  ['\\_OSI', { type: 8, argc: 1, from: 'ref' }],
  ['\\_REV', { type: 1, from: 'ref' }],
];

/** A namespace path: an index into its `Namespace` (the root is 0). */
export type NsNode = number;

const FROM = ['table', 'external', 'ref'] as const;
/** `from` codes for `defineCode`: 0 table, 1 external, 2 ref. */
export const FROM_ORDER = FROM;
const NONE = -1;

function splitKey(key: string): string[] {
  return key === '\\' ? [] : key.slice(1).split('.');
}

export class Namespace {
  readonly root: NsNode = 0;
  private count = 0;
  private parentOf = new Int32Array(64);
  private segKey = new Int32Array(64);
  /** ObjectType of the object at the path, -1 when nothing is defined there. */
  private type = new Int16Array(64);
  /** Method argument count, -1 when not given. */
  private argcOf = new Int8Array(64);
  private fromOf = new Uint8Array(64);
  private firstKid = new Int32Array(64);
  private lastKid = new Int32Array(64);
  private nextKid = new Int32Array(64);
  /** (parent, segment) → node + 1; 0 empty. */
  private slots = new Int32Array(128);
  /** Segments that are not 4 ASCII characters get ids below zero. */
  private readonly oddSegs = new Map<string, number>();
  /** The odd segments by id (-1 - id). */
  private readonly oddSegText: string[] = [];
  private readonly segStrings = new Map<number, string>();
  private flat: Map<string, NsObject> | undefined;

  /** `capacity`: paths expected (the arrays and the hash are sized for them up front). */
  constructor(capacity = 64) {
    if (capacity > 64) {
      this.grow(capacity);
      // A power of two, at most three quarters full at `capacity` paths.
      this.slots = new Int32Array(1 << Math.ceil(Math.log2((capacity * 4) / 3 + 1)));
    }
    this.newNode(NONE, 0);
    for (const [k, v] of PREDEFINED) this.set(k, v);
  }

  private keyOf(seg: string): number {
    if (seg.length === 4) return seg.charCodeAt(0) | (seg.charCodeAt(1) << 8) | (seg.charCodeAt(2) << 16) | (seg.charCodeAt(3) << 24);
    let id = this.oddSegs.get(seg);
    if (id === undefined) {
      this.oddSegs.set(seg, (id = -1 - this.oddSegs.size));
      this.oddSegText.push(seg);
    }
    return id;
  }

  /** The string of a segment key (a 4-character one made once per distinct segment). */
  private segText(key: number): string {
    if (key < 0) return this.oddSegText[-1 - key]!;
    let s = this.segStrings.get(key);
    if (s === undefined) this.segStrings.set(key, (s = String.fromCharCode(key & 0xff, (key >>> 8) & 0xff, (key >>> 16) & 0xff, key >>> 24)));
    return s;
  }

  /** Gives back the arrays' unused room (after a decode) when over an eighth is slack. */
  trim(): void {
    if (this.parentOf.length - this.count > Math.max(64, this.count >> 3)) this.grow(this.count);
  }

  private static hash(parent: number, key: number): number {
    // The low bits of a product depend only on the low bits of its factors: fold the high half
    // down (murmur3's finalizer step) so the masked index sees every byte of the segment.
    const h = Math.imul(parent ^ Math.imul(key, 0x9e3779b1), 0x85ebca6b);
    return h ^ (h >>> 16);
  }

  private newNode(parent: number, key: number): number {
    const n = this.count;
    if (n === this.parentOf.length) this.grow(n * 2);
    this.parentOf[n] = parent;
    this.segKey[n] = key;
    this.type[n] = NONE;
    this.argcOf[n] = NONE;
    this.firstKid[n] = NONE;
    this.lastKid[n] = NONE;
    this.nextKid[n] = NONE;
    this.count = n + 1;
    if (parent >= 0) {
      if (this.lastKid[parent] === NONE) this.firstKid[parent] = n;
      else this.nextKid[this.lastKid[parent]!] = n;
      this.lastKid[parent] = n;
      if (this.count * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
      this.place(n);
    }
    return n;
  }

  private grow(size: number): void {
    const g = <T extends Int32Array | Int16Array | Int8Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a.subarray(0, Math.min(size, this.count)));
      return b;
    };
    this.parentOf = g(this.parentOf);
    this.segKey = g(this.segKey);
    this.type = g(this.type);
    this.argcOf = g(this.argcOf);
    this.fromOf = g(this.fromOf);
    this.firstKid = g(this.firstKid);
    this.lastKid = g(this.lastKid);
    this.nextKid = g(this.nextKid);
  }

  private place(n: number): void {
    const mask = this.slots.length - 1;
    let i = Namespace.hash(this.parentOf[n]!, this.segKey[n]!) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = n + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let n = 1; n < this.count; n++) this.place(n);
  }

  /** Child `seg` of `parent`, or -1. */
  private find(parent: number, key: number): number {
    const mask = this.slots.length - 1;
    for (let i = Namespace.hash(parent, key) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return NONE;
      if (this.parentOf[s - 1] === parent && this.segKey[s - 1] === key) return s - 1;
    }
  }

  /** The child path `seg` of `n` (created when missing). */
  child(n: NsNode, seg: string): NsNode {
    const key = this.keyOf(seg);
    const c = this.find(n, key);
    return c !== NONE ? c : this.newNode(n, key);
  }

  parent(n: NsNode): NsNode | undefined {
    const p = this.parentOf[n]!;
    return p === NONE ? undefined : p;
  }

  /** `\`, `\_SB_`, `\_SB_.NVDR` (the `objects` key). */
  key(n: NsNode): string {
    if (n === 0) return '\\';
    let s = this.segText(this.segKey[n]!);
    for (let p = this.parentOf[n]!; p > 0; p = this.parentOf[p]!) s = this.segText(this.segKey[p]!) + '.' + s;
    return '\\' + s;
  }

  /** The object defined at `n`, if any. */
  objectAt(n: NsNode): NsObject | undefined {
    const t = this.type[n]!;
    if (t === NONE) return undefined;
    const a = this.argcOf[n]!;
    return a === NONE ? { type: t, from: FROM[this.fromOf[n]!]! } : { type: t, argc: a, from: FROM[this.fromOf[n]!]! };
  }

  private put(n: NsNode, obj: NsObject): void {
    this.type[n] = obj.type;
    this.argcOf[n] = obj.argc === undefined ? NONE : obj.argc;
    this.fromOf[n] = FROM.indexOf(obj.from);
    this.flat = undefined;
  }

  /**
   * Every defined object by path (`\_SB_.NVDR` → object), depth first in definition order, built
   * when asked (the decoder never needs it). Read-only: change the namespace with `set`/`define`.
   */
  get objects(): ReadonlyMap<string, NsObject> {
    if (!this.flat) {
      const m = new Map<string, NsObject>();
      const walk = (n: number) => {
        const o = this.objectAt(n);
        if (o) m.set(this.key(n), o);
        for (let k = this.firstKid[n]!; k !== NONE; k = this.nextKid[k]!) walk(k);
      };
      walk(0);
      this.flat = m;
    }
    return this.flat;
  }

  /** Sets the object at a path key (`\_SB_.NVDR`) unconditionally. */
  set(key: string, obj: NsObject): void {
    this.put(this.nodeOf(splitKey(key)), obj);
  }

  define(path: readonly string[], obj: NsObject): void {
    this.defineAt(this.nodeOf(path), obj);
  }

  /** `define` for a node: a definition in the table wins over an External or a reference table's object. */
  defineAt(n: NsNode, obj: NsObject): void {
    this.defineCode(n, obj.type, obj.argc === undefined ? NONE : obj.argc, FROM.indexOf(obj.from));
  }

  /** `defineAt` from numbers (the decoder's: no object per definition); argc -1 when not given, `from` an index of FROM_ORDER. */
  defineCode(n: NsNode, type: number, argc: number, from: number): void {
    const t = this.type[n]!;
    if (t === NONE || (this.fromOf[n] !== 0 && from === 0) || (t === 0 && type !== 0)) {
      this.type[n] = type;
      this.argcOf[n] = argc;
      this.fromOf[n] = from;
      this.flat = undefined;
    }
  }

  /** The node `name` names seen from `scope` (created when missing), for definitions and scopes. */
  nodeFor(scope: NsNode, name: NameString): NsNode {
    let n = this.baseOf(scope, name);
    for (let i = 0; i < name.segs.length; i++) n = this.child(n, name.segs[i]!);
    return n;
  }

  /** Node of the scope path (created when missing). */
  nodeOf(path: readonly string[]): NsNode {
    let n = 0;
    for (const s of path) n = this.child(n, s);
    return n;
  }

  private baseOf(scope: NsNode, name: NameString): NsNode {
    if (name.root) return 0;
    let n = scope;
    for (let i = 0; i < name.parents && n > 0; i++) n = this.parentOf[n]!;
    return n;
  }

  /** The node holding the object `name` denotes from `scope` (search rules as `resolve`), -1 none. */
  private found(scope: NsNode, name: NameString): number {
    const segs = name.segs;
    if (!name.root && name.parents === 0 && segs.length === 1) {
      const key = this.keyOf(segs[0]!);
      for (let n = scope; n !== NONE; n = this.parentOf[n]!) {
        const c = this.find(n, key);
        if (c !== NONE && this.type[c] !== NONE) return c;
      }
      return NONE;
    }
    let n = this.baseOf(scope, name);
    for (let i = 0; i < segs.length && n !== NONE; i++) n = this.find(n, this.keyOf(segs[i]!));
    return n !== NONE && this.type[n] !== NONE ? n : NONE;
  }

  /**
   * Reads the prefix of the NameString at `b[p]` (checked by the decoder) seen from `scope`:
   * sets `at` (its base node), `segAt` (first segment's offset), `segCount`, `bare` (one
   * segment, no prefix: the search rules apply). Fields rather than a result object: no
   * allocation per lookup.
   */
  private at = 0;
  private segAt = 0;
  private segCount = 0;
  private bare = false;
  private prefixAt(scope: NsNode, b: Uint8Array, p: number): void {
    let n = scope;
    let bare = true;
    if (b[p] === 0x5c) {
      n = 0;
      bare = false;
      p++;
    } else while (b[p] === 0x5e) {
      if (n > 0) n = this.parentOf[n]!;
      bare = false;
      p++;
    }
    const lead = b[p]!;
    let count = 1;
    if (lead === 0x00) count = 0;
    else if (lead === 0x2e) {
      count = 2;
      p++;
    } else if (lead === 0x2f) {
      count = b[p + 1]!;
      p += 2;
    }
    this.at = n;
    this.segAt = p;
    this.segCount = count;
    this.bare = bare && count === 1;
  }

  /** `nodeFor` for the NameString encoded at `bytes[p]`. */
  nodeForAt(scope: NsNode, b: Uint8Array, p: number): NsNode {
    this.prefixAt(scope, b, p);
    let n = this.at;
    for (let i = 0, q = this.segAt; i < this.segCount; i++, q += 4) {
      const key = b[q]! | (b[q + 1]! << 8) | (b[q + 2]! << 16) | (b[q + 3]! << 24);
      const c = this.find(n, key);
      n = c !== NONE ? c : this.newNode(n, key);
    }
    return n;
  }

  /** `found` for the NameString encoded at `bytes[p]`: segments read from the table, no NameString built; -1 none. */
  foundAt(scope: NsNode, b: Uint8Array, p: number): number {
    this.prefixAt(scope, b, p);
    let n = this.at;
    let q = this.segAt;
    if (this.bare) {
      const key = b[q]! | (b[q + 1]! << 8) | (b[q + 2]! << 16) | (b[q + 3]! << 24);
      for (; n !== NONE; n = this.parentOf[n]!) {
        const c = this.find(n, key);
        if (c !== NONE && this.type[c] !== NONE) return c;
      }
      return NONE;
    }
    for (let i = 0; i < this.segCount && n !== NONE; i++, q += 4) n = this.find(n, b[q]! | (b[q + 1]! << 8) | (b[q + 2]! << 16) | (b[q + 3]! << 24));
    return n !== NONE && this.type[n] !== NONE ? n : NONE;
  }

  /** `has` for the NameString encoded at `bytes[p]`. */
  hasAt(scope: NsNode, b: Uint8Array, p: number): boolean {
    return this.foundAt(scope, b, p) !== NONE;
  }

  /** Argument count of the method at node `n` (a `foundAt` answer), -1 when `n` is not a method or -1. */
  methodArgsOf(n: number): number {
    if (n === NONE || this.type[n] !== 8) return NONE;
    const a = this.argcOf[n]!;
    return a === NONE ? 0 : a;
  }

  /** The object `name` denotes from scope node `scope` (search rules as `resolve`). */
  lookup(scope: NsNode, name: NameString): NsObject | undefined {
    const n = this.found(scope, name);
    return n === NONE ? undefined : this.objectAt(n);
  }

  /** Whether `name` denotes an object from `scope` (`lookup` without building the object). */
  has(scope: NsNode, name: NameString): boolean {
    return this.found(scope, name) !== NONE;
  }

  /**
   * The object `name` denotes from `scope`: a single bare segment is searched in the scope and
   * then each enclosing scope up to the root (§5.3 search rules); any other path is exact.
   */
  resolve(scope: readonly string[], name: NameString): { path: string[]; obj: NsObject } | undefined {
    if (!name.root && name.parents === 0 && name.segs.length === 1) {
      const seg = name.segs[0]!;
      const key = this.keyOf(seg);
      const nodes: number[] = [0];
      for (const s of scope) {
        const k = this.find(nodes[nodes.length - 1]!, this.keyOf(s));
        if (k === NONE) break;
        nodes.push(k);
      }
      for (let i = nodes.length - 1; i >= 0; i--) {
        const c = this.find(nodes[i]!, key);
        const obj = c === NONE ? undefined : this.objectAt(c);
        if (obj) return { path: [...scope.slice(0, i), seg], obj };
      }
      return undefined;
    }
    const path = absolutePath(scope, name);
    let n = 0;
    for (let i = 0; i < path.length && n !== NONE; i++) n = this.find(n, this.keyOf(path[i]!));
    const obj = n === NONE ? undefined : this.objectAt(n);
    return obj ? { path, obj } : undefined;
  }

  /** Adds another table's objects (a `--ref` table) as known, not as defined here. */
  importFrom(other: Namespace): void {
    const mine = this.objects;
    const add: [string, NsObject][] = [];
    for (const [k, v] of other.objects) if (v.from === 'table' && !mine.has(k)) add.push([k, { ...v, from: 'ref' }]);
    for (const [k, v] of add) this.set(k, v);
  }
}

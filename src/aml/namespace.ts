/**
 * What the decoder knows about the namespace: every object a table (or a reference table, or an
 * External) creates, and the argument count of every method. A NameString in a TermArg is a
 * method invocation exactly when it resolves to a method here (ACPI 6.5 §20.2.5: MethodInvocation;
 * ACPICA resolves it the same way, from the parsed namespace and `iasl -e` tables).
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

/**
 * One namespace path: its object (if something is defined there) and its children. The decoder
 * walks these nodes (its current scope is a node) so resolving a name allocates nothing; the
 * flat `objects` map (path string → object) is kept in step for everything else.
 */
export class NsNode {
  obj: NsObject | undefined = undefined;
  kids: Map<string, NsNode> | undefined = undefined;
  private keyCache: string | undefined;
  private pathCache: string[] | undefined;
  constructor(
    readonly parent: NsNode | undefined,
    readonly seg: string,
    readonly depth: number,
  ) {}

  /** `\`, `\_SB_`, `\_SB_.NVDR` (the `objects` key). */
  get key(): string {
    if (this.keyCache === undefined) this.keyCache = !this.parent ? '\\' : this.parent.parent ? `${this.parent.key}.${this.seg}` : `\\${this.seg}`;
    return this.keyCache;
  }

  /** Segments from the root. */
  get path(): string[] {
    if (this.pathCache === undefined) this.pathCache = this.parent ? [...this.parent.path, this.seg] : [];
    return this.pathCache;
  }

  child(seg: string): NsNode {
    if (!this.kids) this.kids = new Map();
    let k = this.kids.get(seg);
    if (!k) {
      k = new NsNode(this, seg, this.depth + 1);
      this.kids.set(seg, k);
    }
    return k;
  }
}

function splitKey(key: string): string[] {
  return key === '\\' ? [] : key.slice(1).split('.');
}

export class Namespace {
  readonly root = new NsNode(undefined, '', 0);
  private flat: Map<string, NsObject> | undefined;

  /**
   * Every defined object by path (`\_SB_.NVDR` → object), built from the tree when asked (the
   * decoder never needs it, so a decode makes no path strings). Read-only: change the namespace
   * with `set`/`define`.
   */
  get objects(): ReadonlyMap<string, NsObject> {
    if (!this.flat) {
      const m = new Map<string, NsObject>();
      const walk = (n: NsNode) => {
        if (n.obj) m.set(n.key, n.obj);
        if (n.kids) for (const k of n.kids.values()) walk(k);
      };
      walk(this.root);
      this.flat = m;
    }
    return this.flat;
  }

  constructor() {
    for (const [k, v] of PREDEFINED) this.set(k, v);
  }

  /** Sets the object at a path key (`\_SB_.NVDR`) unconditionally. */
  set(key: string, obj: NsObject): void {
    let n = this.root;
    for (const s of splitKey(key)) n = n.child(s);
    n.obj = obj;
    this.flat = undefined;
  }

  define(path: readonly string[], obj: NsObject): void {
    let n = this.root;
    for (const s of path) n = n.child(s);
    this.defineAt(n, obj);
  }

  /** `define` for a node: a definition in the table wins over an External or a reference table's object. */
  defineAt(n: NsNode, obj: NsObject): void {
    const had = n.obj;
    if (!had || (had.from !== 'table' && obj.from === 'table') || (had.type === 0 && obj.type !== 0)) {
      n.obj = obj;
      this.flat = undefined;
    }
  }

  /** The node `name` names seen from `scope` (created when missing), for definitions and scopes. */
  nodeFor(scope: NsNode, name: NameString): NsNode {
    let n = this.baseOf(scope, name);
    for (let i = 0; i < name.segs.length; i++) n = n.child(name.segs[i]!);
    return n;
  }

  /** Node of the scope path (created when missing). */
  nodeOf(path: readonly string[]): NsNode {
    let n = this.root;
    for (const s of path) n = n.child(s);
    return n;
  }

  private baseOf(scope: NsNode, name: NameString): NsNode {
    if (name.root) return this.root;
    let n = scope;
    for (let i = 0; i < name.parents && n.parent; i++) n = n.parent;
    return n;
  }

  /** The object `name` denotes from scope node `scope` (search rules as `resolve`); allocates nothing. */
  lookup(scope: NsNode, name: NameString): NsObject | undefined {
    const segs = name.segs;
    if (!name.root && name.parents === 0 && segs.length === 1) {
      const seg = segs[0]!;
      for (let n: NsNode | undefined = scope; n; n = n.parent) {
        const o = n.kids?.get(seg)?.obj;
        if (o) return o;
      }
      return undefined;
    }
    let n: NsNode | undefined = this.baseOf(scope, name);
    for (let i = 0; i < segs.length && n; i++) n = n.kids?.get(segs[i]!);
    return n?.obj;
  }

  /**
   * The object `name` denotes from `scope`: a single bare segment is searched in the scope and
   * then each enclosing scope up to the root (§5.3 search rules); any other path is exact.
   */
  resolve(scope: readonly string[], name: NameString): { path: string[]; obj: NsObject } | undefined {
    if (!name.root && name.parents === 0 && name.segs.length === 1) {
      const seg = name.segs[0]!;
      const nodes: NsNode[] = [this.root];
      for (const s of scope) {
        const k = nodes[nodes.length - 1]!.kids?.get(s);
        if (!k) break;
        nodes.push(k);
      }
      for (let i = nodes.length - 1; i >= 0; i--) {
        const obj = nodes[i]!.kids?.get(seg)?.obj;
        if (obj) return { path: [...scope.slice(0, i), seg], obj };
      }
      return undefined;
    }
    const path = absolutePath(scope, name);
    let n: NsNode | undefined = this.root;
    for (let i = 0; i < path.length && n; i++) n = n.kids?.get(path[i]!);
    return n?.obj ? { path, obj: n.obj } : undefined;
  }

  /** Argument count when `name` (seen from `scope`) is a method, else undefined. */
  methodArgs(scope: readonly string[], name: NameString): number | undefined {
    const r = this.resolve(scope, name);
    return r && r.obj.type === 8 ? (r.obj.argc ?? 0) : undefined;
  }

  /** `methodArgs` from a scope node (the decoder's). */
  methodArgsAt(scope: NsNode, name: NameString): number | undefined {
    const o = this.lookup(scope, name);
    return o && o.type === 8 ? (o.argc ?? 0) : undefined;
  }

  /** Adds another table's objects (a `--ref` table) as known, not as defined here. */
  importFrom(other: Namespace): void {
    const mine = this.objects;
    const add: [string, NsObject][] = [];
    for (const [k, v] of other.objects) if (v.from === 'table' && !mine.has(k)) add.push([k, { ...v, from: 'ref' }]);
    for (const [k, v] of add) this.set(k, v);
  }
}

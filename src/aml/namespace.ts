/**
 * What the decoder knows about the namespace: every object a table (or a reference table, or an
 * External) creates, and the argument count of every method. A NameString in a TermArg is a
 * method invocation exactly when it resolves to a method here (ACPI 6.5 §20.2.5: MethodInvocation;
 * ACPICA resolves it the same way, from the parsed namespace and `iasl -e` tables).
 */
import type { NameString } from './model.js';
import { absolutePath, pathKey } from './nameString.js';

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

/** `\\`, `\\A.`, `\\A.B.`... for each level of a scope (cached per scope array: bodies share one). */
const prefixCache = new WeakMap<readonly string[], string[]>();
function scopePrefixes(scope: readonly string[]): string[] {
  let p = prefixCache.get(scope);
  if (!p) {
    p = ['\\'];
    for (let i = 0; i < scope.length; i++) p.push(`${p[i]}${scope[i]}.`);
    prefixCache.set(scope, p);
  }
  return p;
}

export class Namespace {
  readonly objects = new Map<string, NsObject>(PREDEFINED);

  define(path: readonly string[], obj: NsObject): void {
    const key = pathKey(path);
    const had = this.objects.get(key);
    // A definition in the table wins over an External or a reference table's object.
    if (!had || (had.from !== 'table' && obj.from === 'table') || (had.type === 0 && obj.type !== 0)) this.objects.set(key, obj);
  }

  /**
   * The object `name` denotes from `scope`: a single bare segment is searched in the scope and
   * then each enclosing scope up to the root (§5.3 search rules); any other path is exact.
   */
  resolve(scope: readonly string[], name: NameString): { path: string[]; obj: NsObject } | undefined {
    if (!name.root && name.parents === 0 && name.segs.length === 1) {
      const seg = name.segs[0]!;
      const prefixes = scopePrefixes(scope);
      for (let i = scope.length; i >= 0; i--) {
        const obj = this.objects.get(prefixes[i]! + seg);
        if (obj) return { path: [...scope.slice(0, i), seg], obj };
      }
      return undefined;
    }
    const path = absolutePath(scope, name);
    const obj = this.objects.get(pathKey(path));
    return obj ? { path, obj } : undefined;
  }

  /** Argument count when `name` (seen from `scope`) is a method, else undefined. */
  methodArgs(scope: readonly string[], name: NameString): number | undefined {
    const r = this.resolve(scope, name);
    return r && r.obj.type === 8 ? (r.obj.argc ?? 0) : undefined;
  }

  /** Adds another table's objects (a `--ref` table) as known, not as defined here. */
  importFrom(other: Namespace): void {
    for (const [k, v] of other.objects) if (v.from === 'table' && !this.objects.has(k)) this.objects.set(k, { ...v, from: 'ref' });
  }
}

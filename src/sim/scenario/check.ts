/**
 * A JSON Schema interpreter for the keywords the scenario schema uses (type, enum, properties,
 * required, additionalProperties, items, anyOf, $ref to #/definitions, pattern, minLength, maxLength,
 * minimum).
 * It collects every error as `path: problem`, one line each, instead of stopping at the first.
 */
export interface SchemaError {
  path: string;
  message: string;
}

type Schema = Readonly<Record<string, unknown>>;

const typeOf = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};

const matchesType = (v: unknown, t: string): boolean => {
  const a = typeOf(v);
  return a === t || (t === 'number' && a === 'integer');
};

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

export function checkSchema(root: Schema, value: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  const resolve = (s: Schema): Schema => {
    const ref = s.$ref;
    if (typeof ref !== 'string') return s;
    const m = /^#\/definitions\/(.+)$/.exec(ref);
    const target = m ? (root.definitions as Record<string, Schema> | undefined)?.[m[1]!] : undefined;
    if (!target) throw new Error(`schema: unresolvable $ref ${ref}`);
    return resolve(target);
  };
  const visit = (schema: Schema, v: unknown, path: string, out: SchemaError[] = errors): void => {
    const s = resolve(schema);
    const where = path || '(scenario)';
    if (Array.isArray(s.anyOf)) {
      const branches = (s.anyOf as Schema[]).map((b) => {
        const e: SchemaError[] = [];
        visit(b, v, path, e);
        return { b: resolve(b), e };
      });
      if (branches.some((x) => x.e.length === 0)) return;
      // Of the branches of v's type, the one v comes closest to: fewest enum mismatches (a guest
      // step's "do" picks its kind), then fewest errors.
      const enums = (e: SchemaError[]) => e.filter((x) => x.message.includes(' is not one of ')).length;
      const typed = branches.filter((x) => typeof x.b.type === 'string' && matchesType(v, x.b.type)).sort((a, b) => enums(a.e) - enums(b.e) || a.e.length - b.e.length)[0];
      if (typed) out.push(...typed.e);
      else out.push({ path: where, message: `expected ${branches.map((x) => x.b.type).filter(Boolean).join(' or ')}, got ${typeOf(v)}` });
      return;
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => matchesType(v, t))) {
        out.push({ path: where, message: `expected ${types.join(' or ')}, got ${typeOf(v)}` });
        return;
      }
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => e === v)) {
      out.push({ path: where, message: `${JSON.stringify(v)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
      return;
    }
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && v.length < s.minLength) out.push({ path: where, message: `must not be shorter than ${s.minLength} characters` });
      if (typeof s.maxLength === 'number' && v.length > s.maxLength) out.push({ path: where, message: `is ${v.length} characters; at most ${s.maxLength}` });
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) out.push({ path: where, message: `${JSON.stringify(v)} does not match ${s.pattern}${s.description ? ` (${s.description})` : ''}` });
    }
    if (typeof v === 'number' && typeof s.minimum === 'number' && v < s.minimum) out.push({ path: where, message: `${v} is less than ${s.minimum}` });
    if (Array.isArray(v) && s.items) v.forEach((x, i) => visit(s.items as Schema, x, join(path, i), out));
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required ?? []) as string[]) if (!(r in o)) out.push({ path: join(path, r), message: 'is required' });
      for (const [k, x] of Object.entries(o)) {
        if (props[k]) visit(props[k]!, x, join(path, k), out);
        else if (s.additionalProperties === false) out.push({ path: join(path, k), message: `unknown field (expected one of: ${Object.keys(props).join(', ')})` });
        else if (typeof s.additionalProperties === 'object') visit(s.additionalProperties as Schema, x, join(path, k), out);
      }
    }
  };
  visit(root, value, '');
  return errors;
}

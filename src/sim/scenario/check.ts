/**
 * A JSON Schema interpreter for the keywords the scenario schema uses (type, enum, properties,
 * required, additionalProperties, items, $ref to #/$defs, pattern, minLength, maxLength, minimum).
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
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    const target = m ? (root.$defs as Record<string, Schema> | undefined)?.[m[1]!] : undefined;
    if (!target) throw new Error(`schema: unresolvable $ref ${ref}`);
    return resolve(target);
  };
  const visit = (schema: Schema, v: unknown, path: string): void => {
    const s = resolve(schema);
    const where = path || '(scenario)';
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => matchesType(v, t))) {
        errors.push({ path: where, message: `expected ${types.join(' or ')}, got ${typeOf(v)}` });
        return;
      }
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => e === v)) {
      errors.push({ path: where, message: `${JSON.stringify(v)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
      return;
    }
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && v.length < s.minLength) errors.push({ path: where, message: `must not be shorter than ${s.minLength} characters` });
      if (typeof s.maxLength === 'number' && v.length > s.maxLength) errors.push({ path: where, message: `is ${v.length} characters; at most ${s.maxLength}` });
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) errors.push({ path: where, message: `${JSON.stringify(v)} does not match ${s.pattern}${s.description ? ` (${s.description})` : ''}` });
    }
    if (typeof v === 'number' && typeof s.minimum === 'number' && v < s.minimum) errors.push({ path: where, message: `${v} is less than ${s.minimum}` });
    if (Array.isArray(v) && s.items) v.forEach((x, i) => visit(s.items as Schema, x, join(path, i)));
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required ?? []) as string[]) if (!(r in o)) errors.push({ path: join(path, r), message: 'is required' });
      for (const [k, x] of Object.entries(o)) {
        if (props[k]) visit(props[k]!, x, join(path, k));
        else if (s.additionalProperties === false) errors.push({ path: join(path, k), message: `unknown field (expected one of: ${Object.keys(props).join(', ')})` });
        else if (typeof s.additionalProperties === 'object') visit(s.additionalProperties as Schema, x, join(path, k));
      }
    }
  };
  visit(root, value, '');
  return errors;
}

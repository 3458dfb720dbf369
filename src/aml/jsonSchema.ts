/**
 * The JSON Schema (draft-07) of an AML table as `nvtool decode --json` prints it and
 * `amlTableFromJson` (json.ts) reads it: the header's fields from the ACPI header declaration, each
 * term kind (t: int, str, name, call, none, op) with exactly its keys, and each operator's
 * arguments in count and kind from the opcode table (opcodes.ts), the one grammar both use.
 * Definitions are returned by name, for a document to place under its own `definitions`.
 */
import { acpiHeader } from '../acpi/header.js';
import { codecJsonSchema, hexBytesJsonSchema, uintCodec, U64_JSON, type JsonSchema } from '../core/schema/index.js';
import { SEG_RE } from './nameString.js';
import { OPCODES, type ArgKind } from './opcodes.js';
import { PKG_LENGTH_MAX } from './pkgLength.js';

const INT_ENCODINGS = ['zero', 'one', 'ones', 'byte', 'word', 'dword', 'qword'];
const NAME_SEG = { type: 'string', pattern: SEG_RE.source };

/** Key `key` (a term's `t`, a field element's `k`) must be `tag`, and the object has exactly it and these keys. */
function tagged(tag: string, properties: Record<string, JsonSchema>, optional: string[] = [], key = 't'): JsonSchema {
  return {
    type: 'object',
    required: [key, ...Object.keys(properties).filter((k) => !optional.includes(k))],
    additionalProperties: false,
    properties: { [key]: { const: tag }, ...properties },
  };
}

/** Dispatch on a key's value: one `if`/`then` per value (cheaper than a oneOf over every branch). */
function byKey(key: string, branches: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    required: [key],
    properties: { [key]: { enum: Object.keys(branches) } },
    allOf: Object.entries(branches).map(([v, then]) => ({ if: { properties: { [key]: { const: v } } }, then })),
  };
}

/**
 * The definitions, `$ref`s made with `ref(name)` (e.g. `#/definitions/amlTerm`): amlTable,
 * amlTerm, amlTarget, amlName, amlField, amlOp (each operator's arguments by its signature).
 */
export function amlJsonSchemaDefinitions(ref: (name: string) => JsonSchema): Record<string, JsonSchema> {
  const header: Record<string, JsonSchema> = {};
  for (const f of acpiHeader()) header[f.name] = { ...(f.label ? { description: f.label } : {}), ...codecJsonSchema(f.codec) };
  const name = {
    type: 'object',
    required: ['root', 'parents', 'segs'],
    additionalProperties: false,
    properties: {
      root: { type: 'boolean', description: 'a rooted name (\\)' },
      parents: { type: 'integer', minimum: 0, maximum: 255, description: '^ prefixes' },
      segs: { type: 'array', maxItems: 255, items: NAME_SEG },
      multi: { type: 'boolean', description: 'a MultiNamePrefix kept where DualNamePrefix would do' },
    },
  };
  const terms: Record<string, JsonSchema> = {
    int: tagged('int', { value: U64_JSON, enc: { enum: INT_ENCODINGS, description: 'how the constant is encoded (absent: QEMU\'s choice)' } }, ['enc']),
    str: tagged('str', { value: { type: 'string', pattern: '^[\\u0001-\\u007f]*$' } }),
    name: tagged('name', { name: ref('amlName') }),
    call: tagged('call', { name: ref('amlName'), args: { type: 'array', maxItems: 7, items: ref('amlTerm') } }),
    op: ref('amlOp'),
  };
  const term = byKey('t', terms);
  const target = { if: { type: 'object', properties: { t: { const: 'none' } } }, then: tagged('none', {}), else: ref('amlTerm') };
  const fieldWidth = { bits: { type: 'integer', minimum: 0, maximum: PKG_LENGTH_MAX }, lenBytes: { type: 'integer', minimum: 1, maximum: 4 } };
  const byte = codecJsonSchema(uintCodec(1));
  const closed = (k: string, properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema => tagged(k, properties, optional, 'k');
  const field = byKey('k', {
    named: closed('named', { name: NAME_SEG, ...fieldWidth }, ['lenBytes']),
    reserved: closed('reserved', fieldWidth, ['lenBytes']),
    access: closed('access', { type: byte, attrib: byte }),
    extaccess: closed('extaccess', { type: byte, attrib: byte, length: byte }),
    connection: closed('connection', { target: ref('amlTerm') }),
  });
  const arg = (kind: ArgKind): JsonSchema => {
    switch (kind) {
      case 'name':
        return tagged('name', { name: ref('amlName') });
      case 'term':
      case 'super':
        return ref('amlTerm');
      case 'target':
        return ref('amlTarget');
      case 'u8':
      case 'u16':
      case 'u32':
        return tagged(kind, { value: codecJsonSchema(uintCodec(kind === 'u8' ? 1 : kind === 'u16' ? 2 : 4)) });
      case 'terms':
      case 'elems':
        return tagged('list', { terms: { type: 'array', items: ref('amlTerm') } });
      case 'bytes':
        return tagged('bytes', { bytes: hexBytesJsonSchema() });
      case 'fields':
        return tagged('fields', { elems: { type: 'array', items: ref('amlField') } });
    }
  };
  // one dispatch per argument signature (operators share a few dozen), not per operator: ajv compiles it in a fraction of the time
  const signatures = new Map<string, { args: readonly ArgKind[]; ops: string[] }>();
  for (const o of OPCODES) {
    const key = o.args.join(',');
    const e = signatures.get(key) ?? { args: o.args, ops: [] };
    e.ops.push(o.name);
    signatures.set(key, e);
  }
  const opTerm: JsonSchema = {
    ...tagged('op', { op: { enum: OPCODES.map((o) => o.name) }, args: { type: 'array' }, pkgLenBytes: { type: 'integer', minimum: 1, maximum: 4, description: 'a PkgLength wider than needed, kept' } }, ['pkgLenBytes']),
    allOf: [
      ...[...signatures.values()].map(({ args, ops }) => ({
        if: { properties: { op: { enum: ops } } },
        then: { properties: { args: args.length ? { type: 'array', minItems: args.length, maxItems: args.length, items: args.map(arg), additionalItems: false } : { type: 'array', maxItems: 0 } } },
      })),
      // only operators encoded with a PkgLength can keep a wide one
      { if: { properties: { op: { enum: OPCODES.filter((o) => !o.pkg).map((o) => o.name) } } }, then: { not: { type: 'object', required: ['pkgLenBytes'] } } },
    ],
  };
  return {
    amlTable: {
      type: 'object',
      required: ['header', 'terms'],
      additionalProperties: false,
      properties: {
        header: { type: 'object', required: Object.keys(header), additionalProperties: false, properties: header },
        terms: { type: 'array', items: ref('amlTerm') },
      },
    },
    amlTerm: term,
    amlTarget: target,
    amlName: name,
    amlField: field,
    amlOp: opTerm,
  };
}

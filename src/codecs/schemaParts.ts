/** Pieces the generated command schemas (cliSchemas.ts, writerSummaries.ts) share. */
import type { JsonSchema, Struct } from '../core/schema/index.js';
import { GUID_JSON } from '../core/schema/jsonSchema.js';

export const BASE = 'https://nvtool.invalid/schemas/';
export const DRAFT = 'http://json-schema.org/draft-07/schema#';
export const int = (description?: string): JsonSchema => ({ type: 'integer', minimum: 0, ...(description ? { description } : {}) });
export const str = { type: 'string' };
export const UUID = GUID_JSON;
export const findings = { type: 'array', items: { $ref: 'finding.schema.json' } };
export const u64 = { $ref: 'structs.schema.json#/definitions/u64' };
/** A declaration's schema in structs.schema.json (generated from it, src/codecs/jsonSchemas.ts). */
export const structRef = (s: Struct<any>): JsonSchema => ({ $ref: `structs.schema.json#/definitions/${s.name}` });
export const ints = { type: 'array', items: int() };

/** An object with exactly these keys, those in `required` always present. */
export function closed(properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties), extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', required, additionalProperties: false, properties, ...extra };
}

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/**
 * The closed schema of TypeScript type T: the compiler checks that `properties` names every key of
 * T and no other, and that `optional` lists exactly T's optional keys, so the schema follows the
 * type its producer is declared with.
 */
export function shapeOf<T>() {
  return <O extends OptionalKeys<T>>(properties: { [K in keyof T]-?: JsonSchema }, optional: [OptionalKeys<T>] extends [O] ? O[] : never): JsonSchema =>
    closed(properties as Record<string, JsonSchema>, Object.keys(properties).filter((k) => !(optional as string[]).includes(k)));
}

/**
 * The JSON Schema (draft-07) of a declaration's JSON form (`Struct.toJson`), derived from the same
 * declaration that decodes and encodes it: integers as JSON integers in their range (64-bit ones a
 * number, or a decimal string past 2^53-1), byte fields as hex strings, text as strings, GUIDs in
 * their string form, each structure an object with exactly its fields. It describes what nvtool
 * prints; `encode` also reads `"0x…"` strings and `{"$pin": v}` (specs/cli.md "JSON").
 */
import type { Codec } from './field.js';

export type JsonSchema = Record<string, unknown>;

const HEX_BYTES = { type: 'string', pattern: '^([0-9a-f]{2})*$' };
/** A GUID as nvtool prints it (guidToString: lower case). */
export const GUID_JSON: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' };
export const U64_JSON: JsonSchema = { anyOf: [{ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, { type: 'string', pattern: '^[1-9][0-9]{15,19}$' }] };

/** Codecs that know their JSON form say it; a codec that does not is described by what its zero value prints. */
export function codecJsonSchema(c: Codec<unknown>): JsonSchema {
  // integers (uintCodec, beUintCodec, u64Codec), GUIDs and byte strings say their own range/pattern
  if (c.jsonSchema) return c.jsonSchema();
  const z = c.zero ? c.toJson(c.zero()) : undefined;
  if (z instanceof Uint8Array || (typeof z === 'string' && /^(00)*$/.test(z) && c.size !== undefined && z.length === 2 * c.size)) return HEX_BYTES;
  if (typeof z === 'string') return { type: 'string' };
  if (typeof z === 'number') return { type: 'integer', minimum: 0 };
  if (typeof z === 'boolean') return { type: 'boolean' };
  return {};
}

export const hexBytesJsonSchema = (): JsonSchema => HEX_BYTES;

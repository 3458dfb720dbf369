import { decodeStruct, encodeStruct, structFromJson, type Struct } from '../core/schema/index.js';
import type { DecodableFormat, DecodedDocument } from './registry.js';

/** A format that is one declared structure at offset 0 of its input. */
export function structFormat(
  name: string,
  S: Struct<any>,
  o: { detect: (b: Uint8Array) => boolean; detectJson?: (j: unknown) => boolean; title?: string; decodeAs?: string },
): DecodableFormat {
  return {
    name,
    struct: S,
    detect: o.detect,
    decode(bytes, { spans }): DecodedDocument {
      const d = decodeStruct(S, bytes, { format: o.decodeAs ?? name, spans });
      return { format: o.title ?? name, findings: d.findings, ...(d.spans ? { spans: d.spans } : {}), json: S.toJson(d.value) };
    },
    encode(json, { preserve }) {
      const { value, pins } = structFromJson(S, json);
      return encodeStruct(S, value, { pins: preserve ? 'all' : pins });
    },
    ...(o.detectJson ? { detectJson: o.detectJson } : {}),
  };
}

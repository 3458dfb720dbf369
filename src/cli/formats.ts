import { acpiSignature, genericTable } from '../acpi/genericTable.js';
import { decodeNfit, encodeNfit, fitBuffer, nfitFromJson, nfitToJson, structureOffsets, validateNfit } from '../acpi/nfit/index.js';
import { decodeStruct, encodeStruct, structFromJson, type Finding, type Span } from '../core/schema/index.js';
import { NvError } from '../core/errors.js';

/** What `nvtool decode` can show and `nvtool encode` can rebuild. */
export interface DecodedDocument {
  format: string;
  findings: Finding[];
  spans?: Span[];
  /** The value as `--json` prints it (and `encode` reads it back). */
  json: unknown;
  /** A text rendering other than the field dump (e.g. ASL), when the format has one. */
  text?: string;
}

export interface DecodableFormat {
  name: string;
  /** Whether the bytes look like this format (cheap; first match wins). */
  detect(bytes: Uint8Array): boolean;
  decode(bytes: Uint8Array, opts: { spans: boolean; refs?: Uint8Array[] }): DecodedDocument;
  /** JSON as printed by decode → bytes; derived fields recomputed unless pinned. */
  encode?(json: unknown, opts: { preserve: boolean }): Uint8Array;
  /** Whether a JSON document (from decode --json) is of this format. */
  detectJson?(json: unknown): boolean;
}

const jsonSignature = (j: unknown) => (j && typeof j === 'object' ? (j as { signature?: unknown }).signature : undefined);

const nfitFormat: DecodableFormat = {
  name: 'NFIT',
  detect: (b) => acpiSignature(b) === 'NFIT',
  decode(bytes, { spans }) {
    const d = decodeNfit(bytes, { spans });
    return {
      format: 'NFIT',
      findings: d.findings,
      ...(d.spans ? { spans: d.spans } : {}),
      get json() {
        return nfitToJson(d.table);
      },
    };
  },
  encode(json, { preserve }) {
    const { table, pins } = nfitFromJson(json);
    return encodeNfit(table, preserve ? 'all' : pins);
  },
  detectJson: (j) => jsonSignature(j) === 'NFIT',
};

/** A `_FIT` buffer (ACPI 6.5 §6.5.9): NFIT structures with no table header; only by name. */
const fitFormat: DecodableFormat = {
  name: 'FIT',
  detect: () => false,
  decode(bytes, { spans }) {
    const d = decodeStruct(fitBuffer, bytes, { format: 'FIT', spans });
    return { format: 'FIT', findings: [...d.findings, ...validateNfit(d.value, structureOffsets(d.value, 0, 0))], ...(d.spans ? { spans: d.spans } : {}), json: fitBuffer.toJson(d.value) };
  },
  encode(json, { preserve }) {
    const { value, pins } = structFromJson(fitBuffer, json);
    return encodeStruct(fitBuffer, value, { pins: preserve ? 'all' : pins });
  },
};

/** Fallback for any other ACPI table: header decoded, body kept. */
const genericAcpiFormat: DecodableFormat = {
  name: 'ACPI',
  detect: (b) => acpiSignature(b) !== undefined,
  decode(bytes, { spans }) {
    const d = decodeStruct(genericTable, bytes, { format: acpiSignature(bytes) ?? 'ACPI', spans });
    return { format: d.value.signature, findings: d.findings, ...(d.spans ? { spans: d.spans } : {}), json: genericTable.toJson(d.value) };
  },
  encode(json, { preserve }) {
    const { value, pins } = structFromJson(genericTable, json);
    return encodeStruct(genericTable, value, { pins: preserve ? 'all' : pins });
  },
  detectJson: (j) => typeof jsonSignature(j) === 'string',
};

/**
 * Formats in detection order. Format modules add themselves with `registerFormat` (AML tables,
 * label areas...) ahead of the generic ACPI fallback.
 */
const formats: DecodableFormat[] = [nfitFormat, fitFormat];

export function registerFormat(f: DecodableFormat): void {
  formats.push(f);
}

export function allFormats(): readonly DecodableFormat[] {
  return [...formats, genericAcpiFormat];
}

export function formatFor(bytes: Uint8Array, name?: string): DecodableFormat {
  const list = allFormats();
  if (name) {
    const f = list.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!f) throw new NvError('input', '', undefined, `unknown format "${name}"; known: ${list.map((x) => x.name).join(', ')}`);
    return f;
  }
  const f = list.find((x) => x.detect(bytes));
  if (!f) throw new NvError('input', '', 0, 'not a format nvtool recognises (no ACPI signature); name one with --format');
  return f;
}

export function formatForJson(json: unknown, name?: string): DecodableFormat {
  const list = allFormats().filter((f) => f.encode);
  const f = name ? list.find((x) => x.name.toLowerCase() === name.toLowerCase()) : list.find((x) => x.detectJson?.(json));
  if (!f) throw new NvError('json', '', undefined, 'cannot tell which format this JSON describes; name one with --format');
  return f;
}

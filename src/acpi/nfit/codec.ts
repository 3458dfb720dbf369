import { decodeStruct, encodeStruct, structFromJson, type Finding, type Span } from '../../core/schema/index.js';
import { validateNfit } from './validate.js';
import { fitBuffer, nfitTable, type Nfit } from './table.js';

export interface DecodedNfit {
  table: Nfit;
  /** Decoder findings (checksum, lengths, raw structures) then semantic ones. */
  findings: Finding[];
  spans?: Span[];
}

/** Decode and validate an NFIT; throws NvError only when the header itself is unusable. */
export function decodeNfit(bytes: Uint8Array, opts: { spans?: boolean; base?: number } = {}): DecodedNfit {
  const d = decodeStruct(nfitTable, bytes, { format: 'NFIT', spans: opts.spans ?? false, base: opts.base ?? 0 });
  const offsets = structureOffsets(d.value, opts.base ?? 0);
  return { table: d.value, findings: [...d.findings, ...validateNfit(d.value, offsets)], ...(d.spans ? { spans: d.spans } : {}) };
}

/**
 * Absolute offset of each structure, from the lengths (structures are packed back to back);
 * `first` is where the list starts: after the header in a table, 0 in a `_FIT` buffer.
 */
export function structureOffsets(t: Pick<Nfit, 'structures'>, base = 0, first: number = nfitTable.offsetOf('structures')): number[] {
  const out: number[] = [];
  let off = base + first;
  for (const s of t.structures) {
    out.push(off);
    off += s.length;
  }
  return out;
}

export function encodeNfit(t: Nfit, pins?: 'all' | ReadonlySet<string>): Uint8Array {
  return encodeStruct(nfitTable, t, pins ? { pins } : {});
}

/** What `_FIT` returns for these structures: the NFIT's structures without its header (ACPI 6.5 §6.5.9). */
export function encodeFit(t: Pick<Nfit, 'structures'>): Uint8Array {
  return encodeStruct(fitBuffer, { structures: t.structures });
}

export function nfitToJson(t: Nfit): unknown {
  return nfitTable.toJson(t);
}

export function nfitFromJson(json: unknown): { table: Nfit; pins: Set<string> } {
  const { value, pins } = structFromJson(nfitTable, json);
  return { table: value, pins };
}

import { acpiSignature, genericTable } from '../acpi/genericTable.js';
import { decodeNfit, encodeNfit, fitBuffer, nfitFromJson, nfitTable, nfitToJson, structureOffsets, validateNfit } from '../acpi/nfit/index.js';
import { decodeStruct } from '../core/schema/index.js';
import type { DecodableFormat } from './registry.js';
import { structFormat } from './struct.js';

const signatureOf = (j: unknown) => (j && typeof j === 'object' ? (j as { signature?: unknown }).signature : undefined);

export const nfitFormat: DecodableFormat = {
  name: 'NFIT',
  struct: nfitTable,
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
  detectJson: (j) => signatureOf(j) === 'NFIT',
};

/** A `_FIT` buffer (ACPI 6.5 §6.5.9): NFIT structures with no table header; only by name. */
export const fitFormat: DecodableFormat = {
  ...structFormat('FIT', fitBuffer, { detect: () => false }),
  decode(bytes, { spans }) {
    const d = decodeStruct(fitBuffer, bytes, { format: 'FIT', spans });
    return { format: 'FIT', findings: [...d.findings, ...validateNfit(d.value, structureOffsets(d.value, 0, 0))], ...(d.spans ? { spans: d.spans } : {}), json: fitBuffer.toJson(d.value) };
  },
};

/** Fallback for any other ACPI table: header decoded, body kept. */
export const genericAcpiFormat: DecodableFormat = {
  ...structFormat('ACPI', genericTable, { detect: (b) => acpiSignature(b) !== undefined, detectJson: (j) => typeof signatureOf(j) === 'string' }),
  decode(bytes, { spans }) {
    const d = decodeStruct(genericTable, bytes, { format: acpiSignature(bytes) ?? 'ACPI', spans });
    return { format: d.value.signature, findings: d.findings, ...(d.spans ? { spans: d.spans } : {}), json: genericTable.toJson(d.value) };
  },
};

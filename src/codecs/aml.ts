import { acpiSignature } from '../acpi/genericTable.js';
import { disassembleTable } from '../aml/disasm.js';
import { amlTableFromJson, isAmlTableJson } from '../aml/json.js';
import { AML_SIGNATURES, decodeAmlTable, encodeAmlTable } from '../aml/table.js';
import { formatFinding, type Finding } from '../core/schema/index.js';
import type { DecodableFormat } from './registry.js';

/** Decode + disassemble, with the findings the disassembly adds (names other tables define, encodings ASL cannot express). */
export function disasmDocument(bytes: Uint8Array, refs: Uint8Array[], banner: string[]) {
  const d = decodeAmlTable(bytes, { refs });
  const dis = disassembleTable(d, { unresolved: d.unresolved.keys(), banner });
  const findings: Finding[] = [...d.findings];
  for (const n of d.unresolved.keys()) findings.push({ severity: 'info', code: 'external-name', path: n, message: `${n} is not defined in this table (nor in the --ref tables)` });
  for (const n of dis.notes) findings.push({ severity: 'warning', code: 'asl-inexpressible', path: '', message: `${n}: iasl will not reproduce this encoding` });
  return { d, dis, findings };
}

const findingLines = (fs: readonly Finding[]) => fs.map((f) => formatFinding(f) + '\n').join('');

/**
 * A DSDT/SSDT: decode shows the disassembly; the JSON is the term model, which encode turns back
 * into the table (PkgLengths, length and checksum recomputed unless pinned or preserved).
 */
export const amlFormat: DecodableFormat = {
  name: 'AML',
  detect: (b) => (AML_SIGNATURES as readonly string[]).includes(acpiSignature(b) ?? ''),
  decode(bytes, { refs }) {
    const { d, dis, findings } = disasmDocument(bytes, refs ?? [], []);
    return { format: d.table.header.signature, findings, json: d.table, text: dis.text + findingLines(findings) };
  },
  encode(json, { preserve }) {
    const { table, pins } = amlTableFromJson(json);
    return encodeAmlTable(table, preserve ? { preserveHeader: true } : { pins });
  },
  detectJson: isAmlTableJson,
};

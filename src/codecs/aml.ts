import { acpiSignature } from '../acpi/genericTable.js';
import { amlTableFromJson, isAmlTableJson } from '../aml/json.js';
import { AML_SIGNATURES, encodeAmlTable } from '../aml/table.js';
import { formatFinding, type Finding } from '../core/schema/index.js';
import { disasmDocument } from './amlDisasm.js';
import type { DecodableFormat } from './registry.js';

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

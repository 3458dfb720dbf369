import { disassembleTable } from '../aml/disasm.js';
import { decodeAmlTable } from '../aml/table.js';
import type { Finding } from '../core/schema/index.js';

/**
 * Decode + disassemble, with the findings the disassembly adds (names other tables define,
 * encodings ASL cannot express). Its own module so `nvtool disasm` loads the AML decoder and
 * disassembler without every other format's codec.
 */
export function disasmDocument(bytes: Uint8Array, refs: Uint8Array[], banner: string[]) {
  const d = decodeAmlTable(bytes, { refs });
  const dis = disassembleTable(d, { unresolved: d.unresolved.keys(), banner });
  const findings: Finding[] = [...d.findings];
  for (const n of d.unresolved.keys()) findings.push({ severity: 'info', code: 'external-name', path: n, message: `${n} is not defined in this table (nor in the --ref tables)` });
  for (const n of dis.notes) findings.push({ severity: 'warning', code: 'asl-inexpressible', path: '', message: `${n}: iasl will not reproduce this encoding` });
  return { d, dis, findings };
}

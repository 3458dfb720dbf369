import { amlFuzzTarget } from '../../aml/fuzz.js';
import { AML_SIGNATURES, decodeAmlTable, encodeAmlTable } from '../../aml/table.js';
import { amlTableFromJson, isAmlTableJson } from '../../aml/json.js';
import { disassembleTable } from '../../aml/disasm.js';
import { acpiSignature } from '../../acpi/genericTable.js';
import type { Finding } from '../../core/schema/index.js';
import { defineCommand } from '../command.js';
import { exitFor, findingLines, summarize } from '../findings.js';
import { registerFormat } from '../formats.js';
import { registerFuzzTarget } from '../fuzzTargets.js';
import { readInput, toJsonText, writeOutput } from '../io.js';

interface Args {
  file: string;
  ref: string[];
  output?: string;
  force: boolean;
  json: boolean;
}

/** Decode + disassemble, with the findings the disassembly adds (names other tables define, encodings ASL cannot express). */
function disasmDocument(bytes: Uint8Array, refs: Uint8Array[], banner: string[]) {
  const d = decodeAmlTable(bytes, { refs });
  const dis = disassembleTable(d.table, { unresolved: d.unresolved.keys(), banner });
  const findings: Finding[] = [...d.findings];
  for (const n of d.unresolved.keys()) findings.push({ severity: 'info', code: 'external-name', path: n, message: `${n} is not defined in this table (nor in the --ref tables)` });
  for (const n of dis.notes) findings.push({ severity: 'warning', code: 'asl-inexpressible', path: '', message: `${n}: iasl will not reproduce this encoding` });
  return { d, dis, findings };
}

/**
 * `nvtool decode` of a DSDT/SSDT shows the disassembly; `--json` the term model, which
 * `nvtool encode` turns back into the table (PkgLengths, length and checksum recomputed unless
 * the header pins them with `{"$pin": v}` or `--preserve` keeps the header as given).
 */
registerFormat({
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
});

registerFuzzTarget(amlFuzzTarget);

export const disasmCommand = defineCommand<Args>({
  command: 'disasm <file>',
  describe: 'Disassemble a DSDT/SSDT to ASL that iasl compiles back to the same AML body',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'AML table (DSDT, SSDT; - for stdin)' })
      .option('ref', { type: 'string', array: true, default: [], describe: 'other tables whose methods resolve calls (like iasl -e)' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the ASL to this file instead of stdout' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing output file' })
      .option('json', { type: 'boolean', default: false, describe: 'print the decoded term model and findings as JSON' }) as never,
  examples: [
    ['$0 disasm SSDT.aml -o ssdt.dsl', 'legacy ASL; `iasl -oa ssdt.dsl` gives the same body bytes'],
    ['$0 disasm DSDT.aml --ref SSDT.aml', 'resolve calls to methods the SSDT defines'],
    ['$0 disasm SSDT.aml --json', 'the term tree as JSON'],
  ],
  fileOf: (a) => a.file,
  run(a) {
    const bytes = readInput(a.file);
    const refs = a.ref.map((f) => readInput(f));
    const { d, dis, findings } = disasmDocument(bytes, refs, [`Disassembly of ${a.file} by nvtool`]);
    const out = a.json ? toJsonText({ format: 'AML', value: d.table, findings }) : dis.text;
    if (a.output) writeOutput(a.output, out, a.force);
    else process.stdout.write(out);
    const shown = findings.filter((f) => f.severity !== 'info');
    if (!a.json && shown.length) process.stderr.write(findingLines(shown));
    if (!a.json && a.output) process.stderr.write(`${a.output}: ${d.table.header.signature}, ${bytes.length} bytes: ${summarize(findings)}\n`);
    return exitFor(findings);
  },
});

import { disasmDocument } from '../../codecs/amlDisasm.js';
import { defineCommand } from '../command.js';
import { file } from '../options/values.js';
import { exitFor, findingLines, summarize } from '../findings.js';
import { readInput, toJsonText } from '../io.js';
import { writeOutput } from '../write/output.js';

interface Args {
  file: string;
  ref: string[];
  output?: string;
  force: boolean;
  dryRun: boolean;
  json: boolean;
}

export const disasmCommand = defineCommand<Args>({
  name: 'disasm',
  describe: 'Disassemble a DSDT/SSDT to ASL that iasl compiles back to the same AML body',
  positionals: [{ name: 'file', describe: 'AML table (DSDT, SSDT; - for stdin)', value: file({ dash: 'stdin' }) }],
  options: {
    ref: { describe: 'other tables whose methods resolve calls (like iasl -e)', value: file(), repeatable: true },
    output: { alias: 'o', describe: 'write the ASL to this file instead of stdout', value: file({ dash: 'stdout' }) },
    force: { describe: 'replace an existing output file' },
    'dry-run': { describe: 'say which file would be written, write nothing' },
    json: { describe: 'print the decoded term model and findings as JSON' },
  },
  requires: [['force', 'output'], ['dry-run', 'output']],
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
    const out = a.json ? toJsonText({ schemaVersion: 1, format: 'AML', value: d.table, findings }) : dis.bytes;
    if (a.output) writeOutput(a.output, out, a.force, a.dryRun);
    else process.stdout.write(out);
    const shown = findings.filter((f) => f.severity !== 'info');
    if (!a.json && shown.length) process.stderr.write(findingLines(shown));
    if (!a.json && a.output) process.stderr.write(`${a.output}: ${d.table.header.signature}, ${bytes.length} bytes: ${summarize(findings)}\n`);
    return exitFor(findings);
  },
});

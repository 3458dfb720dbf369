import { formatDump } from '../../core/schema/index.js';
import { defineCommand } from '../command.js';
import { formatFor } from '../formats.js';
import { exitFor, summarize } from '../findings.js';
import { readInput, toJsonText, writeOutput } from '../io.js';

interface Args {
  file: string;
  json: boolean;
  format?: string;
  ref: string[];
  output?: string;
  force: boolean;
}

export const decodeCommand = defineCommand<Args>({
  command: 'decode <file>',
  describe: 'Annotated field dump of a binary (NFIT and other ACPI tables...), with validation findings',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'binary to decode (- for stdin)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the decoded value and findings as JSON (encode reads it back)' })
      .option('format', { type: 'string', describe: 'decode as this format instead of detecting it' })
      .option('ref', { type: 'string', array: true, default: [], describe: 'other tables to resolve names from (AML)' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the output to a file instead of stdout' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing output file' }) as never,
  examples: [
    ['$0 decode nfit.aml', 'field-by-field dump with offsets, decoded flags and GUID names'],
    ['$0 decode nfit.aml --json > nfit.json', 'the table as editable JSON (see `nvtool encode`)'],
  ],
  fileOf: (a) => a.file,
  run(a) {
    const bytes = readInput(a.file);
    const fmt = formatFor(bytes, a.format);
    const refs = a.ref.map((f) => readInput(f));
    const doc = fmt.decode(bytes, { spans: !a.json, refs });
    const out = a.json
      ? toJsonText({ format: doc.format, value: doc.json, findings: doc.findings })
      : (doc.text ?? formatDump(doc.spans ?? [], doc.findings)) + `\n${doc.format}: ${summarize(doc.findings)}\n`;
    if (a.output) writeOutput(a.output, out, a.force);
    else process.stdout.write(out);
    return exitFor(doc.findings);
  },
});

import { defineCommand } from '../command.js';
import { encodeJson } from '../../codecs/index.js';
import { file } from '../options/values.js';
import { formatNameValue } from '../options/formats.js';
import { readJsonFile, toJsonText } from '../io.js';
import { writeOutput } from '../write/output.js';

interface Args {
  file: string;
  output: string;
  format?: string;
  preserve: boolean;
  force: boolean;
  dryRun: boolean;
  json: boolean;
}

export const encodeCommand = defineCommand<Args>({
  name: 'encode',
  describe: 'Turn JSON from `decode --json` (edited or not) back into the binary',
  positionals: [{ name: 'file', describe: 'JSON document (the whole `decode --json` output, or its "value"; an acpidump listing\'s gives the listing; - for stdin)', value: file({ dash: 'stdin' }) }],
  options: {
    output: { alias: 'o', describe: 'binary to write (- for stdout)', value: file({ dash: 'stdout' }), required: true },
    format: { describe: 'format of the JSON, when it cannot be told from its content', value: formatNameValue },
    preserve: { describe: 'write lengths, counts and checksums exactly as the JSON gives them' },
    force: { describe: 'replace an existing output file' },
    'dry-run': { describe: 'say which file would be written, write nothing' },
    json: { describe: 'print what was written (file, bytes, format) as JSON on stderr' },
  },
  examples: [
    ['$0 decode nfit.aml --json > nfit.json && $EDITOR nfit.json && $0 encode nfit.json -o new.aml', 'edit a field; lengths and checksum are recomputed'],
    ['$0 encode bad.json -o bad.aml --preserve', 'keep a deliberately wrong checksum (crafting test images)'],
    ['$0 encode t.json -o t.aml', 'pin one derived field: write "checksum": {"$pin": 0} in the JSON'],
    ['$0 decode SSDT.aml --json > ssdt.json && $0 encode ssdt.json -o ssdt2.aml', 'AML tables too: PkgLengths, length and checksum recomputed'],
    ['$0 decode tables.txt --json > t.json && $0 encode t.json -o tables2.txt', 'an acpidump listing: each table encoded, printed as acpidump prints it'],
  ],
  fileOf: (a) => a.file,
  run(a) {
    const { format, bytes } = encodeJson(readJsonFile(a.file), { ...(a.format ? { format: a.format } : {}), preserve: a.preserve });
    writeOutput(a.output, bytes, a.force, a.dryRun);
    if (a.json) process.stderr.write(toJsonText({ schemaVersion: 1, output: a.output, bytes: bytes.length, format }));
    else if (a.output !== '-') process.stderr.write(`${a.output}: ${bytes.length} bytes (${format})\n`);
    return 0;
  },
});

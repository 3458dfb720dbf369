import { isAcpidumpText, parseAcpidump } from '../../acpi/acpidump.js';
import { formatDump, type Finding } from '../../core/schema/index.js';
import { hexInt } from '../../core/hex.js';
import { defineCommand } from '../command.js';
import { DOCUMENT_SCHEMA_VERSION, decodeDocument, documentOf } from '../../codecs/index.js';
import { exitFor, summarize } from '../findings.js';
import { CliError, readInput, toJsonText, writeOutput } from '../io.js';
import { openTarget, targetOptions } from '../target.js';

interface Args {
  file: string;
  json: boolean;
  format?: string;
  ref: string[];
  output?: string;
  force: boolean;
  table: string[];
  namespace?: string;
  'label-size'?: string;
  offset?: string;
  size?: string;
}

/** A namespace's block device can be terabytes: decode reads this much of it unless --size says. */
const VIEW_READ_LIMIT = 16 << 20;

interface Input {
  bytes: Uint8Array;
  /** For tables from an acpidump listing. */
  signature?: string;
  address?: bigint;
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
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing output file' })
      .option('table', { type: 'string', array: true, default: [], describe: 'with an acpidump listing: only these signatures' })
      .options(targetOptions) as never,
  examples: [
    ['$0 decode nfit.aml', 'field-by-field dump with offsets, decoded flags and GUID names'],
    ['$0 decode nfit.aml --json > nfit.json', 'the table as editable JSON (see `nvtool encode`)'],
    ['acpidump > tables.txt && $0 decode tables.txt --table NFIT', 'read the hex listing acpidump, fwts and bug reports carry'],
    ['$0 decode fit.bin --format FIT', 'a _FIT buffer: NFIT structures without the table header'],
    ['$0 decode nvdimm0.img --namespace UUID --format mbr', 'the protective MBR on the namespace\'s block device (reads its first 16 MiB unless --size)'],
  ],
  fileOf: (a) => a.file,
  run(a) {
    const raw = readWindow(a);
    const inputs: Input[] = isAcpidumpText(raw)
      ? parseAcpidump(Buffer.from(raw).toString('latin1'))
          .filter((t) => a.table.length === 0 || a.table.includes(t.signature))
          .map((t) => ({ bytes: t.bytes, signature: t.signature, address: t.address }))
      : [{ bytes: raw }];
    const refs = a.ref.map((f) => readInput(f));
    const docs = inputs.map((input) => {
      // Tables of one listing resolve each other's names (AML), as `iasl -da` does.
      const siblings = inputs.filter((o) => o !== input && (o.signature === 'DSDT' || o.signature === 'SSDT')).map((o) => o.bytes);
      const { fmt, doc } = decodeDocument(input.bytes, { ...(a.format ? { format: a.format } : {}), spans: !a.json, refs: [...refs, ...siblings] });
      return { input, fmt, doc };
    });
    const findings: Finding[] = docs.flatMap(({ doc }) => doc.findings);
    let out: string;
    if (a.json) {
      const one = (d: (typeof docs)[number]) => ({
        ...documentOf(d.fmt, d.doc, d.input.bytes),
        ...(d.input.signature ? { signature: d.input.signature, address: hexInt(d.input.address ?? 0n) } : {}),
      });
      out = toJsonText(inputs.length === 1 && !inputs[0]!.signature ? one(docs[0]!) : { schemaVersion: DOCUMENT_SCHEMA_VERSION, tables: docs.map(one) });
    } else {
      out = docs
        .map(({ input, doc }) => {
          const title = input.signature ? `== ${input.signature} @ ${hexInt(input.address ?? 0n)} (${input.bytes.length} bytes) ==\n` : '';
          return title + (doc.text ?? formatDump(doc.spans ?? [], doc.findings)) + `\n${doc.format}: ${summarize(doc.findings)}\n`;
        })
        .join('\n');
    }
    if (a.output) writeOutput(a.output, out, a.force);
    else process.stdout.write(out);
    return exitFor(findings);
  },
});

/** The whole file, or the window/namespace view the target options name. */
function readWindow(a: Args): Uint8Array {
  if (a.namespace === undefined && a.offset === undefined && a.size === undefined) return readInput(a.file);
  const viewOnly = a.namespace !== undefined;
  const t = openTarget(
    {
      target: a.file,
      ...(viewOnly ? { namespace: a.namespace } : { ...(a.offset !== undefined ? { offset: a.offset } : {}), ...(a.size !== undefined ? { size: a.size } : {}) }),
      ...(a['label-size'] !== undefined ? { 'label-size': a['label-size'] } : {}),
    },
    false,
  );
  try {
    const limit = viewOnly && a.size !== undefined ? Number(a.size) : VIEW_READ_LIMIT;
    if (!viewOnly && t.size > 256 << 20) throw new CliError(`${a.file}: window of ${t.size} bytes is too large to decode; give a smaller --size`);
    const n = viewOnly ? Math.min(t.size, Number.isSafeInteger(limit) && limit > 0 ? limit : VIEW_READ_LIMIT) : t.size;
    if (viewOnly && n < t.size) process.stderr.write(`nvtool: decoding the first ${n} of ${t.size} bytes of ${t.describe}\n`);
    return t.read(0, n);
  } finally {
    t.close();
  }
}

import { isAcpidumpText, parseAcpidump } from '../../acpi/acpidump.js';
import { formatDump, type Finding } from '../../core/schema/index.js';
import { hexInt } from '../../core/hex.js';
import { defineCommand } from '../command.js';
import { decodeDocument, documentOf, listingDocument } from '../../codecs/index.js';
import { exitFor, summarize } from '../findings.js';
import { CliError, readInput, toJsonText } from '../io.js';
import { labelSizeOption, namespaceOption, windowOptions, type ImageTargetArgs } from '../options/target.js';
import { file, UsageError, type ValueType } from '../options/values.js';
import { formatNameValue } from '../options/formats.js';

/** An ACPI table signature as acpidump prints it (NFIT, SSDT...). */
const signatureValue: ValueType<string> = {
  name: 'SIG',
  parse(t, option) {
    if (!/^[A-Za-z0-9_]{4}$/.test(t)) throw new UsageError(`${option}: "${t}" is not an ACPI table signature (four letters or digits, e.g. NFIT)`);
    return t.toUpperCase();
  },
};

interface Args extends ImageTargetArgs {
  file: string;
  json: boolean;
  format?: string;
  ref: string[];
  output?: string;
  force: boolean;
  dryRun: boolean;
  table: string[];
}

/** A namespace's block device can be terabytes: decode reads this much of it unless --size says. */
const VIEW_READ_LIMIT = 16 << 20;
/** The most decode reads at once. */
const WINDOW_MAX = 256 << 20;

interface Input {
  bytes: Uint8Array;
  /** For tables from an acpidump listing. */
  signature?: string;
  address?: bigint;
}

export const decodeCommand = defineCommand<Args>({
  name: 'decode',
  describe: 'Annotated field dump of a binary (NFIT and other ACPI tables, label areas, info blocks, GPT/MBR, Xen super block...), with validation findings',
  positionals: [{ name: 'file', describe: 'binary to decode (- for stdin)', value: file({ dash: 'stdin' }) }],
  options: {
    json: { describe: 'print the decoded value and findings as JSON (encode reads it back)' },
    format: { describe: 'decode as this format instead of detecting it (an unknown name lists the known ones)', value: formatNameValue },
    ref: { describe: 'other tables to resolve names from (AML)', value: file(), repeatable: true },
    output: { alias: 'o', describe: 'write the output to a file instead of stdout', value: file({ dash: 'stdout' }) },
    force: { describe: 'replace an existing output file' },
    'dry-run': { describe: 'say which file would be written, write nothing' },
    table: { describe: 'with an acpidump listing: only these signatures', value: signatureValue, repeatable: true },
    namespace: namespaceOption,
    'label-size': labelSizeOption,
    ...windowOptions,
  },
  requires: [['label-size', 'namespace'], ['force', 'output'], ['dry-run', 'output']],
  check(a) {
    if (a.file === '-' && (a.namespace !== undefined || a.windowOffset !== undefined || a.windowSize !== undefined)) throw new UsageError('a window or --namespace needs a file, not stdin');
  },
  examples: [
    ['$0 decode nfit.aml', 'field-by-field dump with offsets, decoded flags and GUID names'],
    ['$0 decode nfit.aml --json > nfit.json', 'the table as editable JSON (see `nvtool encode`)'],
    ['acpidump > tables.txt && $0 decode tables.txt --table NFIT', 'read the hex listing acpidump, fwts and bug reports carry'],
    ['$0 decode fit.bin --format FIT', 'a _FIT buffer: NFIT structures without the table header'],
    ['$0 decode nvdimm0.img --window-offset 4K --window-size 4K --format pfn-info', 'a window of an image, here the PFN info block of an fsdax namespace (files over 2 GiB are read through a window)'],
    ['$0 decode nvdimm0.img --namespace UUID --format mbr', "the protective MBR on the namespace's block device (its first 16 MiB unless --window-size)"],
  ],
  fileOf: (a) => a.file,
  async run(a) {
    const raw = await readWindow(a);
    const inputs: Input[] = isAcpidumpText(raw) ? listedTables(a, raw) : [{ bytes: raw }];
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
      const listed = docs.map((d) => ({ table: { signature: d.input.signature ?? '', address: d.input.address ?? 0n }, doc: documentOf(d.fmt, d.doc, d.input.bytes) }));
      out = toJsonText(inputs.length === 1 && !inputs[0]!.signature ? listed[0]!.doc : listingDocument(listed));
    } else {
      out = docs
        .map(({ input, doc }) => {
          const title = input.signature ? `== ${input.signature} @ ${hexInt(input.address ?? 0n)} (${input.bytes.length} bytes) ==\n` : '';
          return title + (doc.text ?? formatDump(doc.spans ?? [], doc.findings)) + `\n${doc.format}: ${summarize(doc.findings)}\n`;
        })
        .join('\n');
    }
    if (a.output) {
      // the write gate (locks, inspect's detectors) loads only when there is a file to write
      const { writeOutput } = await import('../write/output.js');
      writeOutput(a.output, out, a.force, a.dryRun);
    }
    else process.stdout.write(out);
    return exitFor(findings);
  },
});

/** The tables of an acpidump listing, or the ones --table names (one it does not hold is an error). */
function listedTables(a: Args, raw: Uint8Array): Input[] {
  const all = parseAcpidump(Buffer.from(raw).toString('latin1'));
  const missing = a.table.filter((s) => !all.some((t) => t.signature === s));
  if (missing.length) throw new CliError(`${a.file}: --table ${missing.join(', ')}: the listing holds ${[...new Set(all.map((t) => t.signature))].join(', ')}`);
  return all.filter((t) => a.table.length === 0 || a.table.includes(t.signature)).map((t) => ({ bytes: t.bytes, signature: t.signature, address: t.address }));
}

/** The whole file, or the window of it (or of the namespace's block device) the options name. */
async function readWindow(a: Args): Promise<Uint8Array> {
  if (a.namespace === undefined && a.windowOffset === undefined && a.windowSize === undefined) return readInput(a.file);
  const { openTarget } = await import('../target.js');
  const t = openTarget({ target: a.file, ...(a.namespace !== undefined ? { namespace: a.namespace } : {}), ...(a.labelSize !== undefined ? { labelSize: a.labelSize } : {}) }, false);
  try {
    const off = a.windowOffset ?? 0n;
    if (off >= BigInt(t.size)) throw new CliError(`${t.describe}: --window-offset ${off} is past its end (${t.size} bytes)`);
    const rest = BigInt(t.size) - off;
    const want = a.windowSize ?? (a.namespace !== undefined && rest > BigInt(VIEW_READ_LIMIT) ? BigInt(VIEW_READ_LIMIT) : rest);
    if (want > rest) throw new CliError(`${t.describe}: window ${off}+${want} is outside its ${t.size} bytes`);
    if (want > BigInt(WINDOW_MAX)) throw new CliError(`${t.describe}: a window of ${want} bytes is too large to decode; give a --window-size of at most ${WINDOW_MAX}`);
    if (a.windowSize === undefined && want < rest) process.stderr.write(`nvtool: decoding the first ${want} of ${t.size} bytes of ${t.describe}\n`);
    return t.read(Number(off), Number(want));
  } finally {
    t.close();
  }
}

import { buildNfit, type NfitDescription } from '../../acpi/build/index.js';
import { slotToHandle } from '../../acpi/qemu/index.js';
import { decodeNfit, nfitToJson } from '../../acpi/nfit/index.js';
import { num } from '../../inspect/layer.js';
import { defineCommand } from '../command.js';
import { file } from '../options/values.js';
import { readJsonFile, toJsonText } from '../io.js';
import { writeOutput } from '../write/output.js';

interface Args {
  platform: string;
  output: string;
  force: boolean;
  dryRun: boolean;
  json: boolean;
}

export const buildNfitCommand = defineCommand<Args>({
  name: 'build-nfit',
  describe: "Build the NFIT a guest sees for a platform description (QEMU 7.2's bytes, or any table with the generic profile)",
  positionals: [{ name: 'platform', describe: 'PLATFORM.json (machine, memory, numa, nvdimms)', value: file({ dash: 'stdin' }) }],
  options: {
    output: { alias: 'o', describe: 'NFIT file to write (- for stdout)', value: file({ dash: 'stdout' }), required: true },
    force: { describe: 'replace an existing output file' },
    'dry-run': { describe: 'say which file would be written, write nothing' },
    json: { describe: 'print the resolved dimms and the table as JSON' },
  },
  examples: [
    ['$0 build-nfit platform.json -o nfit.aml', 'the NFIT QEMU 7.2 gives a guest with these options, byte for byte'],
    ['$0 build-nfit generic.json -o generic.aml', 'any NFIT: {"profile": "generic", "structures": [{"type": 0, ...}, ...]}'],
    ['$0 build-nfit platform.json -o - | $0 decode -', 'build and look at it'],
  ],
  fileOf: (a) => a.platform,
  run(a) {
    const built = buildNfit(readJsonFile(a.platform) as NfitDescription);
    writeOutput(a.output, built.bytes, a.force, a.dryRun);
    const report = {
      output: a.output,
      bytes: built.bytes.length,
      profile: built.profile,
      dimms: built.platform?.dimms.map((d) => ({
        id: d.id ?? d.qomPath, slot: d.slot, handle: slotToHandle(d.slot), addr: num(d.addr), pmemSize: num(d.pmemSize),
        labelSize: num(d.labelSize), node: d.node, unarmed: d.unarmed,
      })),
    };
    if (a.json) {
      const out = toJsonText({ schemaVersion: 1, ...report, table: nfitToJson(built.table) });
      if (a.output === '-') process.stderr.write(out);
      else process.stdout.write(out);
    } else {
      const log = a.output === '-' ? process.stderr : process.stdout;
      log.write(`${a.output}: NFIT, ${built.bytes.length} bytes (${built.profile} profile)\n`);
      for (const d of report.dimms ?? []) log.write(`  ${String(d.id).padEnd(12)} slot ${d.slot}  handle ${d.handle}  SPA ${d.addr} + ${d.pmemSize}  node ${d.node}${d.unarmed ? '  unarmed' : ''}\n`);
    }
    const findings = decodeNfit(built.bytes).findings.filter((f) => f.severity === 'error');
    for (const f of findings) process.stderr.write(`warning: the built table has an error: ${f.path}: ${f.message}\n`);
    return 0;
  },
});

import { parsePlatform, resolvePlatform } from '../../acpi/qemu/index.js';
import { buildQemuNvdimmSsdt } from '../../aml/qemuNvdimmSsdt.js';
import { hexInt } from '../../core/hex.js';
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

export const buildSsdtCommand = defineCommand<Args>({
  name: 'build-ssdt',
  describe: "Build QEMU 7.2's NVDIMM SSDT (NVDR, NCAL, _FIT, one NVxx per slot with _LSI/_LSR/_LSW) for a platform description",
  positionals: [{ name: 'platform', describe: 'PLATFORM.json (as for build-nfit; "dsmBuffer" = MEMA, default 0)', value: file({ dash: 'stdin' }) }],
  options: {
    output: { alias: 'o', describe: 'SSDT file to write (- for stdout)', value: file({ dash: 'stdout' }), required: true },
    force: { describe: 'replace an existing output file' },
    'dry-run': { describe: 'say which file would be written, write nothing' },
    json: { describe: 'print slots, MEMA and size as JSON' },
  },
  examples: [
    ['$0 build-ssdt platform.json -o ssdt.aml', "the SSDT QEMU 7.2 gives a guest with these options, byte for byte"],
    ['$0 build-ssdt platform.json -o - | $0 disasm -', 'build and read it as ASL'],
  ],
  fileOf: (a) => a.platform,
  run(a) {
    const resolved = resolvePlatform(parsePlatform(readJsonFile(a.platform)));
    const bytes = buildQemuNvdimmSsdt({ slots: resolved.slots, dsmBuffer: resolved.dsmBuffer });
    writeOutput(a.output, bytes, a.force, a.dryRun);
    const log = a.output === '-' ? process.stderr : process.stdout;
    if (a.json) log.write(toJsonText({ schemaVersion: 1, output: a.output, bytes: bytes.length, slots: resolved.slots, dsmBuffer: resolved.dsmBuffer }));
    else log.write(`${a.output}: SSDT (NVDIMM), ${bytes.length} bytes, ${resolved.slots} slot(s), MEMA ${hexInt(resolved.dsmBuffer, 8)}\n`);
    return 0;
  },
});

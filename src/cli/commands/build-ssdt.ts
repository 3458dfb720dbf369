import { parsePlatform, resolvePlatform } from '../../acpi/qemu/index.js';
import { buildQemuNvdimmSsdt } from '../../aml/qemuNvdimmSsdt.js';
import { hexInt } from '../../core/hex.js';
import { defineCommand } from '../command.js';
import { readJsonFile, toJsonText, writeOutput } from '../io.js';

interface Args {
  platform: string;
  output: string;
  force: boolean;
  json: boolean;
}

export const buildSsdtCommand = defineCommand<Args>({
  command: 'build-ssdt <platform>',
  describe: "Build QEMU 7.2's NVDIMM SSDT (NVDR, NCAL, _FIT, one NVxx per slot with _LSI/_LSR/_LSW) for a platform description",
  builder: (y) =>
    y
      .positional('platform', { type: 'string', demandOption: true, describe: 'PLATFORM.json (as for build-nfit; "dsmBuffer" = MEMA, default 0)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'SSDT file to write (- for stdout)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing output file' })
      .option('json', { type: 'boolean', default: false, describe: 'print slots, MEMA and size as JSON' }) as never,
  examples: [
    ['$0 build-ssdt platform.json -o ssdt.aml', "the SSDT QEMU 7.2 gives a guest with these options, byte for byte"],
    ['$0 build-ssdt platform.json -o - | $0 disasm -', 'build and read it as ASL'],
  ],
  fileOf: (a) => a.platform,
  run(a) {
    const resolved = resolvePlatform(parsePlatform(readJsonFile(a.platform)));
    const bytes = buildQemuNvdimmSsdt({ slots: resolved.slots, dsmBuffer: resolved.dsmBuffer });
    writeOutput(a.output, bytes, a.force);
    const log = a.output === '-' ? process.stderr : process.stdout;
    if (a.json) log.write(toJsonText({ output: a.output, bytes: bytes.length, slots: resolved.slots, dsmBuffer: hexInt(resolved.dsmBuffer, 8) }));
    else log.write(`${a.output}: SSDT (NVDIMM), ${bytes.length} bytes, ${resolved.slots} slot(s), MEMA ${hexInt(resolved.dsmBuffer, 8)}\n`);
    return 0;
  },
});

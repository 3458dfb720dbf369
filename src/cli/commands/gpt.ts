import { existsSync } from 'node:fs';
import { isGuidString } from '../../core/guid.js';
import { formatFinding } from '../../core/schema/index.js';
import { FileBlockIO } from '../../core/blockio.js';
import { GPT_TYPES, resolveGptType } from '../../disk/gptTypes.js';
import { gptDump, gptJson, gptPrint, mbrDump, mbrJson, verifySummary } from '../../disk/format.js';
import {
  GPT_DAMAGE_CODES, addPartition, deletePartition, detectSectorSize, hasPartitionTable, modelOf, newModel, readGpt, repairGpt, verifyGpt, writeGpt,
  type SectorSize,
} from '../../disk/table.js';
import { decodeStruct, encodeStruct, structFromJson } from '../../core/schema/index.js';
import { gptHeader } from '../../disk/gpt.js';
import { mbr } from '../../disk/mbr.js';
import { defineCommand } from '../command.js';
import { CliError, toJsonText } from '../io.js';
import { openTarget, parseBytes, targetOptions, type Target, type TargetArgs } from '../target.js';

interface Args extends TargetArgs {
  action: 'create' | 'list' | 'add' | 'delete' | 'verify' | 'repair';
  'sector-size'?: number;
  json: boolean;
  force: boolean;
  dump: boolean;
  start?: string;
  // `size` is shared with the window option; the partition size is --part-size or --size after `add`
  'part-size'?: string;
  type: string;
  name?: string;
  number?: number;
  guid?: string;
  'disk-guid'?: string;
  entries: number;
  'first-usable'?: string;
  'image-size'?: string;
}

/** `4096` = sectors, `10M` / `1G` = bytes (sgdisk's convention), `+` accepted and ignored. */
function parseLbas(s: string, ss: number, what: string): bigint {
  const t = s.trim().replace(/^\+/, '');
  if (/^\d+s?$/i.test(t)) return BigInt(t.replace(/s$/i, ''));
  const bytes = parseBytes(t, what);
  if (bytes % BigInt(ss) !== 0n) throw new CliError(`${what}: ${s} is not a whole number of ${ss}-byte sectors`);
  return bytes / BigInt(ss);
}

function sectorSizeFor(a: Args, io: Target): SectorSize {
  const asked = a['sector-size'];
  const device = io.logicalSectorSize ?? 512;
  if (asked !== undefined) {
    if (asked !== 512 && asked !== 4096) throw new CliError(`--sector-size must be 512 or 4096, not ${asked}`);
    if (io.namespace && asked !== device) throw new CliError(`--sector-size ${asked}: ${io.describe} has ${device}-byte logical sectors, which is what the kernel reads its partition table with`);
    return asked;
  }
  if (io.namespace) return device as SectorSize;
  return detectSectorSize(io) ?? 512;
}

function nonZero(io: { read(o: number, n: number): Uint8Array }, from: number, len: number): boolean {
  const n = Math.min(len, 1024 * 1024);
  return io.read(from, n).some((b) => b !== 0);
}

export const gptCommand = defineCommand<Args>({
  command: 'gpt <action> <target>',
  describe: 'GPT partition tables (with protective MBR) on images, windows of them, or namespaces: create, list, add, delete, verify, repair',
  builder: (y) =>
    y
      .positional('action', { choices: ['create', 'list', 'add', 'delete', 'verify', 'repair'] as const, demandOption: true, describe: 'what to do' })
      .positional('target', { type: 'string', demandOption: true, describe: 'image file, block device, or NVDIMM image (with --namespace)' })
      .options(targetOptions)
      .option('sector-size', { type: 'number', describe: 'logical sector size, 512 or 4096 (default: detected from the table, else 512)' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output (sfdisk --json layout for list)' })
      .option('dump', { type: 'boolean', default: false, describe: 'list: sfdisk --dump text instead of the sgdisk -p style table' })
      .option('force', { type: 'boolean', default: false, describe: 'allow writing over an existing partition table or partition data' })
      .option('start', { type: 'string', describe: 'add: first sector (2048) or byte offset (1M); default: first 1 MiB-aligned free sector' })
      .option('part-size', { alias: 'partition-size', type: 'string', describe: 'add: size in sectors (20480) or bytes (10M); default: rest of the free space' })
      .option('type', { type: 'string', default: 'linux', describe: `add: type GUID, sgdisk code (8300) or alias (${GPT_TYPES.filter((t) => t.alias).map((t) => t.alias).join(', ')})` })
      .option('name', { type: 'string', describe: 'add: partition name (up to 36 UTF-16 units)' })
      .option('number', { type: 'number', describe: 'add: slot to use (default: first free); delete: partition to remove' })
      .option('guid', { type: 'string', describe: 'add: unique partition GUID (default: random)' })
      .option('disk-guid', { type: 'string', describe: 'create: disk GUID (default: random)' })
      .option('entries', { type: 'number', default: 128, describe: 'create: number of partition entries' })
      .option('first-usable', { type: 'string', describe: 'create: first usable LBA (sectors) to leave room after the entry array' })
      .option('image-size', { type: 'string', describe: 'create: make TARGET a sparse file of this size if it does not exist' }) as never,
  examples: [
    ['$0 gpt create disk.img --image-size 64M', 'new sparse image with an empty GPT (512-byte sectors)'],
    ['$0 gpt create ns.img --sector-size 4096', 'empty GPT for a 4Kn device'],
    ['$0 gpt add disk.img --start 2048 --part-size 10M --type 8300 --name data', 'add partition 1 like `sgdisk -n 1:2048:+10M -t 1:8300 -c 1:data`'],
    ['$0 gpt list disk.img --dump', 'partitions as `sfdisk --dump` prints them'],
    ['$0 gpt list disk.img --json', 'partitions as `sfdisk --json` prints them'],
    ['$0 gpt delete disk.img --number 1', 'remove partition 1'],
    ['$0 gpt verify disk.img', 'what `sgdisk -v` reports (exit 1 on problems)'],
    ['$0 gpt repair disk.img', 'rebuild a damaged primary from the backup, or the other way round'],
    ['$0 gpt list image.raw --offset 2M --size 254M', 'a GPT inside a window of a larger image (e.g. a raw namespace)'],
    ['$0 gpt list nvdimm0.img --namespace UUID --label-size 128K', 'the GPT on /dev/pmemN of that namespace (fsdax: past the info block)'],
    ['$0 gpt create nvdimm0.img --namespace UUID && $0 gpt add nvdimm0.img --namespace UUID', 'partition a namespace; on a sector namespace every write goes through its BTT (4096-byte sectors: a 4Kn GPT)'],
  ],
  fileOf: (a) => a.target,
  run(a) {
    if (a.action === 'create' && a['image-size'] !== undefined && !existsSync(a.target)) {
      FileBlockIO.create(a.target, Number(parseBytes(a['image-size'], '--image-size'))).close();
    }
    const writable = a.action !== 'list' && a.action !== 'verify';
    const io = openTarget(a, writable);
    try {
      const ss = sectorSizeFor(a, io);
      const out = (s: string) => process.stdout.write(s);
      if (a.action === 'create') {
        const existing = hasPartitionTable(io, ss);
        if (existing && !a.force) throw new CliError(`${io.describe}: holds ${existing}; pass --force to replace it`);
        if (a['disk-guid'] !== undefined && !isGuidString(a['disk-guid'])) throw new CliError(`--disk-guid: not a GUID: ${a['disk-guid']}`);
        const m = newModel(io.size, {
          sectorSize: ss, entries: a.entries,
          ...(a['disk-guid'] ? { diskGuid: a['disk-guid'].toLowerCase() } : {}),
          ...(a['first-usable'] ? { firstUsableLba: parseLbas(a['first-usable'], ss, '--first-usable') } : {}),
        });
        writeGpt(io, m);
        const d = readGpt(io, ss);
        out(a.json ? toJsonText(gptJson(d, a.target)) : `created an empty GPT on ${io.describe}: ${d.totalLbas} sectors of ${ss} bytes, usable ${m.firstUsableLba}..${m.lastUsableLba}, disk GUID ${m.diskGuid.toUpperCase()}\n`);
        return 0;
      }
      const d = readGpt(io, ss);
      if (a.action === 'list') {
        if (!d.header) {
          if (d.mbr && (d.mbrKind === 'mbr' || d.mbrKind === 'hybrid')) {
            out(a.json ? toJsonText(mbrJson(d.mbr, a.target, ss)) : mbrDump(d.mbr, a.target, ss));
            return 0;
          }
          throw new CliError(`${io.describe}: no GPT (${ss}-byte sectors) and no MBR partition table found`, 1);
        }
        out(a.json ? toJsonText({ ...(gptJson(d, a.target) as object), source: d.source }) : a.dump ? gptDump(d, a.target) : gptPrint(d, a.target));
        return 0;
      }
      if (a.action === 'verify') {
        const findings = verifyGpt(d, ss === 512 ? 8 : 1);
        const problems = findings.filter((f) => f.severity === 'error').length;
        const damage = findings.filter((f) => GPT_DAMAGE_CODES.has(f.code));
        if (a.json) out(toJsonText({ device: a.target, sectorSize: ss, problems, damaged: damage.length > 0, findings, summary: d.header ? verifySummary(d, findings) : undefined }));
        else {
          for (const f of findings) out(formatFinding(f) + '\n');
          out((d.header ? verifySummary(d, findings) : `Identified ${problems} problems!`) + '\n');
          if (damage.length) out('One copy of the table is damaged; `nvtool gpt repair` rebuilds it from the other.\n');
        }
        return problems || damage.length ? 1 : 0;
      }
      if (a.action === 'repair') {
        const r = repairGpt(io, d);
        const after = readGpt(io, ss);
        const left = verifyGpt(after).filter((f) => f.severity === 'error');
        if (a.json) out(toJsonText({ device: a.target, from: r.from, actions: r.actions, remainingProblems: left }));
        else {
          for (const s of r.actions) out(`${s}\n`);
          for (const f of left) out(`still: ${formatFinding(f)}\n`);
        }
        return left.length ? 1 : 0;
      }
      const m = modelOf(d);
      const bad = verifyGpt(d).filter((f) => f.severity === 'error');
      if (bad.length && !a.force) throw new CliError(`${io.describe}: the GPT has problems (${bad[0]!.message}); run \`nvtool gpt repair\` first or pass --force`, 1);
      if (a.action === 'add') {
        const type = resolveGptType(a.type);
        if (!type) throw new CliError(`--type: unknown partition type "${a.type}" (a GUID, an sgdisk code like 8300, or ${GPT_TYPES.filter((t) => t.alias).map((t) => t.alias).join(', ')})`);
        if (a.guid !== undefined && !isGuidString(a.guid)) throw new CliError(`--guid: not a GUID: ${a.guid}`);
        const n = addPartition(m, d, {
          typeGuid: type,
          ...(a.number !== undefined ? { number: a.number } : {}),
          ...(a.start !== undefined ? { start: parseLbas(a.start, ss, '--start') } : {}),
          ...(a['part-size'] !== undefined ? { sizeLbas: parseLbas(a['part-size'], ss, '--part-size') } : {}),
          ...(a.name !== undefined ? { name: a.name } : {}),
          ...(a.guid !== undefined ? { uniqueGuid: a.guid } : {}),
        });
        const e = m.entries[n - 1]!;
        const from = Number(e.startingLba) * ss;
        if (!a.force && nonZero(io, from, Number(e.endingLba - e.startingLba + 1n) * ss)) {
          throw new CliError(`${io.describe}: sectors ${e.startingLba}.. already hold data (not all zero); pass --force to create partition ${n} over them`);
        }
        writeGpt(io, m, { keepMbr: d.mbrKind === 'protective' || d.mbrKind === 'hybrid' });
        const after = readGpt(io, ss);
        out(a.json ? toJsonText(gptJson(after, a.target)) : `added partition ${n}: sectors ${e.startingLba}..${e.endingLba} (${e.endingLba - e.startingLba + 1n} sectors), type ${e.partitionTypeGuid.toUpperCase()}\n`);
        return 0;
      }
      // delete
      if (a.number === undefined) throw new CliError('delete: name the partition with --number N');
      const e = deletePartition(m, a.number);
      writeGpt(io, m, { keepMbr: d.mbrKind === 'protective' || d.mbrKind === 'hybrid' });
      out(a.json ? toJsonText(gptJson(readGpt(io, ss), a.target)) : `deleted partition ${a.number} (sectors ${e.startingLba}..${e.endingLba}); its data is untouched\n`);
      return 0;
    } finally {
      io.close();
    }
  },
});

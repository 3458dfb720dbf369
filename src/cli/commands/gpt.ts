import { existsSync } from 'node:fs';
import { formatFinding } from '../../core/schema/index.js';
import { GPT_TYPES, resolveGptType } from '../../disk/gptTypes.js';
import { gptDump, gptJson, gptPrint, mbrDump, mbrJson, verifySummary } from '../../disk/format.js';
import {
  GPT_DAMAGE_CODES, SECTOR_SIZES, addPartition, deletePartition, hasPartitionTable, modelOf, newModel, readGpt, repairGpt, verifyGpt,
  writeGpt, type GptDisk, type SectorSize,
} from '../../disk/table.js';
import { defineCommand } from '../command.js';
import { CliError, toJsonText } from '../io.js';
import { withWrites, writeLines } from '../write/gate.js';
import { UsageError } from '../options/values.js';
import { openTarget, targetSectorSize, type Target, type TargetArgs } from '../target.js';
import { imageTargetConflicts, imageTargetOptions } from '../options/target.js';
import { bytes, choice, count, extent, extentLbas, file, text, uuid, type Extent } from '../options/values.js';

const ACTIONS = ['create', 'list', 'add', 'delete', 'verify', 'repair'] as const;
type Action = (typeof ACTIONS)[number];

interface Args extends TargetArgs {
  action: Action;
  sectorSize?: SectorSize;
  json: boolean;
  force: boolean;
  dump: boolean;
  start?: Extent;
  partSize?: Extent;
  type: string;
  name?: string;
  number?: number;
  guid?: string;
  diskGuid?: string;
  entries: number;
  firstUsable?: Extent;
  imageSize?: bigint;
  dryRun: boolean;
}

function nonZero(io: { read(o: number, n: number): Uint8Array }, from: number, len: number): boolean {
  const n = Math.min(len, 1024 * 1024);
  return io.read(from, n).some((b) => b !== 0);
}

const keepMbr = (d: GptDisk) => ({ keepMbr: d.mbrKind === 'protective' || d.mbrKind === 'hybrid' });

/** The GPT as it is, checked as a writer needs it before changing a partition. */
function editable(a: Args, io: Target, d: GptDisk) {
  const bad = verifyGpt(d).filter((f) => f.severity === 'error');
  if (bad.length && !a.force) throw new CliError(`${io.describe}: the GPT has problems (${bad[0]!.message}); run \`nvtool gpt repair\` first or pass --force`, 1);
  return modelOf(d);
}

/** One handler per action: nothing is reached by falling through. */
const ACTION_RUN: Record<Action, (a: Args, io: Target, ss: SectorSize, out: (s: string) => void) => number> = {
  create(a, io, ss, out) {
    const existing = hasPartitionTable(io, ss);
    if (existing && !a.force) throw new CliError(`${io.describe}: holds ${existing}; pass --force to replace it`);
    const m = newModel(io.size, {
      sectorSize: ss, entries: a.entries,
      ...(a.diskGuid ? { diskGuid: a.diskGuid } : {}),
      ...(a.firstUsable ? { firstUsableLba: extentLbas(a.firstUsable, ss, '--first-usable') } : {}),
    });
    writeGpt(io, m);
    const d = readGpt(io, ss);
    out(a.json ? toJsonText({ schemaVersion: 1, ...(gptJson(d, a.target) as object) }) : `created an empty GPT on ${io.describe}: ${d.totalLbas} sectors of ${ss} bytes, usable ${m.firstUsableLba}..${m.lastUsableLba}, disk GUID ${m.diskGuid.toUpperCase()}\n`);
    return 0;
  },
  list(a, io, ss, out) {
    const d = readGpt(io, ss);
    if (!d.header) {
      if (d.mbr && (d.mbrKind === 'mbr' || d.mbrKind === 'hybrid')) {
        out(a.json ? toJsonText({ schemaVersion: 1, ...(mbrJson(d.mbr, a.target, ss) as object) }) : mbrDump(d.mbr, a.target, ss));
        return 0;
      }
      throw new CliError(`${io.describe}: no GPT (${ss}-byte sectors) and no MBR partition table found`, 1);
    }
    out(a.json ? toJsonText({ schemaVersion: 1, ...(gptJson(d, a.target) as object), source: d.source }) : a.dump ? gptDump(d, a.target) : gptPrint(d, a.target));
    return 0;
  },
  verify(a, io, ss, out) {
    const d = readGpt(io, ss);
    const findings = verifyGpt(d, ss === 512 ? 8 : 1);
    const problems = findings.filter((f) => f.severity === 'error').length;
    const damage = findings.filter((f) => GPT_DAMAGE_CODES.has(f.code));
    if (a.json) out(toJsonText({ schemaVersion: 1, device: a.target, sectorSize: ss, problems, damaged: damage.length > 0, findings, summary: d.header ? verifySummary(d, findings) : undefined }));
    else {
      for (const f of findings) out(formatFinding(f) + '\n');
      out((d.header ? verifySummary(d, findings) : `Identified ${problems} problems!`) + '\n');
      if (damage.length) out('One copy of the table is damaged; `nvtool gpt repair` rebuilds it from the other.\n');
    }
    return problems || damage.length ? 1 : 0;
  },
  repair(a, io, ss, out) {
    const r = repairGpt(io, readGpt(io, ss));
    const left = verifyGpt(readGpt(io, ss)).filter((f) => f.severity === 'error');
    if (a.json) out(toJsonText({ schemaVersion: 1, device: a.target, from: r.from, actions: r.actions, remainingProblems: left }));
    else {
      for (const s of r.actions) out(`${s}\n`);
      for (const f of left) out(`still: ${formatFinding(f)}\n`);
    }
    return left.length ? 1 : 0;
  },
  add(a, io, ss, out) {
    const d = readGpt(io, ss);
    const m = editable(a, io, d);
    const n = addPartition(m, d, {
      typeGuid: resolveGptType(a.type)!,
      ...(a.number !== undefined ? { number: a.number } : {}),
      ...(a.start !== undefined ? { start: extentLbas(a.start, ss, '--start') } : {}),
      ...(a.partSize !== undefined ? { sizeLbas: extentLbas(a.partSize, ss, '--part-size') } : {}),
      ...(a.name !== undefined ? { name: a.name } : {}),
      ...(a.guid !== undefined ? { uniqueGuid: a.guid } : {}),
    });
    const e = m.entries[n - 1]!;
    const from = Number(e.startingLba) * ss;
    if (!a.force && nonZero(io, from, Number(e.endingLba - e.startingLba + 1n) * ss)) {
      throw new CliError(`${io.describe}: sectors ${e.startingLba}.. already hold data (not all zero); pass --force to create partition ${n} over them`);
    }
    writeGpt(io, m, keepMbr(d));
    const after = readGpt(io, ss);
    out(a.json ? toJsonText({ schemaVersion: 1, ...(gptJson(after, a.target) as object) }) : `added partition ${n}: sectors ${e.startingLba}..${e.endingLba} (${e.endingLba - e.startingLba + 1n} sectors), type ${e.partitionTypeGuid.toUpperCase()}\n`);
    return 0;
  },
  delete(a, io, ss, out) {
    const d = readGpt(io, ss);
    const m = editable(a, io, d);
    const e = deletePartition(m, a.number!);
    writeGpt(io, m, keepMbr(d));
    out(a.json ? toJsonText({ schemaVersion: 1, ...(gptJson(readGpt(io, ss), a.target) as object) }) : `deleted partition ${a.number} (sectors ${e.startingLba}..${e.endingLba}); its data is untouched\n`);
    return 0;
  },
};

const TYPE_ALIASES = GPT_TYPES.filter((t) => t.alias).map((t) => t.alias!);

/** A partition type: a GUID, an sgdisk code (8300) or an alias, as `resolveGptType` knows them. */
export const gptTypeValue = {
  name: 'TYPE',
  parse(t: string, option: string): string {
    if (!resolveGptType(t)) throw new UsageError(`${option}: unknown partition type "${t}" (a GUID, an sgdisk code like 8300, or ${TYPE_ALIASES.join(', ')})`);
    return t;
  },
};

export const gptCommand = defineCommand<Args>({
  name: 'gpt',
  describe: 'GPT partition tables (with protective MBR) on images, windows of them, or namespaces: create, list, add, delete, verify, repair',
  positionals: [
    { name: 'action', describe: 'what to do', value: choice(ACTIONS) },
    { name: 'target', describe: 'image file, block device, or NVDIMM image (with --namespace)', value: file() },
  ],
  options: {
    ...imageTargetOptions,
    'sector-size': { describe: 'logical sector size (default: detected from the table, else 512)', value: choice(SECTOR_SIZES) },
    json: { describe: 'machine-readable output (sfdisk --json layout for list)' },
    dump: { describe: 'sfdisk --dump text instead of the sgdisk -p style table', actions: ['list'] },
    force: { describe: 'allow writing over an existing partition table, file system or partition data', actions: ['create', 'add', 'delete', 'repair'] },
    start: { describe: 'first sector (2048) or byte offset (1M); default: first 1 MiB-aligned free sector', value: extent(), actions: ['add'] },
    'part-size': { describe: 'partition size in sectors (20480) or bytes (10M); default: rest of the free space', value: extent(), actions: ['add'] },
    type: { describe: `type GUID, sgdisk code (8300) or alias (${TYPE_ALIASES.join(', ')})`, value: gptTypeValue, default: 'linux', actions: ['add'] },
    name: { describe: 'partition name (up to 36 UTF-16 units)', value: text('NAME', { maxLength: 36 }), actions: ['add'] },
    number: { describe: 'add: slot to use (default: first free); delete: partition to remove', value: count({ min: 1, max: 65536 }), actions: ['add', 'delete'] },
    guid: { describe: 'unique partition GUID (default: random)', value: uuid(), actions: ['add'] },
    'disk-guid': { describe: 'disk GUID (default: random)', value: uuid(), actions: ['create'] },
    entries: { describe: 'number of partition entries (sgdisk: 128 unless changed)', value: count({ min: 1, max: 65536 }), default: 128, actions: ['create'] },
    'first-usable': { describe: 'first usable LBA (sectors) to leave room after the entry array', value: extent(), actions: ['create'] },
    'image-size': { describe: 'make TARGET a sparse file of this size if it does not exist', value: bytes({ min: 1n, max: BigInt(Number.MAX_SAFE_INTEGER) }), actions: ['create'] },
    'dry-run': { describe: 'list each write (file, offset, length, what); write nothing', actions: ['create', 'add', 'delete', 'repair'] },
  },
  conflicts: imageTargetConflicts,
  requires: [['label-size', 'namespace']],
  check(a) {
    if (a.action === 'delete' && a.number === undefined) throw new UsageError('gpt delete: name the partition with --number N');
  },
  examples: [
    ['$0 gpt create disk.img --image-size 64M', 'new sparse image with an empty GPT (512-byte sectors)'],
    ['$0 gpt create ns.img --sector-size 4096', 'empty GPT for a 4Kn device'],
    ['$0 gpt add disk.img --start 2048 --part-size 10M --type 8300 --name data', 'add partition 1 like `sgdisk -n 1:2048:+10M -t 1:8300 -c 1:data`'],
    ['$0 gpt list disk.img --dump', 'partitions as `sfdisk --dump` prints them'],
    ['$0 gpt list disk.img --json', 'partitions as `sfdisk --json` prints them'],
    ['$0 gpt delete disk.img --number 1', 'remove partition 1'],
    ['$0 gpt verify disk.img', 'what `sgdisk -v` reports (exit 1 on problems)'],
    ['$0 gpt repair disk.img', 'rebuild a damaged primary from the backup, or the other way round'],
    ['$0 gpt list image.raw --window-offset 2M --window-size 254M', 'a GPT inside a window of a larger image (e.g. a raw namespace)'],
    ['$0 gpt list nvdimm0.img --namespace UUID --label-size 128K', 'the GPT on /dev/pmemN of that namespace (fsdax: past the info block)'],
    ['$0 gpt create sector.img --namespace UUID && $0 gpt add sector.img --namespace UUID', 'partition a namespace; on a sector namespace every write goes through its BTT (4096-byte sectors: a 4Kn GPT)'],
  ],
  fileOf: (a) => a.target,
  run(a) {
    const act = (io: Target, out: (s: string) => void) => {
      try {
        return ACTION_RUN[a.action](a, io, targetSectorSize(io, a.sectorSize), out);
      } finally {
        io.close();
      }
    };
    if (a.action === 'list' || a.action === 'verify') return act(openTarget(a, false), (s) => void process.stdout.write(s));
    // Writers run through the write gate: planned on overlays, checked, then committed (or only listed).
    let text = '';
    const w = withWrites({ force: a.force, dryRun: a.dryRun, updates: a.action === 'create' ? [] : ['gpt', 'mbr'], lock: [a.target] }, (g) => {
      text = '';
      if (a.action === 'create' && a.imageSize !== undefined && !existsSync(a.target)) g.create(a.target, Number(a.imageSize));
      return act(openTarget(a, g), (s) => void (text += s));
    });
    if (!w.dryRun) process.stdout.write(text);
    else process.stdout.write(a.json ? toJsonText({ schemaVersion: 1, dryRun: true, writes: w.writes }) : writeLines(w));
    return w.result;
  },
});

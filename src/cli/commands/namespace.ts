import { NvError } from '../../core/errors.js';
import { bytesToHex } from '../../core/hex.js';
import { formatDump, type Finding } from '../../core/schema/index.js';
import { FileBlockIO, type BlockIO } from '../../core/blockio.js';
import { BTT_INFO_SIZE, bttInfoBlock, decodeBttInfo } from '../../infoblocks/bttInfo.js';
import { PFN_INFO_OFFSET, PFN_INFO_SIZE, decodePfnInfo, pfnInfoBlock } from '../../infoblocks/pfn.js';
import { formatLabelledNamespace } from '../../namespace/format.js';
import { locateLabelArea, TAIL_SCAN } from '../../labels/index.js';
import { atSpa, findLabelledNamespace, labellessNamespace, type NamespaceRef } from '../../namespace/labelsGlue.js';
import { NAMESPACE_MODES, openNamespaceView, type NamespaceMode, type NamespaceView } from '../../namespace/view.js';
import { BTT_LBASIZES } from '../../infoblocks/bttLayout.js';
import { defineCommand } from '../command.js';
import { exitFor, findingLines, summarize } from '../findings.js';
import { CliError, readInput, toJsonText } from '../io.js';
import { openFile } from '../target.js';
import { withWrites, writeLines } from '../write/gate.js';
import { writeOutput } from '../write/output.js';
import type { OptionSpec } from '../options/spec.js';
import { labelSizeOption, namespaceOption, spaOption } from '../options/target.js';
import { byteNumber, choice, count, file, text, uuid, UsageError } from '../options/values.js';
import { dimmSpaBase } from '../labels/target.js';

// ---- namespace selection, shared by every subcommand ----------------------------------------------
interface NsArgs {
  image: string;
  namespace?: string;
  labelSize?: number;
  windowOffset?: number;
  windowSize?: number;
  spa?: number;
  platform?: string;
  nfit?: string;
  dimm?: string;
  json: boolean;
}

/** The namespace selection every subcommand takes: labels (`--namespace`) or a byte window. */
const nsPositionals = [{ name: 'image', describe: 'NVDIMM backing file (pmem then label area) or a namespace image', value: file() }] as const;
const nsOptions = {
  namespace: { ...namespaceOption, alias: 'n', describe: 'namespace UUID, found through the labels (one-DIMM image); with --window-offset, the uuid to report' },
  'label-size': { ...labelSizeOption, describe: 'label storage area size at the end of IMAGE (with --namespace: found by probing the tail, else none; 0 = no label area)', value: byteNumber({ max: 1 << 30 }) },
  'window-offset': { describe: 'the namespace is this byte range of IMAGE (instead of labels): its offset', value: byteNumber() },
  'window-size': { describe: 'with --window-offset: its size (default: to the label area)', value: byteNumber({ min: 1 }) },
  spa: spaOption,
  platform: { describe: "PLATFORM.json describing the QEMU machine (with --dimm ID): IMAGE's SPA is where QEMU maps that NVDIMM (instead of --spa)", value: file() },
  nfit: { describe: "an NFIT table (with --dimm HANDLE, default its first PM memdev): IMAGE's SPA from the DIMM's SPA range (instead of --spa)", value: file() },
  dimm: { describe: 'with --platform: the -device id (or index); with --nfit: the device handle', value: text('ID') },
  json: { describe: 'machine-readable output' },
} satisfies Record<string, OptionSpec>;
const nsRequires = [['window-size', 'window-offset'], ['platform', 'dimm']] as const;
/** Three ways to say where IMAGE is mapped. */
const nsConflicts = [['spa', 'platform'], ['spa', 'nfit'], ['platform', 'nfit']] as const;
function checkDimm(a: Record<string, unknown>): void {
  if (a.dimm !== undefined && !a.platform && !a.nfit) throw new UsageError('--dimm needs --platform or --nfit');
}

/** --namespace without --label-size: the label area the library's locator finds at the image's tail. */
function locatedLabelSize(store: BlockIO, image: string): number {
  const at = locateLabelArea(store, { scan: TAIL_SCAN });
  if (!at || at.kind !== 'backing') throw new CliError(`${image}: no label area found at the end of the image; pass --label-size (QEMU's label-size=)`);
  return at.size;
}

function resolveNamespace(store: BlockIO, a: NsArgs): NamespaceRef {
  const ns = namespaceIn(store, a);
  const spa = a.spa !== undefined ? BigInt(a.spa) : dimmSpaBase(a);
  return spa === undefined ? ns : atSpa(ns, spa, 0n);
}

function namespaceIn(store: BlockIO, a: NsArgs): NamespaceRef {
  const labelSize = a.labelSize ?? (a.namespace && a.windowOffset === undefined ? locatedLabelSize(store, a.image) : 0);
  if (a.windowOffset !== undefined) {
    const size = a.windowSize ?? store.size - labelSize - a.windowOffset;
    if (size <= 0 || a.windowOffset + size > store.size) throw new CliError(`${a.image}: namespace at ${a.windowOffset} of ${size} bytes does not fit`);
    return { offset: a.windowOffset, size, uuid: a.namespace ?? '00000000-0000-0000-0000-000000000000', claimClass: 'none' };
  }
  if (a.namespace) return findLabelledNamespace(store, a.namespace, labelSize);
  if (labelSize >= store.size) throw new CliError(`${a.image}: label size ${labelSize} leaves no pmem`);
  return labellessNamespace(store, labelSize);
}

function withStore<T>(file: string, writable: boolean, f: (s: FileBlockIO) => T): T {
  const s = openFile(file, writable);
  try {
    return f(s);
  } finally {
    s.close();
  }
}

function viewSummary(v: NamespaceView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    namespace: { offset: v.ns.offset, size: v.ns.size, uuid: v.ns.uuid, claimClass: v.ns.claimClass },
    mode: v.mode,
    size: v.size,
    sectorSize: v.device.sectorSize,
  };
  if (v.dataOffset !== undefined) out.dataOffset = v.dataOffset;
  if (v.pfn) out.infoBlock = pfnInfoBlock.toJson(v.pfn);
  if (v.btt) {
    out.btt = {
      version: `${v.btt.version.major}.${v.btt.version.minor}`,
      initialOffset: v.btt.initialOffset,
      uuid: v.btt.uuid,
      nlba: v.btt.nlba,
      arenas: v.btt.arenas.map((a) => ({ offset: a.base, size: a.size, externalLbaStart: a.externalLbaStart, logIndices: a.logIndices, info: bttInfoBlock.toJson(a.info) })),
    };
  }
  return out;
}

// ---- format ------------------------------------------------------------------------------------
interface FormatArgs extends NsArgs {
  mode: NamespaceMode;
  align?: number;
  sectorSize: number;
  map: 'dev' | 'mem';
  uuid?: string;
  force: boolean;
  dryRun: boolean;
}

export const formatCmd = defineCommand<FormatArgs>({
  name: 'namespace format',
  describe: 'Write the fsdax/devdax info block, the BTT (sector) or clear it (raw) the way Linux 6.1 does',
  positionals: nsPositionals,
  options: {
    ...nsOptions,
    mode: { alias: 'm', describe: 'personality to write', value: choice(NAMESPACE_MODES), required: true },
    align: { alias: 'a', describe: 'fsdax/devdax alignment, a power of two (default 2M)', value: byteNumber({ min: 4096, max: 1 << 30 }) },
    'sector-size': { alias: 'l', describe: 'sector mode: the BTT external LBA size', value: choice(BTT_LBASIZES), default: 4096 },
    map: { alias: 'M', describe: 'fsdax/devdax: memmap on the device or in System RAM', value: choice(['dev', 'mem'] as const), default: 'dev' },
    uuid: { alias: 'u', describe: 'uuid of the new pfn/dax/btt device (default random)', value: uuid() },
    force: { alias: 'f', describe: 'overwrite an existing info block or BTT, or anything else nvtool recognises (partition table, file system...)' },
    'dry-run': { describe: 'list each write (file, offset, length, what); write nothing' },
  },
  requires: nsRequires,
  conflicts: nsConflicts,
  check(a) {
    checkDimm(a);
    const align = a.align as number | undefined;
    if (align !== undefined && a.mode !== 'fsdax' && a.mode !== 'devdax') throw new UsageError(`--align is for --mode fsdax or devdax, not ${a.mode}`);
    if (align !== undefined && (align & (align - 1)) !== 0) throw new UsageError(`--align: ${align} is not a power of two`);
  },
  examples: [
    ['$0 namespace format nvdimm1.img --mode sector', 'BTT 1.1 on the label-less namespace of a whole file'],
    ['$0 namespace format raw.img -n UUID --mode fsdax --align 2M', 'fsdax info block on a labelled namespace'],
    ['$0 namespace format pmem.img --window-offset 128K --window-size 32M --mode fsdax --spa 0x10ffe0000', 'the DIMM is mapped at SPA 0x10ffe0000 (not 2 MiB-aligned), the namespace at its offset 128 KiB starts at SPA 0x110000000 (aligned, as Linux needs for fsdax): the info block is laid out for that SPA, as `ndctl write-infoblock --offset` does'],
  ],
  fileOf: (a) => a.image,
  run(a) {
    // planned on an overlay, checked by the write gate (inspect decides what may not be overwritten), then committed
    const w = withWrites({ force: a.force, dryRun: a.dryRun, updates: ['label-area'], lock: [a.image] }, (g) => {
      const store = g.open(a.image);
      const ns = resolveNamespace(store, a);
      g.claim(a.image, ns.offset, ns.size); // a new personality takes the whole namespace: its contents are gone
      const r = formatLabelledNamespace(store, ns, { mode: a.mode, align: a.align, sectorSize: a.sectorSize, map: a.map, uuid: a.uuid, force: a.force });
      const view = openNamespaceView(store, r.ns);
      if (view.mode !== a.mode) throw new NvError('namespace', '', ns.offset, `wrote ${a.mode} but the namespace probes as ${view.mode}`);
      return { ns, r, view, summary: viewSummary(view) };
    });
    const { ns, r, view, summary } = w.result;
    const findings: Finding[] = [];
    if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, dryRun: w.dryRun, ...summary, uuid: r.uuid, written: r.written, ...(r.label ? { label: r.label } : {}), writes: w.writes, findings }));
    else {
      const verb = w.dryRun ? 'would write' : 'wrote';
      process.stdout.write(`${a.image}: namespace ${ns.uuid} @${ns.offset} (${ns.size} bytes) ${w.dryRun ? 'would become' : 'is now'} ${view.mode}${r.uuid ? `, uuid ${r.uuid}` : ''}; block device ${view.size} bytes\n`);
      if (r.label) process.stdout.write(`  label: claim class ${r.label.claimClass}${r.label.lbasize ? `, lbasize ${r.label.lbasize}` : ''} (${r.label.writes.map((x) => x.what).join('; ')})\n`);
      for (const x of r.written) process.stdout.write(`  ${verb} ${x.what}: namespace offset ${x.offset}, ${x.size} bytes\n`);
      if (w.dryRun) process.stdout.write(writeLines(w));
      process.stdout.write(findingLines(findings));
    }
    return 0;
  },
});

// ---- show --------------------------------------------------------------------------------------
export const showCmd = defineCommand<NsArgs>({
  name: 'namespace show',
  describe: 'How Linux would bring the namespace up: mode, info block or BTT arenas, with findings',
  positionals: nsPositionals,
  options: nsOptions,
  requires: nsRequires,
  conflicts: nsConflicts,
  check: checkDimm,
  examples: [
    ['$0 namespace show nvdimm1.img', 'mode and info block of a label-less NVDIMM image'],
    ['$0 namespace show nvdimm0.img -n UUID --json', 'as JSON'],
  ],
  fileOf: (a) => a.image,
  run(a) {
    return withStore(a.image, false, (store) => {
      const ns = resolveNamespace(store, a);
      const view = openNamespaceView(store, ns);
      if (a.json) {
        process.stdout.write(toJsonText({ schemaVersion: 1, ...viewSummary(view), findings: view.findings }));
        return exitFor(view.findings);
      }
      let text = `namespace ${ns.uuid} @${ns.offset} size ${ns.size} claim class ${ns.claimClass}\nmode ${view.mode}: block device of ${view.size} bytes, ${view.device.sectorSize}-byte sectors${view.dataOffset !== undefined ? `, from namespace offset ${view.dataOffset}` : ''}\n`;
      if (view.pfn) {
        const d = decodePfnInfo(store.read(ns.offset + PFN_INFO_OFFSET, PFN_INFO_SIZE), ns.offset + PFN_INFO_OFFSET, true);
        text += formatDump(d.spans ?? [], d.findings);
      }
      for (const [i, a2] of (view.btt?.arenas ?? []).entries()) {
        const d = decodeBttInfo(store.read(ns.offset + a2.base, BTT_INFO_SIZE), ns.offset + a2.base, true);
        text += `\narena ${i}: ${a2.info.externalNlba} sectors from LBA ${a2.externalLbaStart}, log slots (${a2.logIndices.join(',')})\n` + formatDump(d.spans ?? [], d.findings);
      }
      process.stdout.write(text + findingLines(view.findings) + `${summarize(view.findings)}\n`);
      return exitFor(view.findings);
    });
  },
});

// ---- view --------------------------------------------------------------------------------------
interface ViewArgs extends NsArgs {
  read?: number;
  count: number;
  write?: number;
  input?: string;
  output?: string;
  force: boolean;
  dryRun: boolean;
}

export const viewCmd = defineCommand<ViewArgs>({
  name: 'namespace view',
  describe: 'Read or write sectors of the block device Linux exposes (through the BTT in sector mode)',
  positionals: nsPositionals,
  options: {
    ...nsOptions,
    read: { describe: 'first sector to read (hex dump, or raw bytes with --output)', value: count() },
    count: { describe: 'sectors to read', value: count({ min: 1, max: 1 << 20 }), default: 1 },
    write: { describe: 'first sector to write from --input', value: count() },
    input: { alias: 'i', describe: 'data to write (a multiple of the sector size; - for stdin)', value: file({ dash: 'stdin' }) },
    output: { alias: 'o', describe: 'write the sectors read to this file (- for stdout)', value: file({ dash: 'stdout' }) },
    force: { describe: 'replace an existing output file; with --write, write over a structure nvtool recognises (file system, partition table...)' },
    'dry-run': { describe: 'with --write: list each write (file, offset, length, what); write nothing' },
  },
  conflicts: [...nsConflicts, ['read', 'write'], ['write', 'output'], ['write', 'count']],
  check: checkDimm,
  requires: [...nsRequires, ['write', 'input'], ['input', 'write'], ['output', 'read'], ['count', 'read'], ['dry-run', 'write']],
  examples: [
    ['$0 namespace view sector.img -n UUID --read 0 --count 2', 'hex dump of the first two sectors of /dev/pmem0s (a sector namespace: read through its BTT)'],
    ['$0 namespace view sector.img -n UUID --write 10 -i data.bin', 'write sectors 10.. through the BTT, as Linux would'],
  ],
  fileOf: (a) => a.image,
  run(a) {
    if (a.write !== undefined) {
      const first = a.write;
      const data = readInput(a.input!);
      const w = withWrites({ force: a.force, dryRun: a.dryRun, lock: [a.image] }, (g) => {
        const store = g.open(a.image);
        const view = openNamespaceView(store, resolveNamespace(store, a));
        const dev = view.device;
        if (data.length % dev.sectorSize !== 0 || data.length === 0) throw new CliError(`${a.input}: ${data.length} bytes is not a multiple of the ${dev.sectorSize}-byte sector`);
        const n = data.length / dev.sectorSize;
        if (first + n > dev.nlba) throw new CliError(`sectors ${first}..${first + n - 1} are outside 0..${dev.nlba - 1}`);
        for (let i = 0; i < n; i++) dev.write(first + i, data.subarray(i * dev.sectorSize, (i + 1) * dev.sectorSize));
        store.flush();
        return { mode: view.mode, n };
      });
      const { mode, n } = w.result;
      process.stdout.write(a.json ? toJsonText({ schemaVersion: 1, dryRun: w.dryRun, mode, wrote: { first, count: n }, writes: w.writes }) : w.dryRun ? writeLines(w) : `wrote ${n} sector(s) at ${first} (${mode})\n`);
      return 0;
    }
    return withStore(a.image, false, (store) => {
      const ns = resolveNamespace(store, a);
      const view = openNamespaceView(store, ns);
      const dev = view.device;
      if (a.read === undefined) {
        process.stdout.write(a.json ? toJsonText({ schemaVersion: 1, ...viewSummary(view) }) : `${view.mode}: ${dev.nlba} sectors of ${dev.sectorSize} bytes (${view.size} bytes)\n`);
        return 0;
      }
      if (a.read < 0 || a.count < 1 || a.read + a.count > dev.nlba) throw new CliError(`sectors ${a.read}..${a.read + a.count - 1} are outside 0..${dev.nlba - 1}`);
      const out = new Uint8Array(a.count * dev.sectorSize);
      for (let i = 0; i < a.count; i++) out.set(dev.read(a.read + i), i * dev.sectorSize);
      if (a.output) writeOutput(a.output, out, a.force);
      else if (a.json) process.stdout.write(toJsonText({ schemaVersion: 1, first: a.read, count: a.count, hex: bytesToHex(out) }));
      else for (let o = 0; o < out.length; o += 16) process.stdout.write(`${(a.read * dev.sectorSize + o).toString(16).padStart(10, '0')}  ${bytesToHex(out.subarray(o, o + 16), ' ')}\n`);
      return 0;
    });
  },
});

import { basename } from 'node:path';
import {
  claimClassForMode, collectWrites, createNamespace, defaultLbasizeForMode, deleteNamespace, initArea, listNamespacesJson, nfitDimm, namespacesOf,
  ndctlJsonText, readLabelArea, readLabelsJson, regionDefaultAlign, renameNamespace, repairArea, INIT_VARIANTS, LABEL_VERSIONS, PMEM_LBASIZES, type MediaWrite, type RepairReport,
} from '../../labels/index.js';
import { defineCommand } from '../command.js';
import { NAMESPACE_MODES } from '../../namespace/view.js';
import { labelSizeValue } from '../options/target.js';
import { bytes, choice, file, text, uuid, UsageError } from '../options/values.js';
import { CliError, toJsonText } from '../io.js';
import { dumpText, findingsText, labellessText, namespacesText } from '../labels/present.js';
import { inFile, parseHandles, readArea, readNfit, resolveDimm, resolveTarget, type LabelTarget } from '../labels/target.js';
import { runSet, type LabelsOutput, type SetArgs } from '../labels/setCommand.js';
import { regionOf, withWrites } from '../write/gate.js';
import { applyMediaWrites } from '../../core/mediaWrites.js';
import { checkExit } from '../findings.js';
import type { CreateSummary, DeleteSummary, InitSummary, RenameSummary } from '../../codecs/writerSummaries.js';

/** DIMMs in the NFIT set of DIMM `handle` (default: the first PM memdev's). */
function nfitSetSize(nfit: string, handle?: string): number {
  const h = handle === undefined ? undefined : parseHandles([handle])[0];
  return inFile(nfit, () => nfitDimm(readNfit(nfit), h).set.dimms.length);
}

const ACTIONS = ['init', 'dump', 'list', 'create', 'delete', 'rename', 'check', 'repair'] as const;
type Action = (typeof ACTIONS)[number];
const SET_ACTIONS = ['list', 'check', 'create', 'delete', 'rename', 'repair'] as const;
const WRITERS = ['init', 'create', 'delete', 'rename', 'repair'] as const;

/** The set actions' options (SetArgs) and those only one label area takes. */
interface Args extends SetArgs {
  action: Action;
  target: string;
  labelVersion: (typeof LABEL_VERSIONS)[number];
  variant: (typeof INIT_VARIANTS)[number];
  capacity?: bigint;
  dev?: string;
  force: boolean;
}

function note(a: Args, s: string): void {
  if (!a.json) process.stderr.write(`nvtool labels: ${s}\n`);
}

/** Apply the protocol's writes through the write gate (each followed by a flush), then say what was (or would be) written. */
function apply(a: Args, t: LabelTarget, writes: MediaWrite[], summary: InitSummary | CreateSummary | DeleteSummary | RenameSummary | RepairReport, o: LabelsOutput): number {
  const f = o.gate!.open(t.file);
  o.gate!.claim(t.file, t.areaOffset, t.areaSize); // the whole area is the labels', not only the blocks written now
  applyMediaWrites(writes, (w) => regionOf(f, t.areaOffset, t.areaSize, w.what));
  const where = (w: MediaWrite) => ({ offset: t.areaOffset + w.offset, length: w.bytes.length, what: w.what });
  if (a.json) o.out(toJsonText({ schemaVersion: 1, dryRun: a.dryRun, writes: writes.map(where), summary }));
  else o.out(writes.map((w) => `${a.dryRun ? 'would write' : 'wrote'} ${w.bytes.length} bytes at 0x${(t.areaOffset + w.offset).toString(16)}: ${w.what}${a.dryRun ? '' : ' (fsync)'}\n`).join(''));
  return 0;
}

interface OneArea {
  a: Args;
  t: LabelTarget;
  area: Uint8Array;
  view: ReturnType<typeof readLabelArea>;
  dimm: ReturnType<typeof resolveDimm> | undefined;
  /** Where it prints, and (writers) the write gate. */
  o: LabelsOutput;
}

const ONE_AREA: Record<Action, (c: OneArea) => number> = {
  dump({ a, t, area, view, o }) {
    if (a.json) {
      const j = readLabelsJson(area, a.dev ?? basename(a.target));
      if (!j) throw new CliError(`${a.target}: a ${area.length}-byte area is too small for labels`);
      o.out(ndctlJsonText(j));
    } else o.out(dumpText(area, view, t.areaOffset));
    return 0;
  },
  list({ a, area, view, dimm, o }) {
    const region = dimm!.dpaSize !== undefined ? { size: dimm!.dpaSize } : undefined;
    if (a.json) o.out(ndctlJsonText(listNamespacesJson(area, dimm!.set, region)));
    else if (view.current === undefined && region) o.out(`${view.selection}\n` + labellessText(region.size));
    else o.out(`${view.selection}\n` + namespacesText(namespacesOf(view, dimm!.set).namespaces));
    return 0;
  },
  check({ a, t, view, dimm, o }) {
    const ns = namespacesOf(view, dimm!.set);
    // Offsets in the file, as the index lines above and `nvtool inspect` print them.
    const findings = [...view.findings, ...ns.findings].map((f) => (f.offset === undefined ? f : { ...f, offset: f.offset + t.areaOffset }));
    const exit = checkExit(findings);
    // nvtool's own document: integers past 2^53 as decimal strings, like every other (ndctl's mirrors alone print them bare)
    if (a.json) o.out(toJsonText({ schemaVersion: 1, target: t, selection: view.selection, current: view.current ?? null, findings, namespaces: ns.namespaces, exit }));
    else {
      o.out(`${view.selection}\n`);
      for (const c of view.checks) o.out(`index ${c.index} at 0x${(t.areaOffset + c.offset).toString(16)}: ${c.valid ? `valid, sequence ${c.value.seq & 3}` : `invalid: ${c.reason}`}\n`);
      o.out(namespacesText(ns.namespaces) + findingsText(findings));
      o.out(`${['clean', 'warnings', 'errors'][exit]} (exit ${exit})\n`);
    }
    return exit;
  },
  init({ a, t, area, view, o }) {
    if (view.current !== undefined && view.live.length > 0 && !a.force) {
      throw new CliError(`${a.target}: the area holds ${view.live.length} live label(s); init would drop them. Pass --force to overwrite`);
    }
    // A file with no label area yet becomes an NVDIMM image: whatever else it holds (a file system,
    // a partition table) is then pmem under the labels, so the write gate judges the whole file.
    if (view.current === undefined) o.gate!.claim(t.file, 0, t.areaOffset + t.areaSize);
    const { writes, result } = collectWrites(initArea(area, { version: a.labelVersion, variant: a.variant }));
    return apply(a, t, writes, { labelSize: result.labelSize, nslot: result.nslot, indexSize: result.indexSize } satisfies InitSummary, o);
  },
  create({ a, t, area, view, dimm, o }) {
    const d = dimm!;
    const dpaSize = a.capacity ?? d.dpaSize;
    if (dpaSize === undefined) throw new CliError(`${a.target}: the DIMM's capacity is unknown for a raw label area; pass --capacity, --platform or --nfit`);
    const align = a.align ?? regionDefaultAlign(1, dpaSize);
    const size = a.size;
    const { writes, result } = collectWrites(
      createNamespace(area, {
        ...(a.uuid ? { uuid: a.uuid } : {}), ...(a.name !== undefined ? { name: a.name } : {}), ...(size !== undefined ? { size } : {}),
        claimClass: claimClassForMode(a.mode, view.format), lbasize: a.sectorSize !== undefined ? BigInt(a.sectorSize) : defaultLbasizeForMode(a.mode),
        dpaStart: d.dpaStart ?? 0n, dpaSize, align, set: d.set,
      }),
    );
    if (view.format === 'v1.1' && a.mode !== 'raw') note(a, `v1.1 labels record no claim class; --mode ${a.mode} is not stored`);
    return apply(a, t, writes, { uuid: result.uuid, name: result.name, dpa: result.dpa, size: result.rawsize, isetcookie: result.isetcookie } satisfies CreateSummary, o);
  },
  delete({ a, t, area, o }) {
    const { writes, result } = collectWrites(deleteNamespace(area, a.uuid!));
    return apply(a, t, writes, { uuid: a.uuid!, freedSlots: result } satisfies DeleteSummary, o);
  },
  rename({ a, t, area, o }) {
    const { writes } = collectWrites(renameNamespace(area, a.uuid!, a.name!));
    return apply(a, t, writes, { uuid: a.uuid!, name: a.name! } satisfies RenameSummary, o);
  },
  repair({ a, t, area, o }) {
    const { writes, result } = collectWrites(repairArea(area));
    if (!a.json) {
      for (const s of result.actions) o.out(`${s}\n`);
      for (const l of result.lost) o.out(`possibly lost: slot ${l.slot} holds a label for ${l.uuid}${l.name ? ` "${l.name}"` : ''} that the surviving index does not reference\n`);
    }
    return apply(a, t, writes, result satisfies RepairReport, o);
  },
};

export const labelsCommand = defineCommand<Args>({
  name: 'labels',
  describe: 'NVDIMM namespace labels offline: init, dump, list, create, delete, rename, check, repair a label area or QEMU backing file',
  positionals: [
    { name: 'action', describe: 'what to do', value: choice(ACTIONS) },
    { name: 'targets', describe: 'a raw label-area file, or a QEMU NVDIMM backing file (label area = its last label-size bytes); create/list/check/delete/rename/repair take one per DIMM of an interleave set (with --nfit or --platform)', value: file(), variadic: true },
  ],
  options: {
    'label-size': { describe: "size of the label area at the end of a backing file (QEMU label-size=); probed when absent", value: labelSizeValue },
    'label-version': { describe: 'v1.1 (128-byte) or v1.2 (256-byte) labels', value: choice(LABEL_VERSIONS), default: '1.2', actions: ['init'] },
    variant: { describe: "the kernel's index blocks (bits past nslot cleared) or ndctl init-labels' (left set)", value: choice(INIT_VARIANTS), default: 'linux', actions: ['init'] },
    size: { describe: 'namespace size on this DIMM (default: the largest free extent)', value: bytes({ min: 1n }), actions: ['create'] },
    name: { describe: 'namespace name (up to 63 ASCII characters)', value: text('NAME', { maxLength: 63 }), actions: ['create', 'rename'] },
    uuid: { describe: 'create: the uuid (default: random); delete/rename: which namespace', value: uuid(), actions: ['create', 'delete', 'rename'] },
    mode: { describe: 'claim class to record (v1.2 labels); no info block is written', value: choice(NAMESPACE_MODES), default: 'raw', actions: ['create'] },
    'sector-size': { describe: 'the label lbasize (default 512, 4096 for sector)', value: choice(PMEM_LBASIZES), actions: ['create'] },
    align: { describe: "DPA alignment and size granularity, a power of two (default Linux's region align: 16M, 4K below 16M)", value: bytes({ min: 4096n, max: 1n << 40n }), actions: ['create'] },
    capacity: { describe: "on a raw label-area file: the DIMM's pmem size (a backing file or platform gives it)", value: bytes({ min: 1n }), actions: ['create'] },
    platform: { describe: 'PLATFORM.json describing the QEMU machine (with --dimm ID): DIMM identity, pmem size, label size', value: file() },
    nfit: { describe: "an NFIT table (with --dimm HANDLE): the interleave set's cookie and this DIMM's mapping", value: file() },
    dimm: { describe: 'with --platform: the -device id (or index); with --nfit: the device handle. Several targets: one --dimm per target, in target order (default: NFIT memdev order / platform order)', value: text('ID'), repeatable: true },
    dev: { describe: 'the "dev" --json prints (default: the file name)', value: text('NAME'), actions: ['dump'] },
    json: { describe: 'dump: ndctl read-labels -j fields; list: ndctl list -N fields; others: machine-readable result' },
    force: { describe: 'init: overwrite an area that already has valid labels; every writer: write over a structure nvtool recognises (file system, partition table, info block...)', actions: WRITERS },
    'dry-run': { describe: 'print the writes the update protocol would make, write nothing', actions: WRITERS },
  },
  conflicts: [['platform', 'nfit']],
  check(a) {
    const t = a.targets as string[];
    if (t.length > 1 && !(SET_ACTIONS as readonly string[]).includes(a.action as string)) {
      throw new UsageError(`labels ${a.action} takes one target; ${SET_ACTIONS.join(', ')} take the label areas of every DIMM of a set`);
    }
    const dimms = (a.dimm as string[] | undefined) ?? [];
    if (dimms.length > 0 && !a.platform && !a.nfit) throw new UsageError('--dimm needs --platform or --nfit');
    if (t.length === 1 && dimms.length > 1) throw new UsageError(`one target takes one --dimm (${dimms.length} given)`);
    if (t.length > 1 && dimms.length > 0 && dimms.length !== t.length) throw new UsageError(`give one --dimm per target (${t.length} target(s), ${dimms.length} --dimm)`);
    if (t.length === 1 && a.platform && dimms.length === 0) throw new UsageError('--platform needs --dimm ID (the -device id, or its index)');
    if ((a.action === 'delete' || a.action === 'rename') && a.uuid === undefined) throw new UsageError(`labels ${a.action} needs --uuid`);
    if (a.action === 'rename' && a.name === undefined) throw new UsageError('labels rename needs --name');
    const align = a.align as bigint | undefined;
    if (align !== undefined && (align & (align - 1n)) !== 0n) throw new UsageError(`--align: ${align} is not a power of two`);
  },
  examples: [
    ['$0 labels check nvdimm0.img', 'which index is current and why, live labels, every finding in words (exit 0 clean, 1 warnings, 2 errors)'],
    ['$0 labels dump --json nvdimm0.img', 'the same JSON as `ndctl read-labels -j`, offline'],
    ['$0 labels init --label-size 128K --label-version 1.2 nvdimm1.img', "write fresh index blocks into a QEMU backing file's label area"],
    ['$0 labels create --size 64M --name data nvdimm1.img', "a namespace on QEMU slot 0's DIMM, written with Linux's two-pass update protocol"],
    ['$0 labels list --json --platform vm.json --dimm nv0 nvdimm0.img', 'namespaces with `ndctl list -N` fields, cookie checked against the platform'],
    ['$0 labels repair nvdimm0.img', 'rewrite a damaged index block from the good one and report what may be lost'],
    ['$0 labels create --nfit nfit.aml --size 256M --name striped --uuid UUID dimm0.img dimm1.img', "one namespace (--uuid: its uuid, else a random one) across a 2-DIMM interleave set: a label per DIMM (position = NFIT memdev order, the set's cookie), written DIMM by DIMM as Linux does"],
    ['$0 labels rename --dry-run --nfit nfit.aml --uuid UUID --name new dimm0.img dimm1.img', "rename across the set: Linux's UPDATING pass on every DIMM, then the final pass; --dry-run lists each write with its file"],
    ['$0 labels repair --nfit nfit.aml dimm0.img dimm1.img', "repair each DIMM's damaged index from its good copy; report incomplete namespaces and orphans (no label is invented)"],
    ['$0 labels list --json --nfit nfit.aml --dimm 0x1 --dimm 0x101 dimm0.img dimm1.img', 'the assembled namespace once (ndctl list -N fields) with each DIMM\'s share; incomplete sets explained'],
  ],
  fileOf: (a) => a.targets?.[0],
  run(a) {
    if (!(WRITERS as readonly string[]).includes(a.action)) return runLabels(a, { out: (s) => void process.stdout.write(s) });
    // Writers: the targets are locked before they are read; output is printed once the writes are committed.
    let text = '';
    const w = withWrites({ force: a.force, dryRun: a.dryRun, updates: ['label-area'], lock: a.targets }, (gate) => {
      text = '';
      return runLabels(a, { gate, out: (s) => void (text += s) });
    });
    process.stdout.write(text);
    return w.result;
  },
});

function runLabels(a: Args, o: LabelsOutput): number {
    const dimms = a.dimm;
    if (a.targets.length > 1 || ((a.action === 'create' || a.action === 'rename') && a.nfit && nfitSetSize(a.nfit, dimms[0]) > 1)) {
      return runSet(o, a);
    }
    a.target = a.targets[0]!;
    const dimmOpts = { ...(a.platform ? { platform: a.platform } : {}), ...(a.nfit ? { nfit: a.nfit } : {}), ...(dimms[0] !== undefined ? { dimm: dimms[0] } : {}) };
    let labelSize = a.labelSize;
    if (labelSize === undefined && a.platform) labelSize = resolveDimm(dimmOpts).labelSize;
    const t = resolveTarget(a.target, labelSize);
    note(a, `${a.target}: ${t.how}`);
    const area = readArea(t);
    const view = readLabelArea(area);
    const needsDimm = a.action === 'list' || a.action === 'check' || a.action === 'create';
    const dimm = needsDimm ? resolveDimm(dimmOpts, t) : undefined;
    if (dimm?.assumed) note(a, dimm.how);
    return ONE_AREA[a.action]({ a, t, area, view, dimm, o });
}

import { formatDump, formatFinding, decodeStruct } from '../../core/schema/index.js';
import { SECTOR_SIZES, hasPartitionTable, type SectorSize } from '../../disk/table.js';
import { resolveGptType } from '../../disk/gptTypes.js';
import { XEN_PLACEMENTS, formatXen, inspectXen, locateSuperBlock } from '../../xen/layout.js';
import { PLACEMENT, PLACEMENT_NAMES, XEN_PMEM_CLAIM_CLASS_GUID, XEN_SB_SIZE, xenSuperBlock } from '../../xen/superblock.js';
import { encodeStruct, structFromJson } from '../../core/schema/index.js';
import { defineCommand } from '../command.js';
import { exitFor, summarize } from '../findings.js';
import { CliError, toJsonText } from '../io.js';
import { regionOf, withWrites, writeLines } from '../write/gate.js';
import { openTarget, targetSectorSize, type TargetArgs } from '../target.js';
import { imageTargetConflicts, imageTargetOptions } from '../options/target.js';
import { choice, extent, extentLbas, file, uuid, UsageError, type Extent } from '../options/values.js';
import { gptTypeValue } from './gpt.js';
import { WindowBlockIO, type BlockIO } from '../../core/blockio.js';
import { applyMediaWrites } from '../../core/mediaWrites.js';
import { claimFindings as labelClaimFindings, claimNamespace } from '../../xen/claim.js';
import type { Finding } from '../../core/schema/index.js';
import type { NamespaceTarget } from '../target.js';

/** The namespace's label area, as bytes of the image. */
function labelArea(ns: NamespaceTarget): Uint8Array {
  return ns.image.read(ns.labelAreaOffset, ns.labelAreaSize);
}

/**
 * Claim the namespace for Xen: its v1.2 label rewritten with our claim class by the labels
 * engine's update protocol, each write made durable before the next (the protocol's ordering).
 */
function claimForXen(ns: NamespaceTarget): string[] {
  const done: string[] = [];
  applyMediaWrites(claimNamespace(labelArea(ns), ns.ref.uuid), (w) => regionOf(ns.image, ns.labelAreaOffset, ns.labelAreaSize, w.what), (w) => done.push(w.what));
  return done;
}

/** What the label says about a namespace that holds (or should hold) a placement (c) super block. */
function claimFindings(ns: NamespaceTarget, found: boolean): Finding[] {
  return labelClaimFindings(labelArea(ns), ns.ref.uuid, found, ns.labelAreaOffset);
}

const ACTIONS = ['format', 'inspect', 'check'] as const;

interface Args extends TargetArgs {
  action: (typeof ACTIONS)[number];
  placement: (typeof XEN_PLACEMENTS)[number] | 'namespace';
  sectorSize?: SectorSize;
  partSize?: Extent;
  dataType?: string;
  containerUuid?: string;
  json: boolean;
  force: boolean;
  quiet: boolean;
  dryRun: boolean;
}

/** A progress bar on stderr, redrawn in place on a TTY; nothing when not a TTY or --quiet. */
function progressBar(quiet: boolean, label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY === true && !quiet;
  const t0 = performance.now();
  let last = -1;
  return {
    update(done, total) {
      if (!tty || total < 64 * 1024 * 1024) return;
      const pct = Math.floor((done / total) * 100);
      if (pct === last) return;
      last = pct;
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      const mbs = done / 1048576 / Math.max(0.001, (performance.now() - t0) / 1000);
      process.stderr.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${mbs.toFixed(0)} MiB/s`);
    },
    end() {
      if (tty && last >= 0) process.stderr.write('\n');
    },
  };
}

/**
 * `xen format`: planned, checked and committed through the write gate; the super block's flags, then
 * the label, commit it. Placement (b) adds its partition to the GPT there is (the gate lets it
 * update the table); (a) and (c) replace what they cover.
 */
function runFormat(a: Args): number {
  const placement = a.placement === 'namespace' ? 'c' : a.placement;
  const dataType = a.dataType === undefined ? undefined : resolveGptType(a.dataType);
  const bar = progressBar(a.quiet || a.json || a.dryRun, 'frame table');
  const w = withWrites({ force: a.force, dryRun: a.dryRun, updates: placement === 'b' ? ['label-area', 'gpt', 'mbr'] : ['label-area'], lock: [a.target] }, (g) => {
    const io = openTarget(a, g);
    try {
      const ss = targetSectorSize(io, a.sectorSize);
      const ns = io.namespace;
      // (c) on a labelled namespace: the container is the whole namespace, not the view past an info block
      const box: BlockIO = placement === 'c' && ns ? ns.whole : io;
      if (placement === 'c' && ns && ns.mode !== 'raw' && !a.force) {
        throw new CliError(`${io.describe}: Linux brings this namespace up as ${ns.mode}; placement namespace replaces its ${ns.mode === 'sector' ? 'BTT' : 'info block'} and data: pass --force`);
      }
      const existing = locateSuperBlock(box, ss);
      if (existing && !a.force) throw new CliError(`${io.describe}: already holds a Xen pmem super block (placement ${existing.placement}); pass --force to format again`);
      if (placement === 'a') {
        const t = hasPartitionTable(io, ss);
        if (t && !a.force) throw new CliError(`${io.describe}: holds ${t}; placement a writes a new GPT, pass --force to replace it`);
      }
      if (placement === 'c' && !a.force && box.read(0, XEN_SB_SIZE).some((b) => b !== 0)) {
        throw new CliError(`${io.describe}: the first 4 KiB are not zero (data or an info block?); pass --force to format the whole namespace`);
      }
      const containerUuid = a.containerUuid ?? (placement === 'c' && ns ? ns.ref.uuid : undefined);
      const r = formatXen(box, {
        placement, sectorSize: ss, onProgress: bar.update,
        ...(a.partSize !== undefined ? { partitionLbas: extentLbas(a.partSize, ss, '--part-size') } : {}),
        ...(dataType ? { dataTypeGuid: dataType } : {}),
        ...(containerUuid ? { containerUuid } : {}),
      });
      // the label is the commit point: a namespace claimed for Xen always holds a complete super block
      const claim = placement === 'c' && ns ? claimForXen(ns) : undefined;
      // the container is Xen's now (for (a) the whole target: a new GPT and its data partition)
      // (inside a namespace's device only (c) maps to image bytes simply: the whole namespace)
      const base = ns ? (placement === 'c' ? ns.ref.offset : undefined) : Number(a.windowOffset ?? 0n);
      if (base !== undefined) g.claim(a.target, base + r.located.containerOffset, r.located.containerSize);
      return { r, claim, describe: io.describe, ns: ns?.ref.uuid };
    } finally {
      io.close();
    }
  });
  bar.end();
  const { r, claim, describe, ns } = w.result;
  const sb = r.sb;
  if (a.json) {
    process.stdout.write(toJsonText({ schemaVersion: 1, dryRun: w.dryRun, located: r.located, superBlock: xenSuperBlock.toJson(sb), ...(claim ? { claim: { claimClass: XEN_PMEM_CLAIM_CLASS_GUID, labelWrites: claim } } : {}), writes: w.writes }));
    return 0;
  }
  process.stdout.write(
    `${w.dryRun ? 'would format' : 'formatted'} ${describe}: placement ${PLACEMENT_NAMES[sb.placement]}\n` +
      `  container at ${r.located.containerOffset}, ${r.located.containerSize} bytes${r.located.partitionNumber ? ` (partition ${r.located.partitionNumber})` : ''}\n` +
      `  super block at +${sb.superBlockOffset}, reserved +${sb.reservedOffset} (${sb.reservedSize} bytes: frame table ${sb.frameTableSize}, M2P ${sb.m2pSize}) for ${sb.managedPages} pages\n` +
      `  data area at +${sb.dataOffset}, ${sb.dataSize} bytes\n` +
      (claim ? `  claimed namespace ${ns}: v1.2 label now has claim class ${XEN_PMEM_CLAIM_CLASS_GUID} (${claim.length} label-area writes: ${claim.join('; ')})\n`
        : placement === 'c' ? `  no label was written: claim the namespace with claim class ${XEN_PMEM_CLAIM_CLASS_GUID} (use IMAGE --namespace UUID)\n` : '') +
      (w.dryRun ? writeLines(w) : ''),
  );
  return 0;
}

/** inspect and check: find the super block, check it (check: and read the frame table back), report. */
function examine(a: Args): number {
  const io = openTarget(a, false);
  try {
    const ss = targetSectorSize(io, a.sectorSize);
    const ns = io.namespace;
    const loc = locateSuperBlock(io, ss);
    if (!loc) {
      const why = ns ? claimFindings(ns, false).find((f) => f.code === 'claimed-empty') : undefined;
      throw new CliError(why ? `${io.describe}: ${why.message}` : `${io.describe}: no Xen pmem super block found (after the GPT entry array, in a Xen-type partition, or at offset 0)`, 1);
    }
    const r = inspectXen(io, loc, { deep: a.action === 'check' });
    if (ns && loc.placement === PLACEMENT.namespace) r.findings.push(...claimFindings(ns, true));
    if (a.json) {
      process.stdout.write(toJsonText({ schemaVersion: 1, located: loc, superBlock: xenSuperBlock.toJson(r.sb), findings: r.findings }));
    } else if (a.action === 'inspect') {
      const c = new WindowBlockIO(io, loc.containerOffset, loc.containerSize);
      const d = decodeStruct(xenSuperBlock, c.read(loc.superBlockOffset, XEN_SB_SIZE), { spans: true, base: loc.containerOffset + loc.superBlockOffset });
      process.stdout.write(formatDump((d.spans ?? []).filter((s) => s.path !== 'reserved'), r.findings) + `\nxen super block: ${summarize(r.findings)}\n`);
    } else {
      for (const f of r.findings) process.stdout.write(formatFinding(f) + '\n');
      process.stdout.write(`xen super block (placement ${loc.placement}) at ${loc.containerOffset + loc.superBlockOffset}: ${summarize(r.findings)}\n`);
    }
    return exitFor(r.findings);
  } finally {
    io.close();
  }
}

/** One handler per action: nothing is reached by falling through. */
const XEN_RUN: Record<Args['action'], (a: Args) => number> = { format: runFormat, inspect: examine, check: examine };

export const xenCommand = defineCommand<Args>({
  name: 'xen',
  describe: "nvtool's Xen pmem super block, reserved area and frame table (specs/xen-pmem-superblock.md): format, inspect, check",
  positionals: [
    { name: 'action', describe: 'what to do', value: choice(ACTIONS) },
    { name: 'target', describe: 'disk image, block device, or NVDIMM image (with --namespace)', value: file() },
  ],
  options: {
    ...imageTargetOptions,
    placement: { describe: 'a = after the partition table (new GPT), b = own partition with the Xen type GUID, c (= namespace) = a whole namespace, claimed by its v1.2 label with --namespace', value: choice([...XEN_PLACEMENTS, 'namespace'] as const), default: 'a', actions: ['format'] },
    'sector-size': { describe: 'logical sector size for the GPT (default: detected, else 512)', value: choice(SECTOR_SIZES) },
    'part-size': { describe: 'placement b: size of the Xen partition (sectors, or bytes with a unit); default all free space', value: extent(), actions: ['format'] },
    'data-type': { describe: 'placement a: type of the data partition (default linux)', value: gptTypeValue, actions: ['format'] },
    'container-uuid': { describe: 'placement c: the namespace uuid to record', value: uuid(), actions: ['format'] },
    json: { describe: 'machine-readable output' },
    force: { describe: 'format over an existing partition table or super block', actions: ['format'] },
    quiet: { alias: 'q', describe: 'no progress bar', actions: ['format'] },
    'dry-run': { describe: 'list each write (file, offset, length, what); write nothing', actions: ['format'] },
  },
  conflicts: imageTargetConflicts,
  requires: [['label-size', 'namespace']],
  check(a) {
    const p = a.placement === 'namespace' ? 'c' : a.placement;
    if (a.partSize !== undefined && p !== 'b') throw new UsageError(`--part-size is for placement b, not ${a.placement}`);
    if (a.dataType !== undefined && p !== 'a') throw new UsageError(`--data-type is for placement a, not ${a.placement}`);
    if (a.containerUuid !== undefined && p !== 'c') throw new UsageError(`--container-uuid is for placement c, not ${a.placement}`);
  },
  examples: [
    ['$0 xen format pmem.img --placement a', 'GPT + super block + reserved area before partition 1 (the data area)'],
    ['$0 xen format disk.img --placement b --part-size 1G', 'a Xen-type partition holding super block, reserved area and data'],
    ['$0 xen format raw.img --namespace UUID --placement namespace', 'claim the whole namespace: super block at its offset 0, then its v1.2 label rewritten with claim class ' + XEN_PMEM_CLAIM_CLASS_GUID],
    ['$0 xen check raw.img --namespace UUID', 'a claimed namespace: the label says Xen and the super block checks out'],
    ['$0 xen format ns.img --placement c --container-uuid UUID', 'a namespace already cut out as a file: super block only (no label to claim)'],
    ['$0 xen inspect pmem.img', 'annotated dump of the super block wherever it is'],
    ['$0 xen check pmem.img', 'checks the super block and reads the frame table back (exit 1 on errors)'],
  ],
  fileOf: (a) => a.target,
  run: (a) => XEN_RUN[a.action](a),
});

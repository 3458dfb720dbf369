/**
 * `nvtool labels create|list|check|delete|rename|repair` on several targets: the label areas of every DIMM of
 * an interleave set, from `--nfit` (the SPA range's memdevs) or `--platform` (QEMU: one region per
 * NVDIMM, so only one-DIMM sets). Targets map to the set's DIMMs by `--dimm` (one per target, in
 * target order) or by NFIT memdev order.
 */
import { findDimm, parsePlatform, resolvePlatform } from '../../acpi/qemu/index.js';
import {
  claimClassForMode, collectWrites, createSetNamespace, defaultLbasizeForMode, labelUuid, readLabelArea, deleteSetNamespace, interleaveSetsFromNfit, listSetNamespacesJson, ndctlJsonText, pickNfitSet,
  qemuDimmSet, readInterleaveSet, renameSetNamespace, repairSet, type InterleaveSet, type NamespaceMode, type SetWrite,
} from '../../labels/index.js';
import { CliError, readJsonFile, toJsonText } from '../io.js';
import { findingsText } from './present.js';
import { inFile, parseHandles, readArea, readNfit, resolveTarget, type LabelTarget } from './target.js';
import { applyMediaWrites } from '../../core/mediaWrites.js';
import { regionOf, type WriteGate } from '../write/gate.js';
import { checkExit } from '../findings.js';
import type { SetCreateSummary, SetDeleteSummary, SetRenameSummary, SetRepairSummary } from '../../codecs/writerSummaries.js';

export interface SetArgs {
  action: string;
  targets: string[];
  labelSize?: number;
  size?: bigint;
  name?: string;
  uuid?: string;
  mode: NamespaceMode;
  sectorSize?: number;
  align?: bigint;
  platform?: string;
  nfit?: string;
  dimm: string[];
  json: boolean;
  dryRun: boolean;
}

interface Bound {
  set: InterleaveSet;
  /** targets[k] is DIMM order[k] of the set; areas/targets below are in mapping order. */
  targets: LabelTarget[];
  how: string;
}

const QEMU_NOTE = 'QEMU describes every NVDIMM as its own SPA range (hw/acpi/nvdimm.c nvdimm_build_structure_spa: one region per DIMM), so a QEMU platform only has one-DIMM interleave sets';

function bind(a: SetArgs): Bound[] {
  const labelSize = a.labelSize;
  if (a.nfit) {
    if (a.dimm.length > 0 && a.dimm.length !== a.targets.length) throw new CliError(`give one --dimm per target (${a.targets.length} target(s), ${a.dimm.length} --dimm)`);
    const nfit = readNfit(a.nfit);
    const handles = parseHandles(a.dimm);
    const pick = inFile(a.nfit, () => pickNfitSet(interleaveSetsFromNfit(nfit), a.targets.length, handles));
    if (pick.set.dimms.length !== a.targets.length) {
      throw new CliError(`${a.nfit}: SPA range ${pick.rangeIndex} interleaves ${pick.set.dimms.length} DIMMs (${pick.set.dimms.map((d) => d.name).join(', ')}); give one label area per DIMM (${a.targets.length} given): Linux writes a label on every DIMM of the set, and a set missing one is not assembled`);
    }
    const targets: LabelTarget[] = new Array(a.targets.length);
    a.targets.forEach((file, k) => {
      targets[pick.order[k]!] = resolveTarget(file, labelSize);
    });
    return [{ set: pick.set, targets, how: `NFIT ${a.nfit}: SPA range ${pick.rangeIndex}, ${pick.set.dimms.length} DIMM(s) in memdev order ${pick.set.dimms.map((d, i) => `${d.name} ← ${targets[i]!.file}`).join(', ')}` }];
  }
  if (a.platform) {
    const resolved = resolvePlatform(parsePlatform(readJsonFile(a.platform)));
    if (a.dimm.length > 0 && a.dimm.length !== a.targets.length) throw new CliError(`give one --dimm per target (${a.targets.length} target(s), ${a.dimm.length} --dimm)`);
    return a.targets.map((file, k) => {
      const want = a.dimm[k];
      const d = want === undefined ? resolved.dimms[k] : findDimm(resolved, want);
      if (!d) throw new CliError(`${a.platform}: no NVDIMM ${want ?? `#${k}`} for ${file} (have: ${resolved.dimms.map((x) => x.id ?? x.index).join(', ')})`);
      const set = qemuDimmSet(d);
      const ls = labelSize ?? (d.labelSize > 0n ? Number(d.labelSize) : undefined);
      return { set, targets: [resolveTarget(file, ls)], how: `platform ${a.platform}: ${d.id ?? d.index} (slot ${d.slot}) ← ${file}, its own one-DIMM region` };
    });
  }
  throw new CliError('several targets are the DIMMs of an interleave set: pass --nfit NFIT.aml (or --platform P.json for QEMU, whose NVDIMMs are each their own region)');
}

/** In the protocol's order across files, each write followed by a flush (DIMM by DIMM as Linux does), through the write gate. */
function applyWrites(a: SetArgs, b: Bound, writes: SetWrite[], summary: SetCreateSummary | SetDeleteSummary | SetRenameSummary | SetRepairSummary, o: LabelsOutput): number {
  const t = (w: SetWrite) => b.targets[w.dimm]!;
  const where = (w: SetWrite) => ({ file: t(w).file, offset: t(w).areaOffset + w.offset, length: w.bytes.length, what: w.what });
  const files = b.targets.map((x) => o.gate!.open(x.file));
  for (const x of b.targets) o.gate!.claim(x.file, x.areaOffset, x.areaSize); // each whole area is the labels'
  applyMediaWrites(writes, (w) => regionOf(files[w.dimm]!, t(w).areaOffset, t(w).areaSize, w.what));
  if (a.json) o.out(toJsonText({ schemaVersion: 1, dryRun: a.dryRun, writes: writes.map(where), summary }));
  else o.out(writes.map((w) => `${a.dryRun ? 'would write' : 'wrote'} ${w.bytes.length} bytes to ${t(w).file} at 0x${(t(w).areaOffset + w.offset).toString(16)}: ${w.what}${a.dryRun ? '' : ' (fsync)'}\n`).join(''));
  return 0;
}

/** Where a labels command prints, and the write gate its writers run in. */
export interface LabelsOutput {
  gate?: WriteGate;
  out(s: string): void;
}

/** What a set of label areas gets, per action: one handler each, nothing reached by falling through. */
const SET_RUN: Record<string, (o: LabelsOutput, a: SetArgs, bound: Bound[]) => number> = {
  list(o, a, bound) {
    const all = bound.flatMap((b) => listSetNamespacesJson(readInterleaveSet(b.targets.map(readArea), b.set), b.set));
    if (a.json) o.out(ndctlJsonText(all));
    else for (const b of bound) o.out(setText(b));
    return 0;
  },
  check(o, a, bound) {
    const views = bound.map((b) => readInterleaveSet(b.targets.map(readArea), b.set));
    const findings = views.flatMap((v) => v.findings);
    const exit = checkExit(findings);
    if (a.json) {
      o.out(toJsonText({ schemaVersion: 1, exit, sets: views.map((v, i) => ({ set: bound[i]!.how, regionActive: v.regionActive, ...(v.regionReason ? { regionReason: v.regionReason } : {}), cookie: v.cookie ?? null, namespaces: listSetNamespacesJson(v, bound[i]!.set), findings: v.findings, exit })) }));
    } else {
      for (const b of bound) o.out(setText(b));
      o.out(findingsText(findings) + `${['clean', 'warnings', 'errors'][exit]} (exit ${exit})\n`);
    }
    return exit;
  },
  create(o, a, bound) {
    if (a.platform && !a.nfit) {
      throw new CliError(`${QEMU_NOTE}: there is no set to create one namespace across. Create per DIMM (nvtool labels create --platform ${a.platform} --dimm ID FILE), or describe an interleaved platform with an NFIT (nvtool build-nfit, generic profile) and pass --nfit`);
    }
    const b = bound[0]!;
    const areas = b.targets.map(readArea);
    const size = a.size;
    const set = a.align !== undefined ? { ...b.set, align: a.align } : b.set;
    const { writes, result } = collectWrites(
      createSetNamespace(areas, set, {
        ...(a.uuid ? { uuid: a.uuid } : {}), ...(a.name !== undefined ? { name: a.name } : {}), ...(size !== undefined ? { size } : {}),
        // the class the mode records under v1.2; on a v1.1 set the engine refuses any but raw, saying why
        claimClass: claimClassForMode(a.mode, '1.2'), lbasize: a.sectorSize !== undefined ? BigInt(a.sectorSize) : defaultLbasizeForMode(a.mode),
      }),
    );
    return applyWrites(a, b, writes, { uuid: result.uuid, name: result.name, size: result.size, dimms: result.labels.map((l, i) => ({ dimm: b.set.dimms[i]!.name, file: b.targets[i]!.file, dpa: l.dpa, rawsize: l.rawsize, position: l.position, isetcookie: l.isetcookie })) } satisfies SetCreateSummary, o);
  },
  delete(o, a, bound) {
    if (!a.uuid) throw new CliError('delete needs --uuid');
    let exit = 0;
    for (const b of bound) {
      const areas = b.targets.map(readArea);
      const has = areas.some((x) => readLabelArea(x).live.some((l) => labelUuid(l) === a.uuid!.toLowerCase()));
      if (!has && bound.length > 1) continue; // --platform: the namespace lives on one of the DIMMs
      const { writes, result } = collectWrites(deleteSetNamespace(areas, b.set, a.uuid));
      exit = Math.max(exit, applyWrites(a, b, writes, { uuid: a.uuid, freedSlots: result.map((slots, i) => ({ dimm: b.set.dimms[i]!.name, file: b.targets[i]!.file, slots })) } satisfies SetDeleteSummary, o));
    }
    return exit;
  },
  rename(o, a, bound) {
    if (!a.uuid || a.name === undefined) throw new CliError('rename needs --uuid and --name');
    const want = a.uuid.toLowerCase();
    const hits = bound.filter((b) => b.targets.some((t) => readLabelArea(readArea(t)).live.some((l) => labelUuid(l) === want)));
    const b = hits[0] ?? bound[0]!; // --platform: the namespace lives on one of the one-DIMM regions
    const { writes, result } = collectWrites(renameSetNamespace(b.targets.map(readArea), b.set, a.uuid, a.name));
    return applyWrites(a, b, writes, { uuid: want, name: a.name, dimms: result.map((l, i) => ({ dimm: b.set.dimms[i]!.name, file: b.targets[i]!.file, position: l.position, dpa: l.dpa, rawsize: l.rawsize })) } satisfies SetRenameSummary, o);
  },
  repair(o, a, bound) {
    let exit = 0;
    for (const b of bound) {
      const { writes, result } = collectWrites(repairSet(b.targets.map(readArea), b.set));
      if (!a.json) {
        for (const d of result.dimms) {
          const file = b.targets[d.dimm]!.file;
          if (d.error) o.out(`DIMM ${d.name} (${file}): cannot repair: ${d.error}\n`);
          for (const s of d.report?.actions ?? []) o.out(`DIMM ${d.name} (${file}): ${s}\n`);
          for (const l of d.report?.lost ?? []) o.out(`DIMM ${d.name} (${file}): possibly lost: slot ${l.slot} holds a label for ${l.uuid}${l.name ? ` "${l.name}"` : ''} that the surviving index does not reference\n`);
        }
        o.out(findingsText(result.problems));
        o.out(result.regionActive ? 'after the repair Linux assembles the region\n' : `after the repair the region still fails: ${result.regionReason ?? 'see above'}\n`);
      }
      const summary = { dimms: result.dimms.map((d) => ({ ...d, file: b.targets[d.dimm]!.file })), regionActive: result.regionActive, ...(result.regionReason ? { regionReason: result.regionReason } : {}), problems: result.problems } satisfies SetRepairSummary;
      exit = Math.max(exit, applyWrites(a, b, writes, summary, o), result.problems.some((f) => f.severity === 'error') ? 1 : 0);
    }
    return exit;
  },
};

export function runSet(o: LabelsOutput, a: SetArgs): number {
  const run = Object.hasOwn(SET_RUN, a.action) ? SET_RUN[a.action] : undefined;
  if (!run) throw new CliError(`labels ${a.action} takes one target; ${Object.keys(SET_RUN).join(', ')} take the label areas of every DIMM of a set`);
  const bound = bind(a);
  if (!a.json) for (const b of bound) process.stderr.write(`nvtool labels: ${b.how}\n`);
  return run(o, a, bound);
}

function setText(b: Bound): string {
  const sv = readInterleaveSet(b.targets.map(readArea), b.set);
  const lines = [`set of ${b.set.dimms.length} DIMM(s), cookie 0x${(sv.cookie ?? 0n).toString(16)}: ${sv.regionActive ? 'Linux assembles its namespaces' : `region fails: ${sv.regionReason}`}`];
  if (sv.namespaces.length === 0) lines.push('no namespaces');
  for (const ns of sv.namespaces) {
    lines.push(`namespace ${ns.uuid}${ns.name ? ` "${ns.name}"` : ''}: ${ns.size} bytes over ${ns.shares.length} DIMM(s), ${ns.state}${ns.reason ? ` (${ns.reason})` : ''}`);
    for (const s of ns.shares) lines.push(`  DIMM ${s.name} (${b.targets[s.dimm]!.file}): position ${s.position}/${s.nlabel}, ${s.rawsize} bytes at DPA 0x${s.dpa.toString(16)}, slot ${s.slot}`);
  }
  for (const o of sv.orphans) lines.push(`orphan label for ${o.uuid} on DIMM ${b.set.dimms[o.dimm]!.name} slot ${o.slot}`);
  return lines.join('\n') + '\n';
}

/**
 * Writing a namespace's personality the way Linux 6.1 (with ndctl create-namespace) does:
 * fsdax/devdax: the info block nd_pfn_init() writes at 4 KiB; sector: the BTT btt_init() lays out
 * (1.1 at 4 KiB, or 2.0 at 0 for claim class btt2); raw: the info-block area cleared.
 * Nothing is overwritten that holds an info block or BTT unless `force` is given.
 */
import { randomUUID } from 'node:crypto';
import { NvError } from '../core/errors.js';
import { WindowBlockIO, type BlockIO } from '../core/blockio.js';
import { Btt } from '../infoblocks/btt.js';
import { bttInfoBlock, hasBttSignature } from '../infoblocks/bttInfo.js';
import type { BttVersion } from '../infoblocks/bttLayout.js';
import { MEMREMAP_COMPAT_ALIGN, PFN_INFO_OFFSET, encodePfnInfo, pfnInfoBlock, pfnSignatureOf, planPfnInfo, type PfnInfo } from '../infoblocks/pfn.js';
import { namespacePhysStart, writeNamespaceLabel, type ClaimClass, type NamespaceRef } from './labelsGlue.js';
import type { NamespaceMode } from './view.js';
import { claimClassForMode } from '../labels/modes.js';

export interface FormatOptions {
  mode: NamespaceMode;
  /** fsdax/devdax alignment (default 2 MiB). */
  align?: number;
  /** sector: external LBA size (default 4096, as ndctl). */
  sectorSize?: number;
  /** fsdax: where the memmap lives (default dev). */
  map?: 'dev' | 'mem';
  /** uuid of the new pfn/dax/btt device (default random). */
  uuid?: string;
  /** Overwrite an existing info block or BTT. */
  force?: boolean;
  /**
   * The claim class the namespace will carry (v1.2 labels). Sector mode follows it: btt2 gives
   * BTT 2.0 at offset 0; anything else BTT 1.1 at 4 KiB. Default: the namespace's current class.
   */
  claimClass?: ClaimClass;
}

export interface FormatResult {
  mode: NamespaceMode;
  uuid?: string;
  pfn?: PfnInfo;
  btt?: Btt;
  /** Claim class a v1.2 label should carry for this mode (what ndctl writes). */
  claimClass: ClaimClass;
  /** Namespace byte ranges written. */
  written: { offset: number; size: number; what: string }[];
}

/** Bytes that hold an info block's signature (BTT, PFN and DAX blocks all start with 16). */
const SIG_BYTES = Math.max(pfnInfoBlock.offsetOf('signature') + pfnInfoBlock.sizeOf('signature'), bttInfoBlock.offsetOf('signature') + bttInfoBlock.sizeOf('signature'));

/** What personality bytes are present (any signature at 0 or 4 KiB), for the --force check. */
export function existingPersonality(store: BlockIO): string | undefined {
  for (const off of [0, PFN_INFO_OFFSET]) {
    if (store.size < off + SIG_BYTES) continue;
    const b = store.read(off, SIG_BYTES);
    if (hasBttSignature(b)) return `a BTT info block at namespace offset ${off}`;
    const s = pfnSignatureOf(b);
    if (s) return `a ${s} info block at namespace offset ${off}`;
  }
  return undefined;
}

export function formatNamespace(image: BlockIO, ns: NamespaceRef, o: FormatOptions): FormatResult {
  const store = new WindowBlockIO(image, ns.offset, ns.size);
  const existing = existingPersonality(store);
  if (existing && !o.force) throw new NvError('namespace', '', ns.offset, `holds ${existing}; pass --force to overwrite it`);
  const uuid = (o.uuid ?? randomUUID()).toLowerCase();
  const written: FormatResult['written'] = [];
  const clear = (off: number, size: number, what: string) => {
    if (off + size > store.size) return;
    store.write(off, new Uint8Array(size));
    written.push({ offset: off, size, what });
  };
  const claimClass = o.claimClass ?? ns.claimClass;
  switch (o.mode) {
    case 'raw': {
      clear(0, 8192, 'info block area (zeroed)');
      return { mode: 'raw', claimClass: 'none', written };
    }
    case 'fsdax':
    case 'devdax': {
      const spa = namespacePhysStart(ns);
      if (spa % MEMREMAP_COMPAT_ALIGN !== 0) {
        const assumed = ns.physStart === undefined ? "; that SPA is assumed from its offset in the image: pass the DIMM's with --spa" : '';
        throw new NvError('namespace', '', ns.offset, `its SPA 0x${spa.toString(16)} is not 2 MiB-aligned: Linux refuses ${o.mode} there (nd_pfn_init: -EINVAL)${assumed}`);
      }
      const info = planPfnInfo({ kind: o.mode, size: ns.size, physStart: spa, align: o.align ?? 2 * 1024 * 1024, map: o.map ?? 'dev', uuid, parentUuid: ns.uuid });
      // A stale BTT 2.0 block at offset 0 would win under claim class btt2/none probing: clear it.
      if (hasBttSignature(store.read(0, 16))) clear(0, 4096, 'stale BTT 2.0 info block (zeroed)');
      store.write(PFN_INFO_OFFSET, encodePfnInfo(info));
      written.push({ offset: PFN_INFO_OFFSET, size: 4096, what: `${info.signature} info block` });
      return { mode: o.mode, uuid, pfn: info, claimClass: o.mode === 'fsdax' ? 'pfn' : 'dax', written };
    }
    case 'sector': {
      const version: BttVersion = claimClass === 'btt2' ? { major: 2, minor: 0 } : { major: 1, minor: 1 };
      if (version.major === 1 && hasBttSignature(store.read(0, 16))) clear(0, 4096, 'stale BTT 2.0 info block (zeroed)');
      if (version.major === 2) clear(PFN_INFO_OFFSET, 4096, 'stale info block at 4 KiB (zeroed)');
      const btt = Btt.create(store, { uuid, parentUuid: ns.uuid, lbasize: o.sectorSize ?? 4096, version });
      for (const a of btt.arenas) {
        written.push({ offset: a.base + Number(a.info.mapoff), size: Number(a.info.info2off - a.info.mapoff), what: 'BTT map + flog' });
        written.push({ offset: a.base + Number(a.info.info2off), size: 4096, what: 'BTT info2' });
        written.push({ offset: a.base, size: 4096, what: 'BTT info' });
      }
      return { mode: 'sector', uuid, btt, claimClass: version.major === 2 ? 'btt2' : claimClass === 'btt' ? 'btt' : 'none', written };
    }
  }
}

export interface LabelledFormatResult extends FormatResult {
  /** The namespace as its label says after the format (claim class, lbasize). */
  ns: NamespaceRef;
  /** What was recorded in the label, if anything changed (label-area writes, in order). */
  label?: { claimClass: ClaimClass; lbasize?: number; writes: { offset: number; size: number; what: string }[] };
}

/** The lbasize ndctl gives a pmem namespace for this mode: the BTT sector size if the namespace supports it (512 or 4096). */
function lbasizeFor(mode: FormatOptions['mode'], o: FormatOptions): number | undefined {
  if (mode !== 'sector') return undefined;
  const s = o.sectorSize ?? 4096;
  return s === 512 || s === 4096 ? s : undefined;
}

/**
 * `nvtool namespace format` on a labelled namespace, as ndctl create-namespace -m MODE does it on
 * Linux 6.1: first the label (holder_class: pfn, dax, btt → BTT2 under v1.2 labels, "" for raw;
 * for sector mode also sector_size 512/4096 → the label's lbasize), through the label engine's
 * two-pass update; then the info block or BTT. v1.1 labels have no claim class field, so only the
 * lbasize changes there. `o.claimClass` overrides the class (e.g. 'none' for BTT 1.1 under v1.2).
 * Label-less namespaces get the personality only.
 */
export function formatLabelledNamespace(image: BlockIO, ns: NamespaceRef, o: FormatOptions): LabelledFormatResult {
  if (!ns.labelArea) return { ...formatNamespace(image, ns, o), ns };
  const existing = existingPersonality(new WindowBlockIO(image, ns.offset, ns.size));
  if (existing && !o.force) throw new NvError('namespace', '', ns.offset, `holds ${existing}; pass --force to overwrite it`);
  const claimClass: ClaimClass = ns.labelVersion === '1.2' ? (o.claimClass ?? claimClassForMode(o.mode, '1.2')) : 'none';
  if (claimClass === 'unknown') throw new NvError('namespace', '', ns.offset, 'cannot record an unknown claim class');
  const lbasize = lbasizeFor(o.mode, o);
  let ref = ns;
  let label: LabelledFormatResult['label'];
  const changeClass = ns.labelVersion === '1.2' && claimClass !== ns.claimClass;
  const changeLba = lbasize !== undefined && lbasize !== ns.lbasize;
  if (changeClass || changeLba) {
    const u = writeNamespaceLabel(image, ns, { ...(changeClass ? { claimClass } : {}), ...(changeLba ? { lbasize } : {}) });
    ref = u.ns;
    label = { claimClass, ...(changeLba ? { lbasize } : {}), writes: u.writes.map((w) => ({ offset: ns.labelArea!.offset + w.offset, size: w.bytes.length, what: w.what })) };
  }
  const r = formatNamespace(image, ref, { ...o, force: true, claimClass });
  return { ...r, ns: ref, ...(label ? { label } : {}) };
}

/**
 * One namespace: its personality found as Linux's nd_pmem_probe() finds it (BTT first, then the
 * PFN, then the DAX info block, each only where the claim class allows it; otherwise raw), the
 * block-device view that gives, and what that block device holds. Mirrors
 * src/namespace/view.ts, but opens the BTT with its flog recovery going to an in-memory overlay
 * (inspect never writes), looks inside the BTT's logical device (bttContents.ts) and keeps going
 * past a damaged info block, saying how sure it is.
 */
import { isNvError } from '../core/errors.js';
import { NIL_GUID } from '../core/guid.js';
import { WindowBlockIO } from '../core/blockio.js';
import { Btt, NoBttError } from '../infoblocks/btt.js';
import { BTT_INFO_SIZE, bttInfoBlock, decodeBttInfo, hasBttSignature } from '../infoblocks/bttInfo.js';
import { DAX_SIG, PFN_INFO_OFFSET, PFN_INFO_SIZE, PFN_SIG, decodePfnInfo, pfnDataRange, pfnEffective, pfnInfoBlock, pfnSignatureOf, validatePfnInfo, type PfnInfo } from '../infoblocks/pfn.js';
import type { ClaimClass } from '../namespace/labelsGlue.js';
import { bttVersionFor, claimAllows, probeBtt, probeInfoBlock } from '../namespace/personality.js';
import { claimUnfulfilled } from '../namespace/view.js';
import { bttContents, DEVICE_SPACE_BTT } from './bttContents.js';
import { detectContainer } from './disk.js';
import { addDump, hex, human, layer, note, noteAll, num, type Confidence, type InspectContext, type Layer } from './layer.js';
import type { CountingReader } from './reader.js';

export interface NamespaceSpec {
  at: number;
  size: number;
  /** undefined: a label-less (io) namespace; Linux compares info blocks with the nil uuid. */
  uuid?: string;
  name: string;
  claimClass: ClaimClass;
  /** Position among the region's namespaces in DPA order (namespace0.N). */
  index: number;
  labelVersion?: string;
}

const MiB = 1024 * 1024;

export function namespaceLayer(ctx: InspectContext, r: CountingReader, s: NamespaceSpec): Layer {
  const dev = s.index === 0 ? 'pmem0' : `pmem0.${s.index}`;
  const l = layer('namespace', s.at, s.size, `namespace0.${s.index}${s.name ? ` "${s.name}"` : ''}`, {
    dev: `namespace0.${s.index}`, uuid: s.uuid ?? NIL_GUID, labelled: s.uuid !== undefined, name: s.name, claimClass: s.claimClass,
    dpa: s.at, rawSize: s.size, ...(s.labelVersion ? { labelVersion: s.labelVersion } : {}),
  });
  const store = new WindowBlockIO(r, s.at, s.size);
  const nsUuid = s.uuid ?? NIL_GUID;
  const finish = (mode: string, size: number, blockdev: string, how: Confidence) => {
    l.fields.mode = mode;
    l.fields.size = size;
    l.fields.blockdev = blockdev;
    l.fields.modeConfidence = how;
    l.label = `${l.label} ${mode} ${human(size)}`;
  };

  // inspect has no SPA: the image's offset stands for it (namespace/labelsGlue namespacePhysStart).
  const probed = { size: s.size, claimClass: s.claimClass, offset: s.at, physStart: s.at, uuid: nsUuid };
  // 1. BTT (namespace/personality.ts). Linux completes torn map updates from the flog when it opens
  // a BTT (btt_freelist_init); inspect does the same into an in-memory overlay, never on the image.
  const probe = probeBtt(store, probed, { recover: 'memory', checkParent: s.uuid !== undefined });
  if (probe && 'btt' in probe) {
    const btt = probe.btt;
    const version = bttVersionFor(s.claimClass);
    const arenas: Layer[] = [];
    for (const [i, a] of btt.arenas.entries()) {
      const bl = layer('btt', s.at + a.base, Math.min(a.size, s.size - a.base), `BTT ${version.major}.${version.minor} arena ${i}`, {
        ...bttFields(a.info, s.at + a.base, i), deviceStart: a.externalLbaStart * btt.sectorSize, deviceSize: a.info.externalNlba * btt.sectorSize,
      });
      addDump(ctx, bl, { struct: bttInfoBlock, offset: s.at + a.base, length: BTT_INFO_SIZE, title: `BTT arena ${i} info block` });
      l.children.push(bl);
      arenas.push(bl);
    }
    noteAll(ctx, l.children[0] ?? l, btt.findings, s.at);
    l.fields.deviceUuid = btt.uuid;
    l.fields.sectorSize = btt.sectorSize;
    finish('sector', btt.size, `${dev}s`, 'certain');
    const d = bttContents(ctx, arenas, btt, s.at, `${dev}s`);
    l.fields.blockDevice = { dev: `/dev/${dev}s`, offset: d.fileOffset(0) ?? (arenas[0]?.offset ?? s.at), size: btt.size, confidence: 'certain', space: DEVICE_SPACE_BTT };
    return l;
  }
  if (probe && 'error' in probe) {
    const e = probe.error;
    const at = bttVersionFor(s.claimClass).major === 2 ? 0 : PFN_INFO_OFFSET;
    const raw = ctx.tryRead(s.at + at, BTT_INFO_SIZE);
    if (raw && hasBttSignature(raw)) {
      const info = decodeBttInfo(raw, s.at + at).value;
      const bl = layer('btt', s.at + at, Math.min(s.size - at, Math.max(BTT_INFO_SIZE, Number(info.nextoff) || s.size - at)), `BTT ${info.versionMajor}.${info.versionMinor} (not usable)`, bttFields(info, s.at + at, 0));
      note(ctx, bl, { severity: 'error', code: e instanceof NoBttError ? 'btt-invalid' : 'btt-corrupt', message: `Linux would not bring this BTT up: ${e.reason}`, offset: e.offset !== undefined ? s.at + e.offset : s.at + at });
      addDump(ctx, bl, { struct: bttInfoBlock, offset: s.at + at, length: BTT_INFO_SIZE, title: 'BTT info block' });
      l.children.push(bl);
      finish('sector', 0, `${dev}s`, 'likely');
      return l;
    }
  }
  // A BTT where this claim class does not look: say so (Linux ignores it).
  for (const at of [0, PFN_INFO_OFFSET]) {
    const b = ctx.tryRead(s.at + at, bttInfoBlock.sizeOf('signature'));
    if (b && hasBttSignature(b) && !claimAllows(s.claimClass, 'btt', 'btt2')) {
      note(ctx, l, { severity: 'warning', code: 'btt-ignored', message: `a BTT info block at namespace offset ${at}, but claim class ${s.claimClass} makes Linux skip it`, offset: s.at + at });
    }
  }

  // 2./3. PFN then DAX info block at 4 KiB (namespace/personality.ts).
  const info = probeInfoBlock(store, probed);
  if (info) {
    const { mode: kind, pfn: value, problems } = info;
    const pl = layer(kind === 'fsdax' ? 'pfn-info' : 'dax-info', s.at + PFN_INFO_OFFSET, PFN_INFO_SIZE, `${kind === 'fsdax' ? 'PFN' : 'DAX'} info block v${value.versionMajor}.${value.versionMinor}`, pfnFields(value, s));
    addDump(ctx, pl, { struct: pfnInfoBlock, offset: s.at + PFN_INFO_OFFSET, length: pfnInfoBlock.offsetOf('padding'), title: `${kind === 'fsdax' ? 'PFN' : 'DAX'} info block` });
    noteAll(ctx, pl, problems);
    l.children.push(pl);
    const err = info.error;
    if (!info.claimOk) note(ctx, pl, { severity: 'error', code: 'claim-class', message: `the namespace's claim class is ${s.claimClass}, so Linux does not look for a ${kind} info block`, offset: pl.offset });
    const range = info.range;
    const sane = value.dataoff > 0n && value.dataoff < BigInt(s.size) && value.dataoff % 4096n === 0n && range.size > 0;
    if (!err && info.claimOk) {
      l.fields.deviceUuid = value.uuid;
      l.fields.align = pfnEffective(value).align;
      l.fields.dataOffset = s.at + range.offset;
      finish(kind, range.size, kind === 'fsdax' ? dev : `dax0.${s.index}`, 'certain');
      if (kind === 'fsdax') blockDevice(ctx, r, l, s.at + range.offset, range.size, dev, 'certain');
      else note(ctx, l, { severity: 'info', code: 'devdax-contents', message: 'a device-dax namespace is a character device; its contents are not a block device and are not inspected', offset: s.at + range.offset });
      return l;
    }
    note(ctx, l, { severity: 'error', code: 'info-block-refused', message: `Linux refuses this ${kind} info block (${err?.message ?? 'claim class'}) and the namespace comes up raw${sane ? '; its data offset is still used below to explain the rest' : ''}`, offset: pl.offset });
    finish('raw', s.size, dev, 'likely');
    if (sane && kind === 'fsdax') blockDevice(ctx, r, l, s.at + range.offset, range.size, dev, 'likely');
    return l;
  }
  // 4. raw.
  const unfulfilled = claimUnfulfilled(s.claimClass, nsUuid);
  if (unfulfilled) note(ctx, l, { severity: 'error', code: 'claim-unfulfilled', message: unfulfilled, offset: s.at });
  finish('raw', s.size, dev, 'certain');
  blockDevice(ctx, r, l, s.at, s.size, dev, 'certain');
  return l;
}

function blockDevice(ctx: InspectContext, r: CountingReader, l: Layer, at: number, size: number, dev: string, how: Confidence): void {
  l.fields.blockDevice = { dev: `/dev/${dev}`, offset: at, size, confidence: how };
  const inner = detectContainer(ctx, r, { at, size, device: dev, role: 'namespace' }, l);
  if (how !== 'certain') for (const x of inner) for (const f of x.findings) f.confidence = f.confidence === 'certain' ? 'likely' : f.confidence;
  l.children.push(...inner);
}

function bttFields(i: ReturnType<typeof decodeBttInfo>['value'], at: number, arena: number): Layer['fields'] {
  return {
    arena, version: `${i.versionMajor}.${i.versionMinor}`, uuid: i.uuid, parentUuid: i.parentUuid, flags: i.flags,
    externalLbasize: i.externalLbasize, externalNlba: i.externalNlba, internalLbasize: i.internalLbasize, internalNlba: i.internalNlba, nfree: i.nfree,
    dataOffset: at + Number(i.dataoff), mapOffset: at + Number(i.mapoff), logOffset: at + Number(i.logoff), info2Offset: at + Number(i.info2off),
    nextArena: i.nextoff === 0n ? null : at + Number(i.nextoff),
  };
}

function pfnFields(v: PfnInfo, s: NamespaceSpec): Layer['fields'] {
  const e = pfnEffective(v);
  return {
    signature: v.signature, version: `${v.versionMajor}.${v.versionMinor}`, uuid: v.uuid, parentUuid: v.parentUuid, mode: v.mode === 2 ? 'pmem (memmap on the device)' : v.mode === 1 ? 'ram' : `unknown ${v.mode}`,
    dataoff: num(v.dataoff), dataOffset: s.at + Number(v.dataoff) + e.startPad, npfns: num(v.npfns), align: e.align, startPad: e.startPad, endTrunc: e.endTrunc,
    memmap: v.mode === 2 ? { offset: s.at + 8192, length: Math.max(0, Number(v.dataoff) - 8192), note: 'struct page array Linux rewrites at every boot' } : null,
    pageSize: e.pageSize, pageStructSize: e.pageStructSize, hexDataOffset: hex(s.at + Number(v.dataoff)),
  };
}

/**
 * Label storage areas: a raw area (a label dump), or the tail of a QEMU backing file whose size is
 * found by probing (or given: QEMU's label-size=). Probing reads the 16-byte signature where each
 * candidate's index blocks would be and reads a whole area only where one is found.
 */
import { NIL_GUID } from '../core/guid.js';
import { geometryFor, interleaveSetCookies, qemuSetMember, readLabelArea, slotOffset, type AreaView, type NamespaceView } from '../labels/index.js';
import { indexBlockStruct, NSINDEX_SIGNATURE } from '../labels/indexBlock.js';
import { labelV11, labelV12 } from '../labels/label.js';
import { addDump, hex, human, layer, note, noteAll, num, type InspectContext, type Layer } from './layer.js';

const KiB = 1024;
/** A file this small holding a valid index at offset 0 is a raw label area (as `nvtool labels` decides). */
export const RAW_AREA_MAX = 16 * 1024 * KiB;
/** Largest label size probed at a file's tail (QEMU's minimum is 128 KiB; anything larger: --label-size). */
export const PROBE_MAX = 64 * 1024 * KiB;

export interface FoundArea {
  at: number;
  size: number;
  view: AreaView;
  how: string;
}

function signatureAt(ctx: InspectContext, at: number): boolean {
  const b = ctx.tryRead(at, 16);
  return !!b && Buffer.from(b).toString('latin1') === NSINDEX_SIGNATURE + '\0';
}

/** Either index block of an area of `size` bytes at `at` carries the signature. */
function looksLikeArea(ctx: InspectContext, at: number, size: number): boolean {
  if (signatureAt(ctx, at)) return true;
  for (const L of [128, 256] as const) {
    const g = geometryFor(size, L);
    if (g && signatureAt(ctx, at + g.indexSize)) return true;
  }
  return false;
}

export function findRawArea(ctx: InspectContext): FoundArea | undefined {
  if (ctx.size > RAW_AREA_MAX || ctx.size < 1024 || !looksLikeArea(ctx, 0, ctx.size)) return undefined;
  return { at: 0, size: ctx.size, view: readLabelArea(ctx.read(0, ctx.size)), how: 'raw label area: the whole file (index block signature at offset 0)' };
}

/** The label area at the end of a QEMU backing file. A damaged area (signature, no valid index) is returned too. */
export function findTailArea(ctx: InspectContext, labelSize?: number): FoundArea | undefined {
  if (labelSize !== undefined) {
    if (labelSize <= 0 || labelSize > ctx.size) return undefined;
    const at = ctx.size - labelSize;
    return { at, size: labelSize, view: readLabelArea(ctx.read(at, labelSize)), how: `QEMU backing file: the last ${labelSize} bytes (--label-size)` };
  }
  let damaged: FoundArea | undefined;
  for (let ls = 128 * KiB; ls <= Math.min(PROBE_MAX, ctx.size / 2); ls *= 2) {
    const at = ctx.size - ls;
    if (!looksLikeArea(ctx, at, ls)) continue;
    const view = readLabelArea(ctx.read(at, ls));
    const found = { at, size: ls, view, how: `QEMU backing file: label-size ${human(ls)} found by probing the file's tail (128 KiB, 256 KiB, ... up to ${human(PROBE_MAX)})` };
    if (view.current !== undefined) return found;
    damaged ??= found;
  }
  return damaged;
}

const QEMU_SLOT0 = interleaveSetCookies([qemuSetMember(0)]);

/** The `label-area` layer; namespaces are listed in its fields (their bytes are elsewhere). */
export function labelAreaLayer(ctx: InspectContext, a: FoundArea, namespaces: readonly NamespaceView[]): Layer {
  const v = a.view;
  const cur = v.current !== undefined ? v.checks[v.current] : undefined;
  const l = layer('label-area', a.at, a.size, cur ? `label area ${v.format}, ${cur.value.nslot} slots, ${namespaces.length} namespace(s)` : 'label area (no valid index block)', {
    how: a.how, size: a.size, format: v.format ?? null, labelSize: v.geometry?.labelSize ?? null, indexBlockSize: v.geometry?.indexSize ?? null,
    nslot: cur?.value.nslot ?? null, currentIndex: v.current ?? null, sequence: cur ? cur.value.seq & 3 : null, selection: v.selection,
    version: cur ? `${cur.value.major}.${cur.value.minor}` : null, liveLabels: v.live.length,
    namespaces: namespaces.map((n) => ({
      uuid: n.uuid, name: n.name, dpa: num(n.dpa), rawSize: num(n.rawsize), lbasize: num(n.lbasize), slots: n.slots, claimClass: n.claimClass ?? 'none',
      isetcookie: hex(Number(n.isetcookie & 0xffffffffffffn)) + (n.isetcookie > 0xffffffffffffn ? '…' : ''), status: n.status, ...(n.why ? { why: n.why } : {}),
    })),
  });
  noteAll(ctx, l, v.findings, a.at);
  for (const n of namespaces) {
    const expected = v.format === 'v1.1' ? QEMU_SLOT0.cookie1 : QEMU_SLOT0.cookie2;
    if (n.isetcookie !== expected && !(v.format === 'v1.1' && n.isetcookie === QEMU_SLOT0.altcookie)) {
      note(ctx, l, { severity: 'info', code: 'cookie-not-qemu-slot0', path: `label[${n.slots[0]}].isetcookie`, offset: v.geometry ? a.at + slotOffset(v.geometry, n.slots[0] ?? 0) : a.at, confidence: 'possible', message: `namespace ${n.uuid}: interleave-set cookie 0x${n.isetcookie.toString(16)} is not the one a lone QEMU NVDIMM in slot 0 has (0x${expected.toString(16)}); Linux ignores labels with another platform's cookie` });
    }
  }
  if (v.geometry && cur) {
    addDump(ctx, l, { struct: indexBlockStruct(v.geometry.indexSize), offset: a.at + cur.offset, length: v.geometry.indexSize, title: `current index block ${v.current}` });
    for (const lv of v.live.slice(0, 8)) {
      const st = v.geometry.labelSize === 128 ? labelV11 : labelV12;
      addDump(ctx, l, { struct: st, offset: a.at + slotOffset(v.geometry, lv.slot), length: v.geometry.labelSize, title: `label slot ${lv.slot}` });
    }
  }
  return l;
}

export const LABEL_LESS_UUID = NIL_GUID;

/**
 * The `label-area` layer of a label storage area the library's locator found
 * (src/labels/locate.ts: a raw area, or the tail of a QEMU backing file; damaged areas too).
 */
import { NIL_GUID } from '../core/guid.js';
import type { NamespaceView } from '../labels/area.js';
import { interleaveSetCookies, qemuSetMember } from '../labels/cookie.js';
import { slotOffset } from '../labels/geometry.js';
import type { LocatedArea } from '../labels/locate.js';
import { indexBlockStruct } from '../labels/indexBlock.js';
import { labelV11, labelV12 } from '../labels/label.js';
import { addDump, hex, human, layer, note, noteAll, num, type InspectContext, type Layer } from './layer.js';

const QEMU_SLOT0 = interleaveSetCookies([qemuSetMember(0)]);

/** The `label-area` layer; namespaces are listed in its fields (their bytes are elsewhere). */
export function labelAreaLayer(ctx: InspectContext, a: LocatedArea, namespaces: readonly NamespaceView[]): Layer {
  const v = a.view;
  const cur = v.current !== undefined ? v.checks[v.current] : undefined;
  const l = layer('label-area', a.offset, a.size, cur ? `label area ${v.format}, ${cur.value.nslot} slots, ${namespaces.length} namespace(s)` : 'label area (no valid index block)', {
    how: a.how, size: a.size, format: v.format ?? null, labelSize: v.geometry?.labelSize ?? null, indexBlockSize: v.geometry?.indexSize ?? null,
    nslot: cur?.value.nslot ?? null, currentIndex: v.current ?? null, sequence: cur ? cur.value.seq & 3 : null, selection: v.selection,
    version: cur ? `${cur.value.major}.${cur.value.minor}` : null, liveLabels: v.live.length,
    namespaces: namespaces.map((n) => ({
      uuid: n.uuid, name: n.name, dpa: num(n.dpa), rawSize: num(n.rawsize), lbasize: num(n.lbasize), slots: n.slots, claimClass: n.claimClass ?? 'none',
      isetcookie: hex(Number(n.isetcookie & 0xffffffffffffn)) + (n.isetcookie > 0xffffffffffffn ? '…' : ''), status: n.status, ...(n.why ? { why: n.why } : {}),
    })),
  });
  noteAll(ctx, l, v.findings, a.offset);
  for (const n of namespaces) {
    const expected = v.format === 'v1.1' ? QEMU_SLOT0.cookie1 : QEMU_SLOT0.cookie2;
    if (n.isetcookie !== expected && !(v.format === 'v1.1' && n.isetcookie === QEMU_SLOT0.altcookie)) {
      note(ctx, l, { severity: 'info', code: 'cookie-not-qemu-slot0', path: `label[${n.slots[0]}].isetcookie`, offset: v.geometry ? a.offset + slotOffset(v.geometry, n.slots[0] ?? 0) : a.offset, confidence: 'possible', message: `namespace ${n.uuid}: interleave-set cookie 0x${n.isetcookie.toString(16)} is not the one a lone QEMU NVDIMM in slot 0 has (0x${expected.toString(16)}); Linux ignores labels with another platform's cookie` });
    }
  }
  if (v.geometry && cur) {
    addDump(ctx, l, { struct: indexBlockStruct(v.geometry.indexSize), offset: a.offset + cur.offset, length: v.geometry.indexSize, title: `current index block ${v.current}` });
    for (const lv of v.live.slice(0, 8)) {
      const st = v.geometry.labelSize === 128 ? labelV11 : labelV12;
      addDump(ctx, l, { struct: st, offset: a.offset + slotOffset(v.geometry, lv.slot), length: v.geometry.labelSize, title: `label slot ${lv.slot}` });
    }
  }
  return l;
}

export const LABEL_LESS_UUID = NIL_GUID;

/**
 * The JSON shapes of ndctl, so nvtool's output diffs against the tool users know:
 * `ndctl read-labels -j` (ndctl/dimm.c dump_index_json, dump_label_json) and `ndctl list -N`
 * (util/json.c util_namespace_to_json). 64-bit values stay bigint; print them with
 * `ndctlJsonText`, which writes them as plain JSON integers as json-c does.
 */
import { guidFromString, guidToString } from '../core/guid.js';
import { geometryFor, type LabelSize } from './geometry.js';
import { peekIndexHeader } from './indexBlock.js';
import { labelV11, labelV12 } from './label.js';
import { readLabelArea, namespacesOf, type DimmSet, type NamespaceView } from './area.js';

export interface ReadLabelsIndexJson {
  signature: string;
  major: number;
  minor: number;
  labelsize: number;
  seq: number;
  nslot: number;
}

export interface ReadLabelsLabelJson {
  uuid: string;
  name: string;
  slot: number;
  position: number;
  nlabel: number;
  flags: number;
  isetcookie: bigint;
  lbasize: bigint;
  dpa: bigint;
  rawsize: bigint;
  type_guid?: string;
  abstraction_guid?: string;
}

export interface ReadLabelsJson {
  dev: string;
  index: ReadLabelsIndexJson[];
  label?: ReadLabelsLabelJson[];
}

const cstr = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length && b[i] !== 0; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/**
 * What `ndctl read-labels -j` prints for this area: the label size guessed from the two blocks at
 * offsets 0 and 256 (v1.2 only if more say 1.2), both index blocks as they are (no validation),
 * and every slot whose `slot` field equals its number, free or not.
 */
export function readLabelsJson(area: Uint8Array, dev: string): ReadLabelsJson | undefined {
  let v1 = 0;
  let v2 = 0;
  for (const off of [0, 256]) {
    const h = peekIndexHeader(area, off);
    if (!h) break;
    if (h.major === 1) {
      if (h.minor === 1) v1++;
      else if (h.minor === 2) v2++;
    }
  }
  const L: LabelSize = v2 > v1 ? 256 : 128;
  const g = geometryFor(area.length, L);
  if (!g) return undefined;
  const S = g.indexSize;
  const index: ReadLabelsIndexJson[] = [];
  for (let off = 0; off < 2 * S; off += S) {
    const h = peekIndexHeader(area, off);
    if (!h) break;
    index.push({ signature: h.sig, major: h.major, minor: h.minor, labelsize: 1 << (7 + h.labelsize), seq: h.seq, nslot: h.nslot });
  }
  const label: ReadLabelsLabelJson[] = [];
  // v1.1 and v1.2 labels share their first 128 bytes (labelV11's fields); ndctl reads them from the bytes as they are.
  const at = (name: Parameters<typeof labelV11.offsetOf>[0]) => labelV11.offsetOf(name);
  for (let off = g.labelOffset, slot = 0; off + L <= area.length; off += L, slot++) {
    const dv = new DataView(area.buffer, area.byteOffset + off, L);
    if (dv.getUint32(at('slot'), true) !== slot) continue;
    const j: ReadLabelsLabelJson = {
      uuid: guidToString(area.subarray(off + at('uuid'), off + at('name')), 'rfc'),
      name: cstr(area.subarray(off + at('name'), off + at('flags') - 1)),
      slot,
      position: dv.getUint16(at('position'), true),
      nlabel: dv.getUint16(at('nlabel'), true),
      flags: dv.getUint32(at('flags'), true),
      isetcookie: dv.getBigUint64(at('isetcookie'), true),
      lbasize: dv.getBigUint64(at('lbasize'), true),
      dpa: dv.getBigUint64(at('dpa'), true),
      rawsize: dv.getBigUint64(at('rawsize'), true),
    };
    if (L === 256) {
      const t = off + labelV12.offsetOf('typeGuid');
      const c = off + labelV12.offsetOf('abstractionGuid');
      j.type_guid = guidToString(area.subarray(t, c), 'rfc');
      j.abstraction_guid = guidToString(area.subarray(c, c + (c - t)), 'rfc');
    }
    label.push(j);
  }
  return { dev, index, ...(label.length ? { label } : {}) };
}

/** ndctl's mode names for claim classes (util/json.c; ndctl_namespace_get_mode). */
export function modeOf(ns: Pick<NamespaceView, 'claimClass'>): string {
  switch (ns.claimClass) {
    case 'pfn': return 'fsdax';
    case 'dax': return 'devdax';
    case 'btt': case 'btt2': return 'sector';
    case 'none': return 'raw';
    case undefined: return 'raw';
    default: return 'unknown';
  }
}

/** The `ndctl list -N` fields nvtool reports for any namespace, plus its label's raw size. */
export interface NamespaceJsonBase {
  mode: string;
  size?: bigint;
  uuid?: string;
  raw_uuid?: string;
  sector_size?: number;
  name?: string;
  /** nvtool addition (not in ndctl): the size the labels claim. */
  raw_size: bigint;
  claim_class?: string;
  reason?: string;
}

export interface ListNamespaceJson extends NamespaceJsonBase {
  dev?: string;
  blockdev?: string;
  /** nvtool additions (not in ndctl): where the namespace lives on this DIMM and why. */
  dpa: bigint;
  slots: number[];
  state: 'active' | 'ignored';
}

/**
 * `ndctl list -N` fields for what the labels say. Offline, a claimed namespace's usable size and
 * its own uuid live in its info block, so for fsdax/devdax/sector namespaces nvtool gives the
 * label uuid as raw_uuid and the label's size as raw_size, and leaves size out; for raw
 * namespaces (no claim) size and uuid are the label's, as ndctl reports them. Namespace device
 * names (namespaceR.N) are the kernel's and are not guessed.
 */
export function listNamespacesJson(area: Uint8Array, set?: DimmSet, region?: { size: bigint }): ListNamespaceJson[] {
  const view = readLabelArea(area);
  if (view.current === undefined) return region ? [labellessNamespaceJson(region.size)] : [];
  const { namespaces } = namespacesOf(view, set);
  return namespaces.map((ns) => {
    const mode = modeOf(ns);
    const raw = mode === 'raw';
    const j: ListNamespaceJson = {
      mode,
      ...(raw ? { size: ns.rawsize, uuid: ns.uuid } : { raw_uuid: ns.uuid }),
      ...(mode !== 'devdax' ? { sector_size: Number(ns.lbasize === 0n ? 512n : ns.lbasize) } : {}),
      ...(ns.name ? { name: ns.name } : {}),
      raw_size: ns.rawsize, dpa: ns.dpa, slots: ns.slots,
      ...(ns.claimClass ? { claim_class: ns.claimClass } : {}),
      state: ns.status,
      ...(ns.why ? { reason: ns.why } : {}),
    };
    return j;
  });
}

/**
 * Linux's label-less fallback: a DIMM whose label area has no valid index block is not labelled
 * (dimm.c nvdimm_probe sets NDD_LABELING only for a valid index), so its region gets one io
 * namespace over the whole region: `ndctl list -N` shows namespace0.0, mode raw, the region's size,
 * 512-byte sectors, blockdev pmem0 and no uuid (fixtures/linux/blank, a lone NVDIMM = region0).
 */
export function labellessNamespaceJson(regionSize: bigint): ListNamespaceJson {
  return { dev: 'namespace0.0', mode: 'raw', size: regionSize, sector_size: 512, blockdev: 'pmem0', raw_size: regionSize, dpa: 0n, slots: [], state: 'active' };
}

/** JSON text with bigint as plain integers (as json-c prints u64), 2-space indent. */
export function ndctlJsonText(v: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(
    v,
    (_k, x) => {
      if (typeof x === 'bigint') {
        marks.push(x.toString());
        return `@@BIGINT${marks.length - 1}@@`;
      }
      return x;
    },
    2,
  );
  return text.replace(/"@@BIGINT(\d+)@@"/g, (_m, i: string) => marks[Number(i)]!) + '\n';
}

/** The bytes of an EFI-order GUID string shown the way ndctl's uuid_unparse shows them. */
export function ndctlGuid(efi: string): string {
  return guidToString(guidFromString(efi, 'efi'), 'rfc');
}

/**
 * Text exactly as ndctl prints it: json-c's JSON_C_TO_STRING_PRETTY (two-space indent, no space
 * after ':', 64-bit integers in full), then a newline. Strings are escaped as JSON.stringify does,
 * which agrees with json-c for the ASCII ndctl prints.
 */
export function ndctlPrettyText(v: unknown): string {
  const out = (x: unknown, ind: string): string => {
    if (typeof x === 'bigint' || typeof x === 'number' || typeof x === 'boolean') return String(x);
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'string') return JSON.stringify(x);
    const inner = `${ind}  `;
    if (Array.isArray(x)) return x.length ? `[\n${x.map((e) => inner + out(e, inner)).join(',\n')}\n${ind}]` : '[\n]';
    const entries = Object.entries(x as Record<string, unknown>).filter(([, e]) => e !== undefined);
    return entries.length ? `{\n${entries.map(([k, e]) => `${inner}${JSON.stringify(k)}:${out(e, inner)}`).join(',\n')}\n${ind}}` : '{\n}';
  };
  return out(v, '') + '\n';
}

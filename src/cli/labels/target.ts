/**
 * Where a label area is: a raw label-area file, or a QEMU backing file whose last `label-size`
 * bytes are the area (hw/mem/nvdimm.c), and who the DIMM is (for the interleave-set cookie and its
 * capacity): `--platform P --dimm ID`, `--nfit FILE [--dimm HANDLE]`, or QEMU's first slot.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { decodeNfit } from '../../acpi/nfit/index.js';
import { SPA_RANGE_GUIDS } from '../../acpi/nfit/guids.js';
import { parsePlatform, resolvePlatform } from '../../acpi/qemu/index.js';
import {
  interleaveSetCookies, makeInterleaveSet, qemuSetMember, readLabelArea, type DimmSet, type InterleaveSet, type MediaWrite, type SetDimm,
  type SetMember,
} from '../../labels/index.js';
import { CliError, readInput, readJsonFile } from '../io.js';

export interface LabelTarget {
  file: string;
  fileSize: number;
  /** Offset of the label area in the file. */
  areaOffset: number;
  areaSize: number;
  kind: 'raw' | 'backing';
  /** How the area was found, in words. */
  how: string;
}

const KiB = 1024;
const RAW_MAX = 16 * 1024 * KiB;

function readAt(fd: number, offset: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, b, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return b;
}

export function parseSize(s: string | number | undefined, what: string): number | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d+)\s*([KMGT]?)i?B?$/i.exec(String(s).trim());
  if (!m) throw new CliError(`${what}: cannot read size ${JSON.stringify(s)} (use bytes or K/M/G/T)`);
  const mult = { '': 1, K: KiB, M: KiB ** 2, G: KiB ** 3, T: KiB ** 4 }[(m[2] ?? '').toUpperCase()] ?? 1;
  const v = Number(m[1]) * mult;
  if (!Number.isSafeInteger(v)) throw new CliError(`${what}: ${s} is too large`);
  return v;
}

/** Find the label area in `file`: `--label-size` if given, else probe as Linux would validate it. */
export function resolveTarget(file: string, labelSize?: number): LabelTarget {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new CliError(`${file}: cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const fileSize = fstatSync(fd).size;
    if (labelSize !== undefined) {
      if (labelSize > fileSize) throw new CliError(`${file}: --label-size ${labelSize} is larger than the file (${fileSize} bytes)`);
      if (labelSize === fileSize) return { file, fileSize, areaOffset: 0, areaSize: fileSize, kind: 'raw', how: `the whole file is the label area (--label-size ${labelSize})` };
      return { file, fileSize, areaOffset: fileSize - labelSize, areaSize: labelSize, kind: 'backing', how: `QEMU backing file: the label area is its last ${labelSize} bytes (--label-size)` };
    }
    if (fileSize <= RAW_MAX && readLabelArea(readAt(fd, 0, fileSize)).current !== undefined) {
      return { file, fileSize, areaOffset: 0, areaSize: fileSize, kind: 'raw', how: 'raw label area (valid index block at offset 0)' };
    }
    // QEMU requires label-size >= 128 KiB; try powers of two from there.
    for (let ls = 128 * KiB; ls <= fileSize / 2; ls *= 2) {
      if (readLabelArea(readAt(fd, fileSize - ls, ls)).current !== undefined) {
        return { file, fileSize, areaOffset: fileSize - ls, areaSize: ls, kind: 'backing', how: `QEMU backing file: a valid label area is found in its last ${ls} bytes (probed; pass --label-size to be explicit)` };
      }
    }
    if (fileSize <= RAW_MAX) return { file, fileSize, areaOffset: 0, areaSize: fileSize, kind: 'raw', how: 'raw label area (no valid index block found; the file is small, so taken as a whole)' };
    throw new CliError(`${file}: no valid label area found at the end of this ${fileSize}-byte file; pass --label-size (QEMU's label-size=)`);
  } finally {
    closeSync(fd);
  }
}

export function readArea(t: LabelTarget): Uint8Array {
  const fd = openSync(t.file, 'r');
  try {
    return readAt(fd, t.areaOffset, t.areaSize);
  } finally {
    closeSync(fd);
  }
}

/**
 * Apply writes in order, in place, each followed by fsync: the ordering the update protocol's
 * crash safety relies on. Only the bytes of each write are touched.
 */
export function writeInPlace(t: LabelTarget, writes: readonly MediaWrite[], onWrite?: (w: MediaWrite) => void): void {
  let fd: number;
  try {
    fd = openSync(t.file, 'r+');
  } catch (e) {
    throw new CliError(`${t.file}: cannot open for writing: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    for (const w of writes) {
      if (w.offset < 0 || w.offset + w.bytes.length > t.areaSize) throw new CliError(`internal: write outside the label area`);
      writeSync(fd, w.bytes, 0, w.bytes.length, t.areaOffset + w.offset);
      fsyncSync(fd);
      onWrite?.(w);
    }
  } finally {
    closeSync(fd);
  }
}

export interface DimmIdentity {
  set: DimmSet;
  /** The DIMM's mapping (DPA range namespaces can use), when known. */
  dpaStart?: bigint;
  dpaSize?: bigint;
  labelSize?: number;
  /** Where the identity came from, in words (printed: "assuming QEMU slot 0..."). */
  how: string;
  assumed: boolean;
}

/**
 * The label position of mapping `me` is its index in the region's mappings (NFIT memdev order):
 * label.c __pmem_label_update writes `position = pos` with pos the mapping index. (The sort order
 * of acpi_nfit_init_interleave_set, `c.positions`, is only the sysfs mappingN position.)
 */
function setFrom(members: SetMember[], me: number): DimmSet {
  const c = interleaveSetCookies(members);
  return { cookie1: c.cookie1, cookie2: c.cookie2, altcookie: c.altcookie, mappings: members.length, position: me };
}

export interface NfitSet {
  rangeIndex: number;
  set: InterleaveSet;
}

/**
 * Every persistent-memory SPA range of an NFIT as an interleave set: its memdevs in table order
 * (acpi_nfit_register_region walks acpi_desc->memdevs, which add_memdev fills in table order), each
 * DIMM's identity from its control region (acpi_nfit_init_interleave_set), its mapping from the
 * memdev's Address and Region Size (acpi_nfit_init_mapping).
 */
export function interleaveSetsFromNfit(bytes: Uint8Array, file: string): NfitSet[] {
  const { table } = decodeNfit(bytes);
  const st = table.structures as Array<Record<string, any>>;
  const spas = st.filter((s) => s.type === 0 && s.rangeGuid === SPA_RANGE_GUIDS.persistent && s.rangeIndex !== 0);
  const out: NfitSet[] = [];
  for (const spa of spas) {
    const memdevs = st.filter((s) => s.type === 1 && s.rangeIndex === spa.rangeIndex);
    if (memdevs.length === 0) continue;
    const dimms: SetDimm[] = memdevs.map((m) => {
      const dcr = st.find((s) => s.type === 4 && s.regionIndex === m.regionIndex);
      if (!dcr) throw new CliError(`${file}: memdev 0x${m.deviceHandle.toString(16)} has no control region ${m.regionIndex} (Linux: failed to find DCR)`);
      return {
        member: { regionOffset: m.regionOffset as bigint, serial: dcr.serialNumber, vendorId: dcr.vendorId, manufacturingDate: dcr.manufacturingDate, manufacturingLocation: dcr.manufacturingLocation },
        dpaStart: m.address as bigint, dpaSize: m.regionSize as bigint, name: `0x${(m.deviceHandle as number).toString(16)}`, handle: m.deviceHandle as number,
      };
    });
    out.push({ rangeIndex: spa.rangeIndex as number, set: makeInterleaveSet(dimms) });
  }
  if (out.length === 0) throw new CliError(`${file}: no memory device maps a persistent-memory SPA range`);
  return out;
}

/**
 * The set several targets belong to: the range holding the given device handles (all in one range,
 * ordered as the targets), or the first range with as many DIMMs as there are targets.
 */
export function pickNfitSet(sets: NfitSet[], file: string, targets: number, handles: string[]): { set: InterleaveSet; order: number[]; rangeIndex: number } {
  const describe = () => sets.map((s) => `range ${s.rangeIndex}: ${s.set.dimms.map((d) => d.name).join(', ')}`).join('; ');
  if (handles.length > 0) {
    if (handles.length !== targets) throw new CliError(`give one --dimm per target (${targets} target(s), ${handles.length} --dimm)`);
    const want = handles.map((h) => Number(h));
    const hit = sets.find((s) => s.set.dimms.some((d) => d.handle === want[0]));
    if (!hit) throw new CliError(`${file}: no PM memdev with device handle ${handles[0]} (${describe()})`);
    const order = want.map((h, k) => {
      const i = hit.set.dimms.findIndex((d) => d.handle === h);
      if (i < 0) throw new CliError(`${file}: device handle ${handles[k]} is not in SPA range ${hit.rangeIndex} (${describe()})`);
      return i;
    });
    if (new Set(order).size !== order.length) throw new CliError('each --dimm must name a different DIMM');
    return { set: hit.set, order, rangeIndex: hit.rangeIndex };
  }
  const hit = sets.find((s) => s.set.dimms.length === targets);
  if (!hit) throw new CliError(`${file}: no persistent-memory SPA range has ${targets} DIMM(s) (${describe()}); pass --dimm HANDLE per target`);
  return { set: hit.set, order: hit.set.dimms.map((_, i) => i), rangeIndex: hit.rangeIndex };
}

export function resolveDimm(o: { platform?: string; nfit?: string; dimm?: string }, target?: LabelTarget): DimmIdentity {
  if (o.platform) {
    if (o.dimm === undefined) throw new CliError('--platform needs --dimm ID (the -device id, or its index)');
    const resolved = resolvePlatform(parsePlatform(readJsonFile(o.platform)));
    const d = resolved.dimms.find((x) => x.id === o.dimm) ?? resolved.dimms.find((x) => String(x.index) === o.dimm);
    if (!d) throw new CliError(`${o.platform}: no NVDIMM with id or index ${o.dimm} (have: ${resolved.dimms.map((x) => x.id ?? x.index).join(', ')})`);
    return {
      set: setFrom([qemuSetMember(d.slot)], 0), dpaStart: 0n, dpaSize: d.pmemSize, ...(d.labelSize > 0n ? { labelSize: Number(d.labelSize) } : {}),
      how: `platform ${o.platform}: dimm ${o.dimm} in slot ${d.slot} (serial 0x${(0x123456 + d.slot).toString(16)}), ${d.pmemSize} bytes of pmem`, assumed: false,
    };
  }
  if (o.nfit) {
    const { table } = decodeNfit(readInput(o.nfit));
    const st = table.structures as Array<Record<string, any>>;
    const pmSpas = new Set(st.filter((s) => s.type === 0 && s.rangeGuid === SPA_RANGE_GUIDS.persistent).map((s) => s.rangeIndex as number));
    const memdevs = st.filter((s) => s.type === 1 && pmSpas.has(s.rangeIndex));
    if (memdevs.length === 0) throw new CliError(`${o.nfit}: no memory device maps a persistent-memory SPA range`);
    const want = o.dimm === undefined ? undefined : Number(o.dimm);
    const me = want === undefined ? memdevs[0]! : memdevs.find((m) => m.deviceHandle === want);
    if (!me) throw new CliError(`${o.nfit}: no PM memdev with device handle ${o.dimm} (have: ${memdevs.map((m) => `0x${m.deviceHandle.toString(16)}`).join(', ')})`);
    const group = memdevs.filter((m) => m.rangeIndex === me.rangeIndex);
    const members = group.map((m) => {
      const dcr = st.find((s) => s.type === 4 && s.regionIndex === m.regionIndex);
      if (!dcr) throw new CliError(`${o.nfit}: memdev 0x${m.deviceHandle.toString(16)} has no control region ${m.regionIndex} (Linux: failed to find DCR)`);
      return { regionOffset: m.regionOffset as bigint, serial: dcr.serialNumber, vendorId: dcr.vendorId, manufacturingDate: dcr.manufacturingDate, manufacturingLocation: dcr.manufacturingLocation };
    });
    return {
      set: setFrom(members, group.indexOf(me)), dpaStart: me.address, dpaSize: me.regionSize,
      how: `NFIT ${o.nfit}: device handle 0x${me.deviceHandle.toString(16)}, SPA range ${me.rangeIndex} with ${group.length} DIMM(s)`, assumed: false,
    };
  }
  const out: DimmIdentity = { set: setFrom([qemuSetMember(0)], 0), how: 'no --platform or --nfit: assuming QEMU slot 0 (serial 0x123456, region offset 0), as a lone QEMU NVDIMM has', assumed: true };
  if (target?.kind === 'backing') {
    out.dpaStart = 0n;
    // QEMU: the guest sees size - label-size, aligned down to the backend's page alignment.
    out.dpaSize = (BigInt(target.areaOffset) / 4096n) * 4096n;
  }
  return out;
}

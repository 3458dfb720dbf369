/**
 * Where a label area is: a raw label-area file, or a QEMU backing file whose last `label-size`
 * bytes are the area (hw/mem/nvdimm.c), and who the DIMM is (for the interleave-set cookie and its
 * capacity, or where it is mapped): `--platform P --dimm ID`, `--nfit FILE [--dimm HANDLE]`, or
 * QEMU's first slot.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { decodeNfit, type Nfit } from '../../acpi/nfit/index.js';
import { fileBackend, findDimm, parsePlatform, pmemLayout, resolvePlatform, slotToSerial, type ResolvedDimm } from '../../acpi/qemu/index.js';
import { FileBlockIO, WindowBlockIO, type BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';
import { applyMediaWrites } from '../../core/mediaWrites.js';
import {
  dimmSetFor, makeInterleaveSet, nfitDimm, nfitDimmSpaBase, qemuDimmSet, qemuSetMember, locateLabelArea, RAW_AREA_MAX, TAIL_SCAN, type DimmSet, type InterleaveSet, type MediaWrite,
} from '../../labels/index.js';
import { CliError, fileProblem, readInput, readJsonFile } from '../io.js';

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

/** Find the label area in `file` with the library's locator (`--label-size` if given, else probed). */
export function resolveTarget(file: string, labelSize?: number): LabelTarget {
  let io: FileBlockIO;
  try {
    if (statSync(file).isDirectory()) throw new CliError(`${file}: is a directory, not a label area or NVDIMM image`);
    io = new FileBlockIO(file, false);
  } catch (e) {
    throw e instanceof CliError ? e : fileProblem(file, e, 'open');
  }
  try {
    const fileSize = io.size;
    if (labelSize !== undefined && labelSize > fileSize) throw new CliError(`${file}: --label-size ${labelSize} is larger than the file (${fileSize} bytes)`);
    if (labelSize !== undefined && labelSize <= 0) throw new CliError(`${file}: --label-size must be positive`);
    const at = locateLabelArea(io, { ...(labelSize !== undefined ? { labelSize } : {}), scan: TAIL_SCAN });
    if (at) return { file, fileSize, areaOffset: at.offset, areaSize: at.size, kind: at.kind, how: at.how + (at.view.current === undefined ? ` (${at.view.selection})` : '') };
    if (fileSize <= RAW_AREA_MAX) return { file, fileSize, areaOffset: 0, areaSize: fileSize, kind: 'raw', how: 'raw label area (no index block found; the file is small, so taken as a whole)' };
    throw new CliError(`${file}: no label area found at the end of this ${fileSize}-byte file; pass --label-size (QEMU's label-size=)`);
  } finally {
    io.close();
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

/** Device handles as the user typed them (`0x101`, `257`). */
export function parseHandles(handles: readonly string[]): number[] {
  return handles.map((h) => {
    const n = Number(h);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`--dimm ${h}: not an NFIT device handle (a number, e.g. 0x101)`);
    return n;
  });
}

/** The decoded NFIT in `file`, its problems prefixed with the file name. */
export function readNfit(file: string): Nfit {
  return inFile(file, () => decodeNfit(readInput(file)).table);
}

/** Library errors about `file`'s content, as the one line the user sees. */
export function inFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NvError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

/** `--platform FILE --dimm ID`: the NVDIMM as QEMU places it (slot, address, sizes). */
function platformDimm(platform: string, dimm: string | undefined): ResolvedDimm {
  if (dimm === undefined) throw new CliError('--platform needs --dimm ID (the -device id, or its index)');
  const resolved = inFile(platform, () => resolvePlatform(parsePlatform(readJsonFile(platform))));
  const d = findDimm(resolved, dimm);
  if (!d) throw new CliError(`${platform}: no NVDIMM with id or index ${dimm} (have: ${resolved.dimms.map((x) => x.id ?? x.index).join(', ')})`);
  return d;
}

/**
 * The system physical address of the DIMM's DPA 0 (its backing file's byte 0): from `--platform
 * FILE --dimm ID` (where QEMU maps it) or `--nfit FILE [--dimm HANDLE]` (its SPA range and memdev);
 * undefined without either.
 */
export function dimmSpaBase(o: { platform?: string; nfit?: string; dimm?: string }): bigint | undefined {
  if (o.platform) return platformDimm(o.platform, o.dimm).addr;
  if (o.nfit) {
    const nfit = readNfit(o.nfit);
    const handle = o.dimm === undefined ? undefined : parseHandles([o.dimm])[0];
    return inFile(o.nfit, () => nfitDimmSpaBase(nfit, handle));
  }
  return undefined;
}

/** The DIMM's cookies and position, with its mapping kept apart (not used to skip labels). */
function identity(set: InterleaveSet, position: number, how: string): DimmIdentity {
  const { dpaStart, dpaSize, ...cookies } = dimmSetFor(set, position);
  return { set: cookies, ...(dpaStart !== undefined ? { dpaStart } : {}), ...(dpaSize !== undefined ? { dpaSize } : {}), how, assumed: false };
}

export function resolveDimm(o: { platform?: string; nfit?: string; dimm?: string }, target?: LabelTarget): DimmIdentity {
  if (o.platform) {
    const d = platformDimm(o.platform, o.dimm);
    const how = `platform ${o.platform}: dimm ${o.dimm} in slot ${d.slot} (serial 0x${slotToSerial(d.slot).toString(16)}), ${d.pmemSize} bytes of pmem`;
    return { ...identity(qemuDimmSet(d), 0, how), ...(d.labelSize > 0n ? { labelSize: Number(d.labelSize) } : {}) };
  }
  if (o.nfit) {
    const nfit = readNfit(o.nfit);
    const handle = o.dimm === undefined ? undefined : parseHandles([o.dimm])[0];
    const me = inFile(o.nfit, () => nfitDimm(nfit, handle));
    return identity(me.set, me.position, `NFIT ${o.nfit}: device handle 0x${me.memdev.deviceHandle.toString(16)}, SPA range ${me.rangeIndex} with ${me.set.dimms.length} DIMM(s)`);
  }
  const slot0 = identity(makeInterleaveSet([{ member: qemuSetMember(0), dpaStart: 0n, dpaSize: 0n, name: 'slot 0' }]), 0, 'no --platform or --nfit: assuming QEMU slot 0 (serial 0x123456, region offset 0), as a lone QEMU NVDIMM has');
  const out: DimmIdentity = { set: slot0.set, how: slot0.how, assumed: true };
  if (target?.kind === 'backing') {
    out.dpaStart = 0n;
    // QEMU: the guest sees size - label-size, aligned down to the backend's page alignment.
    out.dpaSize = inFile(target.file, () => pmemLayout(fileBackend(BigInt(target.fileSize), undefined, target.file), BigInt(target.areaSize), 'm0', target.file).pmemSize);
  }
  return out;
}

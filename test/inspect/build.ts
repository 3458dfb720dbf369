/**
 * Images with every layer, built with the other folders' writers (labels engine, namespace
 * format, GPT, Xen placement a) plus a host mkfs.ext4 written into partition 1 through
 * `-E offset=`: the seed 004 picture `kernel area | partition table | super block | reserved for
 * Xen | /dev/pmem0p1`, inside an fsdax namespace of a QEMU backing file.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { ftruncateSync } from 'node:fs';
import { encodeStruct } from '../../src/core/schema/index.js';
import { FileBlockIO, WindowBlockIO } from '../../src/core/blockio.js';
import { addPartition, newModel, writeGpt } from '../../src/disk/table.js';
import type { Btt } from '../../src/infoblocks/btt.js';
import { NvError } from '../../src/core/errors.js';
import { NIL_GUID } from '../../src/core/guid.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockIO } from '../../src/core/blockio.js';
import { pfnDataRange } from '../../src/infoblocks/pfn.js';
import { FUZZ_SET, applyWrite, collectWrites, createNamespace, initArea } from '../../src/labels/index.js';
import { formatNamespace } from '../../src/namespace/format.js';
import { PLACEMENT, placementASuperBlockOffset, planSuperBlock, writeXenArea, xenSuperBlock } from '../../src/xen/index.js';

export const LABEL_SIZE = 128 * 1024;
const MiB = 1024 * 1024;

export interface Built {
  path: string;
  size: number;
  nsUuid: string;
  nsOffset: number;
  nsSize: number;
  dataOffset: number;
  dataSize: number;
  sbOffset: number;
  partOffset: number;
  partSize: number;
  fsLabel: string;
}

export interface BuildOptions {
  /** Write the Xen frame table and M2P (0.98 % of the device); off for huge sparse images. */
  frameTable: boolean;
  /** Size of partition 1 (the ext4 file system); default: all of the data area. */
  partSize?: number;
}

export function buildImage(path: string, size: number, o: BuildOptions): Built {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  // Labels: v1.2 index blocks, then one fsdax namespace over the whole pmem (Linux's create protocol).
  const area = new Uint8Array(LABEL_SIZE);
  for (const w of collectWrites(initArea(area, { version: '1.2', variant: 'linux' })).writes) applyWrite(area, w);
  const pmem = Math.floor((size - LABEL_SIZE) / 4096) * 4096;
  const created = collectWrites(createNamespace(area, { dpaStart: 0n, dpaSize: BigInt(pmem), align: 16n * BigInt(MiB), set: FUZZ_SET, claimClass: 'pfn', name: 'nvtool-ns' }));
  for (const w of created.writes) applyWrite(area, w);
  writeSync(fd, area, 0, area.length, size - LABEL_SIZE);
  closeSync(fd);
  const ns = created.result;
  const nsRef = { offset: Number(ns.dpa), size: Number(ns.rawsize), uuid: ns.uuid, claimClass: 'pfn' as const, labelVersion: '1.2' as const };
  const store = FileBlockIO.open(path, true);
  const fmt = formatNamespace(store, nsRef, { mode: 'fsdax' });
  store.close();
  const range = pfnDataRange(fmt.pfn!, nsRef.size);
  const dataOffset = nsRef.offset + range.offset;
  // Xen placement (a) on /dev/pmem0: GPT whose first usable LBA is past the reserved area; partition 1 = data.
  const file = new FileBlockIO(path, true);
  const io = new WindowBlockIO(file, dataOffset, range.size);
  const sbOff = placementASuperBlockOffset(512, 128);
  const plan = planSuperBlock({ placement: PLACEMENT.afterPartitionTable, containerSize: io.size, superBlockOffset: sbOff });
  const m = newModel(io.size, { sectorSize: 512, firstUsableLba: plan.dataOffset / 512n });
  addPartition(m, { partitions: [] }, { typeGuid: '0fc63daf-8483-4772-8e79-3d69d8477de4', start: m.firstUsableLba, name: 'xen-pmem-data', ...(o.partSize ? { sizeLbas: BigInt(o.partSize / 512) } : {}) });
  const e = m.entries[0]!;
  const partSize = Number(e.endingLba - e.startingLba + 1n) * 512;
  const sb = { ...plan, containerUuid: m.diskGuid, dataOffset: e.startingLba * 512n, dataSize: (BigInt(partSize) / 4096n) * 4096n };
  writeGpt(io, m);
  if (o.frameTable) writeXenArea(io, sb);
  else io.write(Number(sbOff), encodeStruct(xenSuperBlock, sb));
  file.close();
  const partOffset = dataOffset + Number(e.startingLba) * 512;
  mkfsExt4(path, partOffset, partSize, 'nvtool-ext4');
  return { path, size, nsUuid: ns.uuid, nsOffset: nsRef.offset, nsSize: nsRef.size, dataOffset, dataSize: range.size, sbOffset: dataOffset + Number(sbOff), partOffset, partSize, fsLabel: 'nvtool-ext4' };
}

/** Host mkfs.ext4 writing into a region of a file (no loop device). */
export function mkfsExt4(path: string, offset: number, size: number, label: string): void {
  run('mkfs.ext4', ['-q', '-F', '-L', label, '-E', `offset=${offset}`, path, `${Math.floor(size / 1024)}k`], 'e2fsprogs');
}

export function run(cmd: string, args: string[], pkg: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${cmd} is not installed (Debian package ${pkg})`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

/** Byte-addressed BlockIO over a BTT's sectors (read-modify-write of partial sectors). */
export function bttBlockIO(btt: Btt): BlockIO {
  const ss = btt.sectorSize;
  const read = (offset: number, length: number) => {
    if (offset < 0 || length < 0 || offset + length > btt.size) throw new NvError('test', '', offset, 'outside the BTT device');
    const out = new Uint8Array(length);
    for (let lba = Math.floor(offset / ss); lba * ss < offset + length; lba++) {
      const sec = btt.read(lba);
      const s = Math.max(lba * ss, offset);
      const e = Math.min((lba + 1) * ss, offset + length);
      out.set(sec.subarray(s - lba * ss, e - lba * ss), s - offset);
    }
    return out;
  };
  return {
    size: btt.size,
    read,
    write(offset, data) {
      for (let lba = Math.floor(offset / ss); lba * ss < offset + data.length; lba++) {
        const s = Math.max(lba * ss, offset);
        const e = Math.min((lba + 1) * ss, offset + data.length);
        const sec = s === lba * ss && e === (lba + 1) * ss ? new Uint8Array(ss) : btt.read(lba);
        sec.set(data.subarray(s - offset, e - offset), s - lba * ss);
        btt.write(lba, sec);
      }
    },
    flush() {},
  };
}

/**
 * A label-less sector namespace over a whole (sparse) file, BTT 1.1 with 512-byte sectors, with a
 * GPT (src/disk) and partition 1 holding the first 256 KiB of a host mkfs.ext4 (made in `tmp`),
 * all written through nvtool's BTT writer. The store stays open for more writes (close it).
 */
export function buildSectorImage(path: string, size: number, o: { partSize: number; fsLabel: string }, tmp: string): { btt: Btt; store: FileBlockIO; partStartLba: number } {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  const store = FileBlockIO.open(path, true);
  const fmt = formatNamespace(store, { offset: 0, size, uuid: NIL_GUID, claimClass: 'none' }, { mode: 'sector', sectorSize: 512 });
  const btt = fmt.btt!;
  const io = bttBlockIO(btt);
  const m = newModel(io.size, { sectorSize: 512 });
  addPartition(m, { partitions: [] }, { typeGuid: '0fc63daf-8483-4772-8e79-3d69d8477de4', start: m.firstUsableLba, sizeLbas: BigInt(o.partSize / 512), name: 'btt-data' });
  writeGpt(io, m);
  const fsFile = join(tmp, 'fs-part.img');
  const f = openSync(fsFile, 'w');
  ftruncateSync(f, o.partSize);
  closeSync(f);
  run('mkfs.ext4', ['-q', '-F', '-L', o.fsLabel, fsFile], 'e2fsprogs');
  io.write(Number(m.firstUsableLba) * 512, new Uint8Array(readFileSync(fsFile)).subarray(0, 256 * 1024));
  rmSync(fsFile, { force: true });
  return { btt, store, partStartLba: Number(m.firstUsableLba) };
}

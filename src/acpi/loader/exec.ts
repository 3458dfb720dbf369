import { NvError } from '../../core/errors.js';
import { AllocZone, LoaderCommand, type LoaderEntry } from './entry.js';
import { cName, decodeLoader, TABLE_LOADER_FILE, type FwCfgBlob } from './files.js';

/** Guest memory as the loader sees it: allocations and byte writes at physical addresses (< 4 GiB). */
export interface LoaderMemory {
  /** A fresh block of `size` bytes aligned to `align` in `zone`'s memory; its guest address. */
  allocate(size: number, align: number, zone: number): number;
  write(addr: number, bytes: Uint8Array): void;
}

/** Where each file the loader allocated landed, and its bytes after every patch. */
export interface LoadedFile {
  name: string;
  addr: number;
  data: Uint8Array;
}

export type LoaderResult =
  | { ok: true; files: Map<string, LoadedFile>; log: string[] }
  | { ok: false; entry: number; error: string; files: Map<string, LoadedFile>; log: string[] };

/**
 * Run etc/table-loader over the fw_cfg files as the v4 hvmloader does (tools/libacpi/qemu_loader.c
 * loader_exec, nvdimm-rfc-v4), checks in its order:
 *  - ALLOCATE: the file exists (-ENOENT), align is 0 or a power of 2, zone is HIGH or FSEG;
 *    the file's bytes are copied to a new block (a second ALLOCATE of a file moves it).
 *  - ADD_POINTER: both files exist and are allocated (-ENOSPC), offset + size inside the
 *    destination (32-bit, wrap refused), size 1, 2, 4 or 8; then the source's address is added,
 *    little-endian, to the size bytes at the offset.
 *  - ADD_CHECKSUM: file exists and allocated, offset < file size, start + length inside it
 *    (32-bit wrap refused); then the byte at offset is zeroed and set so [start, start+length)
 *    sums to 0. The byte need not lie inside the summed range (hvmloader writes it anyway).
 *  - Any other command is skipped. The first failing entry stops the loader.
 * Only files hvmloader asked for (`rom_needed`) are visible: the caller passes those.
 */
export function executeLoader(files: readonly FwCfgBlob[], mem: LoaderMemory): LoaderResult {
  const log: string[] = [];
  const loaded = new Map<string, LoadedFile>();
  const byName = new Map(files.map((f) => [cName(f.name), f] as const));
  const loader = byName.get(TABLE_LOADER_FILE);
  if (!loader) return { ok: false, entry: -1, error: 'Cannot find BIOSLinkerLoader', files: loaded, log };
  let entries: LoaderEntry[];
  try {
    entries = decodeLoader(loader.data);
  } catch (e) {
    if (!(e instanceof NvError)) throw e;
    return { ok: false, entry: -1, error: `Invalid BIOSLinkerLoader: ${e.reason}`, files: loaded, log };
  }
  const fail = (i: number, error: string): LoaderResult => ({ ok: false, entry: i, error, files: loaded, log });
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.command === LoaderCommand.ALLOCATE && e.u.allocate) {
      const a = e.u.allocate;
      const name = cName(a.file);
      const f = byName.get(name);
      if (!f) return fail(i, `ALLOCATE: file ${name} does not exist`);
      if (a.align & (a.align - 1)) return fail(i, `ALLOCATE ${name}: invalid alignment ${a.align}, not a power of 2`);
      if (a.zone !== AllocZone.HIGH && a.zone !== AllocZone.FSEG) return fail(i, `ALLOCATE ${name}: unsupported zone ${a.zone}`);
      const addr = mem.allocate(f.data.length, Math.max(1, a.align), a.zone);
      const data = f.data.slice();
      mem.write(addr, data);
      loaded.set(name, { name, addr, data });
      log.push(`ALLOCATE ${name} (${data.length} bytes) at 0x${addr.toString(16)}`);
    } else if (e.command === LoaderCommand.ADD_POINTER && e.u.addPointer) {
      const p = e.u.addPointer;
      const dn = cName(p.destFile);
      const sn = cName(p.srcFile);
      if (!byName.has(dn)) return fail(i, `ADD_POINTER: file ${dn} does not exist`);
      if (!byName.has(sn)) return fail(i, `ADD_POINTER: file ${sn} does not exist`);
      const dst = loaded.get(dn);
      const src = loaded.get(sn);
      if (!dst) return fail(i, `ADD_POINTER: no space allocated for file ${dn}`);
      if (!src) return fail(i, `ADD_POINTER: no space allocated for file ${sn}`);
      const end = (p.offset + p.size) >>> 0;
      if (end < p.offset || end > dst.data.length) return fail(i, `ADD_POINTER ${dn}: offset ${p.offset} + size ${p.size} outside its ${dst.data.length} bytes`);
      if (![1, 2, 4, 8].includes(p.size)) return fail(i, `ADD_POINTER ${dn}: invalid pointer size ${p.size}`);
      let v = 0n;
      for (let b = p.size - 1; b >= 0; b--) v = (v << 8n) | BigInt(dst.data[p.offset + b]!);
      v += BigInt(src.addr);
      for (let b = 0; b < p.size; b++) dst.data[p.offset + b] = Number((v >> BigInt(8 * b)) & 0xffn);
      mem.write(dst.addr + p.offset, dst.data.subarray(p.offset, p.offset + p.size));
      log.push(`ADD_POINTER ${dn}+${p.offset} (${p.size} bytes) += ${sn} at 0x${src.addr.toString(16)}`);
    } else if (e.command === LoaderCommand.ADD_CHECKSUM && e.u.addChecksum) {
      const c = e.u.addChecksum;
      const name = cName(c.file);
      if (!byName.has(name)) return fail(i, `ADD_CHECKSUM: file ${name} does not exist`);
      const f = loaded.get(name);
      if (!f) return fail(i, `ADD_CHECKSUM: no space allocated for file ${name}`);
      const end = (c.start + c.length) >>> 0;
      if (c.offset >= f.data.length || end < c.start || end > f.data.length) return fail(i, `ADD_CHECKSUM ${name}: offset ${c.offset}, range ${c.start}+${c.length} outside its ${f.data.length} bytes`);
      f.data[c.offset] = 0;
      let sum = 0;
      for (let b = c.start; b < end; b++) sum = (sum + f.data[b]!) & 0xff;
      f.data[c.offset] = (0x100 - sum) & 0xff;
      mem.write(f.addr + c.offset, f.data.subarray(c.offset, c.offset + 1));
      log.push(`ADD_CHECKSUM ${name}+${c.offset} over [${c.start}, ${end})`);
    } else {
      log.push(`skipped command ${e.command}`);
    }
  }
  return { ok: true, files: loaded, log };
}

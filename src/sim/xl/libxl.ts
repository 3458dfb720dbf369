/**
 * libxl's part in giving a guest its vNVDIMMs (specs/sim.md §7.2), from the series' sources:
 * v1 (nvdimm-rfc-v1 tools/libxl/libxl_nvdimm.c, libxl_dm.c, libxl_qmp.c): stat the path in Dom0,
 * read the device's SPA and size from Dom0's sysfs (`/sys/dev/block/MAJ:MIN/device/{resource,size}`),
 * and for a regular file ask FS_IOC_FIEMAP for its extents, read here offline from the file
 * system in the host image (src/fs/ext4); v3+ (nvdimm-label-v1.1-rebase libxl_qmp.c): check QEMU's
 * `query-memory-devices` answer against the config. Both end in the (mfn, gfn, nr) runs libxl
 * passes to XENMEM_populate_pmem_map. Every refusal carries libxl's log line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WindowBlockIO, type BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';
import { Ext4, FIEMAP_EXTENT, fiemapFlagNames, fiemapOfExtents, S_IFMT, S_IFREG, type FiemapExtent } from '../../fs/ext4/index.js';
import type { Dom0Linux } from '../dom0/linux.js';
import type { Mount } from '../dom0/sysfs.js';
import { strtoul } from './cfg.js';
import type { VnvdimmMfn } from './guest.js';

const PAGE = 4096n;
const hex = (v: bigint) => `0x${v.toString(16)}`;

/** What Dom0 shows libxl: its sysfs folder, /proc/mounts, and the block devices behind them. */
export interface Dom0View {
  /** Absolute path of the run's dom0/sys. */
  sysRoot: string;
  mounts: Mount[];
  linux: Dom0Linux;
}

/** `stat(path)` in Dom0: a block device, or a regular file on a mounted ext4, with what FIEMAP needs. */
export type Stat =
  | { kind: 'block'; dev: string; size: bigint; name: string; spa?: bigint }
  | { kind: 'file'; dev: string; size: bigint; device: string; extents: () => FiemapExtent[]; spa?: bigint };

export class LibxlError extends Error {
  constructor(readonly log: string, readonly rc = '-EINVAL') {
    super(log);
  }
}

export function parseMounts(text: string): Mount[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => {
    const [device, mountpoint, type, options] = l.split(' ');
    return { device: device!, mountpoint: mountpoint!, type: type!, options: options! };
  });
}

/** The block device (disk or partition) named `name`, with a byte view of it. */
function blockDevice(linux: Dom0Linux, name: string): { dev: string; size: bigint; io?: BlockIO; spa?: bigint } | undefined {
  for (const d of linux.disks) {
    const spa = (off: number) => (d.resource !== undefined ? { spa: d.resource + BigInt(off) } : {});
    if (d.name === name) return { dev: d.dev, size: d.bytes, ...(d.io ? { io: d.io } : {}), ...spa(0) };
    const p = d.partitions.find((x) => x.name === name);
    if (p) return { dev: p.dev, size: p.sectors * 512n, ...(d.io ? { io: new WindowBlockIO(d.io, p.offset, Number(p.sectors * 512n)) } : {}), ...spa(p.offset) };
  }
  return undefined;
}

/** `open` + `fstat` of `path` in Dom0 (libxl_dm.c / libxl_nvdimm.c), or libxl's log line. */
export function statInDom0(view: Dom0View, path: string): Stat {
  const dev = /^\/dev\/([^/]+)$/.exec(path);
  if (dev) {
    const b = blockDevice(view.linux, dev[1]!);
    if (!b) throw new LibxlError(`failed to open file ${path}: No such file or directory`, '-EIO');
    return { kind: 'block', dev: b.dev, size: b.size, name: dev[1]!, ...(b.spa !== undefined ? { spa: b.spa } : {}) };
  }
  const m = view.mounts.filter((x) => path === x.mountpoint || path.startsWith(x.mountpoint.endsWith('/') ? x.mountpoint : `${x.mountpoint}/`)).sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0];
  if (!m) throw new LibxlError(`failed to open file ${path}: No such file or directory (no file system is mounted there in Dom0)`, '-EIO');
  const b = blockDevice(view.linux, m.device.replace(/^\/dev\//, ''));
  if (!b?.io) throw new LibxlError(`failed to open file ${path}: the device ${m.device} of its mount is not byte-addressed`, '-EIO');
  let fs: Ext4;
  let ino: number;
  try {
    fs = new Ext4(b.io);
    ino = fs.lookup(path.slice(m.mountpoint.length));
  } catch (e) {
    if (e instanceof NvError) throw new LibxlError(`failed to open file ${path}: No such file or directory (${e.message})`, '-EIO');
    throw e;
  }
  const f = fs.file(ino);
  if ((f.mode & S_IFMT) !== S_IFREG) throw new LibxlError(`${path} is not a block device or regular file`);
  return { kind: 'file', dev: b.dev, size: f.size, device: m.device, extents: () => fiemapOfExtents(fs.extents(ino), fs.blockSize), ...(b.spa !== undefined ? { spa: b.spa } : {}) };
}

/** `nvdimm_sysfs_read`: /sys/dev/block/MAJ:MIN/device/NAME through Dom0's sysfs, parsed with strtoll base 0. */
function sysfsNumber(view: Dom0View, dev: string, name: 'resource' | 'size'): bigint {
  let text: string;
  try {
    text = readFileSync(join(view.sysRoot, 'dev/block', dev, 'device', name), 'utf8');
  } catch {
    throw new LibxlError(`failed to get ${name === 'resource' ? 'SPA' : 'size'} of device ${dev}`, '-ENOENT');
  }
  return strtoul(text, 0).value;
}

/** One XENMEM_populate_pmem_map libxl issues (after splitting at UINT_MAX pages). */
export interface MapRequest {
  mfn: bigint;
  gfn: bigint;
  nr: bigint;
  type: 'data' | 'label';
  /** Why this run: the device, or the file extent it maps. */
  source: string;
}

const UINT_MAX = 0xffffffffn;

/** `add_pages`: calls of at most UINT_MAX pages. */
export function splitPages(mfn: bigint, gfn: bigint, nr: bigint, type: MapRequest['type'], source: string): MapRequest[] {
  const out: MapRequest[] = [];
  for (; nr > 0n;) {
    const n = nr < UINT_MAX ? nr : UINT_MAX;
    out.push({ mfn, gfn, nr: n, type, source });
    mfn += n;
    gfn += n;
    nr -= n;
  }
  return out;
}

/**
 * v1 `libxl_nvdimm_add_device(path, guest_spa, guest_size)`: the populate calls for a vNVDIMM
 * QEMU placed at `guestSpa` with `guestSize` bytes, or libxl's refusal. Every extent is checked
 * before the first call, so a refusal maps nothing (libxl checks each extent just before mapping
 * it, and the domain creation it aborts then tears down what earlier extents mapped).
 */
export function addDevicePlan(view: Dom0View, path: string, guestSpa: bigint, guestSize: bigint): { requests: MapRequest[]; hostSpa: bigint; hostSize: bigint; extents?: FiemapExtent[] } {
  if ((guestSpa | guestSize) & (PAGE - 1n)) throw new LibxlError(`guest SPA ${hex(guestSpa)} or size ${hex(guestSize)} of ${path} is not 4 KiB aligned`);
  const st = statInDom0(view, path);
  const hostSpa = sysfsNumber(view, st.dev, 'resource');
  if (hostSpa & (PAGE - 1n)) throw new LibxlError(`SPA ${hex(hostSpa)} of device ${st.dev} is not 4 KiB aligned`);
  const hostSize = sysfsNumber(view, st.dev, 'size');
  if (guestSize > hostSize) throw new LibxlError(`vNVDIMM size ${guestSize} expires NVDIMM size ${hostSize}`);
  const mfn = hostSpa >> 12n;
  const gpfn = guestSpa >> 12n;
  if (st.kind === 'block') return { requests: splitPages(mfn, gpfn, guestSize >> 12n, 'data', path), hostSpa, hostSize };
  const extents = st.extents();
  return { requests: addFileRequests(extents, mfn, gpfn, guestSize, path), hostSpa, hostSize, extents };
}

/**
 * `get_file_extents` + `add_file`: FIEMAP over [0, guest_size), then each extent checked (no flag but
 * FIEMAP_EXTENT_LAST; offsets and length 4 KiB-aligned) and mapped whole at mfn + physical,
 * gpfn + logical. A hole is simply not mapped: libxl does not look for holes.
 */
export function addFileRequests(all: readonly FiemapExtent[], mfn: bigint, gpfn: bigint, guestSize: bigint, path: string): MapRequest[] {
  const extents = all.filter((e) => e.logical < guestSize);
  if (!extents.length) throw new LibxlError(`${path} has no extents in its first ${guestSize} bytes (get_file_extents found none)`, '-EIO');
  const requests: MapRequest[] = [];
  for (const [i, e] of extents.entries()) {
    const src = `${path} extent ${i} (logical ${hex(e.logical)}, physical ${hex(e.physical)}, ${hex(e.length)} bytes)`;
    if (e.flags & ~FIEMAP_EXTENT.LAST) throw new LibxlError(`${src}: flags ${fiemapFlagNames(e.flags).join('|')}: add_file refuses any flag but FIEMAP_EXTENT_LAST`);
    if ((e.physical | e.logical | e.length) & (PAGE - 1n)) throw new LibxlError(`${src}: not aligned to 4 KiB (add_file: (p_offset | l_offset | length) & ~XC_PAGE_MASK)`);
    requests.push(...splitPages(mfn + (e.physical >> 12n), gpfn + (e.logical >> 12n), e.length >> 12n, 'data', src));
  }
  return requests;
}

/**
 * Seed 002 §3.2.1's QEMU: it mmaps the file or device and learns each page's host address from
 * /proc/<pid>/pagemap, so it needs no sysfs `device` (a partition works) and sees no FIEMAP flags
 * (a DAX fault makes an unwritten extent's pages ordinary pmem); a hole has no pmem frame behind
 * it. Returns the XEN_DOMCTL_memory_mapping runs, or QEMU's refusal.
 */
export function pagemapPlan(view: Dom0View, path: string, guestSpa: bigint, guestSize: bigint): MapRequest[] {
  const st = statInDom0(view, path);
  if (st.spa === undefined) throw new LibxlError(`qemu: ${path}: pagemap gives no frame: ${st.dev} is not byte-addressed pmem`);
  const mfn = st.spa >> 12n;
  const gpfn = guestSpa >> 12n;
  if (st.kind === 'block') {
    if (guestSize > st.size) throw new LibxlError(`qemu: ${path}: ${guestSize} bytes asked of a ${st.size}-byte device`);
    return [{ mfn, gfn: gpfn, nr: guestSize >> 12n, type: 'data', source: path }];
  }
  const out: MapRequest[] = [];
  let next = 0n;
  for (const e of st.extents().filter((x) => x.logical < guestSize)) {
    if (e.logical > next) break;
    const len = e.logical + e.length > guestSize ? guestSize - e.logical : e.length;
    out.push({ mfn: mfn + (e.physical >> 12n), gfn: gpfn + (e.logical >> 12n), nr: len >> 12n, type: 'data', source: `${path} extent at ${hex(e.logical)}` });
    next = e.logical + len;
  }
  if (next < guestSize) throw new LibxlError(`qemu: ${path}: no pmem frame at file offset ${hex(next)} (a hole or past the end: pagemap shows no PFN there)`);
  return out;
}

/** `BLKGETSIZE64` or `st_size`: the size libxl_dm.c v1 gives QEMU's memory-backend-xen. */
export function backendSize(view: Dom0View, path: string): bigint {
  return statInDom0(view, path).size;
}

/** One element of v1 QEMU's `query-nvdimms` answer. */
export interface NvdimmInfoV1 {
  slot: number;
  'mem-path'?: string;
  spa: number | bigint;
  length: number | bigint;
}

/**
 * v1 `qmp_register_nvdimm_callback`: each element needs a mem-path; then
 * `libxl_nvdimm_add_device(mem-path, spa, length)` for it (addDevicePlan), in answer order.
 */
export function checkQueryNvdimms(answer: readonly NvdimmInfoV1[]): { path: string; spa: bigint; length: bigint }[] {
  return answer.map((a) => {
    if (typeof a['mem-path'] !== 'string') throw new LibxlError(`No mem-path is specified for NVDIMM #${a.slot}`);
    return { path: a['mem-path'], spa: BigInt(a.spa), length: BigInt(a.length) };
  });
}

/** One element of QEMU's `query-memory-devices` answer (type nvdimm). */
export interface MemoryDeviceInfo {
  type: string;
  data: { slot: number; id: string; addr: number | bigint; size: number | bigint; memdev?: string; node?: number; hotplugged?: boolean; hotpluggable?: boolean };
}

/** v3+ `qmp_register_vnvdimm_callback`: check each device against the config, then its data and label runs. */
export function checkMemoryDevices(devices: readonly MemoryDeviceInfo[], vnvdimms: readonly VnvdimmMfn[]): MapRequest[] {
  const out: MapRequest[] = [];
  for (const d of devices) {
    if (!d.data) continue;
    const slot = d.data.slot;
    if (slot > vnvdimms.length) throw new LibxlError(`Invalid QEMU memory device slot ${slot}, expecting less than ${vnvdimms.length}`);
    const v = vnvdimms[slot];
    // libxl compares slot > num, so slot == num passes and reads past the array
    if (!v) throw new LibxlError(`Invalid QEMU memory device slot ${slot}, expecting less than ${vnvdimms.length} (libxl's "slot > num" test lets it through and reads vnvdimms[${slot}] past the end)`);
    const expected = `xen_nvdimm${slot + 1}`;
    if (typeof d.data.id !== 'string' || !d.data.id.startsWith(expected)) throw new LibxlError(`Invalid QEMU memory device id ${d.data.id ?? '(null)'}, expecting ${expected}`);
    const gpa = BigInt(d.data.addr);
    const size = BigInt(d.data.size);
    if ((gpa | size) & (PAGE - 1n)) throw new LibxlError(`Invalid address ${hex(gpa)} or size ${hex(size)} of QEMU memory device ${d.data.id}, not aligned to 0x1000`);
    const nr = size >> 12n;
    if (nr > v.nrPages) throw new LibxlError(`Invalid size ${hex(size)} of QEMU memory device ${d.data.id}, expecting no larger than ${hex(v.nrPages << 12n)}`);
    out.push(...splitPages(v.mfn, gpa >> 12n, nr, 'data', `${d.data.id} data`));
    if (v.nrLabelPages) out.push(...splitPages(v.mfn + v.nrPages - v.nrLabelPages, 0n, v.nrLabelPages, 'label', `${d.data.id} labels`));
  }
  return out;
}


/**
 * The guest's `write` step (issue 14 item 4; specs/sim.md §7.11): a program in the guest writes
 * `length` bytes of a repeated pattern at `offset` of a namespace's device as Linux exposes it —
 * /dev/pmemN (raw: from the namespace's start; fsdax: after the pfn info block's data offset),
 * /dev/pmemNs (sector: every byte through the BTT), /dev/daxN.M (devdax: an mmap of the device past
 * the dax info block). The bytes travel the guest's data path (dataPath.ts) into the host frames.
 *
 * What the guest's Linux 6.1 does at the device's end: a block device write starting at or past it
 * is -ENOSPC, one crossing it is cut short at it (block/fops.c `blkdev_write_iter`: `ki_pos >= size`
 * → -ENOSPC, else `iov_iter_truncate(from, size - ki_pos)`); a devdax mapping faults past the
 * device (`dev_dax_huge_fault` finds no pgoff → VM_FAULT_SIGBUS) after the stores before it landed.
 */
import { NvError } from '../../core/errors.js';
import { namespaceBlockDevice } from '../../namespace/device.js';
import { ndctlOrder } from '../dom0/kernfs.js';
import { labellessNamespace, openNamespaceView, type NamespaceRef, type NamespaceView } from '../../namespace/index.js';
import { parseSize } from '../../acpi/qemu/sizes.js';
import { diskName } from '../dom0/linux.js';
import { GuestFault, unclaimedText, type HostSegment, type UnclaimedSegment } from '../guestMappings.js';
import type { SimDir } from '../runDir.js';
import { openGuestPmem, type GuestPmem } from './dataPath.js';
import { appendGuestLog, recordStep } from './dataLog.js';
import { parsePattern, patternBytes } from './dataPattern.js';

export { parsePattern, patternBytes } from './dataPattern.js';

/** One namespace of the guest as its kernel found it: which vNVDIMM, and where in it. */
export interface GuestNamespaceRef {
  /** Index into `GuestPmem.vnvdimms`. */
  vnvdimm: number;
  ref: NamespaceRef;
  /** The kernel's name (namespaceR.N), when known. */
  dev?: string;
}

/**
 * The guest's namespaces when every vNVDIMM is label-less (designs v1-v3, v4 without
 * `nr_label_pages`): Linux makes one io namespace `namespaceR.0` over each region's whole pmem,
 * regions numbered in vNVDIMM slot order (QEMU's NFIT lists one SPA range per NVDIMM in slot
 * order); listed in the order `ndctl list -N` prints them, as the write step counts them.
 */
export function labellessGuestNamespaces(pmem: GuestPmem): GuestNamespaceRef[] {
  const all = pmem.vnvdimms.map((d, i) => ({ vnvdimm: i, ref: labellessNamespace(d.io, 0), dev: `namespace${i}.0` }));
  return ndctlOrder(all, (n) => n.dev);
}

export interface WriteRequest {
  namespace: number;
  offset: bigint;
  length: bigint;
  pattern: Uint8Array;
}

export interface WriteOutcome {
  /**
   * `ok`, `short` (cut at the device's end), what the guest saw (`-ENOSPC`, `SIGBUS`), or
   * `refused`: the guest is not running (or the store reaches a frame no host image backs), nothing ran.
   */
  result: 'ok' | 'short' | '-ENOSPC' | 'SIGBUS' | 'refused';
  reason?: string;
  dev?: string;
  mode?: NamespaceView['mode'];
  /** Size of the device the guest wrote to. */
  deviceSize?: number;
  /** Bytes the guest's write reported (or stored before a fault). */
  written: bigint;
  /** Host bytes changed, in order: guest-physical, host SPA, image and offset. */
  host: HostSegment[];
  /** Bytes stored to pages with no p2m entry, which Xen dropped (unclaimed MMIO, guestMappings.ts). */
  dropped?: UnclaimedSegment[];
}

/** The device Linux exposes for the namespace, and how writes past its end end. */
function openDevice(pmem: GuestPmem, ns: GuestNamespaceRef) {
  const d = pmem.vnvdimms[ns.vnvdimm];
  if (!d) throw new NvError('sim.guest', 'namespace', undefined, `guest ${pmem.name} has no vNVDIMM ${ns.vnvdimm}`);
  const view = openNamespaceView(d.io, ns.ref);
  return { io: d.io, view, dev: namespaceBlockDevice(d.io, view, () => {}).io };
}

/** Perform one write of the guest on namespace `req.namespace` of `namespaces`. */
export function guestWrite(pmem: GuestPmem, namespaces: readonly GuestNamespaceRef[], req: WriteRequest): WriteOutcome {
  const ns = namespaces[req.namespace];
  if (!ns) throw new NvError('sim.guest', 'namespace', undefined, `guest ${pmem.name} has ${namespaces.length} namespace(s); there is no namespace ${req.namespace}`);
  const { io, view, dev } = openDevice(pmem, ns);
  const base = { dev: ns.dev, mode: view.mode, deviceSize: dev.size };
  const size = BigInt(dev.size);
  const before = io.writes.length;
  const host = () => io.writes.slice(before);
  const devdax = view.mode === 'devdax';
  if (req.length === 0n) return { ...base, result: 'ok', written: 0n, host: [] };
  if (req.offset >= size) {
    return devdax
      ? { ...base, result: 'SIGBUS', reason: `offset ${req.offset} is at or past the end of the ${size}-byte device: the first store faults`, written: 0n, host: [] }
      : { ...base, result: '-ENOSPC', reason: `offset ${req.offset} is at or past the end of the ${size}-byte device (blkdev_write_iter)`, written: 0n, host: [] };
  }
  const n = req.offset + req.length > size ? size - req.offset : req.length;
  const droppedBefore = io.dropped.length;
  try {
    dev.write(Number(req.offset), patternBytes(req.pattern, Number(n)));
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    // The faulting access moved nothing, but a sector-mode write is several (data, then BTT map
    // and flog): what the earlier ones stored stays, and is counted.
    const stored = host();
    return { ...base, result: 'refused', reason: e.reason, written: stored.reduce((s, x) => s + x.length, 0n), host: stored };
  }
  const dropped = io.dropped.slice(droppedBefore);
  const unclaimed = dropped.length ? { dropped, reason: unclaimedText(pmem.name, dropped) } : {};
  if (n < req.length) {
    return devdax
      ? { ...base, ...unclaimed, result: 'SIGBUS', reason: `the mapping ends at the device's end (${size} bytes): ${n} bytes stored, then the store at ${size} faults`, written: n, host: host() }
      : { ...base, ...unclaimed, result: 'short', reason: `cut at the device's end: ${n} of ${req.length} bytes written (blkdev_write_iter truncates at the device size)`, written: n, host: host() };
  }
  return { ...base, ...unclaimed, result: 'ok', written: n, host: host() };
}

/** Read back `length` bytes at `offset` of the namespace's device (what the guest would read). */
export function guestRead(pmem: GuestPmem, namespaces: readonly GuestNamespaceRef[], namespace: number, offset: bigint, length: bigint): Uint8Array {
  const ns = namespaces[namespace];
  if (!ns) throw new NvError('sim.guest', 'namespace', undefined, `guest ${pmem.name} has no namespace ${namespace}`);
  return openDevice(pmem, ns).dev.read(Number(offset), Number(length));
}

/**
 * A store by the guest's CPU at any guest-physical address of its pmem (not through a device):
 * the bytes go where the p2m sends them; bytes for pages with no p2m entry are dropped by Xen
 * (unclaimed emulated MMIO, guestMappings.ts) and the guest runs on. Guest RAM is outside the data
 * path (memory.img is firmware's).
 */
export function guestStore(pmem: GuestPmem, gpa: bigint, data: Uint8Array): WriteOutcome {
  const d = pmem.vnvdimms.find((x) => gpa >= x.addr && gpa < x.addr + BigInt(x.io.size)) ?? pmem.vnvdimms[0];
  if (!d) throw new NvError('sim.guest', '', undefined, `guest ${pmem.name} has no vNVDIMM`);
  const before = d.io.writes.length;
  const droppedBefore = d.io.dropped.length;
  try {
    d.io.storeAt(gpa, data);
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    return { result: 'refused', reason: e.reason, written: 0n, host: [] };
  }
  const dropped = d.io.dropped.slice(droppedBefore);
  return { result: 'ok', written: BigInt(data.length), host: d.io.writes.slice(before), ...(dropped.length ? { dropped, reason: unclaimedText(pmem.name, dropped) } : {}) };
}

/** The scenario step `{ "guest", "do": "write", "namespace", "offset", "pattern", "length" }`. */
export interface WriteStep {
  guest: string;
  do: 'write';
  namespace: number;
  offset: string | number;
  length: string | number;
  pattern: string | number | Uint8Array;
}

/** The device file a namespace's personality gives (nvdimm_namespace_disk_name; devdax: daxR.N). */
export function deviceFile(ns: GuestNamespaceRef, mode: NamespaceView['mode']): string {
  const m = /^namespace(\d+)\.(\d+)$/.exec(ns.dev ?? '');
  if (!m) return ns.dev ?? `namespace ${ns.vnvdimm}`;
  return `/dev/${mode === 'devdax' ? `dax${m[1]}.${m[2]}` : diskName(Number(m[1]), Number(m[2]), mode)}`;
}

const ERRNO_TEXT: Record<string, string> = { refused: 'refused', '-ENOSPC': 'No space left on device', SIGBUS: 'Bus error' };

/**
 * Run one write step on the run in `dir` (`at`: the step's path in the scenario, for messages):
 * sizes in the scenario's grammar, then `guestWrite`; the outcome goes to steps.json and a line to
 * the guest's console.log. A guest that is not running (never created, failed, destroyed) gets
 * nothing done and the refusal recorded.
 */
export function runWriteStep(dir: SimDir, step: WriteStep, at: string, namespacesOf: (pmem: GuestPmem) => GuestNamespaceRef[] = labellessGuestNamespaces): WriteOutcome {
  const offset = parseSize(step.offset, `${at}.offset`);
  const length = parseSize(step.length, `${at}.length`);
  const pattern = parsePattern(step.pattern, `${at}.pattern`);
  const asked = { do: 'write', namespace: step.namespace, offset, length, pattern: `0x${Buffer.from(pattern).toString('hex')}` };
  let pmem: GuestPmem;
  try {
    pmem = openGuestPmem(dir, step.guest);
  } catch (e) {
    if (!(e instanceof NvError)) throw e;
    recordStep(dir, step.guest, { step: at, ...asked, result: 'refused', reason: e.reason, written: 0n, host: [] });
    appendGuestLog(dir, step.guest, `write namespace ${step.namespace}: refused: ${e.reason}`);
    return { result: 'refused', reason: e.reason, written: 0n, host: [] };
  }
  try {
    const namespaces = namespacesOf(pmem);
    const o = guestWrite(pmem, namespaces, { namespace: step.namespace, offset, length, pattern });
    const file = deviceFile(namespaces[step.namespace]!, o.mode!);
    recordStep(dir, step.guest, { step: at, ...asked, dev: o.dev, file, mode: o.mode, deviceSize: o.deviceSize, result: o.result, ...(o.reason ? { reason: o.reason } : {}), written: o.written, host: o.host, ...(o.dropped ? { dropped: o.dropped } : {}) });
    appendGuestLog(dir, step.guest, o.result === 'ok' || o.result === 'short'
      ? `write ${file} offset ${offset} length ${length} pattern ${asked.pattern}: ${o.written} bytes written${o.result === 'short' ? ' (short: the device ends there)' : ''}${o.dropped ? ` (${o.dropped.reduce((a, x) => a + x.length, 0n)} of them dropped by Xen: no p2m entry)` : ''}`
      : `write ${file} offset ${offset} length ${length}: ${ERRNO_TEXT[o.result]} (${o.written} bytes stored before)${o.result === 'refused' && o.reason ? `: ${o.reason}` : ''}`);
    return o;
  } finally {
    pmem.close();
  }
}

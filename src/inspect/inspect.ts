/**
 * `inspect`: find every layer nvtool knows in a file and nest them, top to bottom. Detection order
 * (specs/inspect.md): guest memory (a 4 GiB image with an RSDP) → ACPI tables → raw label area → label area at the tail of a QEMU backing
 * file → namespaces from its labels (or one label-less namespace when an info block or BTT is at
 * the start) → each namespace's personality and block device → partition tables, Xen super block,
 * file systems. Everything is read through a counting reader; data areas are never read.
 */
import { isNvError } from '../core/errors.js';
import { namespacesOf } from '../labels/area.js';
import { locateLabelArea } from '../labels/locate.js';
import { labellessNamespace } from '../namespace/labelsGlue.js';
import { hasBttSignature } from '../infoblocks/bttInfo.js';
import { PFN_INFO_OFFSET, pfnInfoBlock, pfnSignatureOf } from '../infoblocks/pfn.js';
import { detectAcpiTables } from './acpi.js';
import { detectGuestMemory } from './guestMemory.js';
import { detectContainer } from './disk.js';
import { labelAreaLayer } from './labels.js';
import { layer, note, sortLayers, type DumpRef, type InspectContext, type Layer } from './layer.js';
import { namespaceLayer } from './namespaces.js';
import { CountingReader } from './reader.js';

export interface InspectOptions {
  /** QEMU label-size=: the label area is the file's last N bytes (skips probing). */
  labelSize?: number;
  /** Read Xen frame tables and M2Ps whole (exact runs, every damaged entry) instead of sampling them. */
  deep?: boolean;
}

export interface InspectReport {
  file: string;
  size: number;
  layers: Layer[];
}

export interface InspectResult {
  report: InspectReport;
  /** Structures to show in --hexdump, per layer. */
  dumps: WeakMap<Layer, DumpRef[]>;
}

export function inspectReader(r: CountingReader, o: InspectOptions = {}): InspectResult {
  const ctx: InspectContext = { size: r.size, read: (a, b) => r.read(a, b), tryRead: (a, b) => r.tryRead(a, b), dumps: new WeakMap(), ...(o.deep ? { deep: true } : {}) };
  const layers: Layer[] = [];
  const report: InspectReport = { file: r.name, size: r.size, layers };
  if (r.size === 0) return { report, dumps: ctx.dumps };
  try {
    detect(ctx, r, o, layers);
  } catch (e) {
    if (!isNvError(e)) throw e;
    // A format layer refused the bytes in a way no detector caught: keep what was found, say where.
    const l = layers[0] ?? layer('namespace', 0, r.size, 'unexplained');
    if (!layers.length) layers.push(l);
    note(ctx, l, { severity: 'error', code: 'unreadable', message: e.message, offset: e.offset ?? 0, confidence: 'likely' });
  }
  sortLayers(layers);
  return { report, dumps: ctx.dumps };
}

function detect(ctx: InspectContext, r: CountingReader, o: InspectOptions, layers: Layer[]): void {
  if (o.labelSize === undefined) {
    const guest = detectGuestMemory(ctx);
    if (guest) {
      layers.push(guest);
      return;
    }
    const acpi = detectAcpiTables(ctx);
    if (acpi.length) {
      layers.push(...acpi);
      return;
    }
  }
  const found = locateLabelArea(r, o.labelSize !== undefined ? { labelSize: o.labelSize } : {});
  if (found?.kind === 'raw') {
    layers.push(labelAreaLayer(ctx, found, namespacesOf(found.view).namespaces));
    return;
  }
  const pmemEnd = r.size;
  if (found) {
    const { namespaces, findings } = namespacesOf(found.view);
    const al = labelAreaLayer(ctx, found, namespaces);
    for (const f of findings) note(ctx, al, { ...f, offset: f.offset === undefined ? undefined : f.offset + found.offset });
    layers.push(al);
    if (found.view.current !== undefined) {
      const active = namespaces.filter((n) => n.status === 'active').sort((a, b) => (a.dpa < b.dpa ? -1 : a.dpa > b.dpa ? 1 : 0));
      for (const [index, n] of active.entries()) {
        const at = Number(n.dpa);
        const size = Number(n.rawsize);
        if (!(Number.isSafeInteger(at) && Number.isSafeInteger(size) && size > 0 && at + size <= pmemEnd)) {
          note(ctx, al, { severity: 'error', code: 'namespace-outside', message: `namespace ${n.uuid} (DPA ${n.dpa}, ${n.rawsize} bytes) is not inside the persistent memory of this file (0..${pmemEnd}): not shown`, offset: found.offset, path: `label[${n.slots[0]}]` });
          continue;
        }
        layers.push(namespaceLayer(ctx, r, { at, size, uuid: n.uuid, name: n.name, claimClass: n.claimClass ?? 'none', index, labelVersion: found.view.format }));
      }
      return;
    }
    // Linux's label-less fallback: no valid index block, so the DIMM is label-less and its region
    // is one raw (io) namespace, namespace0.0 with no uuid (what `ndctl list` shows, fixtures/linux/blank).
    const ns = labellessNamespace(r, found.size);
    note(ctx, al, { severity: 'warning', code: 'label-less-fallback', message: `no valid index block: Linux treats the DIMM as label-less and lists one raw namespace over the whole region (namespace0.0, ${ns.size} bytes, no uuid)`, offset: found.offset, confidence: 'likely' });
    layers.push(namespaceLayer(ctx, r, { at: ns.offset, size: ns.size, name: '', claimClass: 'none', index: 0 }));
    return;
  }
  // Label-less: a namespace personality at the start makes the whole pmem one io namespace.
  if (hasPersonality(ctx)) {
    layers.push(namespaceLayer(ctx, r, { at: 0, size: pmemEnd, name: '', claimClass: 'none', index: 0 }));
    return;
  }
  // Otherwise the file is a block device image (or a namespace's contents).
  layers.push(...detectContainer(ctx, r, { at: 0, size: pmemEnd, device: 'disk', role: 'image' }, undefined));
}

function hasPersonality(ctx: InspectContext): boolean {
  // A BTT 2.0 block at 0, or a BTT 1.1, PFN or DAX block at 4 KiB (where nd_pmem_probe looks).
  const n = pfnInfoBlock.sizeOf('signature');
  const at0 = ctx.tryRead(0, n);
  const at4k = ctx.tryRead(PFN_INFO_OFFSET, n);
  return (!!at0 && hasBttSignature(at0)) || (!!at4k && (hasBttSignature(at4k) || pfnSignatureOf(at4k) !== undefined));
}

/** Inspect a file by path; the reader is closed afterwards. */
export function inspectFile(path: string, o: InspectOptions = {}): InspectResult & { stats: CountingReader['stats']; ms: number } {
  const t0 = performance.now();
  const r = CountingReader.openFile(path);
  try {
    const res = inspectReader(r, o);
    return { ...res, stats: { ...r.stats }, ms: performance.now() - t0 };
  } finally {
    r.close();
  }
}

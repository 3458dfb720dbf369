/**
 * The guest's Linux 6.1 finding its vNVDIMMs (specs/sim.md §7.10), from what the earlier stages
 * left in guests/<name>/: the RSDP scan of memory.img (EBDA/BIOS area, src/acpi/tables/find.ts),
 * the XSDT's tables, the DSDT and SSDTs loaded into the AML interpreter with the simulation's
 * region handlers (openGuestDsm), the nfit driver's choice of `\_SB.NVDR._FIT` over the NFIT table
 * (acpi_nfit_add), each DIMM's command family and label area through its `_DSM` (labelDevice.ts),
 * then regions, namespaces and personalities as libnvdimm builds them (dom0/linux.ts
 * enumerateNfit, the one home of that enumeration). The DIMM bytes the enumeration reads are the
 * label area as the kernel read it (ndd->data) and the persistent memory through the guest's p2m
 * into the host frames (dataPath.ts GuestPmemIO, at the address the guest's NFIT gives).
 */
import { NvError } from '../../core/errors.js';
import { FileBlockIO, type BlockIO } from '../../core/blockio.js';
import { applyMediaWrites, type MediaWrite } from '../../core/mediaWrites.js';
import { decodeStruct } from '../../core/schema/index.js';
import { decodeNfit, fitBuffer, NFIT_TYPE, structuresOfType, type Nfit } from '../../acpi/nfit/index.js';
import { findTables, type FoundTables } from '../../acpi/tables/index.js';
import { AmlError, AmlInterpreter, type AmlObject } from '../../aml/interp/index.js';
import { collectWrites, createNamespace, dimmSetFor, initArea, readLabelArea, readLabelsJson, ndctlPrettyText } from '../../labels/index.js';
import { atSpa, findLabelledNamespace, formatLabelledNamespace } from '../../namespace/index.js';
import type { HostDimm } from '../host/machine.js';
import { pmemMappings } from '../host/spa.js';
import { enumerateNfit, type Dom0Linux, type LinuxNamespace, type LinuxRegion } from '../dom0/linux.js';
import { ndctlOrder } from '../dom0/kernfs.js';
import { ndctlListText } from '../dom0/ndctl.js';
import type { HostImage } from '../dom0/setup.js';
import { GuestFault, guestMappingView, unclaimedText, type GuestMappingView } from '../guestMappings.js';
import { GuestMemory } from '../hvmloader/memory.js';
import { openGuestDsm, type GuestDsm } from '../qemu/guestDsm.js';
import type { SimDir } from '../runDir.js';
import type { CreateNamespaceStep } from '../scenario/scenario.js';
import { GuestPmemIO } from './dataPath.js';
import { LabelDevice, type DimmFamily } from './labelDevice.js';

export const GUEST_NDCTL_LIST = 'ndctl-list.json';
export const readLabelsFile = (dev: string) => `read-labels-${dev}.json`;
export const GUEST_KERNEL_LOG = 'guest-kernel.log';

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

interface LayoutDimm {
  id: string;
  slot: number;
  addr: string;
  pmemSize: string;
  labelSize?: string;
  backendSize: string;
}

/** What a create-namespace step made (steps.json). */
export interface CreatedNamespace {
  region: string;
  dev: string;
  /** The label's uuid (ndctl list -v raw_uuid for a claimed namespace). */
  uuid: string;
  mode: string;
  /** The namespace's size in the label. */
  size: bigint;
  /** ND_CMD_SET_CONFIG_DATA calls (`_DSM` function 6) and the bytes they carried. */
  labelWrites: number;
  labelBytes: number;
}

/** One NVDIMM device as the nfit driver set it up. */
export interface GuestDimm {
  handle: number;
  /** Its ACPI device (`\_SB.NVDR.NV00`), found by `_ADR`. */
  acpiPath?: string;
  family: DimmFamily;
  label?: LabelDevice;
  /** Its persistent memory at the NFIT's guest address, through the p2m. */
  pmem?: GuestPmemIO;
  /** ndd->data: the label area as the kernel read it (nd_label_data_init), kept up to date by its own writes. */
  config?: Uint8Array;
  image: HostImage;
}

/**
 * A vNVDIMM's bytes as enumerateNfit reads a DIMM: [0, dataSize) its persistent memory (DPA d =
 * guest physical base + d, through the p2m), then the label area (reads from ndd->data, writes
 * through ND_CMD_SET_CONFIG_DATA, each a `_DSM` function 6 per max_xfer chunk).
 */
class VnvdimmIO implements BlockIO {
  readonly size: number;
  constructor(private readonly data: BlockIO, private readonly dimm: Pick<GuestDimm, 'config' | 'label'>) {
    this.size = data.size + (dimm.config?.length ?? 0);
  }

  private split(offset: number, length: number, onData: (o: number, n: number, at: number) => void, onLabel: (o: number, n: number, at: number) => void): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) throw new NvError('sim.guest', 'vnvdimm', offset, `range of ${length} bytes at ${offset} is outside the ${this.size}-byte vNVDIMM`);
    const d = this.data.size;
    if (offset < d) onData(offset, Math.min(length, d - offset), 0);
    if (offset + length > d) {
      const start = Math.max(offset, d);
      onLabel(start - d, offset + length - start, start - offset);
    }
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.split(offset, length, (o, n, at) => out.set(this.data.read(o, n), at), (o, n, at) => out.set(this.dimm.config!.subarray(o, o + n), at));
    return out;
  }

  write(offset: number, bytes: Uint8Array): void {
    this.split(offset, bytes.length, (o, n, at) => this.data.write(o, bytes.subarray(at, at + n)), (o, n, at) => {
      const part = bytes.subarray(at, at + n);
      this.dimm.label!.setConfigData(o, part);
      this.dimm.config!.set(part, o);
    });
  }

  flush(): void {
    this.data.flush();
  }
}

function tablesOf(dir: SimDir, name: string): FoundTables {
  const mem = GuestMemory.open(dir.file(`guests/${name}/memory.img`));
  try {
    return findTables((a, n) => mem.read(a, n));
  } finally {
    mem.close();
  }
}

/** DSDT first, then the SSDTs in XSDT order (as Linux's acpi_load_tables). */
function amlTablesOf(found: FoundTables): Uint8Array[] {
  const dsdt = found.tables.filter((t) => t.signature === 'DSDT').slice(0, 1);
  return [...dsdt, ...found.tables.filter((t) => t.signature === 'SSDT')].map((t) => t.bytes);
}

const amlFailure = (e: unknown): string | undefined => (e instanceof AmlError ? e.message : undefined);

export class GuestKernel {
  linux: Dom0Linux = { signature: '', dimms: [], regions: [], disks: [] };
  dimms: GuestDimm[] = [];
  /** Where the NFIT structures came from. */
  nfitSource?: 'NFIT' | '_FIT';
  nfit?: Nfit;
  /**
   * Set when the guest's accesses reach a host frame no host NVDIMM image backs (a p2m the
   * simulation cannot follow). A page with no p2m entry is not this: Xen completes it as unclaimed
   * MMIO (guestMappings.ts UNCLAIMED_READ_BYTE) and the guest runs on.
   */
  crashed?: string;
  private aml?: AmlInterpreter;
  private dsm?: GuestDsm;
  private view?: GuestMappingView;
  private readonly images = new Map<string, FileBlockIO>();

  private constructor(readonly dir: SimDir, readonly name: string, readonly log: (line: string) => void) {}

  private f(rel: string): string {
    return `guests/${this.name}/${rel}`;
  }

  /** Boot: tables, interpreter, the nfit driver, each DIMM's labels, then libnvdimm's view. */
  static boot(dir: SimDir, name: string, log: (line: string) => void): GuestKernel {
    const k = new GuestKernel(dir, name, log);
    k.start();
    return k;
  }

  private start(): void {
    let found: FoundTables;
    try {
      found = tablesOf(this.dir, this.name);
    } catch (e) {
      if (!(e instanceof NvError)) throw e;
      this.log(`ACPI: ${e.reason}`);
      return;
    }
    this.log(`ACPI: RSDP 0x${found.rsdpAddr.toString(16).padStart(16, '0')} (v${found.rsdp.revision}), ${found.root.signature} at ${hex(found.root.addr)}: ${found.tables.map((t) => t.signature).join(' ')}`);
    const amlTables = amlTablesOf(found);
    let mema = 0n;
    try {
      const pre = new AmlInterpreter(amlTables);
      const memaPath = [...pre.ns.paths()].find((p) => p.endsWith('.MEMA') || p === '\\MEMA');
      const v = memaPath ? pre.evaluate(memaPath) : undefined;
      if (v?.type === 'Integer') mema = v.value;
    } catch (e) {
      const why = amlFailure(e);
      if (why === undefined) throw e;
      this.log(`ACPI: loading the DSDT/SSDTs failed: ${why}`);
      return;
    }
    this.dsm = openGuestDsm(this.dir, this.name, mema);
    this.view = guestMappingView(this.dir, this.name);
    if (!this.view) {
      this.log(`no ${this.f('mappings.json')}: no vNVDIMM is mapped`);
      return;
    }
    const aml = (this.aml = new AmlInterpreter(amlTables, { handlers: this.dsm.handlers }));
    const root = [...aml.ns.paths()].filter((p) => p.endsWith('._HID')).find((p) => {
      const v = this.evaluateOrLog(p);
      return v?.type === 'String' && v.value === 'ACPI0012';
    })?.slice(0, -'._HID'.length);
    if (!root) {
      this.log('nfit: no ACPI0012 device: the nfit driver does not bind');
      return;
    }
    const table = found.tables.find((t) => t.signature === 'NFIT');
    if (!table) {
      this.log(`nfit ACPI0012:00: failed to find NFIT at startup`);
      return;
    }
    let header: Nfit;
    try {
      header = decodeNfit(table.bytes).table;
    } catch (e) {
      if (!(e instanceof NvError)) throw e;
      this.log(`nfit ACPI0012:00: the NFIT table does not parse: ${e.message}`);
      return;
    }
    this.nfit = header;
    this.nfitSource = 'NFIT';
    if (aml.ns.has(`${root}._FIT`)) {
      const r = this.evaluateOrLog(`${root}._FIT`, '; nfit reads the NFIT table');
      if (r?.type === 'Buffer') {
        try {
          this.nfit = { ...header, structures: decodeStruct(fitBuffer, r.value).value.structures };
          this.nfitSource = '_FIT';
          this.log(`nfit ACPI0012:00: ${root}._FIT: ${r.value.length} bytes of NFIT structures (used instead of the NFIT table)`);
        } catch (e) {
          if (!(e instanceof NvError)) throw e;
          this.log(`nfit ACPI0012:00: the _FIT buffer does not parse (${e.message}); nfit reads the NFIT table`);
        }
      } else if (r) this.log(`nfit ACPI0012:00: invalid type ${r.type}, ignoring _FIT`);
    }
    this.setupDimms(root);
    this.probe();
  }

  /** acpi_nfit_register_dimms + nvdimm_probe: family, label size, label data (per DIMM, by handle). */
  private setupDimms(root: string): void {
    const aml = this.aml!;
    const layout = this.dir.readJson<{ nvdimms: LayoutDimm[] }>(this.f('layout.json')).nvdimms;
    const memdevs = structuresOfType(this.nfit!, NFIT_TYPE.memoryMap);
    const handles = [...new Set(memdevs.map((m) => m.deviceHandle))].sort((a, b) => a - b);
    const adr = new Map<number, string>();
    for (const p of aml.ns.paths()) {
      if (!p.startsWith(`${root}.`) || !p.endsWith('._ADR') || p.split('.').length !== root.split('.').length + 2) continue;
      const v = this.evaluateOrLog(p);
      if (v?.type === 'Integer' && !adr.has(Number(v.value))) adr.set(Number(v.value), p.slice(0, -'._ADR'.length));
    }
    const dimms: HostDimm[] = handles.map((h) => {
      const l = layout.find((d) => d.slot + 1 === h);
      const m = memdevs.find((x) => x.deviceHandle === h)!;
      return { id: l?.id ?? `handle${h}`, handle: h, slot: h - 1, image: this.f('memory.img'), size: String(m.regionSize), pmemSize: String(m.regionSize), labelSize: '0', node: 0 };
    });
    let maps: ReturnType<typeof pmemMappings> = [];
    try {
      maps = pmemMappings(this.nfit!, dimms);
    } catch (e) {
      if (!(e instanceof NvError)) throw e;
      this.log(`nfit ACPI0012:00: ${e.reason}`);
    }
    for (const d of dimms) {
      const path = adr.get(d.handle);
      const label = path ? new LabelDevice(aml, path) : undefined;
      let family: DimmFamily = { functions: 0n, labels: 'none' };
      try {
        if (label) family = label.probeFamily((n) => aml.ns.has(`${path}.${n}`));
      } catch (e) {
        const why = amlFailure(e);
        if (why === undefined) throw e;
        this.log(`ACPI Error: Aborting method ${path}._DSM (${why}): no command family`);
      }
      const dev = `nmem${handles.indexOf(d.handle)}`;
      this.log(`nfit ACPI0012:00: ${dev}: handle ${hex(d.handle)}${path ? ` at ${path}` : ' (no ACPI device with this _ADR)'}, family ${family.family ?? 'none'} (functions ${hex(family.functions)}), labels ${family.labels === 'dsm' ? 'through _DSM functions 4-6' : family.labels === 'lsx' ? 'through _LSI/_LSR/_LSW (not modelled: none read)' : 'none'}`);
      let labelDev: LabelDevice | undefined;
      let config: Uint8Array | undefined;
      if (family.labels === 'dsm' && label) {
        try {
          const { configSize, maxXfer } = label.getConfigSize();
          labelDev = label;
          config = configSize ? label.labelDataInit() : undefined;
          const reads = label.calls.filter((c) => c.fn === 5);
          this.log(`nvdimm ${dev}: config data size: ${configSize} (max_xfer ${maxXfer}); read ${reads.reduce((a, c) => a + (c.length ?? 0), 0)} bytes in ${reads.length} _DSM calls`);
        } catch (e) {
          if (!(e instanceof NvError)) throw e;
          config = undefined;
          this.log(`nvdimm ${dev}: failed to init config data area: ${e.reason}`);
        }
      }
      const mapping = maps.find((m) => m.dimm.handle === d.handle);
      const dataSize = Number(d.pmemSize);
      const data = this.pmemAt(mapping ? mapping.spa - mapping.fileOffset : 0n, mapping ? dataSize : 0);
      d.labelSize = String(config?.length ?? 0);
      d.size = String(dataSize + (config?.length ?? 0));
      const holder: Pick<GuestDimm, 'config' | 'label'> = { ...(labelDev ? { label: labelDev } : {}), ...(config ? { config } : {}) };
      const g: GuestDimm = { handle: d.handle, ...(path ? { acpiPath: path } : {}), family, ...holder, pmem: data, image: { dimm: d, path: d.image, io: new VnvdimmIO(data, holder) } };
      this.dimms.push(g);
    }
  }

  /** The host image `rel` (relative to the run), opened once for the kernel's accesses. */
  private image(rel: string): FileBlockIO {
    let io = this.images.get(rel);
    if (!io) this.images.set(rel, (io = new FileBlockIO(this.dir.path(rel), true)));
    return io;
  }

  /** The persistent memory of a vNVDIMM at guest physical `addr` (the NFIT's), through the p2m. */
  private pmemAt(addr: bigint, size: number): GuestPmemIO {
    return new GuestPmemIO(this.view!, addr, size, (rel) => this.image(rel));
  }

  /** Host bytes written through the kernel's mappings so far (personalities). */
  private hostWritten(): bigint {
    return this.dimms.reduce((a, d) => a + (d.pmem?.writes.reduce((b, w) => b + w.length, 0n) ?? 0n), 0n);
  }

  /** Every namespace, in the order `ndctl list -N` prints them (ndctl-list.json). */
  namespaceList(): LinuxNamespace[] {
    return ndctlOrder(this.linux.regions, (r) => r.dev).flatMap((r) => ndctlOrder(r.namespaces, (n) => n.dev));
  }

  /** Evaluate `path`; an AML error is logged as ACPICA reports it and gives undefined. */
  private evaluateOrLog(path: string, then = ''): AmlObject | undefined {
    try {
      return this.aml!.evaluate(path);
    } catch (e) {
      const why = amlFailure(e);
      if (why === undefined) throw e;
      this.log(`ACPI Error: Aborting method ${path} (${why})${then}`);
      return undefined;
    }
  }

  /** libnvdimm's view over the DIMMs as they are now (regions, namespaces, personalities). */
  probe(): void {
    if (!this.nfit || this.crashed) return;
    try {
      this.linux = enumerateNfit(this.nfit, this.dimms.map((d) => d.image));
    } catch (e) {
      if (!(e instanceof NvError)) throw e;
      if (e instanceof GuestFault) {
        this.crashed = e.reason;
        this.log(`(sim) ${e.reason}: the guest's accesses there cannot be simulated; it shows nothing`);
      } else this.log(`libnvdimm: ${e.message}`);
      this.linux = { signature: 'NFIT', dimms: [], regions: [], disks: [] };
      return;
    }
    const unclaimed = this.dimms.flatMap((d) => d.pmem?.unclaimedReads.splice(0) ?? []);
    if (unclaimed.length) this.log(`(sim) ${unclaimedText(this.name, unclaimed)}: the kernel read all ones there`);
    for (const r of this.linux.regions) {
      this.log(`nd_region ${r.dev}: ${hex(r.mapping.spa)}+${hex(r.size)} on ${r.dimm.dev}, ${r.namespaces.length ? r.namespaces.map((n) => `${n.dev} ${n.view.mode} ${n.view.size}`).join(', ') : 'no namespaces'}`);
    }
  }

  /** guests/<name>/ndctl-list.json and read-labels-nmemN.json (ndctl read-labels reads the whole area, max_xfer at a time). */
  writeOutputs(): void {
    this.dir.writeText(this.f(GUEST_NDCTL_LIST), ndctlListText(this.linux));
    for (const d of this.linux.dimms) {
      const g = this.dimms.find((x) => x.handle === d.handle);
      if (!g?.label || !g.config) continue;
      try {
        const area = g.label.getConfigData(0, g.label.configSize);
        const j = readLabelsJson(area, d.dev);
        this.dir.writeText(this.f(readLabelsFile(d.dev)), j ? ndctlPrettyText(j) : '');
      } catch (e) {
        if (!(e instanceof NvError)) throw e;
        this.log(`ndctl read-labels ${d.dev}: ${e.reason}`);
      }
    }
  }

  /** The region a create-namespace step goes to: -r regionN, else the first with room (ndctl's walk). */
  private regionFor(step: CreateNamespaceStep, path: string): LinuxRegion {
    const regions = this.linux.regions;
    if (step.region !== undefined) {
      const r = regions[step.region];
      if (!r) throw new NvError('scenario', `${path}.region`, undefined, `the guest has no region${step.region} (regions: ${regions.map((x) => x.dev).join(', ') || 'none'})`);
      return r;
    }
    const r = regions.find((x) => this.dimmOf(x).label) ?? regions[0];
    if (!r) throw new NvError('scenario', path, undefined, 'failed to create namespace: the guest has no NVDIMM region');
    return r;
  }

  private dimmOf(r: LinuxRegion): GuestDimm {
    return this.dimms.find((d) => d.handle === r.dimm.handle)!;
  }

  private applyLabels(d: GuestDimm, writes: Iterable<MediaWrite>): void {
    const at = d.image.io.size - d.config!.length;
    applyMediaWrites([...writes].map((w) => ({ ...w, offset: at + w.offset })), () => d.image.io);
  }

  /**
   * `ndctl create-namespace` in the guest: a label area with no valid index is first initialised
   * as the administrator would (`ndctl init-labels -V 1.2`, with the region disabled); then the
   * labels engine's update protocol writes the label area through `_DSM` function 6, and the
   * personality (info block, BTT) goes through the guest's mapping into the host frames.
   */
  createNamespace(step: CreateNamespaceStep, path: string): CreatedNamespace {
    const seed = this.dir.seed();
    const uuid = step.uuid ?? seed.uuid(`${path}.uuid`);
    const personalityUuid = seed.uuid(`${path}.personality.uuid`);
    let r = this.regionFor(step, path);
    let d = this.dimmOf(r);
    if (!d.label || !d.config) throw new NvError('scenario', path, undefined, `failed to create namespace: ${r.dev} is label-less (${r.dimm.dev} has no label area): Linux gives it one raw namespace, ndctl can only reconfigure that one (-e ${r.namespaces[0]?.dev ?? `namespace${r.id}.0`})`);
    if (readLabelArea(d.config).current === undefined) {
      this.log(`ndctl disable-region ${r.dev}; ndctl init-labels -V 1.2 ${r.dimm.dev}; ndctl enable-region ${r.dev} (no valid index block)`);
      this.applyLabels(d, collectWrites(initArea(d.config.slice(), { version: '1.2', variant: 'ndctl' })).writes);
      this.probe();
      r = this.linux.regions.find((x) => x.dimm.handle === d.handle)!;
      d = this.dimmOf(r);
    }
    if (step.size > r.maxAvailableExtent) {
      // ndctl 76 tries each region (validate_available_capacity) and ends with -ENOSPC's text, as a real guest printed.
      throw new NvError('scenario', `${path}.size`, undefined, `failed to create namespace: No space left on device (${r.dev}: largest free extent ${r.maxAvailableExtent} bytes, asked ${step.size})`);
    }
    const config = d.config!;
    const ds = dimmSetFor(r.set, Math.max(0, r.set.dimms.findIndex((m) => m.handle === r.dimm.handle)));
    const before = d.label!.calls.length;
    const { writes, result } = collectWrites(createNamespace(config.slice(), {
      uuid, ...(step.name !== undefined ? { name: step.name } : {}), size: step.size,
      dpaStart: ds.dpaStart ?? 0n, dpaSize: ds.dpaSize ?? r.size, align: r.set.align, set: ds,
    }));
    this.applyLabels(d, writes);
    // The guest's ndctl aligns the info block to the guest SPA of the namespace (nd_pfn_init), not to its offset in the backend.
    let ref = atSpa(findLabelledNamespace(d.image.io, result.uuid, config.length), r.mapping.spa, r.mapping.fileOffset);
    if (step.mode !== 'raw') {
      ref = formatLabelledNamespace(d.image.io, ref, {
        mode: step.mode, uuid: personalityUuid,
        ...(step.align !== undefined ? { align: Number(step.align) } : {}),
        ...(step.sectorSize !== undefined ? { sectorSize: step.sectorSize } : {}),
      }).ns;
    }
    const sets = d.label!.calls.slice(before).filter((c) => c.fn === 6);
    const labelBytes = sets.reduce((a, c) => a + (c.length ?? 0), 0);
    this.log(`ndctl create-namespace -r ${r.dev} -m ${step.mode} -s ${step.size} -u ${uuid}${step.name ? ` -n ${step.name}` : ''}: ${sets.length} label writes (_DSM function 6, ${labelBytes} bytes); personality through the p2m (${this.hostWritten()} host bytes written so far)`);
    this.probe();
    const ns = this.linux.regions.flatMap((x) => x.namespaces).find((n) => n.ref.uuid === ref.uuid);
    return { region: r.dev, dev: ns?.dev ?? '', uuid: ref.uuid, mode: step.mode, size: BigInt(ref.size), labelWrites: sets.length, labelBytes };
  }

  close(): void {
    for (const io of this.images.values()) {
      io.flush();
      io.close();
    }
    this.images.clear();
    this.dsm?.close();
  }
}

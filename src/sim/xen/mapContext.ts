/**
 * Xen's state for the calls that give and take guest pmem pages, rebuilt from a run directory:
 * xen/state.json (regions, frame-table chunks, iomem_caps), xen/permissions.json (the tracker), the
 * host images through the NFIT, and each guest's p2m as the qemu stage left it (`mappings.json`
 * `mapped`). `save()` writes the tracker back; `close()` closes the images.
 */
import { NvError } from '../../core/errors.js';
import { hostMappings } from '../host/spa.js';
import type { SimDir } from '../runDir.js';
import { loadPermissions, savePermissions } from './permissions.js';
import type { MapContext } from './pmemMap.js';
import { PhysMem } from './physmem.js';
import { xenOptionsOf, XEN_STATE } from './stage.js';
import { xenStateFromJson } from './state.js';
import { DOM0 } from './v1.js';

type P2mRun = MapContext['p2m'] extends Map<number, (infer R)[]> ? R : never;

interface GuestMappingsJson {
  domid: number;
  status: string;
  mapped?: { gfn: string; mfn: string; nr: string; type: 'data' | 'label' }[];
}

export interface OpenMapContext {
  ctx: MapContext & { domains: Set<number> };
  save(): void;
  close(): void;
}

export function openMapContext(dir: SimDir): OpenMapContext {
  if (!dir.exists(XEN_STATE)) throw new NvError('sim', XEN_STATE, undefined, 'the xen stage has not run on this directory');
  const st = xenStateFromJson(dir.readJson(XEN_STATE));
  const { table: perms, ...measured } = loadPermissions(dir);
  const mem = new PhysMem(dir.root, hostMappings(dir).map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset })));
  const domains = new Set([DOM0]);
  const p2m = new Map<number, P2mRun[]>();
  for (const g of dir.scenario().guests) {
    const rel = `guests/${g.name}/mappings.json`;
    if (!dir.exists(rel)) continue;
    const m = dir.readJson<GuestMappingsJson>(rel);
    if (m.status !== 'running') continue;
    domains.add(m.domid);
    p2m.set(m.domid, (m.mapped ?? []).map((r) => ({ gfn: BigInt(r.gfn), mfn: BigInt(r.mfn), nr: BigInt(r.nr), type: r.type })));
  }
  return {
    ctx: { st, mem, perms, domains, paddrBits: xenOptionsOf(dir.scenario().json).paddrBits, p2m },
    save: () => savePermissions(dir, perms, measured),
    close: () => mem.close(),
  };
}

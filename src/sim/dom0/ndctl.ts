/**
 * `ndctl list -RDN` (ndctl 76, util/json.c) as Linux 6.1 would make ndctl print it for Dom0's
 * devices, field for field and in ndctl's order (siblings in descending kernfs hash order, see
 * kernfs.ts). The field lists and orders are the ones the Linux 6.1 guest printed for raw, fsdax,
 * sector and devdax namespaces.
 */
import { PFN_MODE } from '../../infoblocks/pfn.js';
import { ndctlPrettyText } from '../../labels/ndctlJson.js';
import { ndctlOrder } from './kernfs.js';
import type { Dom0Linux, LinuxDimm, LinuxNamespace } from './linux.js';

const DIMM_FLAGS: readonly [number, string][] = [
  [1 << 0, 'flag_failed_save'], [1 << 1, 'flag_failed_restore'], [1 << 2, 'flag_failed_flush'], [1 << 3, 'flag_failed_arm'],
  [1 << 4, 'flag_smart_event'], [1 << 6, 'flag_failed_map'],
];

function dimmJson(d: LinuxDimm): Record<string, unknown> {
  const j: Record<string, unknown> = { dev: d.dev, id: d.id, handle: d.handle, phys_id: d.physId };
  for (const [bit, name] of DIMM_FLAGS) if (d.flags & bit) j[name] = true;
  return j;
}

export interface NdctlListOptions {
  /** `-v`: NUMA nodes, the label's uuid of a claimed namespace (raw_uuid), devdax's daxregion. */
  verbose?: boolean;
}

function namespaceJson(ns: LinuxNamespace, node: number, o: NdctlListOptions): Record<string, unknown> {
  const v = ns.view;
  const tail = { ...(ns.name ? { name: ns.name } : {}), ...(o.verbose ? { numa_node: node, target_node: node } : {}) };
  const uuid = ns.labelled ? { uuid: ns.ref.uuid } : {};
  const rawUuid = o.verbose && ns.labelled ? { raw_uuid: ns.ref.uuid } : {};
  const map = v.pfn?.mode === PFN_MODE.RAM ? 'mem' : 'dev';
  switch (v.mode) {
    case 'raw':
      return { dev: ns.dev, mode: 'raw', size: BigInt(v.size), ...uuid, sector_size: ns.ref.lbasize || 512, blockdev: ns.disk!.name, ...tail };
    case 'fsdax':
      return { dev: ns.dev, mode: 'fsdax', map, size: BigInt(v.size), uuid: v.pfn!.uuid, ...rawUuid, sector_size: 512, align: v.pfn!.align, blockdev: ns.disk!.name, ...tail };
    case 'sector':
      return { dev: ns.dev, mode: 'sector', size: BigInt(v.size), uuid: v.btt!.uuid, ...rawUuid, sector_size: v.btt!.sectorSize, blockdev: ns.disk!.name, ...tail };
    case 'devdax': {
      const dax = o.verbose
        ? { daxregion: { id: ns.region, size: BigInt(v.size), align: v.pfn!.align, devices: [{ chardev: ns.chardev, size: BigInt(v.size), target_node: node, align: v.pfn!.align, mode: 'devdax' }] } }
        : { chardev: ns.chardev };
      return { dev: ns.dev, mode: 'devdax', map, size: BigInt(v.size), uuid: v.pfn!.uuid, ...rawUuid, ...dax, align: v.pfn!.align, ...tail };
    }
  }
}

/** The JSON value of `ndctl list -RDN [-v]`; undefined when there is nothing to list. */
export function ndctlListRDN(linux: Dom0Linux, o: NdctlListOptions = {}): Record<string, unknown> | undefined {
  if (!linux.dimms.length && !linux.regions.length) return undefined;
  const regions = ndctlOrder(linux.regions, (r) => r.dev).map((r) => {
    const node = r.mapping.proximityDomain;
    const namespaces = ndctlOrder(r.namespaces, (n) => n.dev).map((n) => namespaceJson(n, node, o));
    return {
      dev: r.dev, size: r.size, align: r.align, available_size: r.availableSize, max_available_extent: r.maxAvailableExtent, type: 'pmem',
      ...(o.verbose ? { numa_node: node, target_node: node } : {}),
      ...(r.isetId !== undefined ? { iset_id: BigInt.asIntN(64, r.isetId) } : {}),
      mappings: r.set.dimms.map((m, position) => ({ dimm: linux.dimms.find((d) => d.handle === m.handle)?.dev ?? m.name, offset: m.dpaStart, length: m.dpaSize, position })),
      persistence_domain: r.persistenceDomain,
      ...(namespaces.length ? { namespaces } : {}),
    };
  });
  return { dimms: ndctlOrder(linux.dimms, (d) => d.dev).map(dimmJson), regions };
}

/** The text ndctl prints: json-c's pretty format, 64-bit values as plain integers; nothing at all when there is nothing to list. */
export function ndctlListText(linux: Dom0Linux, o: NdctlListOptions = {}): string {
  const j = ndctlListRDN(linux, o);
  return j ? ndctlPrettyText(j) : '';
}

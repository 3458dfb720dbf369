/**
 * Design v1, Dom0's side of the report (seed 000 §4.2.2 (2); xen.md §1A, §2): Dom0's pmem driver
 * finds each Xen super block on its block devices (placement a after the GPT, b a Xen partition,
 * c the whole namespace; src/xen/layout.ts `locateSuperBlock`, checked with `inspectXen`) and
 * turns its container-relative areas into page frame numbers of system physical addresses:
 * spfn/epfn = the container (the block device or partition the super block manages) =
 * resource + container offset, rsv = exactly its reserved area, data = its data area.
 */
import type { Finding } from '../../core/schema/index.js';
import type { XenpfPmemAdd } from '../../xen/hypercalls/index.js';
import { inspectXen, locateSuperBlock } from '../../xen/layout.js';
import { PLACEMENT } from '../../xen/superblock.js';
import type { Dom0Linux, LinuxDisk } from './linux.js';

const PAGE = 4096n;

/** What Dom0 reports with XENPF_pmem_add (the struct's own fields), and where it found it. */
export interface XenArea extends XenpfPmemAdd {
  /** /dev name of the container: the disk, or its partition for placement b. */
  device: string;
  placement: 'a' | 'b' | 'c';
  /** SPA of the container's first byte. */
  base: bigint;
}

export interface RefusedArea {
  device: string;
  why: string;
  findings: Finding[];
}

const NAMES = { [PLACEMENT.afterPartitionTable]: 'a', [PLACEMENT.partition]: 'b', [PLACEMENT.namespace]: 'c' } as const;

function areaOf(d: LinuxDisk): XenArea | RefusedArea | undefined {
  if (!d.io || d.resource === undefined) return undefined;
  const loc = locateSuperBlock(d.io, 512);
  if (!loc) return undefined;
  const device = loc.partitionNumber !== undefined ? (d.partitions.find((p) => p.number === loc.partitionNumber)?.name ?? d.name) : d.name;
  const { sb, findings } = inspectXen(d.io, loc);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length) return { device, why: errors.map((f) => `${f.path}: ${f.message}`).join('; '), findings };
  const base = d.resource + BigInt(loc.containerOffset);
  if (base % PAGE !== 0n) return { device, why: `the container starts at SPA 0x${base.toString(16)}, not on a page`, findings };
  const pfn = (off: bigint) => (base + off) / PAGE;
  return {
    device, placement: NAMES[loc.placement], base,
    spfn: pfn(sb.managedOffset), epfn: pfn(sb.managedOffset) + sb.managedPages,
    rsvSpfn: pfn(sb.reservedOffset), rsvEpfn: pfn(sb.reservedOffset + sb.reservedSize),
    dataSpfn: pfn(sb.dataOffset), dataEpfn: pfn(sb.dataOffset + sb.dataSize),
  };
}

/** Every Xen area on Dom0's block devices, in probe order; and the super blocks the driver refuses to report. */
export function findXenAreas(linux: Dom0Linux): { areas: XenArea[]; refused: RefusedArea[] } {
  const areas: XenArea[] = [];
  const refused: RefusedArea[] = [];
  for (const d of linux.disks) {
    const a = areaOf(d);
    if (!a) continue;
    if ('why' in a) refused.push(a);
    else areas.push(a);
  }
  return { areas, refused };
}


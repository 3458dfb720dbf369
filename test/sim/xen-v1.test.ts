/**
 * Design v1's hypervisor (xen.md §1A; nvdimm-rfc-v1 pmem.c / x86_64/mm.c) on a real host image:
 * the frame table and M2P read back with xen.md's formulas, Dom0's iomem_caps, hostile reports
 * refused with Xen's code and not one byte of the image changed, the code's order reported.
 */
import { describe, expect, it } from 'vitest';
import { decodeStruct } from '../../src/core/schema/index.js';
import { hostMappings, type SimDir } from '../../src/sim/index.js';
import { DOM0, PhysMem, bootMaps, dom0IomemCaps, newXenState, pmemAdd, type XenOptions, type XenState } from '../../src/sim/xen/index.js';
import type { XenpfPmemAdd } from '../../src/xen/hypercalls/index.js';
import { pageInfo } from '../../src/xen/pageInfo.js';
import { readRange } from '../support/files.js';
import { dataExtents, fileHash, hostRun } from './xenHelpers.js';

// Facts from the sources, restated here (not taken from the code under test):
const PGC_STATE_FREE = 3n << 55n; // PG_mask(3, 9) on 64-bit longs (asm-x86/mm.h)
const PGC_STATE_INUSE = 0n;
const INVALID_M2P = 0xffffffffffffffffn;
const DIMM_BASE_PFN = 0x140000n; // QEMU: first DIMM at ROUND_UP(4 GiB + 1 GiB above-4G RAM, 1 GiB) (issue 11)
const G = 0x10000n; // frames a 2 MiB frame-table chunk describes

const report = (spfn: bigint, epfn: bigint, rsvSpfn: bigint, rsvEpfn: bigint, dataSpfn: bigint, dataEpfn: bigint): XenpfPmemAdd => ({ spfn, epfn, rsvSpfn, rsvEpfn, dataSpfn, dataEpfn });
/** xen.md §1A: rsv_pages >= (32·N >> 12) + (8·N >> 12). */
const need = (n: bigint) => ((32n * n) >> 12n) + ((8n * n) >> 12n);

function xen(dir: SimDir, o: Partial<XenOptions> = {}): { st: XenState; mem: PhysMem } {
  const st = newXenState('v1', bootMaps([[0n, 0xc0000n], [0x100000n, 0x140000n]]), o);
  st.iomemCaps.set(DOM0, dom0IomemCaps());
  const mem = new PhysMem(dir.root, hostMappings(dir).map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset })));
  return { st, mem };
}

const image = (dir: SimDir) => dir.path('host/nv0.img');
const at = (pfn: bigint) => Number((pfn - DIMM_BASE_PFN) << 12n);

// R1: 512 MiB, reserved area sized exactly as the check demands, data 2 MiB-aligned after it.
const N1 = 0x20000n;
const R1 = report(0x140000n, 0x160000n, 0x140000n, 0x140000n + need(N1), 0x141600n, 0x160000n);

describe('v1 XENPF_pmem_add on a 1 GiB host DIMM', () => {
  it('builds the frame table and M2P in the reserved area: sampled entries read back with the formulas of xen.md §1A', async () => {
    const dir = await hostRun('v1', [{ id: 'nv0', size: '1G', labelSize: '128K' }]);
    const { st, mem } = xen(dir);
    const o = pmemAdd(st, mem, R1);
    mem.close();
    expect(o.result).toBe('0');
    const ftPages = (32n * N1 + 4095n) / 4096n;
    const used = ftPages + (8n * N1 + 4095n) / 4096n; // rsv_info.cur - rsv_spfn
    const samples = [R1.spfn, R1.spfn + 1n, R1.rsvSpfn + used - 1n, R1.rsvSpfn + used, R1.rsvEpfn - 1n, R1.dataSpfn, 0x150123n, R1.epfn - 1n];
    for (const p of samples) {
      const off = at(R1.rsvSpfn) + Number((p - R1.spfn) * 32n);
      const e = decodeStruct(pageInfo, readRange(image(dir), off, 32)).value;
      const inUse = p >= R1.rsvSpfn && p < R1.rsvSpfn + used;
      expect(e.countInfo, `page_info of 0x${p.toString(16)}`).toBe(inUse ? PGC_STATE_INUSE : PGC_STATE_FREE);
      expect([e.listNext, e.listPrev, e.typeInfo, e.owner, e.tlbflushTimestamp]).toEqual([0, 0, 0n, 0, 0]);
      const m = new DataView(readRange(image(dir), at(R1.rsvSpfn + ftPages) + Number((p - R1.spfn) * 8n), 8).buffer).getBigUint64(0, true);
      expect(m, `M2P of 0x${p.toString(16)}`).toBe(INVALID_M2P);
    }
    // Nothing outside [rsv_spfn, rsv_spfn + used) was written: the sparse image has data only there.
    const extents = dataExtents(image(dir));
    expect(extents.length).toBeGreaterThan(0);
    for (const [s, e] of extents) expect([s >= at(R1.rsvSpfn), e <= at(R1.rsvSpfn + used)], `data extent ${s}-${e}`).toEqual([true, true]);
    // Dom0's iomem_caps: the code denies [rsv_spfn, rsv_epfn] inclusive — one page of the data area too.
    const caps = st.iomemCaps.get(DOM0)!;
    expect(caps.overlaps(R1.rsvSpfn, R1.rsvEpfn - 1n)).toBe(false);
    expect(caps.contains(R1.rsvEpfn, R1.rsvEpfn)).toBe(false);
    expect(caps.contains(R1.rsvEpfn + 1n, R1.dataEpfn - 1n)).toBe(true);
    expect(st.console).toEqual(['(XEN) pmem: pfns     0x140000 - 0x160000', '(XEN)       reserved 0x140000 - 0x140500', '(XEN)       data     0x141600 - 0x160000']);
  });

  it('iomemEnd "exclusive" denies exactly the reserved area', async () => {
    const dir = await hostRun('v1', [{ id: 'nv0', size: '1G', labelSize: '128K' }]);
    const { st } = xen(dir, { iomemEnd: 'exclusive' });
    expect(pmemAdd(st, undefined, R1).result).toBe('0');
    const caps = st.iomemCaps.get(DOM0)!;
    expect(caps.contains(R1.rsvEpfn, R1.rsvEpfn)).toBe(true);
    expect(caps.overlaps(R1.rsvSpfn, R1.rsvEpfn - 1n)).toBe(false);
  });

  it('hostile reports are refused with -EINVAL and leave every byte of the image as it was', async () => {
    const dir = await hostRun('v1', [{ id: 'nv0', size: '1G', labelSize: '128K' }]);
    const { st, mem } = xen(dir);
    expect(pmemAdd(st, mem, R1).result).toBe('0');
    const before = fileHash(image(dir));
    const W = (1n << 64n) - 1n;
    const hostile: [string, XenpfPmemAdd][] = [
      ['overlapping', report(0x150000n, 0x17fe00n, 0x150000n, 0x150000n + need(0x2fe00n), 0x152000n, 0x17fe00n)],
      ['duplicated', R1],
      ['inverted', report(0x17fe00n, 0x160000n, 0x160000n, 0x162000n, 0x162000n, 0x17fe00n)],
      ['wrapping (2^64)', report(W - 0x1fffn, 0x160000n, W - 0x1fffn, W - 0x1000n, W - 0x1000n, W)],
      ['wrapping end past 2^64 - 1', report(0x160000n, W, 0x160000n, 0x161400n, 0x161600n, W)],
      ['reserved outside the region', report(0x160000n, 0x17fe00n, 0x17fe00n, 0x17fe00n + need(0x1fe00n), 0x160000n, 0x17fe00n)],
      ['reserved too small by one page', report(0x160000n, 0x17fe00n, 0x160000n, 0x160000n + need(0x1fe00n) - 1n, 0x161400n, 0x17fe00n)],
      ['data overlapping reserved', report(0x160000n, 0x17fe00n, 0x160000n, 0x160000n + need(0x1fe00n), 0x160000n + need(0x1fe00n) - 1n, 0x17fe00n)],
    ];
    const results = hostile.map(([name, r]) => [name, pmemAdd(st, mem, r).result]);
    mem.close();
    expect(results).toEqual(hostile.map(([name]) => [name, '-EINVAL']));
    expect(fileHash(image(dir))).toBe(before);
    expect(st.v1).toHaveLength(1);
    // The same region with the exact reserved size is accepted (the "too small by one" case was the only fault).
    expect(pmemAdd(st, undefined, report(0x160000n, 0x17fe00n, 0x160000n, 0x160000n + need(0x1fe00n), 0x161400n, 0x17fe00n)).result).toBe('0');
  });

  it('code order: an overlap mem_hotadd_check misses is refused after pmem_setup; the report names the writes over region 0', async () => {
    const dir = await hostRun('v1', [{ id: 'nv0', size: '1G', labelSize: '128K' }]);
    const { st, mem } = xen(dir, { order: 'code' });
    expect(pmemAdd(st, mem, R1).result).toBe('0');
    const before = fileHash(image(dir));
    // Starts inside R1's last PDX group (valid), then free groups: v1's mem_hotadd_check passes it.
    const R2 = report(0x150000n, 0x17fe00n, 0x160000n, 0x160000n + need(0x2fe00n), 0x162000n, 0x17fe00n);
    const o = pmemAdd(st, mem, R2);
    mem.close();
    expect(o.result).toBe('-EINVAL');
    expect(o.reason).toMatch(/pmem_list_add/);
    expect(fileHash(image(dir))).toBe(before);
    const overR1 = o.wouldWrite!.filter((w) => w.over.startsWith("region 0's reserved area"));
    expect(overR1.length).toBeGreaterThan(0);
    // The page_info of R2's frames inside R1 (0x150000..0x160000) live in R1's frame table.
    expect(overR1.some((w) => BigInt(w.spa) === ((R1.rsvSpfn << 12n) + (0x150000n - R1.spfn) * 32n))).toBe(true);
    // The code denied Dom0 R2's reserved area before the overlap check failed (a side effect kept).
    expect(st.iomemCaps.get(DOM0)!.overlaps(R2.rsvSpfn, R2.rsvEpfn - 1n)).toBe(false);
    // Checks first refuses the same report before touching anything.
    const dir2 = await hostRun('v1', [{ id: 'nv0', size: '1G', labelSize: '128K' }]);
    const x = xen(dir2);
    expect(pmemAdd(x.st, x.mem, R1).result).toBe('0');
    const o2 = pmemAdd(x.st, x.mem, R2);
    x.mem.close();
    expect(o2).toMatchObject({ result: '-EINVAL', written: 0n });
    expect(o2.wouldWrite).toBeUndefined();
    expect(x.st.iomemCaps.get(DOM0)!.contains(R2.rsvSpfn, R2.rsvEpfn)).toBe(true);
  });

  it('the code layout (2 MiB chunks, compat M2P) overruns a reserved area the check accepts: "panic" before any write', () => {
    // The v1 "whole" namespace: 16 GiB at 0x940000, reserved area of exactly (32·N >> 12) + (8·N >> 12) pages.
    const n = 0x400000n;
    const r = report(0x940000n, 0x940000n + n, 0x940000n, 0x940000n + need(n), 0x940000n + need(n), 0x940000n + n);
    const st = newXenState('v1', bootMaps([[0n, 0xc0000n], [0x100000n, 0x140000n]]), { layout: 'code' });
    const o = pmemAdd(st, undefined, r);
    // 64 frame-table chunks + 16 M2P + 8 compat M2P = 45056 pages > 40960, and the ASSERT wants room for one more page.
    expect(o).toMatchObject({ result: 'panic', written: 0n });
    expect(o.reason).toMatch(/Assertion 'info->cur \+ \(1UL << PAGETABLE_ORDER\) < info->epfn/);
    expect(st.v1).toEqual([]);
    // The formula layout takes exactly the pages the check counts.
    const f = newXenState('v1', bootMaps([[0n, 0xc0000n], [0x100000n, 0x140000n]]));
    expect(pmemAdd(f, undefined, r).result).toBe('0');
    expect(f.v1[0]!.rsvCur - r.rsvSpfn).toBe(need(n));
  });
});

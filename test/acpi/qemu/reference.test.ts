/**
 * Facts observed with real QEMU 7.2 and written down in /work/shared/reference/qemu-acpi.md
 * ("Guest physical layout observed", "Observed NFIT layout and numbering", MEMA values), checked
 * against the model's pieces directly.
 */
import { describe, expect, it } from 'vitest';
import {
  deviceMemoryRegion, memoryOptions, parsePlatform, ramLayout, resolvePlatform,
  slotToDcrIndex, slotToHandle, slotToSerial, slotToSpaIndex, type PlatformDescription,
} from '../../../src/acpi/qemu/index.js';

function layout(type: 'pc' | 'q35', size: string, slots: number, maxmem: string) {
  const p = parsePlatform({ machine: { type }, memory: { size, slots, maxmem }, nvdimms: [] });
  const mem = memoryOptions(p.memory);
  const ram = ramLayout(type, mem);
  return { ram, region: deviceMemoryRegion(ram, mem.slots) };
}

function dimms(nvdimms: PlatformDescription['nvdimms'], memory: PlatformDescription['memory'] = { size: '256M', slots: 4, maxmem: '8G' }) {
  return resolvePlatform(parsePlatform({ machine: { type: 'pc' }, memory, nvdimms })).dimms;
}

describe('numbering from the slot (pc-slot-addr-explicit: slot 3)', () => {
  it('handle 4, SPA index 8, DCR index 9, serial 0x123459', () => {
    expect([slotToHandle(3), slotToSpaIndex(3), slotToDcrIndex(3), slotToSerial(3)]).toEqual([4, 8, 9, 0x123459]);
  });
});

describe('RAM split and device-memory region', () => {
  it('-m 256M,slots=4,maxmem=8G: region 0x1_0000_0000 + 0x2F0000000, all RAM below 4G (MEMA 0x0FFFF000)', () => {
    for (const type of ['pc', 'q35'] as const) {
      const { ram, region } = layout(type, '256M', 4, '8G');
      expect(region).toEqual({ base: 0x1_0000_0000n, size: 0x2f0000000n });
      expect(ram.below4g).toBe(0x10000000n);
    }
  });

  it('maxmem=80G: region size 0x14F0000000', () => {
    expect(layout('pc', '256M', 4, '80G').region.size).toBe(0x14f0000000n);
  });

  it('pc -m 4G: 3 GiB below 4G (MEMA 0xBFFFF000), region base 0x1_4000_0000', () => {
    const { ram, region } = layout('pc', '4G', 4, '8G');
    expect(ram.below4g).toBe(0xc0000000n);
    expect(region.base).toBe(0x1_4000_0000n);
  });

  it('q35 -m 3G: 2 GiB below 4G (MEMA 0x7FFFF000), region base 0x1_4000_0000', () => {
    const { ram, region } = layout('q35', '3G', 4, '8G');
    expect(ram.below4g).toBe(0x80000000n);
    expect(region.base).toBe(0x1_4000_0000n);
  });
});

describe('PMEM size and first-fit placement', () => {
  it('1G with 128K label: PMEM 0x3FFE0000, next dimm at 0x1_3FFE_0000', () => {
    const [a, b] = dimms([{ id: 'nv0', size: '1G', labelSize: '128K' }, { id: 'nv1', size: '1G', labelSize: '128K' }]);
    const byIndex = [a, b].sort((x, y) => x!.index - y!.index);
    expect(byIndex[0]!.pmemSize).toBe(0x3ffe0000n);
    expect(byIndex[1]!.addr).toBe(0x1_3ffe_0000n);
  });

  it('129M/64M/4K dimms at 0x1_0000_0000 / 0x1_0810_0000 / 0x1_0C10_0000', () => {
    const d = dimms([{ id: 'a', size: '129M' }, { id: 'b', size: '64M' }, { id: 'c', size: '4K' }]).sort((x, y) => x.index - y.index);
    expect(d.map((x) => x.addr)).toEqual([0x1_0000_0000n, 0x1_0810_0000n, 0x1_0c10_0000n]);
  });

  it.each([
    ['label 130K on 1G', { size: '1G', labelSize: '130K' }, 0x3ffdf000n],
    ['size=1000000', { size: 1000000 }, 0xf4000n],
    ['129M with align=2M', { size: '129M', align: '2M' }, 0x8000000n],
    ['label 1020M on 1G', { size: '1G', labelSize: '1020M' }, 0x400000n],
    ['label 1G-4K on 1G', { size: '1G', labelSize: 0x40000000 - 0x1000 }, 0x1000n],
  ] as const)('%s: PMEM %s', (_name, dimm, pmem) => {
    expect(dimms([{ id: 'nv0', ...dimm }])[0]!.pmemSize).toBe(pmem);
  });

  it('size=1000000: the backend file is rounded up to 0xF5000', () => {
    expect(dimms([{ id: 'nv0', size: 1000000 }])[0]!.fileSize).toBe(0xf5000n);
  });

  it('64 GiB dimm: SPA 0x1_0000_0000 + 0xF_FFFE_0000, next dimm at 0x10_FFFE_0000', () => {
    const d = dimms([{ id: 'big', size: '64G', labelSize: '128K' }, { id: 'next', size: '1G', labelSize: '128K' }], { size: '256M', slots: 4, maxmem: '80G' })
      .sort((x, y) => x.index - y.index);
    expect([d[0]!.addr, d[0]!.pmemSize, d[1]!.addr]).toEqual([0x1_0000_0000n, 0xf_fffe_0000n, 0x10_fffe_0000n]);
  });

  it('pc-slot-addr-explicit: nv0 slot 3 at 6 GiB, nv1 slot 1 auto-placed at 4 GiB', () => {
    const d = dimms([
      { id: 'nv0', size: '1G', labelSize: '128K', slot: 3, addr: '0x180000000' },
      { id: 'nv1', size: '1G', labelSize: '128K', slot: 1 },
    ]).sort((x, y) => x.index - y.index);
    expect(d.map((x) => [x.slot, x.addr])).toEqual([[3, 0x180000000n], [1, 0x100000000n]]);
  });
});

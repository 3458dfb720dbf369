import type { Platform, PlatformNvdimm } from '../test/harness/platform.js';

/** One platform to boot under real QEMU 7.2 for fixtures/qemu/<name>/. */
export interface FixtureConfig {
  name: string;
  platform: Platform;
  /** Also keep every other table (DSDT, FACP, APIC, SRAT, ...) as a disassembly corpus. */
  allTables?: boolean;
}

/** A configuration QEMU must refuse, with the fragment of its message qemu-acpi.md recorded. */
export interface RejectedConfig {
  name: string;
  platform: Platform;
  expectedMessage: string;
}

const GIB1 = { size: '1G', labelSize: '128K' } as const;

function pc(nvdimms: PlatformNvdimm[], memory: Platform['memory'] = { size: '256M', slots: 4, maxmem: '8G' }): Platform {
  return { machine: { type: 'pc' }, memory, nvdimms };
}

function q35(nvdimms: PlatformNvdimm[], memory: Platform['memory'] = { size: '256M', slots: 4, maxmem: '8G' }): Platform {
  return { machine: { type: 'q35' }, memory, nvdimms };
}

/** `count` 1 GiB dimms with 128 KiB labels, ids nv0.. */
function numbered(count: number): PlatformNvdimm[] {
  return Array.from({ length: count }, (_, i) => ({ id: `nv${i}`, ...GIB1 }));
}

const SLOT_COUNTS = [1, 2, 3, 8, 10, 11, 12, 16, 32, 64, 128, 255, 256];

export const FIXTURE_CONFIGS: FixtureConfig[] = [
  {
    name: 'example',
    allTables: true,
    platform: {
      machine: { type: 'pc', nvdimmPersistence: 'cpu' },
      memory: { size: '256M', slots: 4, maxmem: '8G' },
      numa: [{ nodeid: 0, size: '128M' }, { nodeid: 1, size: '128M' }],
      nvdimms: [{ id: 'nv0', size: '1G', labelSize: '128K', node: 1, slot: 3, addr: '0x180000000', align: '2M', unarmed: false }],
    },
  },
  { name: 'pc-1dimm', allTables: true, platform: pc(numbered(1)) },
  { name: 'pc-2dimm', platform: pc(numbered(2)) },
  { name: 'pc-3dimm', platform: pc(numbered(3)) },
  { name: 'pc-4dimm', platform: pc(numbered(4)) },
  { name: 'pc-8dimm', platform: pc(numbered(8), { size: '256M', slots: 8, maxmem: '16G' }) },
  { name: 'pc-12dimm', allTables: true, platform: pc(numbered(12), { size: '256M', slots: 12, maxmem: '16G' }) },
  { name: 'pc-anon-1', platform: pc([{ ...GIB1 }]) },
  { name: 'pc-anon-2', platform: pc([{ ...GIB1 }, { ...GIB1 }]) },
  { name: 'pc-anon-3', platform: pc([{ ...GIB1 }, { ...GIB1 }, { ...GIB1 }]) },
  {
    name: 'pc-odd-ids',
    platform: pc(['dimm-x', 'pmem', 'nvdimm1', 'foo', 'zz', 'q'].map((id) => ({ id, ...GIB1 })), { size: '256M', slots: 8, maxmem: '16G' }),
  },
  {
    name: 'pc-numa-2node',
    platform: {
      ...pc([{ id: 'nv0', ...GIB1, node: 1 }, { id: 'nv1', ...GIB1, node: 0 }]),
      numa: [{ nodeid: 0, size: '128M' }, { nodeid: 1, size: '128M' }],
    },
  },
  {
    name: 'pc-numa-3node-memless',
    allTables: true,
    platform: {
      ...pc([{ id: 'nv0', ...GIB1, node: 2 }, { id: 'nv1', ...GIB1, node: 1 }]),
      numa: [{ nodeid: 0, size: '128M' }, { nodeid: 1, size: '128M' }, { nodeid: 2 }],
    },
  },
  { name: 'pc-label-130k', platform: pc([{ id: 'nv0', size: '1G', labelSize: '130K' }]) },
  { name: 'pc-label-1020m', platform: pc([{ id: 'nv0', size: '1G', labelSize: '1020M' }]) },
  { name: 'pc-label-none', platform: pc([{ id: 'nv0', size: '1G' }]) },
  { name: 'pc-size-1000000', platform: pc([{ id: 'nv0', size: 1000000 }]) },
  { name: 'pc-align-2m-129m', platform: pc([{ id: 'nv0', size: '129M', align: '2M' }]) },
  { name: 'pc-packing-129m-64m-4k', platform: pc([{ id: 'nv0', size: '129M' }, { id: 'nv1', size: '64M' }, { id: 'nv2', size: '4K' }]) },
  { name: 'pc-persistence-cpu', platform: { ...pc(numbered(2)), machine: { type: 'pc', nvdimmPersistence: 'cpu' } } },
  { name: 'pc-persistence-mem-ctrl', platform: { ...pc(numbered(2)), machine: { type: 'pc', nvdimmPersistence: 'mem-ctrl' } } },
  {
    name: 'pc-slot-addr-explicit',
    platform: pc([{ id: 'nv0', ...GIB1, slot: 3, addr: '0x180000000' }, { id: 'nv1', ...GIB1, slot: 1 }, { id: 'nv2', ...GIB1 }]),
  },
  { name: 'pc-unarmed', platform: pc([{ id: 'nv0', ...GIB1, unarmed: true }, { id: 'nv1', ...GIB1 }]) },
  {
    name: 'pc-64g-sparse',
    platform: pc([{ id: 'nv0', size: '64G', labelSize: '128K' }, { id: 'nv1', ...GIB1 }], { size: '256M', slots: 4, maxmem: '80G' }),
  },
  { name: 'pc-m4g', platform: pc(numbered(2), { size: '4G', slots: 4, maxmem: '16G' }) },
  { name: 'q35-1dimm', allTables: true, platform: q35(numbered(1)) },
  { name: 'q35-4dimm', platform: q35(numbered(4)) },
  { name: 'q35-m3g', allTables: true, platform: q35(numbered(2), { size: '3G', slots: 4, maxmem: '16G' }) },
  {
    name: 'q35-numa-2node',
    platform: {
      ...q35([{ id: 'nv0', ...GIB1, node: 1 }, { id: 'nv1', ...GIB1, node: 0 }]),
      numa: [{ nodeid: 0, size: '128M' }, { nodeid: 1, size: '128M' }],
    },
  },
  { name: 'q35-persistence-mem-ctrl', platform: { ...q35(numbered(2)), machine: { type: 'q35', nvdimmPersistence: 'mem-ctrl' } } },
  ...SLOT_COUNTS.map((slots) => ({
    name: `pc-slots-${slots}`,
    platform: pc([{ id: 'nv0', size: '128M', labelSize: '128K' }], { size: '256M', slots, maxmem: '8G' }),
  })),
];

export const REJECTED_CONFIGS: RejectedConfig[] = [
  { name: 'label-64k', platform: pc([{ id: 'nv0', size: '1G', labelSize: '64K' }]), expectedMessage: 'is required at least 0x20000' },
  { name: 'label-0', platform: pc([{ id: 'nv0', size: '1G', labelSize: 0 }]), expectedMessage: 'is required at least 0x20000' },
  {
    name: 'label-equals-size',
    platform: pc([{ id: 'nv0', size: '1G', labelSize: '1G' }]),
    expectedMessage: 'too small to contain nvdimm label (0x40000000) and aligned PMEM (0x1000)',
  },
  {
    name: 'align-1g-on-129m',
    platform: pc([{ id: 'nv0', size: '129M', align: '1G' }]),
    expectedMessage: 'too small to contain nvdimm label (0x0) and aligned PMEM (0x40000000)',
  },
  {
    name: 'dimms-exceed-maxmem',
    platform: pc([{ id: 'nv0', ...GIB1 }], { size: '256M', slots: 4, maxmem: '1G' }),
    expectedMessage: 'not enough space, currently 0x0 in use of total space for memory devices 0x30000000',
  },
  { name: 'no-slots-maxmem', platform: pc([{ id: 'nv0', ...GIB1 }], { size: '256M' }), expectedMessage: "please specify the 'slots' option" },
  { name: 'slot-out-of-range', platform: pc([{ id: 'nv0', ...GIB1, slot: 4 }]), expectedMessage: 'invalid slot number 4, valid range is [0-3]' },
  { name: 'addr-not-4k-aligned', platform: pc([{ id: 'nv0', ...GIB1, addr: '0x100000800' }]), expectedMessage: 'address must be aligned to 0x1000 bytes' },
  {
    name: 'addr-below-region',
    platform: pc([{ id: 'nv0', size: '128M', addr: '0x80000000' }]),
    expectedMessage: "can't add memory device [0x80000000:0x8000000], usable range for memory devices [0x100000000:0x2f0000000]",
  },
  {
    name: 'node-without-numa',
    platform: pc([{ id: 'nv0', ...GIB1, node: 1 }]),
    expectedMessage: "'DIMM property node has value 1' which exceeds the number of numa nodes: 1",
  },
  {
    name: 'persistence-foo',
    platform: { ...pc(numbered(1)), machine: { type: 'pc', nvdimmPersistence: 'foo' } },
    expectedMessage: '-machine nvdimm-persistence=foo: unsupported option',
  },
];

/**
 * Records what real QEMU 7.2 does with a set of platforms, for the platform-model tests:
 * for accepted ones QMP `query-memory-devices` (slot, addr, size, node per dimm) and the QOM child
 * order of /machine/peripheral(-anon) as `qom-list` returns it; for refused ones QEMU's stderr.
 * No ACPI boot is needed, so this is fast (~0.3 s per platform).
 *
 *     npx tsx test/acpi/qemu/capture/observePlacement.ts   # rewrites ../observed/placement.json
 *
 * Platforms: a hand-picked list (edge cases of slots, addresses, labels, alignment, RAM split,
 * NUMA) plus random ones from a fixed seed, so the file is reproducible.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QemuRefusedError, qemuVersion, startQemu, type Platform } from '../../../harness/qemu.js';
import { mulberry32 as prng } from '../../../support/prng.js';

export interface ObservedDevice {
  id: string | null;
  slot: number;
  addr: string;
  size: string;
  node: number;
}

export type Observation =
  | { name: string; platform: Platform; refused: false; devices: ObservedDevice[]; qomList: string[]; qomListAnon: string[] }
  | { name: string; platform: Platform; refused: true; stderr: string };

interface QmpMemoryDevice {
  type: string;
  data: { id?: string; slot: number; addr: number; size: number; node: number };
}
interface QmpProperty {
  name: string;
  type: string;
}

const OUT = fileURLToPath(new URL('../observed/placement.json', import.meta.url));

async function observe(name: string, platform: Platform): Promise<Observation> {
  const dir = await mkdtemp(join(tmpdir(), 'nvtool-observe-'));
  try {
    const qemu = await startQemu(platform, dir);
    try {
      const devices = (await qemu.qmp.execute('query-memory-devices')) as QmpMemoryDevice[];
      const children = async (path: string): Promise<string[]> =>
        ((await qemu.qmp.execute('qom-list', { path })) as QmpProperty[]).filter((p) => p.type.startsWith('child<')).map((p) => p.name);
      return {
        name, platform, refused: false,
        devices: devices.map((d) => ({
          id: d.data.id ?? null, slot: d.data.slot, addr: `0x${d.data.addr.toString(16)}`,
          size: `0x${d.data.size.toString(16)}`, node: d.data.node,
        })),
        qomList: await children('/machine/peripheral'),
        qomListAnon: await children('/machine/peripheral-anon'),
      };
    } finally {
      await qemu.stop();
    }
  } catch (err) {
    if (err instanceof QemuRefusedError) return { name, platform, refused: true, stderr: err.stderr.trim() };
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const M = '256M';
const base = (nvdimms: Platform['nvdimms'], extra: Partial<Platform> = {}): Platform => ({
  machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: '8G' }, nvdimms, ...extra,
});

/** Hand-picked edge cases. */
export const HANDPICKED: Array<[string, Platform]> = [
  ['slot-busy', base([{ id: 'a', size: '64M', slot: 1 }, { id: 'b', size: '64M', slot: 1 }])],
  ['slot-minus-1-is-auto', base([{ id: 'a', size: '64M', slot: -1 }])],
  ['slot-minus-2', base([{ id: 'a', size: '64M', slot: -2 }])],
  ['no-free-slot', { machine: { type: 'pc' }, memory: { size: M, slots: 2, maxmem: '8G' }, nvdimms: [{ size: '4K' }, { size: '4K' }, { size: '4K' }] }],
  ['slots-0-slot-0', { machine: { type: 'pc' }, memory: { size: M, slots: 0, maxmem: '1G' }, nvdimms: [{ id: 'a', size: '64M', slot: 0 }] }],
  ['addr-conflict-named', base([{ id: 'a', size: '64M', addr: '0x100000000' }, { id: 'b', size: '64M', addr: '0x102000000' }])],
  ['addr-conflict-anon', base([{ size: '64M', addr: '0x100000000' }, { id: 'b', size: '64M', addr: '0x102000000' }])],
  ['addr-at-region-end', base([{ id: 'a', size: '64M', addr: '0x3ec000000' }])],
  ['addr-past-region-end', base([{ id: 'a', size: '64M', addr: '0x3ef000000' }])],
  ['addr-zero-is-auto', base([{ id: 'a', size: '64M', addr: 0 }])],
  ['addr-not-align-2m', base([{ id: 'a', size: '64M', addr: '0x100001000', align: '2M' }])],
  ['first-fit-hole', base([{ id: 'a', size: '64M', addr: '0x104000000' }, { id: 'b', size: '32M' }, { id: 'c', size: '64M' }, { id: 'd', size: '16M' }])],
  ['first-fit-align-skip', base([{ id: 'a', size: '4K' }, { id: 'b', size: '4M', align: '2M' }, { id: 'c', size: '4K' }])],
  ['align-3m', base([{ id: 'a', size: '129M', align: '3M' }])],
  ['align-2k', base([{ id: 'a', size: '129M', align: '2K' }])],
  ['align-1g-2g', base([{ id: 'a', size: '2G', align: '1G', labelSize: '128K' }])],
  ['size-zero', base([{ id: 'a', size: 0 }])],
  ['label-65m-on-64m', base([{ id: 'a', size: '64M', labelSize: '65M' }])],
  ['label-unaligned-size', base([{ id: 'a', size: 1000000, labelSize: '128K' }])],
  ['label-130k-align-2m', base([{ id: 'a', size: '64M', labelSize: '130K', align: '2M' }])],
  ['maxmem-exact-fit', { machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: '1G' }, nvdimms: [{ id: 'a', size: '512M' }, { id: 'b', size: '256M' }] }],
  ['maxmem-second-too-big', { machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: '1G' }, nvdimms: [{ id: 'a', size: '512M' }, { id: 'b', size: '512M' }] }],
  ['maxmem-label-makes-fit', { machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: '1G' }, nvdimms: [{ id: 'a', size: '1G', labelSize: '256M' }] }],
  ['slots-no-maxmem', { machine: { type: 'pc' }, memory: { size: M, slots: 4 }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['maxmem-no-slots', { machine: { type: 'pc' }, memory: { size: M, maxmem: '1G' }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['maxmem-equals-ram', { machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: M }, nvdimms: [] }],
  ['maxmem-below-ram', { machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: '128M' }, nvdimms: [] }],
  ['slots-257', { machine: { type: 'pc' }, memory: { size: M, slots: 257, maxmem: '8G' }, nvdimms: [] }],
  ['maxmem-not-page-aligned', { machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: 8589934593 }, nvdimms: [{ id: 'a', size: '4K' }] }],
  ['ram-suffixless-is-mib', { machine: { type: 'pc' }, memory: { size: '256', slots: 4, maxmem: '8G' }, nvdimms: [{ id: 'a', size: '4K' }] }],
  ['ram-not-8k-multiple', { machine: { type: 'pc' }, memory: { size: '268439552B', slots: 4, maxmem: '268447744B' }, nvdimms: [{ id: 'a', size: '4K' }, { id: 'b', size: '4K' }] }],
  ['pc-3584m', { machine: { type: 'pc' }, memory: { size: '3584M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['pc-3583m', { machine: { type: 'pc' }, memory: { size: '3583M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['pc-5g', { machine: { type: 'pc' }, memory: { size: '5G', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['q35-2816m', { machine: { type: 'q35' }, memory: { size: '2816M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['q35-2815m', { machine: { type: 'q35' }, memory: { size: '2815M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['q35-3300m', { machine: { type: 'q35' }, memory: { size: '3300M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'a', size: '64M' }] }],
  ['numa-sum-mismatch', base([{ id: 'a', size: '4K' }], { numa: [{ nodeid: 0, size: '128M' }, { nodeid: 1, size: '64M' }] })],
  ['numa-gap', base([{ id: 'a', size: '4K' }], { numa: [{ nodeid: 0, size: '128M' }, { nodeid: 3, size: '128M' }] })],
  ['numa-dup-memless', base([{ id: 'a', size: '4K' }], { numa: [{ nodeid: 0, size: M }, { nodeid: 1 }, { nodeid: 1 }] })],
  ['numa-dup-mem', base([{ id: 'a', size: '4K' }], { numa: [{ nodeid: 0, size: '128M' }, { nodeid: 0, size: '128M' }] })],
  ['numa-all-memless', base([{ id: 'a', size: '4K' }], { numa: [{ nodeid: 0 }, { nodeid: 1 }] })],
  ['numa-node-200', base([{ id: 'a', size: '4K' }], { numa: [{ nodeid: 200, size: M }] })],
  ['numa-node-too-big', base([{ id: 'a', size: '4K', node: 2 }], { numa: [{ nodeid: 0, size: '128M' }, { nodeid: 1, size: '128M' }] })],
  ['numa-out-of-order', base([{ id: 'a', size: '4K', node: 1 }], { numa: [{ nodeid: 1, size: M }, { nodeid: 0 }] })],
  ['dup-device-id', base([{ id: 'a', size: '4K' }, { id: 'a', size: '4K' }])],
  ['bad-id-digit', base([{ id: '1a', size: '4K' }])],
  ['id-punct', base([{ id: 'a_b.c-d', size: '4K' }])],
  ['errors-slot-before-label', base([{ id: 'a', size: '64M', labelSize: '64M', slot: 4 }])],
  ['errors-label-before-addr', base([{ id: 'a', size: '64M', labelSize: '64M', addr: '0x800' }])],
  ['errors-space-before-addr', { machine: { type: 'pc' }, memory: { size: M, slots: 4, maxmem: '300M' }, nvdimms: [{ id: 'a', size: '64M', addr: '0x800' }] }],
  ['errors-dimm0-before-dimm1-property', base([{ id: 'a', size: '64M', align: '1G' }, { id: 'b', size: '64M', labelSize: '64K' }])],
  ['errors-slot-before-node', base([{ id: 'a', size: '64M', node: 1, slot: 4 }])],
  ['errors-backend-before-device', base([{ id: 'a', size: '64M', slot: 9 }, { id: 'b', size: '64M', align: '3M' }])],
  ['mixed-anon-named-q35', { machine: { type: 'q35' }, memory: { size: M, slots: 8, maxmem: '16G' }, nvdimms: [{}, { id: 'x' }, {}, { id: 'y' }, { id: 'z' }].map((d) => ({ ...d, size: '4K' })) }],
];

/**
 * Random platforms. `mostlyValid` keeps labels >= 128 KiB on dimms of 129 MiB and up, slots in
 * range and explicit addresses page aligned, so that most of them boot; otherwise anything goes
 * and most are refused (exercising QEMU's messages).
 */
export function randomPlatforms(count: number, seed: number, mostlyValid = false): Array<[string, Platform]> {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const out: Array<[string, Platform]> = [];
  for (let n = 0; n < count; n++) {
    const type = pick(['pc', 'q35'] as const);
    const ram = pick(['128M', '256M', '512M', '3G', '3584M', '4G']);
    const slots = pick([1, 2, 3, 4, 6, 8]);
    const maxmem = mostlyValid ? pick(['8G', '16G', '64G']) : pick(['2G', '4G', '8G', '16G', '64G']);
    const numaCount = chance(0.3) ? pick([1, 2, 3]) : 0;
    const dimmCount = 1 + Math.floor(r() * Math.min(slots + 1, 6));
    const nvdimms: Platform['nvdimms'] = [];
    for (let i = 0; i < dimmCount; i++) {
      const d: Platform['nvdimms'][number] = {
        size: mostlyValid ? pick(['129M', '256M', '512M', '1G', '1025M']) : pick(['4K', '64K', '1M', '129M', '256M', '512M', '1G', 1000000, '2G']),
      };
      if (chance(0.8)) d.id = chance(0.5) ? `nv${i}` : `d${Math.floor(r() * 1000).toString(36)}${i}`;
      if (chance(0.4)) d.labelSize = mostlyValid ? pick(['128K', '130K', '256K', '1M']) : pick(['128K', '130K', '256K', '1M', '64K']);
      if (chance(0.3)) d.align = pick(['4K', '64K', '2M', '1G']);
      if (chance(0.2)) d.slot = Math.floor(r() * (mostlyValid ? slots : slots + 1));
      if (chance(0.15)) d.addr = `0x${(0x100000000 + Math.floor(r() * 64) * 0x4000000 + (!mostlyValid && chance(0.2) ? 0x1000 : 0)).toString(16)}`;
      if (chance(0.2)) d.node = Math.floor(r() * (mostlyValid ? Math.max(numaCount, 1) : numaCount + 1));
      if (chance(0.2)) d.unarmed = chance(0.5);
      nvdimms.push(d);
    }
    const p: Platform = { machine: { type }, memory: { size: ram, slots, maxmem }, nvdimms };
    if (numaCount > 0) {
      const mib = ram.endsWith('G') ? Number(ram.slice(0, -1)) * 1024 : Number(ram.slice(0, -1));
      p.numa = Array.from({ length: numaCount }, (_, i) => ({ nodeid: i, size: `${i === 0 ? mib - Math.floor(mib / numaCount) * (numaCount - 1) : Math.floor(mib / numaCount)}M` }));
      if (numaCount > 1 && chance(0.3)) delete p.numa[numaCount - 1]!.size, (p.numa[0]!.size = `${mib - Math.floor(mib / numaCount) * (numaCount - 2)}M`);
    }
    if (chance(0.2)) p.machine.nvdimmPersistence = pick(['cpu', 'mem-ctrl']);
    out.push([`random${mostlyValid ? '-valid' : ''}-${seed}-${n}`, p]);
  }
  return out;
}

async function main(): Promise<void> {
  const platforms = [...HANDPICKED, ...randomPlatforms(160, 7202), ...randomPlatforms(200, 7203, true)];
  const observations: Observation[] = [];
  for (const [name, platform] of platforms) {
    observations.push(await observe(name, platform));
    process.stdout.write(observations.at(-1)!.refused ? 'x' : '.');
  }
  const accepted = observations.filter((o) => !o.refused).length;
  process.stdout.write(`\n${accepted} accepted, ${observations.length - accepted} refused\n`);
  const file = { generatedBy: 'npx tsx test/acpi/qemu/capture/observePlacement.ts', qemuVersion: await qemuVersion(), observations };
  await writeFile(OUT, `${JSON.stringify(file, null, 1)}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}

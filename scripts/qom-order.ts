import type { QmpClient } from '../test/harness/qmp.js';
import { QmpError } from '../test/harness/qmp.js';
import type { PlatformNvdimm, Platform } from '../test/harness/platform.js';
import { mulberry32 } from '../test/support/prng.js';

/** What QOM says about the dimms of a running (stopped) VM. */
export interface QomSnapshot {
  /** `qom-list /machine` property names, in QEMU's order (shows where the two containers sit). */
  machine: string[];
  /** Child names of `/machine/peripheral` (named devices), in QEMU's order. */
  peripheral: string[];
  /** Child names of `/machine/peripheral-anon` (`device[N]`), in QEMU's order. */
  peripheralAnon: string[];
  /** The raw `qom-list` answers (child and non-child properties), in QEMU's order. */
  raw: Record<string, { name: string; type: string }[]>;
  /** QOM name (id or `device[N]`) -> slot, from `qom-get <dimm> slot`. */
  slotOf: Record<string, number>;
  memoryDevices: unknown;
}

type QomEntry = { name: string; type: string };

async function list(qmp: QmpClient, path: string): Promise<QomEntry[]> {
  try {
    return await qmp.execute<QomEntry[]>('qom-list', { path });
  } catch (err) {
    // The container only exists once a device has been put in it.
    if (err instanceof QmpError && err.errorClass === 'DeviceNotFound') return [];
    throw err;
  }
}

const isChild = (e: QomEntry): boolean => e.type.startsWith('child<');

export async function snapshotQom(qmp: QmpClient): Promise<QomSnapshot> {
  const raw: Record<string, QomEntry[]> = {};
  for (const path of ['/machine', '/machine/peripheral', '/machine/peripheral-anon']) raw[path] = await list(qmp, path);
  const slotOf: Record<string, number> = {};
  for (const container of ['/machine/peripheral', '/machine/peripheral-anon']) {
    for (const entry of raw[container]!.filter((e) => e.type === 'child<nvdimm>')) {
      slotOf[entry.name] = await qmp.execute<number>('qom-get', { path: `${container}/${entry.name}`, property: 'slot' });
    }
  }
  return {
    machine: raw['/machine']!.filter(isChild).map((e) => e.name),
    peripheral: raw['/machine/peripheral']!.filter(isChild).map((e) => e.name),
    peripheralAnon: raw['/machine/peripheral-anon']!.filter(isChild).map((e) => e.name),
    raw,
    slotOf,
    memoryDevices: await qmp.execute('query-memory-devices'),
  };
}

/**
 * `count` id sets of 1..16 unique ids. QEMU ids must start with a letter; the rest is drawn from
 * [a-z0-9-_], 1 to 8 characters in all.
 */
export function randomIdSets(count: number, seed: number): string[][] {
  const next = mulberry32(seed);
  const pick = (alphabet: string): string => alphabet[Math.floor(next() * alphabet.length)]!;
  const sets: string[][] = [];
  for (let s = 0; s < count; s++) {
    const size = 1 + Math.floor(next() * 16);
    const ids = new Set<string>();
    while (ids.size < size) {
      let id = pick('abcdefghijklmnopqrstuvwxyz');
      const extra = Math.floor(next() * 8);
      for (let i = 0; i < extra; i++) id += pick('abcdefghijklmnopqrstuvwxyz0123456789-_');
      ids.add(id);
    }
    sets.push([...ids]);
  }
  return sets;
}

/** `null` = an anonymous dimm. Small dimms, 16 slots: only the ids matter here. */
export function qomPlatform(ids: (string | null)[], type: 'pc' | 'q35' = 'pc'): Platform {
  const nvdimms: PlatformNvdimm[] = ids.map((id) => (id === null ? { size: '128M' } : { id, size: '128M' }));
  return { machine: { type }, memory: { size: '256M', slots: 16, maxmem: '8G' }, nvdimms };
}

/**
 * Dom0's enumeration against the kernel-written images of fixtures/linux (Linux 6.1 + ndctl 76
 * made them in a QEMU guest and recorded what a fresh boot showed): each image is the scenario's
 * existing image (`host.images`, a path relative to the scenario file), the platform is the one the
 * fixtures were made on (512 MiB, one 256 MiB NVDIMM, 128 KiB labels), and Dom0 does no setup.
 * Its `ndctl list -RDN -v` must equal the one the guest printed, text for text; dom0/ndctl-list.json
 * the same without -v's fields; and each disk's sysfs (holder device, resource, sizes) the guest's.
 */
import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { enumerateLinux, ndctlListText, openHostImages, runStage, startRun, type SimDir } from '../../src/sim/index.js';
import { workDir, writeScenario } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'linux');
const NAMES = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const w = workDir('nvtool-sim-fixtures-');
afterAll(() => w.cleanup());

interface Expected {
  image: { file: string };
  reboot: { reports: { ndctl_list: { stdout: string }; sysfs: Record<string, string>; sys_pmem0p1?: { stdout: string } } };
}

/** Write `bytes` as a sparse file: only the 64 KiB blocks that are not all zeros. */
function writeSparse(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, bytes.length);
    const B = 65536;
    const zero = Buffer.alloc(B);
    for (let off = 0; off < bytes.length; off += B) {
      const blk = Buffer.from(bytes.buffer, bytes.byteOffset + off, Math.min(B, bytes.length - off));
      if (!blk.equals(zero.subarray(0, blk.length))) writeSync(fd, blk, 0, blk.length, off);
    }
  } finally {
    closeSync(fd);
  }
}

const runs = new Map<string, Promise<{ dir: SimDir; expected: Expected }>>();
const dom0On = (name: string) => {
  if (!runs.has(name)) runs.set(name, dom0Run(name));
  return runs.get(name)!;
};

async function dom0Run(name: string): Promise<{ dir: SimDir; expected: Expected }> {
  const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;
  const folder = join(w.path, name);
  const scenario = writeScenario(w.path, `${name}.json`, {
    design: 'v1',
    host: {
      platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 1, maxmem: '2G' }, nvdimms: [{ id: 'nv0', size: '256M', labelSize: '128K' }] },
      images: { nv0: `${name}.img` },
    },
  });
  writeSparse(join(w.path, `${name}.img`), gunzipSync(readFileSync(join(FIXTURES, name, expected.image.file))));
  const dir = await startRun(scenario, folder);
  await runStage(dir, 'dom0');
  return { dir, expected };
}

const VERBOSE_ONLY = ['numa_node', 'target_node', 'raw_uuid', 'daxregion'];
function withoutVerbose(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutVerbose);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !VERBOSE_ONLY.includes(k)).map(([k, x]) => [k, withoutVerbose(x)]));
  return v;
}

describe.each(NAMES)('Dom0 on the kernel-written image %s', (name) => {
  it('ndctl list -RDN -v equals what the guest printed; dom0/ndctl-list.json equals it without -v\'s fields', async () => {
    const { dir, expected } = await dom0On(name);
    const guest = expected.reboot.reports.ndctl_list.stdout;
    const images = openHostImages(dir, false);
    expect(ndctlListText(enumerateLinux(readFileSync(dir.path('dom0/acpi/NFIT.aml')), images), { verbose: true })).toBe(guest);
    const ours = JSON.parse(readFileSync(dir.path('dom0/ndctl-list.json'), 'utf8'));
    const g = withoutVerbose(JSON.parse(guest)) as { regions: { namespaces?: Record<string, unknown>[] }[] };
    // Without -v a devdax namespace shows its chardev instead of the daxregion.
    for (const ns of g.regions.flatMap((r) => r.namespaces ?? [])) {
      if (ns.mode === 'devdax') {
        const v = JSON.parse(guest).regions[0].namespaces.find((x: { dev: string }) => x.dev === ns.dev);
        const entries = Object.entries(ns);
        entries.splice(entries.findIndex(([k]) => k === 'align'), 0, ['chardev', v.daxregion.devices[0].chardev]);
        for (const k of Object.keys(ns)) delete ns[k];
        Object.assign(ns, Object.fromEntries(entries));
      }
    }
    expect(ours).toEqual(g);
  });

  it('each disk\'s device, device/resource, device/size and size equal the guest\'s sysfs', async () => {
    const { dir, expected } = await dom0On(name);
    const sys = expected.reboot.reports.sysfs;
    const disks = readdirSync(dir.path('dom0/sys/block'));
    const guestDisks = Object.keys(sys).flatMap((k) => /^block\/([^/]+)\/size$/.exec(k)?.[1] ?? []);
    expect(disks.sort()).toEqual(guestDisks.sort());
    for (const d of disks) {
      const at = (f: string) => readFileSync(dir.path(`dom0/sys/block/${d}/${f}`), 'utf8').trim();
      const holder = readlinkSync(dir.path(`dom0/sys/block/${d}/device`)).split('/').pop()!;
      const ns = Object.keys(sys).find((k) => k.endsWith('/holder') && sys[k] === holder)?.split('/')[0];
      expect(ns ?? holder, 'the device the disk hangs under is the namespace or its holder').toMatch(/^namespace0\.\d+$/);
      expect(at('size')).toBe(sys[`block/${d}/size`]);
      expect(at('device/size')).toBe(sys[`${holder}/size`]);
      if (!holder.startsWith('btt')) expect(at('device/resource')).toBe(sys[`${holder}/resource`]);
    }
    const p1 = expected.reboot.reports.sys_pmem0p1?.stdout;
    if (p1 !== undefined) {
      const ours = ['start', 'size', 'partition'].map((f) => `${f}=${readFileSync(dir.path(`dom0/sys/block/pmem0/pmem0p1/${f}`), 'utf8').trim()}`).join('\n');
      expect(ours + '\n').toBe(p1);
    }
  });
});


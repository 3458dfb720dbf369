/**
 * Design v1 guests: vnvdimms as paths in Dom0 (files on ext4 -o dax, block devices, seed 000's
 * file= spelling). libxl's SPA discovery reads Dom0's sysfs and the file's FIEMAP extents, read
 * offline from the ext4 in the host image; the runs it asks for are checked against `debugfs -R
 * "ex"` on the same image (e2fsprogs as the oracle) and the disk's sysfs resource. The series'
 * libxl cannot find the SPA of a partition (no `device` in a partition's sysfs folder), so files in
 * the Xen data area of placement "a" (a partition) fail with libxl's message; QEMU's
 * XEN_DOMCTL_memory_mapping route (seed 002, pagemap) maps them. Refusals: unwritten extents
 * (FIEMAP flags), misaligned extents (1 KiB-block ext4), holes (QEMU), frames outside the data area
 * (-ENXIO), frames another guest holds (-EBUSY), a missing file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { Ext4, fiemap } from '../../src/fs/ext4/index.js';
import { runAll, type SimDir } from '../../src/sim/index.js';
import { addDevicePlan, addFileRequests, checkQueryNvdimms, LibxlError } from '../../src/sim/xl/libxl.js';
import { openDom0View } from '../../src/sim/xl/stage.js';
import { readRange } from '../support/files.js';
import { requireTool, runTool } from '../support/tools.js';

const MiB = 1n << 20n;
const files = (prefix: string) => [
  { path: `${prefix}w.pmem`, size: '8M' }, { path: `${prefix}fa.pmem`, size: '8M', how: 'fallocated' },
  { path: `${prefix}sp.pmem`, size: '8M', how: 'sparse' }, { path: `${prefix}fr.pmem`, size: '8M', how: 'fragmented' },
];
const GUESTS: Record<string, [string, string?]> = {
  a1: ["'/mnt/dax/w.pmem'"],
  a2: ["'/mnt/plain/w.pmem'"],
  a3: ["'/mnt/dax/w.pmem'", 'memory_mapping'],
  a4: ["'/mnt/dax/fa.pmem'", 'memory_mapping'],
  a5: ["'/mnt/dax/sp.pmem'", 'memory_mapping'],
  a6: ["'/mnt/dax/fr.pmem'", 'memory_mapping'],
  a7: ["'file=/dev/pmem0.1'"],
  a8: ["'/mnt/dax/w.pmem'", 'memory_mapping'],
  a9: ["'/mnt/dax/missing.pmem'"],
};

let dir: SimDir;
let work: string;
const mappings = (g: string) => dir.readJson<any>(`guests/${g}/mappings.json`);

beforeAll(async () => {
  requireTool('debugfs', 'e2fsprogs');
  const d = mkdtempSync(join(tmpdir(), 'nvtool-xlv1-'));
  work = d;
  for (const [n, [v]] of Object.entries(GUESTS)) writeFileSync(join(d, `${n}.cfg`), `name = "${n}"\nmemory = 520\nvnvdimm = [ ${v} ]\n`);
  writeFileSync(join(d, 's.json'), JSON.stringify({
    design: 'v1', seed: 'xl-v1',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    dom0: { nv0: { labelVersion: '1.2', namespaces: [
      { name: 'xenpmem', size: '1G', mode: 'fsdax', xen: { placement: 'a' }, filesystem: { type: 'ext4', mount: '/mnt/dax', files: files('') } },
      { name: 'plain', size: '256M', mode: 'fsdax', filesystem: { type: 'ext4', mount: '/mnt/plain', files: files('') } },
    ] } },
    guests: Object.entries(GUESTS).map(([name, [, mapping]]) => ({ name, config: `${name}.cfg`, ...(mapping ? { mapping } : {}) })),
  }));
  dir = await runAll(join(d, 's.json'), join(d, 'run'));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Leaf extents of a file by debugfs on the host image at the block device's offset. */
function debugfsLeaves(image: string, offset: number, path: string): { logical: number; physical: number; length: number; uninit: boolean }[] {
  const out = runTool('debugfs', ['-R', `ex ${path}`, `${image}?offset=${offset}`]);
  return out.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\/\s*(\d+)\s+\d+\/\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)\s*(Uninit)?/.exec(line);
    return m && m[1] === m[2] ? [{ logical: +m[3]!, physical: +m[4]!, length: +m[5]!, uninit: m[6] === 'Uninit' }] : [];
  });
}

describe('v1: libxl finds the SPA of a vNVDIMM path in Dom0', () => {
  it('a file on a whole-disk ext4: runs = sysfs resource + FIEMAP physical, as debugfs sees the extents (written, sparse, fragmented); fallocated refused (UNWRITTEN)', () => {
    const { view, close } = openDom0View(dir);
    try {
      const disk = view.linux.disks.find((x) => view.mounts.some((m) => m.mountpoint === '/mnt/plain' && m.device === `/dev/${x.name}`))!;
      const resource = BigInt(readFileSync(join(view.sysRoot, 'dev/block', disk.dev, 'device/resource'), 'utf8').trim());
      const guest = 0x240000000n;
      for (const f of ['w', 'sp', 'fr']) {
        const leaves = debugfsLeaves(disk.image!.path, disk.imageOffset!, `/${f}.pmem`);
        expect(leaves.length, f).toBeGreaterThan(f === 'w' ? 0 : 1);
        const plan = addDevicePlan(view, `/mnt/plain/${f}.pmem`, guest, 8n * MiB);
        expect(plan.hostSpa).toBe(resource);
        expect(plan.requests.map((r) => [r.mfn, r.gfn, r.nr]), f).toEqual(leaves.map((l) => [(resource >> 12n) + BigInt(l.physical), (guest >> 12n) + BigInt(l.logical), BigInt(l.length)]));
      }
      expect(() => addDevicePlan(view, '/mnt/plain/fa.pmem', guest, 8n * MiB)).toThrow(/: flags (LAST\|)?UNWRITTEN: add_file refuses any flag but FIEMAP_EXTENT_LAST$/);
      expect(() => addDevicePlan(view, '/mnt/plain/w.pmem', guest, 512n * MiB)).toThrow(/^vNVDIMM size 536870912 expires NVDIMM size \d+$/);
      expect(() => addDevicePlan(view, '/mnt/plain/w.pmem', guest + 0x800n, 8n * MiB)).toThrow(/not 4 KiB aligned/);
      // the Xen data area of placement a is partition 1: a partition's sysfs folder has no device/
      const p1 = view.mounts.find((m) => m.mountpoint === '/mnt/dax')!.device;
      expect(p1).toMatch(/p1$/);
      expect(() => addDevicePlan(view, '/mnt/dax/w.pmem', guest, 8n * MiB)).toThrow(/^failed to get SPA of device 259:\d+$/);
    } finally {
      close();
    }
  });

  it('QEMU\'s query-nvdimms answer without a mem-path is refused with libxl\'s message', () => {
    expect(() => checkQueryNvdimms([{ slot: 0, 'mem-path': '/mnt/x', spa: 0x100000000, length: 4096 }, { slot: 1, spa: 0x140000000, length: 4096 }])).toThrow(/^No mem-path is specified for NVDIMM #1$/);
  });

  it('misaligned extents (a 1 KiB-block ext4) are refused with add_file\'s reason', () => {
    requireTool('mke2fs', 'e2fsprogs');
    const d = join(work, '1k');
    mkdirSync(d);
    const img = join(d, 'fs.img');
    writeFileSync(img, new Uint8Array(16 << 20));
    runTool('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '1024', img]);
    writeFileSync(join(d, 'data'), new Uint8Array(5000).fill(7));
    runTool('debugfs', ['-w', '-R', `write ${join(d, 'data')} f`, img]);
    const ex = fiemap(new Ext4(new MemoryBlockIO(new Uint8Array(readFileSync(img)))), 'f');
    expect(ex.some((e) => e.physical % 4096n !== 0n || e.length % 4096n !== 0n)).toBe(true);
    expect(() => addFileRequests(ex, 0x100000n, 0x100000n, 8192n, '/mnt/k/f')).toThrow(/not aligned to 4 KiB \(add_file: \(p_offset \| l_offset \| length\) & ~XC_PAGE_MASK\)/);
    let err: unknown;
    try {
      addFileRequests(ex, 0x100000n, 0x100000n, 8192n, '/mnt/k/f');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LibxlError);
  });
});

describe('v1 guests through the stages', () => {
  it('populate (libxl): a partition\'s file fails in libxl; a file outside Xen\'s data area -ENXIO; nothing mapped', () => {
    expect(mappings('a1')).toMatchObject({ status: 'failed', runs: [], mapped: [] });
    expect(mappings('a1').errors[0]).toMatch(/^libxl: failed to get SPA of device 259:\d+$/);
    expect(mappings('a2')).toMatchObject({ status: 'failed', mapped: [] });
    expect(mappings('a2').runs[0]).toMatchObject({ caller: 'libxl', result: '-ENXIO' });
    expect(mappings('a7').runs[0]).toMatchObject({ caller: 'libxl', result: '-ENXIO' });
    expect(dir.readJson<any>('guests/a7/xl.json').config.vnvdimms[0]).toEqual({ path: '/dev/pmem0.1', written: 'file=/dev/pmem0.1' });
  });

  it('memory_mapping (QEMU, pagemap): files in the data area mapped (written, fallocated, fragmented: one run per extent); a hole refused; a second guest on the same file -EBUSY', () => {
    const argv = readFileSync(dir.path('guests/a3/qemu.argv'), 'utf8').trim().split('\n');
    expect(argv).toContain(`memory-backend-xen,id=mem1,size=${8n * MiB},mem-path=/mnt/dax/w.pmem`);
    expect(argv).toContain('nvdimm,id=nvdimm1,memdev=mem1');
    expect(argv[argv.indexOf('-m') + 1]).toBe(`512,slots=2,maxmem=${(512n * MiB) + 8n * MiB}`);
    for (const g of ['a3', 'a4', 'a6']) {
      const m = mappings(g);
      expect(m.status, `${g}: ${m.errors}`).toBe('running');
      expect(m.runs.every((r: any) => r.caller === 'qemu' && r.result === '0')).toBe(true);
      expect(m.mapped.reduce((n: bigint, r: any) => n + BigInt(r.nr), 0n), g).toBe((8n * MiB) >> 12n);
    }
    expect(mappings('a6').runs.length).toBeGreaterThan(1);
    expect(mappings('a5')).toMatchObject({ status: 'failed', runs: [], mapped: [] });
    expect(mappings('a5').errors[0]).toMatch(/^qemu: \/mnt\/dax\/sp\.pmem: no pmem frame at file offset 0x/);
    expect(mappings('a8')).toMatchObject({ status: 'failed', mapped: [] });
    expect(mappings('a8').runs[0]).toMatchObject({ result: '-EBUSY' });
    const perms = dir.readJson<any>('xen/permissions.json');
    expect(Object.keys(perms.domains).sort()).toEqual(['d3', 'd4', 'd6']);
  });

  it('a path Dom0 cannot open: libxl logs it and gives QEMU no vNVDIMM', () => {
    const j = dir.readJson<any>('guests/a9/xl.json');
    expect(j.errors[0]).toMatch(/^libxl: failed to open file \/mnt\/dax\/missing\.pmem: No such file or directory/);
    expect(j.devices).toEqual([]);
    expect(readFileSync(dir.path('guests/a9/qemu.argv'), 'utf8')).not.toContain('nvdimm');
  });
});

describe('Xen\'s mapping handlers, called directly on the v1 run: hostile requests refused, nothing changed', () => {
  it('RAM, the reserved area, wrapping ranges, DOMID_SELF, no such domain, a non-Dom0 caller, another guest\'s frames', async () => {
    const { xenStateFromJson } = await import('../../src/sim/xen/state.js');
    const { loadPermissions } = await import('../../src/sim/xen/permissions.js');
    const { PhysMem } = await import('../../src/sim/xen/physmem.js');
    const { hostMappings } = await import('../../src/sim/host/spa.js');
    const { populatePmemMap, memoryMapping } = await import('../../src/sim/xen/pmemMap.js');
    const { DOMID_SELF } = await import('../../src/xen/hypercalls/index.js');
    const { createHash } = await import('node:crypto');
    const st = xenStateFromJson(dir.readJson('xen/state.json'));
    const { table: perms } = loadPermissions(dir);
    const mem = new PhysMem(dir.root, hostMappings(dir).map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset })));
    const region = st.v1[0]!;
    // the v1 reserved area holds the frame table: hash what Xen wrote there (DIMM at SPA 4 GiB = mfn 0x100000)
    const rsvBytes = () => createHash('sha256').update(readRange(dir.path('host/nv0.img'), Number((region.rsvSpfn - 0x100000n) << 12n), Number((region.rsvCur - region.rsvSpfn) << 12n))).digest('hex');
    const before = { frames: rsvBytes(), d3: JSON.stringify(perms.ranges(3)), d9: JSON.stringify(perms.ranges(9)) };
    try {
      const ctx = { st, mem, perms, domains: new Set([0, 3, 9]), paddrBits: 46, p2m: new Map() };
      const pop = (mfn: bigint, nr: number, domid = 9, caller = 0) => populatePmemMap(ctx, { domid, pad: new Uint8Array(6), mfn, gfn: 0x100000n, nrMfns: nr, type: 0 }, caller);
      const mm = (firstMfn: bigint, nrMfns: bigint, firstGfn = 0x100000n) => memoryMapping(ctx, { domain: 9, firstGfn, firstMfn, nrMfns, addMapping: 1 });
      const free = region.dataEpfn - 0x10n;
      expect(pop(0x1000n, 16)).toMatchObject({ result: '-ENXIO' }); // RAM
      expect(pop(region.rsvSpfn, 16)).toMatchObject({ result: '-ENXIO' }); // the reserved area (frame table, M2P)
      expect(pop((1n << 64n) - 8n, 16)).toMatchObject({ result: '-ENXIO', reason: expect.stringMatching(/wraps/) });
      expect(pop(free, 16, DOMID_SELF)).toMatchObject({ result: '-EINVAL' });
      expect(pop(free, 16, 42)).toMatchObject({ result: '-EINVAL' });
      expect(pop(free, 16, 9, 3)).toMatchObject({ result: '-EPERM' });
      const d3 = perms.ranges(3)[0]!;
      expect(pop(BigInt(d3.first), 4)).toMatchObject({ result: '-EBUSY' }); // guest a3's frames
      expect(mm(region.rsvSpfn, 16n)).toMatchObject({ result: '-EPERM' }); // Dom0's iomem_caps lack the reserved area
      expect(mm(0x1000n, 16n)).toMatchObject({ result: '-ENXIO' }); // RAM: in Dom0's caps, not pmem data
      expect(mm((1n << 64n) - 8n, 16n)).toMatchObject({ result: '-EINVAL' }); // mfn wraps
      expect(mm(free, 16n, (1n << 64n) - 8n)).toMatchObject({ result: '-EINVAL' }); // gfn wraps
      expect(mm(free, 0n)).toMatchObject({ result: '-EINVAL' }); // empty: mfn_end < mfn
      expect(mm(1n << 40n, 16n)).toMatchObject({ result: '-EINVAL' }); // beyond 46 address bits
      expect(mm(BigInt(d3.first), 4n)).toMatchObject({ result: '-EBUSY' });
      expect(ctx.p2m.size).toBe(0);
    } finally {
      mem.close();
    }
    expect({ frames: rsvBytes(), d3: JSON.stringify(perms.ranges(3)), d9: JSON.stringify(perms.ranges(9)) }).toEqual(before);
  });
});

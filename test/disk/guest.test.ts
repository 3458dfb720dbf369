import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runGuest } from '../harness/linux-guest/guest.js';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { readGpt } from '../../src/disk/table.js';
import { MiB, nvtool, workDir } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const w = workDir('nvtool-gpt-guest-');
afterAll(() => w.cleanup());

/**
 * One boot of the real kernel (Debian 6.1 under QEMU) with three label-less NVDIMMs, so each is a
 * raw namespace whose /dev/pmemN is exactly the backing file:
 *   pmem0: a GPT nvtool wrote (512-byte sectors) → /dev/pmem0p1 with the start and size nvtool chose;
 *   pmem1: nvtool's Xen placement (a) → /dev/pmem1p1 is the data area;
 *   pmem2: reconfigured in the guest as a sector-mode (BTT) namespace with 4096-byte sectors; sgdisk
 *          writes a 4Kn GPT there and the table's LBAs come back (base64) for nvtool to decode.
 */
describe('linux-guest: the kernel reads the partition tables nvtool wrote', () => {
  it('pmem0p1 (plain GPT), pmem1p1 (Xen placement a), and a 4Kn GPT sgdisk wrote in the guest decodes in nvtool', async () => {
    const a = w.image('gpt.img', 64 * MiB);
    const b = w.image('xen.img', 64 * MiB);
    const c = w.image('4kn.img', 64 * MiB);
    expect((await nvtool('gpt', 'create', a)).code).toBe(0);
    expect((await nvtool('gpt', 'add', a, '--start', '2048', '--part-size', '20M', '--name', 'data')).code).toBe(0);
    expect((await nvtool('gpt', 'add', a, '--part-size', '8M', '--type', 'swap')).code).toBe(0);
    expect((await nvtool('xen', 'format', b, '--placement', 'a', '-q')).code).toBe(0);
    const xen = (validateCliJson('xen-check', (await nvtool('xen', 'inspect', b, '--json')).stdout) as any) as { superBlock: { dataOffset: string; dataSize: string } };
    const r = await runGuest({
      nvdimms: [
        { file: a, labelSize: 0 },
        { file: b, labelSize: 0 },
        { file: c, labelSize: 0 },
      ],
      timeoutMs: 170_000,
      checkExit: false,
      job: [
        // which pmemN is which image: the disk GUID at byte 568 (LBA 1 + 56), or none
        'section map',
        'for n in 0 1 2; do echo "$n $(dd if=/dev/pmem$n bs=8 skip=71 count=2 2>/dev/null | base64)"; done',
        'section sysfs',
        'for p in /sys/class/block/pmem*p*; do [ -e "$p/start" ] && echo "$(basename $p) $(cat $p/start) $(cat $p/size)"; done',
        'run sg0 sh -c \'for n in 0 1 2; do sgdisk -v /dev/pmem$n; done\'',
        'E=""; for n in 0 1 2; do dd if=/dev/pmem$n bs=8 skip=64 count=1 2>/dev/null | grep -q "EFI PART" || E=$n; done',
        'run mk4k ndctl create-namespace -f -e namespace$E.0 -m sector -l 4096',
        'run lbs cat /sys/class/block/pmem${E}s/queue/logical_block_size',
        'run bytes blockdev --getsize64 /dev/pmem${E}s',
        'run sg4k sgdisk -n 1:0:+8M -c 1:four-k -n 2:0:0 -t 2:8200 /dev/pmem${E}s',
        'run sfj4k sfdisk --json /dev/pmem${E}s',
        'run head4k sh -c "dd if=/dev/pmem${E}s bs=4096 count=6 2>/dev/null | base64"',
        'run tail4k sh -c \'n=$(($(blockdev --getsize64 /dev/pmem\'$E\'s) / 4096)); dd if=/dev/pmem\'$E\'s bs=4096 skip=$((n - 5)) count=5 2>/dev/null | base64\'',
        'run k4kstart cat /sys/class/block/pmem${E}s1/start',
      ].join('\n'),
    });
    const s = (k: string) => (r.sections[k] ?? '').trim();
    if (process.env.NVTOOL_GUEST_DEBUG) console.log(s('sg0'), s('sysfs'), s('map'));
    expect(s('map'), r.console.slice(-3000)).not.toBe('');
    const guidAt568 = (img: string) => readFileSync(img).subarray(568, 584).toString('base64');
    const devOf = (img: string) => {
      const line = s('map').split('\n').find((l) => l.split(' ')[1] === guidAt568(img));
      if (!line) throw new Error(`no pmem device holds ${img}: ${s('map')}`);
      return `pmem${line.split(' ')[0]}`;
    };
    const parts = new Map(s('sysfs').split('\n').map((l) => { const [n, st, sz] = l.split(' '); return [n!, [Number(st), Number(sz)]] as const; }));
    // 512-byte GPT nvtool wrote: the kernel's partitions = what nvtool put there (sysfs counts 512-byte units)
    const d0 = devOf(a);
    expect(parts.get(`${d0}p1`)).toEqual([2048, (20 * MiB) / 512]);
    expect(parts.get(`${d0}p2`)?.[1]).toBe((8 * MiB) / 512);
    // Xen placement (a): the data partition is the data area the super block describes
    const d1 = devOf(b);
    const [st1, sz1] = parts.get(`${d1}p1`)!;
    expect(st1 * 512).toBe(Number(BigInt(xen.superBlock.dataOffset)));
    expect(sz1 * 512).toBeGreaterThanOrEqual(Number(BigInt(xen.superBlock.dataSize)));
    expect(s('sg0').match(/No problems found/g)?.length).toBe(3); // the two GPTs nvtool wrote, and the empty third disk
    // Problems: none. The one Warning is placement (a)'s by design: the reserved area is the gap
    // between the entry array and the first usable LBA (specs/xen-pmem-superblock.md).
    expect(s('sg0')).not.toMatch(/Problem/);
    expect(s('sg0').match(/Warning[^\n]*/g)).toEqual(['Warning: There is a gap between the main partition table (ending sector 33)']);
    // 4Kn: sgdisk in the guest wrote a GPT on a 4096-byte-sector device; nvtool decodes it the same
    expect(s('lbs')).toBe('4096');
    const size = Number(s('bytes'));
    const head = Buffer.from(s('head4k').replace(/\s+/g, ''), 'base64');
    const tail = Buffer.from(s('tail4k').replace(/\s+/g, ''), 'base64');
    expect(head.length).toBe(6 * 4096);
    const img = new Uint8Array(size);
    img.set(head, 0);
    img.set(tail, size - 5 * 4096);
    const d = readGpt(new MemoryBlockIO(img), 4096);
    const sf = JSON.parse(s('sfj4k')).partitiontable as { id: string; firstlba: number; lastlba: number; sectorsize: number; partitions: { start: number; size: number; type: string; uuid: string; name?: string }[] };
    expect(sf.sectorsize).toBe(4096);
    expect(d.header!.diskGuid.toUpperCase()).toBe(sf.id);
    expect(Number(d.header!.firstUsableLba)).toBe(sf.firstlba);
    expect(Number(d.header!.lastUsableLba)).toBe(sf.lastlba);
    expect(d.primary.headerCrcOk && d.primary.arrayCrcOk && d.backup.headerCrcOk && d.backup.arrayCrcOk).toBe(true);
    expect(d.partitions.map((p) => ({ start: Number(p.startLba), size: Number(p.endLba - p.startLba + 1n), type: p.typeGuid.toUpperCase(), uuid: p.uniqueGuid.toUpperCase(), name: p.name })))
      .toEqual(sf.partitions.map((p) => ({ start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name ?? '' })));
    expect(Number(s('k4kstart'))).toBe(sf.partitions[0]!.start * 8);
  }, 200_000);
});

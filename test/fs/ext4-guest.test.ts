/**
 * FIEMAP against Linux: in a guest (test/harness/linux-guest), an fsdax namespace, a GPT partition,
 * mkfs.ext4 and `mount -o dax`; files written, fallocated, sparse and fragmented (written in
 * pieces interleaved with other files); unmounted and mounted again (a cold extent cache), then
 * `filefrag -v` on each. nvtool's FIEMAP for the same files, read from the image file the guest
 * wrote, must equal the kernel's extents and flags; on the host `debugfs -R "ex"` agrees too.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockIO, WindowBlockIO } from '../../src/core/blockio.js';
import { Ext4, fiemap, fiemapFlagNames } from '../../src/fs/ext4/index.js';
import { runGuest } from '../harness/linux-guest/guest.js';
import { runTool } from '../support/tools.js';

const MiB = 1024 * 1024;
const FILES = ['written', 'fallocated', 'sparse', 'fragmented', 'keepsize'];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nvtool-fiemap-guest-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row { logical: number; physical: number; length: number; flags: string[] }

/** `filefrag -v` rows: "ext: logical..end: physical..end: length: [expected:] flags". */
function filefragRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\d+:\s+(\d+)\.\.\s*\d+:\s+(\d+)\.\.\s*\d+:\s+(\d+):\s*(?:\d+:)?\s*([\w,]*)\s*$/.exec(line);
    if (m) rows.push({ logical: +m[1]!, physical: +m[2]!, length: +m[3]!, flags: m[4] ? m[4].split(',').filter((f) => f !== 'eof') : [] });
  }
  return rows;
}

describe('FIEMAP: nvtool\'s ext4 reader against the Linux kernel (filefrag -v in a guest, DAX mount)', () => {
  it('written, fallocated, sparse, fragmented and fallocate --keep-size files: same extents and flags', async () => {
    const img = join(dir, 'pmem.img');
    writeFileSync(img, '');
    truncateSync(img, 256 * MiB);
    const frag = Array.from({ length: 8 }, (_, i) => `dd if=/dev/urandom of=/mnt/fragmented bs=64K count=1 seek=${i} conv=notrunc 2>/dev/null; dd if=/dev/urandom of=/mnt/pad${i} bs=4K count=3 2>/dev/null; sync`).join('\n');
    const r = await runGuest({
      nvdimms: [{ file: img, labelSize: 128 * 1024, share: true }],
      timeoutMs: 170_000,
      job: [
        'ndctl disable-region all',
        'ndctl init-labels -f all -V 1.2',
        'ndctl enable-region all',
        'run create ndctl create-namespace -r region0 -m fsdax -s 192M',
        'run sg sgdisk -n 1:0:+160M -t 1:8300 /dev/pmem0',
        'i=0; while [ ! -b /dev/pmem0p1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; [ -b /dev/pmem0p1 ]',
        'run mkfs mkfs.ext4 -q -F -b 4096 /dev/pmem0p1',
        'mkdir -p /mnt',
        'run mount mount -o dax /dev/pmem0p1 /mnt',
        'dd if=/dev/urandom of=/mnt/written bs=1M count=6 2>/dev/null',
        'fallocate -l 5M /mnt/fallocated',
        'dd if=/dev/urandom of=/mnt/sparse bs=1M count=1 2>/dev/null; dd if=/dev/urandom of=/mnt/sparse bs=1M count=1 seek=3 conv=notrunc 2>/dev/null; truncate -s 5M /mnt/sparse',
        frag,
        'dd if=/dev/urandom of=/mnt/keepsize bs=4K count=2 2>/dev/null; fallocate -n -o 1M -l 1M /mnt/keepsize',
        'sync',
        'umount /mnt',
        'run remount mount -o dax /dev/pmem0p1 /mnt',
        'run dax cat /proc/mounts',
        ...FILES.map((f) => `run ff_${f} filefrag -v /mnt/${f}`),
        'umount /mnt',
        'section where',
        'cat /sys/block/pmem0/device/resource; cat /sys/block/pmem0/pmem0p1/start; cat /sys/block/pmem0/pmem0p1/size',
        'sync',
      ].join('\n'),
    });
    expect(r.sections.dax, JSON.stringify(r.sections).slice(0, 3000)).toMatch(/ \/mnt ext4 \S*dax/);
    const [resource, start, sectors] = r.sections.where!.trim().split('\n').map((l) => BigInt(l.trim()));
    // QEMU maps the DIMM's file linearly from SPA 0x100000000 (the harness's one-DIMM layout)
    const offset = Number(resource! - 0x100000000n + start! * 512n);
    const io = new FileBlockIO(img, false);
    try {
      const fs = new Ext4(new WindowBlockIO(io, offset, Number(sectors! * 512n)));
      const seen = new Set<string>();
      for (const f of FILES) {
        const want = filefragRows(r.sections[`ff_${f}`]!);
        expect(want.length, `${f}: ${r.sections[`ff_${f}`]}`).toBeGreaterThan(0);
        const got = fiemap(fs, f).map((e) => ({ logical: Number(e.logical / 4096n), physical: Number(e.physical / 4096n), length: Number(e.length / 4096n), flags: fiemapFlagNames(e.flags).map((n) => n.toLowerCase()) }));
        const norm = (rows: Row[]) => rows.map((x) => ({ ...x, flags: [...x.flags].sort() }));
        expect(norm(got), f).toEqual(norm(want));
        for (const w of want) for (const fl of w.flags) seen.add(fl);
        // debugfs on the host, same image and offset
        const ex = runTool('debugfs', ['-R', `ex /${f}`, `${img}?offset=${offset}`]);
        const leaves = ex.split('\n').flatMap((l) => {
          const m = /^\s*(\d+)\/\s*(\d+)\s+\d+\/\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)\s*-\s*\d+\s+(\d+)/.exec(l);
          return m && m[1] === m[2] ? [[+m[3]!, +m[4]!, +m[5]!]] : [];
        });
        expect(leaves, `debugfs ${f}`).toEqual(want.map((w) => [w.logical, w.physical, w.length]));
      }
      expect([...seen].sort()).toEqual(['last', 'unwritten']);
      expect(filefragRows(r.sections.ff_fragmented!).length).toBeGreaterThan(1);
      expect(filefragRows(r.sections.ff_sparse!).length).toBe(2);
    } finally {
      io.close();
    }
  }, 200_000);
});

/**
 * One boot of the real kernel (Debian 6.1 under QEMU): v1.2 labels, a sector-mode namespace
 * (BTT 2.0, 4096-byte sectors), then sgdisk and mkfs.ext4 on /dev/pmem0s and /dev/pmem0s1 in the
 * guest. inspect on the backing file must report what the guest's sfdisk --json and blkid said
 * about the BTT's logical device.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectFile, renderDiagram, renderTree, walk } from '../../src/inspect/index.js';
import { runGuest } from '../harness/linux-guest/guest.js';
import { all, blkidExport, ofKind } from './helpers.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-guest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('linux-guest: what the kernel wrote inside a BTT', () => {
  it('sgdisk + mkfs.ext4 on /dev/pmem0s: inspect reports what sfdisk and blkid said in the guest', async () => {
    const img = join(dir, 'sector.img');
    const size = 128 * MiB;
    writeFileSync(img, '');
    truncateSync(img, size);
    const r = await runGuest({
      nvdimms: [{ file: img, labelSize: 128 * 1024, share: true }],
      timeoutMs: 170_000,
      job: [
        'ndctl disable-region all',
        'ndctl init-labels -f all -V 1.2',
        'ndctl enable-region all',
        'run create ndctl create-namespace -r region0 -m sector',
        'run sg sgdisk -n 1:0:+32M -c 1:guest-data -t 1:8300 -n 2:0:+8M -t 2:8200 /dev/pmem0s',
        'i=0; while [ ! -b /dev/pmem0s1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; [ -b /dev/pmem0s1 ]',
        'run mkfs mkfs.ext4 -q -F -L guest-ext4 /dev/pmem0s1',
        'run sfdisk sfdisk --json /dev/pmem0s',
        'run blkid_pt blkid -p -o export /dev/pmem0s',
        'run blkid_p1 blkid -p -o export /dev/pmem0s1',
        'run size blockdev --getsize64 /dev/pmem0s',
        'sync',
      ].join('\n'),
    });
    const created = JSON.parse(r.sections.create!);
    const table = JSON.parse(r.sections.sfdisk!).partitiontable;
    const pt = blkidExport(r.sections.blkid_pt!);
    const fsb = blkidExport(r.sections.blkid_p1!);

    expect(table.sectorsize).toBe(4096);
    expect(table.partitions.length).toBe(2);
    const { report } = inspectFile(img);
    const ls = report.layers;
    if (process.env.NVTOOL_GUEST_DEBUG) console.log(renderTree(img, size, ls), renderDiagram(size, ls));
    expect(ofKind(ls, 'btt')[0]!.fields.version).toBe('2.0');
    expect(all(ls).flatMap((l) => l.findings).filter((f) => f.severity !== 'info')).toEqual([]);
    const [ns] = ofKind(ls, 'namespace');
    expect(ns!.fields).toMatchObject({ mode: 'sector', blockdev: created.blockdev, deviceUuid: created.uuid, sectorSize: created.sector_size, size: Number(r.sections.size!.trim()) });
    const [gpt] = ofKind(ls, 'gpt');
    expect(gpt!.fields).toMatchObject({ sectorSize: table.sectorsize, firstUsableLba: table.firstlba, lastUsableLba: table.lastlba, deviceOffset: 0, deviceSpace: 'btt' });
    expect(String(gpt!.fields.diskGuid).toUpperCase()).toBe(table.id);
    expect(gpt!.fields.diskGuid).toBe(pt.PTUUID);
    const parts = ofKind(ls, 'partition');
    expect(parts.length).toBe(table.partitions.length);
    for (const [i, p] of table.partitions.entries()) {
      const l = parts[i]!;
      expect(`/dev/${l.fields.device}`).toBe(p.node);
      expect(l.fields).toMatchObject({ startLba: p.start, sectors: p.size, deviceOffset: p.start * table.sectorsize, deviceSpace: 'btt' });
      expect(String(l.fields.typeGuid).toUpperCase()).toBe(p.type);
      expect(String(l.fields.uniqueGuid).toUpperCase()).toBe(p.uuid);
      expect(l.fields.name).toBe(p.name ?? '');
    }
    const [fs] = ofKind(ls, 'filesystem');
    expect(fs!.fields).toMatchObject({ type: fsb.TYPE, label: fsb.LABEL, uuid: fsb.UUID, blockSize: Number(fsb.BLOCK_SIZE), deviceOffset: parts[0]!.fields.deviceOffset });
    for (const { layer } of walk(ls)) for (const f of layer.findings) expect(f.offset >= 0 && f.offset < size).toBe(true);
  }, 180_000);
});

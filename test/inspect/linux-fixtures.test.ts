/**
 * Every image the real Linux kernel and ndctl/sgdisk/mkfs.ext4 wrote in a QEMU guest: inspect must
 * report the namespaces, modes, sizes, offsets, partitions and file systems the guest reported
 * (fixtures/linux/*\/expected.json), never compared with nvtool's own output.
 */
import { describe, expect, it } from 'vitest';
import { NIL_GUID } from '../../src/core/guid.js';
import { all, blkidExport, inspectBytes, linuxFixtureNames, loadLinuxFixture, ofKind } from './helpers.js';

describe('inspect on kernel-written images', () => {
  for (const name of linuxFixtureNames()) {
    it(name, () => {
      const { image, expected, reports } = loadLinuxFixture(name);
      const rl = reports.read_labels.json;
      // A blank label area (fixtures/linux/blank) carries no signature to probe for: QEMU's label-size is given, as a user would.
      const blank = rl.index[0].signature === '';
      const { layers, stats } = inspectBytes(image, blank ? { labelSize: expected.image.labelSize } : {});
      // The label area: where the guest's QEMU put it, in the format read-labels printed.
      const [area] = ofKind(layers, 'label-area');
      expect(area!.offset).toBe(expected.image.labelAreaOffset);
      expect(area!.length).toBe(expected.image.labelSize);
      expect(area!.fields.version).toBe(blank ? null : `${rl.index[0].major}.${rl.index[0].minor}`);
      expect(area!.fields.nslot).toBe(blank ? null : rl.index[0].nslot);
      // Namespaces as `ndctl list -N` reported them after a cold boot.
      const sysfs: Record<string, string> = reports.sysfs;
      const regionStart = BigInt(sysfs['region0/resource']!);
      const listed: any[] = reports.ndctl_list.json.regions.flatMap((r: any) => r.namespaces ?? []);
      const nss = ofKind(layers, 'namespace');
      expect(nss.length).toBe(listed.length);
      for (const want of listed) {
        const ns = nss.find((n) => n.fields.dev === want.dev)!;
        expect(ns, want.dev).toBeDefined();
        expect(ns.fields.mode).toBe(want.mode);
        expect(ns.fields.size).toBe(want.size);
        // A label-less (io) namespace has no uuid in ndctl list; nvtool shows the nil uuid Linux compares info blocks with.
        expect(ns.fields.uuid).toBe(want.raw_uuid ?? want.uuid ?? NIL_GUID);
        expect(ns.fields.labelled).toBe((want.raw_uuid ?? want.uuid) !== undefined);
        if (want.raw_uuid) expect(ns.fields.deviceUuid).toBe(want.uuid);
        expect(ns.fields.name).toBe(want.name ?? '');
        if (want.blockdev) expect(ns.fields.blockdev).toBe(want.blockdev);
        if (want.sector_size && want.mode === 'sector') expect(ns.fields.sectorSize).toBe(want.sector_size);
        if (want.align) expect(ns.fields.align).toBe(want.align);
        // Offsets: the namespace's resource in the region (DPA 0 = file offset 0, one DIMM).
        expect(BigInt(ns.offset)).toBe(BigInt(sysfs[`${want.dev}/resource`]!) - regionStart);
        expect(ns.length).toBe(Number(sysfs[`${want.dev}/size`] ?? ns.length));
        const holder = sysfs[`${want.dev}/holder`];
        if (holder?.startsWith('pfn') || holder?.startsWith('dax')) {
          const kind = want.mode === 'fsdax' ? 'pfn-info' : 'dax-info';
          const info = ns.children.find((c) => c.kind === kind)!;
          expect(info.offset).toBe(ns.offset + 4096);
          expect(info.fields.uuid).toBe(sysfs[`${holder}/uuid`]);
          if (want.mode === 'fsdax') expect(BigInt(ns.fields.dataOffset as number)).toBe(BigInt(sysfs[`${holder}/resource`]!) - regionStart);
        }
        if (holder?.startsWith('btt')) {
          const btt = ns.children.find((c) => c.kind === 'btt')!;
          expect(btt.fields.uuid).toBe(sysfs[`${holder}/uuid`]);
          expect(ns.fields.size).toBe(Number(sysfs[`${holder}/size`]));
        }
      }
      // Partitions and file systems, as sfdisk and blkid saw them on /dev/pmem0.
      const parts = ofKind(layers, 'partition');
      const table = reports.sfdisk_json?.json?.partitiontable;
      expect(parts.length).toBe(table?.partitions.length ?? 0);
      if (table) {
        const [gpt] = ofKind(layers, 'gpt');
        const ns = nss[0]!;
        expect(gpt!.offset).toBe(ns.fields.dataOffset);
        expect(String(gpt!.fields.diskGuid).toUpperCase()).toBe(table.id);
        expect(gpt!.fields.firstUsableLba).toBe(table.firstlba);
        expect(gpt!.fields.lastUsableLba).toBe(table.lastlba);
        for (const [i, p] of table.partitions.entries()) {
          const l = parts[i]!;
          expect(l.fields.device).toBe(p.node.replace('/dev/', ''));
          expect(l.fields.startLba).toBe(p.start);
          expect(l.fields.sectors).toBe(p.size);
          expect(String(l.fields.typeGuid).toUpperCase()).toBe(p.type);
          expect(String(l.fields.uniqueGuid).toUpperCase()).toBe(p.uuid);
          expect(l.fields.name).toBe(p.name);
          expect(l.offset).toBe((ns.fields.dataOffset as number) + p.start * table.sectorsize);
        }
        const pt = blkidExport(reports.blkid_pmem0.stdout);
        expect(gpt!.fields.diskGuid).toBe(pt.PTUUID);
        const fsb = blkidExport(reports.blkid_pmem0p1.stdout);
        const [fs] = ofKind(layers, 'filesystem');
        expect(fs!.fields.type).toBe(fsb.TYPE);
        expect(fs!.fields.label).toBe(fsb.LABEL);
        expect(fs!.fields.uuid).toBe(fsb.UUID);
        expect(fs!.fields.blockSize).toBe(Number(fsb.BLOCK_SIZE));
        expect(fs!.offset).toBe(parts[0]!.offset);
      } else {
        expect(ofKind(layers, 'filesystem')).toEqual([]);
      }
      // A kernel-made image explains itself without errors, and only metadata was read.
      const errors = all(layers).flatMap((l) => l.findings).filter((f) => f.severity === 'error');
      expect(errors).toEqual([]);
      expect(stats.bytesRead).toBeLessThan(512 * 1024);
    });
  }
});

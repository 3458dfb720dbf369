import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';
import { inTempDirAsync } from '../support/iasl.js';
import { validateCliJson } from '../support/schemas.js';

/**
 * `IMAGE --namespace UUID` on decode and inspect, against what the guest reported for the
 * kernel-written fsdax namespace with a GPT and ext4 on /dev/pmem0 (fixtures/linux).
 */
const dir = join(REPO, 'fixtures/linux/gpt-ext4-fsdax-v1.2');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  reboot: { reports: Record<string, { stdout: string }> };
};
const ndctl = JSON.parse(expected.reboot.reports.ndctl_list!.stdout) as { regions: { namespaces: { raw_uuid?: string; uuid: string; size: number }[] }[] };
const ns = ndctl.regions[0]!.namespaces[0]!;
const sfdisk = JSON.parse(expected.reboot.reports.sfdisk_json!.stdout).partitiontable as { id: string; partitions: { start: number; size: number }[] };
const blkid = Object.fromEntries(expected.reboot.reports.blkid_pmem0p1!.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));

describe('--namespace views (kernel-written fsdax + GPT + ext4)', () => {
  it('inspect --namespace explains /dev/pmem0 as the guest saw it', async () => {
    await inTempDirAsync(async (tmp) => {
      const img = join(tmp, 'image.img');
      writeFileSync(img, gunzipSync(readFileSync(join(dir, 'image.img.gz'))));
      for (const uuid of [ns.raw_uuid!, ns.uuid]) {
        const r = await runCli(['inspect', img, '--namespace', uuid, '--json']);
        expect(r.code).toBe(0);
        const report = validateCliJson('inspect', r.stdout) as { size: number; layers: { kind: string; offset: number; fields: Record<string, unknown>; children: unknown[] }[] };
        expect(report.size).toBe(ns.size);
        const gpt = report.layers.find((l) => l.kind === 'gpt')!;
        expect(String(gpt.fields.diskGuid).toUpperCase()).toBe(sfdisk.id);
        const part = report.layers.find((l) => l.kind === 'partition')!;
        expect(part.offset).toBe(sfdisk.partitions[0]!.start * 512);
        expect(part.fields.sectors).toBe(sfdisk.partitions[0]!.size);
        const fs = part.children.find((c) => (c as { kind: string }).kind === 'filesystem') as { fields: Record<string, unknown> };
        expect([fs.fields.type, fs.fields.label, fs.fields.uuid]).toEqual([blkid.TYPE, blkid.LABEL, blkid.UUID]);
      }
    });
  });

  it('decode --namespace reads the view: the protective MBR sgdisk wrote on /dev/pmem0', async () => {
    await inTempDirAsync(async (tmp) => {
      const img = join(tmp, 'image.img');
      writeFileSync(img, gunzipSync(readFileSync(join(dir, 'image.img.gz'))));
      const r = await runCli(['decode', img, '--namespace', ns.raw_uuid!, '--format', 'mbr', '--json', '--window-size', '4096']);
      expect(r.code).toBe(0);
      const doc = (validateCliJson('decode', r.stdout) as any) as { value: { partitions: { osType: number; startingLba?: number; startLba?: number }[] } };
      expect(doc.value.partitions[0]!.osType).toBe(0xee);
      const unknown = await runCli(['decode', img, '--namespace', '00000000-1111-2222-3333-444444444444']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    });
  });
});

/**
 * `IMAGE --namespace UUID` on the host: the GPT sgdisk wrote on a kernel-made fsdax namespace's
 * /dev/pmem0 (fixtures/linux/gpt-ext4-fsdax-v1.2) lists as the guest's sfdisk/sgdisk reported it;
 * the Xen claim goes through the labels engine; usage errors. The kernel's view of what these
 * commands write is test/disk/namespace-guest.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { namespacesOf, readLabelArea } from '../../src/labels/index.js';
import { XEN_PMEM_CLAIM_CLASS_GUID } from '../../src/xen/superblock.js';
import { loadFixture } from '../infoblocks/helpers.js';
import { nvtool, workDir } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const w = workDir('nvtool-ns-');
afterAll(() => w.cleanup());

function copy(name: string) {
  const fx = loadFixture(name);
  const file = join(w.dir, `${name}.img`);
  writeFileSync(file, fx.image);
  return { file, fx, reports: fx.expected.reboot.reports };
}

describe('gpt list IMAGE --namespace UUID on the kernel-written fsdax namespace with an sgdisk GPT', () => {
  const g = copy('gpt-ext4-fsdax-v1.2');
  const ndctlUuid: string = g.fx.listed.uuid; // the pfn device's uuid, as `ndctl list` prints "uuid"
  const labelUuid: string = g.fx.listed.raw_uuid;
  const sf = JSON.parse(g.reports.sfdisk_json.stdout).partitiontable;

  it('--json equals the guest\'s sfdisk --json (device names aside), by either uuid', async () => {
    for (const u of [ndctlUuid, labelUuid]) {
      const r = await nvtool('gpt', 'list', g.file, '--namespace', u, '--label-size', '128K', '--json');
      expect(r.code, r.stderr).toBe(0);
      const mine = (validateCliJson('gpt-list', r.stdout) as any).partitiontable;
      const strip = (t: any) => ({ ...t, device: undefined, partitions: t.partitions.map((p: any) => ({ ...p, node: undefined })) });
      expect(strip(mine)).toEqual(strip(sf));
    }
  });

  it('--dump equals sfdisk --dump and the table equals sgdisk -p (label size probed)', async () => {
    const r = await nvtool('gpt', 'list', g.file, '--namespace', ndctlUuid, '--dump');
    expect(r.code, r.stderr).toBe(0);
    const norm = (s: string) => s.replaceAll('/dev/pmem0p', 'PART').replaceAll('/dev/pmem0', 'DEV');
    expect(norm(r.stdout.replaceAll(`${g.file}1`, '/dev/pmem0p1').replaceAll(g.file, '/dev/pmem0')).trim()).toBe(norm(g.reports.sfdisk_dump.stdout).trim());
    const p = await nvtool('gpt', 'list', g.file, '--namespace', ndctlUuid);
    const sg: string = g.reports.sgdisk.stdout;
    // what sgdisk -p says about the disk: sector count, GUID, usable range, partition row
    expect(p.stdout).toContain(/Disk \/dev\/pmem0: (\d+ sectors, [\d.]+ MiB)/.exec(sg)![1]);
    expect(p.stdout).toContain(/Disk identifier \(GUID\): (\S+)/.exec(sg)![1]);
    expect(p.stdout).toContain(/(First usable sector is \d+, last usable sector is \d+)/.exec(sg)![1]);
    const row = /^\s+1\s+(\d+)\s+(\d+)\s+([\d.]+ MiB)\s+8300\s+(\S+)$/m.exec(sg)!;
    expect(p.stdout).toMatch(new RegExp(`^\\s+1\\s+${row[1]}\\s+${row[2]}\\s+${row[3]!.replace('.', '\\.')}\\s+.*${row[4]}$`, 'm'));
    const v = await nvtool('gpt', 'verify', g.file, '--namespace', ndctlUuid);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/No problems found/);
  });

  it('usage: unknown uuid (2), --namespace with --offset (2), --label-size without --namespace (2)', async () => {
    const u = await nvtool('gpt', 'list', g.file, '--namespace', '00000000-1111-4222-8333-444444444444');
    expect(u.code).toBe(2);
    expect(u.stderr.trim().split('\n')).toHaveLength(1);
    expect((await nvtool('gpt', 'list', g.file, '--namespace', ndctlUuid, '--offset', '4M')).code).toBe(2);
    expect((await nvtool('gpt', 'list', g.file, '--label-size', '128K')).code).toBe(2);
  });

  it('xen format --placement namespace refuses an fsdax namespace without --force', async () => {
    const r = await nvtool('xen', 'format', g.file, '--namespace', labelUuid, '--placement', 'namespace', '-q');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fsdax/);
  });
});

describe('xen format --placement namespace on a kernel-made raw namespace', () => {
  it('writes the super block, then the label with our claim class (two passes of the update protocol); inspect/check find it through the label', async () => {
    const x = copy('raw-v1.2');
    const uuid: string = x.fx.listed.uuid;
    const before = readFileSync(x.file);
    const seq0 = readLabelArea(new Uint8Array(before.subarray(before.length - 128 * 1024)));
    const f = await nvtool('xen', 'format', x.file, '--namespace', uuid, '--placement', 'namespace', '-q', '--json');
    expect(f.code, f.stderr).toBe(0);
    const j = (validateCliJson('writes', f.stdout) as any);
    expect(j.claim.labelWrites).toHaveLength(4); // label UPDATING, index, label, index
    expect(j.superBlock.containerUuid).toBe(uuid);
    const after = readFileSync(x.file);
    const view = readLabelArea(new Uint8Array(after.subarray(after.length - 128 * 1024)));
    // two index writes (one per pass): the current block is the same one again, two sequence steps on
    expect(view.current).toBe(seq0.current);
    expect(view.checks[view.current!]!.value.seq).not.toBe(seq0.checks[seq0.current!]!.value.seq);
    const ns = namespacesOf(view).namespaces;
    expect(ns).toHaveLength(1);
    expect(ns[0]).toMatchObject({ uuid, abstractionGuid: XEN_PMEM_CLAIM_CLASS_GUID, claimClass: 'unknown', dpa: 0n, rawsize: 240n * 1024n * 1024n, flags: 0 });
    expect(after.subarray(0, 16).toString('latin1')).toBe('XEN_PMEM_SUPERBK');
    const c = await nvtool('xen', 'check', x.file, '--namespace', uuid);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/claimed for Xen/);
    // a second format is refused without --force
    expect((await nvtool('xen', 'format', x.file, '--namespace', uuid, '--placement', 'namespace', '-q')).code).toBe(2);
    // an unclaimed raw namespace holding no super block: exit 1
    const plain = copy('raw-v1.2'); // (same path: x is checked and done)
    expect((await nvtool('xen', 'check', plain.file, '--namespace', uuid)).code).toBe(1);
  });
});

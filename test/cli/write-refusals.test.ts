/**
 * Writers refuse to overwrite what nvtool recognises unless --force is given: every writing command
 * is pointed at images whose structures real tools wrote (mkfs.ext4, mkfs.xfs, sgdisk, sfdisk, the
 * kernel and ndctl), must exit 2 with one line naming the file and what it would destroy, and must
 * leave every byte as it was (sha256), which the same tools confirm (blkid, e2fsck -n, xfs_repair
 * -n, sgdisk -v, sfdisk --dump). --dry-run with --force lists the writes and still writes nothing;
 * --force then writes.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { requireTool, runTool, runToolStatus } from '../support/tools.js';
import { loadFixture } from '../infoblocks/helpers.js';
import { validateCliJson } from '../support/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'nvtool-refusals-'));
const MiB = 1 << 20;
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

function sparse(name: string, size: number): string {
  const f = join(dir, name);
  writeFileSync(f, new Uint8Array(0));
  truncateSync(f, size);
  return f;
}

/** A kernel-written fixture image on disk, written sparsely (only its non-zero 64 KiB blocks). */
function fixtureImage(name: string): string {
  const { image } = loadFixture(name);
  const f = sparse(`${name}.img`, image.length);
  const fd = openSync(f, 'r+');
  try {
    for (let o = 0; o < image.length; o += 65536) {
      const b = image.subarray(o, o + 65536);
      if (b.some((x) => x !== 0)) writeSync(fd, b, 0, b.length, o);
    }
  } finally {
    closeSync(fd);
  }
  return f;
}

/** Each command must refuse with exit 2 and one line, and leave the image byte-identical. */
async function refuses(img: string, commands: string[][]): Promise<void> {
  const before = sha(img);
  for (const argv of commands) {
    const r = await runCli(argv);
    expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
    // one error line (informational notes such as `nvtool labels: FILE: QEMU backing file...` aside)
    expect(r.stderr.split('\n').filter((l) => l.startsWith('nvtool: ')), argv.join(' ')).toHaveLength(1);
    expect(r.stderr, argv.join(' ')).toMatch(/--force/);
    expect(r.stderr, argv.join(' ')).toContain(img);
    expect(sha(img), argv.join(' ')).toBe(before);
  }
}

const OVER_ANYTHING = (img: string) => [
  ['gpt', 'create', img],
  ['xen', 'format', img, '--placement', 'a', '-q'],
  ['xen', 'format', img, '--placement', 'c', '-q'],
  ['namespace', 'format', img, '--mode', 'sector'],
  ['namespace', 'format', img, '--mode', 'fsdax'],
  ['labels', 'init', img, '--label-size', '128K'],
];

describe('writers refuse without --force, and nothing changes (real tools check)', () => {
  const blkid = requireTool('blkid', 'util-linux');
  const e2fsck = requireTool('e2fsck', 'e2fsprogs');
  const mkfsExt4 = requireTool('mkfs.ext4', 'e2fsprogs');
  const mkfsXfs = requireTool('mkfs.xfs', 'xfsprogs');
  const xfsRepair = requireTool('xfs_repair', 'xfsprogs');
  const sgdisk = requireTool('sgdisk', 'gdisk');
  const sfdisk = requireTool('sfdisk', 'fdisk');

  it('an ext4 file system (mkfs.ext4): every writer refuses; e2fsck -n and blkid still see it', async () => {
    const img = sparse('ext4.img', 64 * MiB);
    runTool(mkfsExt4, ['-q', '-F', '-L', 'keep', img]);
    await refuses(img, OVER_ANYTHING(img));
    expect(runTool(blkid, ['-o', 'value', '-s', 'TYPE', img]).trim()).toBe('ext4');
    expect(runToolStatus(e2fsck, ['-n', '-f', img]).status).toBe(0);
  });

  it('an XFS file system (mkfs.xfs): every writer refuses; xfs_repair -n and blkid still see it', async () => {
    const img = sparse('xfs.img', 320 * MiB);
    runTool(mkfsXfs, ['-q', '-f', img]);
    await refuses(img, OVER_ANYTHING(img));
    expect(runTool(blkid, ['-o', 'value', '-s', 'TYPE', img]).trim()).toBe('xfs');
    expect(runToolStatus(xfsRepair, ['-n', '-f', img]).status).toBe(0);
  });

  it('a GPT (sgdisk): every writer that would replace it refuses; sgdisk -v finds no problem', async () => {
    const img = sparse('gpt.img', 64 * MiB);
    runTool(sgdisk, ['-n', '1:2048:+16M', '-t', '1:8300', img]);
    await refuses(img, OVER_ANYTHING(img));
    expect(runToolStatus(sgdisk, ['-v', img]).stdout).toMatch(/No problems found/);
  });

  it('an MBR partition table (sfdisk): every writer refuses; sfdisk --dump is unchanged', async () => {
    const img = sparse('mbr.img', 64 * MiB);
    runTool(sfdisk, ['-q', img], { input: Buffer.from('label: dos\n,16M,L\n') });
    const dump = runTool(sfdisk, ['--dump', img]);
    await refuses(img, OVER_ANYTHING(img));
    expect(runTool(sfdisk, ['--dump', img])).toBe(dump);
  });

  it('label areas and an fsdax info block the kernel wrote: writers over them refuse', async () => {
    const img = fixtureImage('fsdax-v1.2');
    await refuses(img, [
      ['gpt', 'create', img],
      ['xen', 'format', img, '--placement', 'c', '-q'],
      ['namespace', 'format', img, '--mode', 'sector', '--label-size', '0'],
      ['labels', 'init', img, '--label-size', '128K'],
    ]);
  });

  it('an ext4 inside a partition inside an fsdax namespace (kernel + sgdisk + mkfs.ext4): writers through the namespace refuse', async () => {
    const fx = loadFixture('gpt-ext4-fsdax-v1.2');
    const img = fixtureImage('gpt-ext4-fsdax-v1.2');
    const ns = fx.listed.uuid as string;
    await refuses(img, [
      ['gpt', 'create', img, '--namespace', ns],
      ['xen', 'format', img, '--namespace', ns, '--placement', 'a', '-q'],
      ['xen', 'format', img, '--namespace', ns, '--placement', 'c', '-q'],
    ]);
  });

  it('a Xen super block: writers over it refuse', async () => {
    const img = sparse('xen.img', 64 * MiB);
    expect((await runCli(['xen', 'format', img, '--placement', 'c', '-q', '--container-uuid', '11111111-2222-4333-8444-555555555555'])).code).toBe(0);
    await refuses(img, [
      ['gpt', 'create', img],
      ['namespace', 'format', img, '--mode', 'sector'],
      ['xen', 'format', img, '--placement', 'c', '-q'],
      ['labels', 'init', img, '--label-size', '128K'],
    ]);
  });

  it('--dry-run lists each write and writes nothing; --force then writes what it listed (sgdisk -v clean)', async () => {
    const img = sparse('force.img', 64 * MiB);
    runTool(mkfsExt4, ['-q', '-F', img]);
    const before = sha(img);
    const dry = await runCli(['gpt', 'create', img, '--force', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = (validateCliJson('writes', dry.stdout) as any) as { schemaVersion: number; dryRun: boolean; writes: { file: string; offset: number; length: number; what: string }[] };
    expect(plan).toMatchObject({ schemaVersion: 1, dryRun: true });
    expect(plan.writes.map((w) => [w.offset, w.length])).toEqual([[0, 17408], [64 * MiB - 16896, 16896]]);
    expect(plan.writes.every((w) => w.file === img && w.what.length > 0)).toBe(true);
    expect(sha(img)).toBe(before);
    const r = await runCli(['gpt', 'create', img, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(runToolStatus(sgdisk, ['-v', img]).stdout).toMatch(/No problems found/);
  });

  it('decode --json of what refused writers left is still valid (schema)', async () => {
    const img = sparse('hdr.img', 64 * MiB);
    runTool(sgdisk, ['-o', img]);
    const r = await runCli(['decode', img, '--json', '--format', 'mbr']);
    validateCliJson('decode', r.stdout);
  });
});

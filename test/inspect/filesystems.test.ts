/**
 * File-system signatures against the host tools that wrote them and blkid reading them back
 * (independent oracle for name, label, uuid); an MBR made by sfdisk; QEMU's ACPI tables; the CLI.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { inspectFile } from '../../src/inspect/index.js';
import { mkfsExt4, run } from './build.js';
import { all, blkidExport, ofKind } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';
import { toJsonText } from '../../src/cli/io.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-fs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const makers: { type: string; size: number; make: (p: string) => void }[] = [
  { type: 'xfs', size: 320 * MiB, make: (p) => run('mkfs.xfs', ['-q', '-f', '-L', 'nvxfs', p], 'xfsprogs') },
  { type: 'swap', size: 64 * MiB, make: (p) => run('mkswap', ['-L', 'nvswap', p], 'util-linux') },
  { type: 'btrfs', size: 256 * MiB, make: (p) => run('mkfs.btrfs', ['-q', '-f', '-L', 'nvbtrfs', p], 'btrfs-progs') },
  { type: 'ext2', size: 32 * MiB, make: (p) => run('mkfs.ext2', ['-q', '-F', '-L', 'nvext2', p], 'e2fsprogs') },
  { type: 'ext3', size: 32 * MiB, make: (p) => run('mkfs.ext3', ['-q', '-F', '-L', 'nvext3', p], 'e2fsprogs') },
];

describe('file systems, named as blkid names them', () => {
  for (const m of makers) {
    it(m.type, () => {
      const p = join(dir, `${m.type}.img`);
      writeFileSync(p, '');
      truncateSync(p, m.size);
      m.make(p);
      const want = blkidExport(run('blkid', ['-p', '-o', 'export', p], 'util-linux'));
      const { report, stats } = inspectFile(p);
      const [fs] = ofKind(report.layers, 'filesystem');
      expect(fs, JSON.stringify(report.layers)).toBeDefined();
      expect(fs!.offset).toBe(0);
      expect(fs!.fields.type).toBe(want.TYPE);
      expect(fs!.fields.label).toBe(want.LABEL);
      expect(fs!.fields.uuid).toBe(want.UUID);
      if (want.FSSIZE) expect(Number(fs!.fields.size)).toBeGreaterThanOrEqual(Number(want.FSSIZE));
      expect(Number(fs!.fields.size)).toBeLessThanOrEqual(m.size);
      expect(all(report.layers).flatMap((l) => l.findings).filter((f) => f.severity === 'error')).toEqual([]);
      expect(stats.bytesRead).toBeLessThan(16 * 1024);
      validateCliJson('inspect', toJsonText({ schemaVersion: 1, ...report })); // the fields of this file system's type, exactly
      rmSync(p);
    });
  }

  it('an MBR made by sfdisk, with ext4 in partition 1 and swap in partition 2', () => {
    const p = join(dir, 'mbr.img');
    writeFileSync(p, '');
    truncateSync(p, 96 * MiB);
    try {
      execFileSync('sfdisk', ['-q', p], { input: 'label: dos\nstart=2048, size=65536, type=83\nstart=67584, size=65536, type=82\n', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('sfdisk is not installed (Debian package fdisk)');
      throw e;
    }
    mkfsExt4(p, 2048 * 512, 65536 * 512, 'mbr-ext4');
    // mkswap 2.38 has no --offset: make the swap area in its own file and copy its header page in.
    const sp = join(dir, 'swap-part.img');
    writeFileSync(sp, '');
    truncateSync(sp, 65536 * 512);
    run('mkswap', ['-L', 'mbr-swap', sp], 'util-linux');
    const fd = openSync(p, 'r+');
    writeSync(fd, readFileSync(sp).subarray(0, 4096), 0, 4096, 67584 * 512);
    closeSync(fd);
    const sf = JSON.parse(run('sfdisk', ['--json', p], 'fdisk')).partitiontable;
    const { report } = inspectFile(p);
    const [mbr] = ofKind(report.layers, 'mbr');
    expect(mbr!.fields.diskSignature).toBe(sf.id);
    const parts = ofKind(report.layers, 'partition');
    expect(parts.map((x) => [x.fields.startLba, x.fields.sectors, String(x.fields.osType).replace('0x', '')])).toEqual(sf.partitions.map((q: any) => [q.start, q.size, q.type]));
    const fss = ofKind(report.layers, 'filesystem');
    expect(fss.map((f) => [f.fields.type, f.fields.label, f.offset])).toEqual([['ext4', 'mbr-ext4', 2048 * 512], ['swap', 'mbr-swap', 67584 * 512]]);
    const sw = blkidExport(run('blkid', ['-p', '-o', 'export', '-O', String(67584 * 512), p], 'util-linux'));
    expect(fss[1]!.fields.uuid).toBe(sw.UUID);
  });
});

describe('ACPI tables and the CLI', () => {
  it('QEMU NFIT and SSDT are decoded', () => {
    const nfit = inspectFile(join(import.meta.dirname, '../../fixtures/qemu/pc-2dimm/NFIT.aml')).report.layers[0]!;
    expect(nfit.kind).toBe('acpi-table');
    expect((nfit.fields.nfit as any).spaRanges.length).toBe(2);
    const ssdt = inspectFile(join(import.meta.dirname, '../../fixtures/qemu/pc-2dimm/SSDT-NVDIMM.aml')).report.layers[0]!;
    expect(ssdt.fields.signature).toBe('SSDT');
    expect((ssdt.fields.aml as any).devicesAndMethods.join(' ')).toMatch(/NVDR/);
  });

  it('nvtool inspect --json prints { schemaVersion, file, size, layers } and --svg writes a picture', async () => {
    const p = join(dir, 'cli.img');
    writeFileSync(p, '');
    truncateSync(p, 48 * MiB);
    mkfsExt4(p, 0, 48 * MiB, 'clifs');
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => (out.push(String(s)), true));
    try {
      expect(await main(['inspect', p, '--json', '--svg', join(dir, 'x.svg')])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const j = validateCliJson('inspect', out.join('')) as any;
    expect(Object.keys(j)).toEqual(['schemaVersion', 'file', 'size', 'layers']);
    expect(j.layers[0]).toMatchObject({ kind: 'filesystem', offset: 0, fields: { type: 'ext4', label: 'clifs' } });
    expect(Object.keys(j.layers[0])).toEqual(['kind', 'offset', 'length', 'label', 'fields', 'findings', 'children']);
    expect(readFileSync(join(dir, 'x.svg'), 'utf8')).toMatch(/^<svg[\s\S]*clifs[\s\S]*<\/svg>\n$/);
  });
});

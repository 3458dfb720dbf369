import { closeSync, copyFileSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockIO, MemoryBlockIO } from '../../src/core/blockio.js';
import { decodeStruct, encodeStruct } from '../../src/core/schema/index.js';
import { mbr } from '../../src/disk/mbr.js';
import { readGpt, verifyGpt } from '../../src/disk/table.js';
import { requireTool, runTool, runToolStatus } from '../support/tools.js';
import { MiB, nvtool, workDir } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const sgdisk = requireTool('sgdisk', 'gdisk');
const sfdisk = requireTool('sfdisk', 'fdisk');
const w = workDir('nvtool-gpt-');
afterAll(() => w.cleanup());

interface SfJson {
  partitiontable: { label: string; id: string; firstlba?: number; lastlba?: number; sectorsize: number; partitions: Record<string, unknown>[] };
}
const sfJson = (img: string): SfJson => JSON.parse(runTool(sfdisk, ['--json', img])) as SfJson;

/** sgdisk -v's verdict: number of problems (0 for "No problems found"). */
function sgdiskProblems(img: string): number {
  const out = runToolStatus(sgdisk, ['-v', img]).stdout;
  const m = /Identified (\d+) problems/.exec(out);
  if (m) return Number(m[1]);
  if (/No problems found/.test(out)) return 0;
  throw new Error(`unexpected sgdisk -v output: ${out}`);
}

function patchByte(img: string, at: number, xor = 0x01): void {
  const b = readFileSync(img).subarray(at, at + 1);
  const fd = openSync(img, 'r+');
  writeSync(fd, Uint8Array.of(b[0]! ^ xor), 0, 1, at);
  closeSync(fd);
}

function decodeFile(img: string, ss: 512 | 4096 = 512) {
  const io = new FileBlockIO(img, false);
  try {
    return readGpt(io, ss);
  } finally {
    io.close();
  }
}

describe('GPT written by sgdisk decodes to what sgdisk -p and sfdisk --json print', () => {
  it('three partitions with names, attributes and several types', () => {
    const img = w.image('sg.img', 64 * MiB);
    runTool(sgdisk, [
      '-n', '1:2048:+10M', '-t', '1:8300', '-c', '1:hello',
      '-n', '2:0:+5M', '-t', '2:ef00', '-c', '2:EFI Sÿstem ☃',
      '-n', '5:0:0', '-t', '5:8200', '-A', '5:set:2', '-A', '5:set:60',
      img,
    ]);
    const d = decodeFile(img);
    const sf = sfJson(img).partitiontable;
    expect(d.source).toBe('primary');
    expect(d.mbrKind).toBe('protective');
    expect(d.header!.diskGuid.toUpperCase()).toBe(sf.id);
    expect(Number(d.header!.firstUsableLba)).toBe(sf.firstlba);
    expect(Number(d.header!.lastUsableLba)).toBe(sf.lastlba);
    const ours = d.partitions.map((p) => ({
      start: Number(p.startLba), size: Number(p.endLba - p.startLba + 1n), type: p.typeGuid.toUpperCase(), uuid: p.uniqueGuid.toUpperCase(), name: p.name,
    }));
    expect(ours).toEqual(sf.partitions.map((p) => ({ start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name ?? '' })));
    expect(d.partitions.map((p) => p.number)).toEqual([1, 2, 5]);
    // sgdisk -p: "Main partition table begins at sector 2 and ends at sector 33", backup header at the last LBA
    const p = runTool(sgdisk, ['-p', img]);
    expect(p).toMatch(/Main partition table begins at sector 2 and ends at sector 33/);
    expect(d.header!.partitionEntryLba).toBe(2n);
    expect(d.backup.header!.myLba).toBe(BigInt(64 * MiB / 512 - 1));
    expect(d.partitions[2]!.attributes).toBe((1n << 2n) | (1n << 60n));
    // nvtool's own outputs in sfdisk's layouts
    return Promise.all([nvtool('gpt', 'list', img, '--json'), nvtool('gpt', 'list', img, '--dump')]).then(([j, dump]) => {
      const mine = (validateCliJson('gpt-list', j.stdout) as any) as SfJson;
      expect(mine.partitiontable.partitions).toEqual(sf.partitions);
      expect(dump.stdout).toBe(runTool(sfdisk, ['--dump', img]));
      expect(verifyGpt(d).filter((f) => f.severity === 'error')).toEqual([]);
    });
  });

  it('the protective MBR sgdisk wrote round-trips byte for byte and matches formats.md', () => {
    const img = w.image('pmbr.img', 64 * MiB);
    runTool(sgdisk, ['-o', img]);
    const lba0 = readFileSync(img).subarray(0, 512);
    const v = decodeStruct(mbr, lba0).value;
    expect(encodeStruct(mbr, v)).toEqual(new Uint8Array(lba0));
    expect(Buffer.from(lba0.subarray(446, 462)).toString('hex')).toBe('00000200ee28200801000000ffff0100');
  });
});

describe('MBR written by sfdisk decodes to what sfdisk --json prints', () => {
  it('dos label with a bootable partition', async () => {
    const img = w.image('dos.img', 64 * MiB);
    runTool(sfdisk, [img], { input: Buffer.from('label: dos\nlabel-id: 0x12345678\nstart=2048, size=4096, type=83, bootable\nstart=8192, type=7\n') } as never);
    const lba0 = readFileSync(img).subarray(0, 512);
    const v = decodeStruct(mbr, lba0).value;
    expect(encodeStruct(mbr, v)).toEqual(new Uint8Array(lba0));
    const sf = sfJson(img).partitiontable;
    const mine = (validateCliJson('gpt-list', (await nvtool('gpt', 'list', img, '--json')).stdout) as any) as SfJson;
    expect(mine.partitiontable.id).toBe(sf.id);
    expect(mine.partitiontable.partitions).toEqual(sf.partitions);
  });
});

describe('GPT written by nvtool passes sgdisk -v and sfdisk shows the same partitions', () => {
  it('create + add + add + delete + add', async () => {
    const img = join(w.dir, 'nv.img');
    expect((await nvtool('gpt', 'create', img, '--image-size', '64M')).code).toBe(0);
    expect((await nvtool('gpt', 'add', img, '--start', '2048', '--part-size', '10M', '--type', '8300', '--name', 'data')).code).toBe(0);
    expect((await nvtool('gpt', 'add', img, '--part-size', '8M', '--type', 'swap', '--name', 'swäp')).code).toBe(0);
    expect((await nvtool('gpt', 'add', img, '--type', 'esp')).code).toBe(0);
    expect((await nvtool('gpt', 'delete', img, '--number', '2')).code).toBe(0);
    expect((await nvtool('gpt', 'add', img, '--part-size', '4M', '--type', '0fc63daf-8483-4772-8e79-3d69d8477de4', '--number', '7')).code).toBe(0);
    const v = runToolStatus(sgdisk, ['-v', img]);
    expect(v.stdout).toMatch(/No problems found/);
    expect(v.stdout).not.toMatch(/Warning|Problem/);
    const sf = sfJson(img).partitiontable;
    const mine = (validateCliJson('gpt-list', (await nvtool('gpt', 'list', img, '--json')).stdout) as any) as SfJson;
    expect(mine.partitiontable.partitions).toEqual(sf.partitions);
    expect(sf.partitions.map((p) => [p.node, p.start, p.size, p.name ?? ''])).toEqual([
      [`${img}1`, 2048, 20480, 'data'],
      [`${img}3`, 38912, 131038 - 38912 + 1, ''],
      [`${img}7`, 22528, 8192, ''],
    ]);
    // sgdisk reads the same header values
    const p = runTool(sgdisk, ['-p', img]);
    expect(p).toMatch(/First usable sector is 34, last usable sector is 131038/);
    expect(p).toContain(`Disk identifier (GUID): ${mine.partitiontable.id}`);
  });

  it('refuses to write over an existing table or partition data without --force', async () => {
    const img = w.image('force.img', 16 * MiB);
    runTool(sgdisk, ['-n', '1:2048:0', img]);
    const r = await nvtool('gpt', 'create', img);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --force/);
    expect((await nvtool('gpt', 'create', img, '--force')).code).toBe(0);
    const fd = openSync(img, 'r+');
    writeSync(fd, Buffer.from('some filesystem'), 0, 15, 2048 * 512 + 1024);
    closeSync(fd);
    const a = await nvtool('gpt', 'add', img, '--start', '2048');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/already hold data/);
    expect((await nvtool('gpt', 'add', img, '--start', '2048', '--force')).code).toBe(0);
    expect(sgdiskProblems(img)).toBe(0);
  });
});

describe('damaged copies: nvtool verify agrees with sgdisk -v, repair makes sgdisk -v clean', () => {
  const ss = 512;
  const total = (64 * MiB) / ss;
  const cases: [string, number][] = [
    ['main header', ss + 60],
    ['main entry array', 2 * ss + 100],
    ['backup header', (total - 1) * ss + 60],
    ['backup entry array', (total - 33) * ss + 100],
    ['main header signature', ss],
  ];
  let base = '';
  it.each(cases)('%s', async (_what, at) => {
    if (!base) {
      base = join(w.dir, 'base.img');
      w.image('base.img', 64 * MiB);
      runTool(sgdisk, ['-n', '1:2048:+10M', '-c', '1:one', '-n', '2:0:+10M', '-t', '2:8e00', base]);
    }
    const img = join(w.dir, `damaged-${at}.img`);
    copyFileSync(base, img);
    patchByte(img, at, 0x20);
    const expected = sgdiskProblems(img);
    const d = decodeFile(img);
    const ours = verifyGpt(d).filter((f) => f.severity === 'error').length;
    expect(ours).toBe(expected);
    const v = await nvtool('gpt', 'verify', img);
    expect(v.code).toBe(1); // damaged either way
    const r = await nvtool('gpt', 'repair', img);
    expect(r.code).toBe(0);
    expect(sgdiskProblems(img)).toBe(0);
    expect(runToolStatus(sgdisk, ['-v', img]).stdout).not.toMatch(/CRC|invalid/i);
    // a repaired copy is rebuilt exactly as sgdisk wrote it
    expect(Buffer.compare(readFileSync(img), readFileSync(base))).toBe(0);
    expect((await nvtool('gpt', 'verify', img)).code).toBe(0);
  });

  it('a disk that grew: backup not at the end (sgdisk counts a problem), repair moves it', async () => {
    const img = join(w.dir, 'grown.img');
    w.image('grown.img', 32 * MiB);
    runTool(sgdisk, ['-n', '1:2048:+4M', img]);
    truncateSync(img, 48 * MiB); // the disk grows
    const d = decodeFile(img);
    expect(verifyGpt(d).filter((f) => f.severity === 'error').length).toBe(sgdiskProblems(img));
    expect((await nvtool('gpt', 'repair', img)).code).toBe(0);
    expect(sgdiskProblems(img)).toBe(0);
  });
});

describe('in-memory containers', () => {
  it('a BlockIO over memory reads the same table as the file', () => {
    const img = w.image('mem.img', 8 * MiB);
    runTool(sgdisk, ['-n', '1:2048:0', img]);
    const a = readGpt(new MemoryBlockIO(new Uint8Array(readFileSync(img))), 512);
    expect(a.partitions).toEqual(decodeFile(img).partitions);
  });
});

/**
 * MBR extended partitions: the logical partitions of an EBR chain host sfdisk wrote, numbered as
 * Linux numbers them (5 and up), against `sfdisk --json` on the same file; damaged chains (a loop,
 * a link outside the device, a long chain of empty EBRs) end with findings, never a hang or a throw.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFile, walk, type Layer } from '../../src/inspect/index.js';
import { mkfsExt4, run } from './build.js';
import { all, blkidExport, inspectBytes, ofKind } from './helpers.js';

const MiB = 1024 * 1024;
let dir: string;
let path: string;
let sf: any;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-ebr-'));
  path = join(dir, 'ext.img');
  writeFileSync(path, '');
  truncateSync(path, 64 * MiB);
  try {
    execFileSync('sfdisk', ['-q', path], { input: 'label: dos\nstart=2048, size=16MiB, type=83\nstart=34816, type=5\nsize=16MiB, type=83\nsize=8MiB, type=82\n,,83\n', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('sfdisk is not installed (Debian package fdisk)');
    throw e;
  }
  sf = JSON.parse(run('sfdisk', ['--json', path], 'fdisk')).partitiontable;
  const p5 = sf.partitions.find((p: any) => p.node === `${path}5`);
  mkfsExt4(path, p5.start * 512, p5.size * 512, 'logical-ext4');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const numberOf = (node: string) => Number(node.slice(path.length));
const codes = (ls: readonly Layer[]) => all(ls).flatMap((l) => l.findings.map((f) => f.code));

describe('MBR extended partitions', () => {
  it('lists the logical partitions sfdisk wrote, numbered 5+, with what they hold', () => {
    const { report } = inspectFile(path);
    const ls = report.layers;
    expect(all(ls).flatMap((l) => l.findings)).toEqual([]);
    const parts = ofKind(ls, 'partition');
    expect(parts.map((p) => p.fields.number)).toEqual(sf.partitions.map((p: any) => numberOf(p.node)));
    for (const p of sf.partitions) {
      const n = numberOf(p.node);
      const l = parts.find((x) => x.fields.number === n)!;
      expect(l.fields).toMatchObject({ table: 'mbr', startLba: p.start, sectors: p.size, device: `disk${n}` });
      expect(l.fields.osType).toBe(`0x${p.type}`);
      expect(l.offset).toBe(p.start * 512);
      if (n >= 5) expect(l.fields.logical).toBe(true);
    }
    // Logical partitions and their EBRs nest inside the extended partition.
    const ext = parts.find((x) => x.fields.number === 2)!;
    expect(ext.children.filter((c) => c.kind === 'partition').map((c) => c.fields.number)).toEqual([5, 6, 7]);
    const ebrs = ext.children.filter((c) => c.kind === 'mbr');
    expect(ebrs.map((e) => e.fields.kind)).toEqual(['ebr', 'ebr', 'ebr']);
    expect(ebrs[0]!.offset).toBe(ext.offset);
    // What is in logical partition 5, as blkid reads it there.
    const p5 = parts.find((x) => x.fields.number === 5)!;
    const fsb = blkidExport(run('blkid', ['-p', '-o', 'export', '-O', String(p5.offset), path], 'util-linux'));
    const [fs] = p5.children;
    expect(fs!.fields).toMatchObject({ type: fsb.TYPE, label: fsb.LABEL, uuid: fsb.UUID });
  });

  const load = () => new Uint8Array(readFileSync(path));
  const ebrLbas = () => {
    const { layers } = inspectBytes(load());
    return ofKind(layers, 'mbr').filter((m) => m.fields.kind === 'ebr').map((m) => m.fields.lba as number);
  };
  const setEntry = (img: Uint8Array, lba: number, slot: number, type: number, start: number, size: number) => {
    const dv = new DataView(img.buffer, img.byteOffset + lba * 512 + 446 + 16 * slot, 16);
    dv.setUint8(4, type);
    dv.setUint32(8, start, true);
    dv.setUint32(12, size, true);
  };

  it('a chain that loops back ends with an error finding, each partition listed once', () => {
    const [first, , last] = ebrLbas();
    const img = load();
    setEntry(img, last!, 1, 0x05, 0, 2048); // link back to the first EBR (relative to the extended partition)
    expect(first).toBeDefined();
    const { layers } = inspectBytes(img);
    expect(codes(layers)).toContain('ebr-loop');
    expect(ofKind(layers, 'partition').map((p) => p.fields.number)).toEqual([1, 2, 5, 6, 7]);
  });

  it('a link outside the device, and a data entry far away, are findings', () => {
    const [, second] = ebrLbas();
    const img = load();
    setEntry(img, second!, 1, 0x05, 0x7fffffff, 2048);
    setEntry(img, second!, 0, 0x83, 0x7ffffff0, 0x10000);
    const { layers } = inspectBytes(img);
    expect(codes(layers)).toEqual(expect.arrayContaining(['ebr-outside', 'partition-outside']));
    for (const { layer } of walk(layers)) for (const f of layer.findings) expect(f.offset).toBeLessThan(img.length);
  });

  it('fast-check: mutated partition records of the MBR and the EBRs never crash inspect, and reads stay bounded', () => {
    const img = load();
    const records = [0, ...ebrLbas()].map((lba) => lba * 512 + 446);
    const mutation = fc.record({
      at: fc.nat({ max: records.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat({ max: 65 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 10 }),
    });
    fc.assert(
      fc.property(mutation, ({ at, edits }) => {
        const saved: [number, number][] = [];
        for (const [pos, v] of edits) {
          const o = records[at]! + pos;
          saved.push([o, img[o]!]);
          img[o] = v;
        }
        try {
          const { layers, stats } = inspectBytes(img);
          for (const { layer } of walk(layers)) {
            expect(layer.offset >= 0 && layer.offset < img.length).toBe(true);
            for (const f of layer.findings) expect(Number.isInteger(f.offset) && f.offset >= 0 && f.offset < img.length, f.message).toBe(true);
          }
          expect(stats.reads).toBeLessThan(2000);
        } finally {
          for (const [o, v] of saved.reverse()) img[o] = v;
        }
      }),
      { numRuns: 150, seed: Number(process.env.NVTOOL_SEED ?? 6) },
    );
  }, 60_000);

  it('a long chain of empty EBRs stops after 100 links, as Linux does', () => {
    const img = new Uint8Array(2 * MiB);
    setEntry(img, 0, 0, 0x05, 1, 4000);
    img[510] = 0x55;
    img[511] = 0xaa;
    for (let k = 0; k < 300; k++) {
      setEntry(img, 1 + k, 1, 0x05, k + 1, 1); // each EBR only links to the next one
      img[(1 + k) * 512 + 510] = 0x55;
      img[(1 + k) * 512 + 511] = 0xaa;
    }
    const t0 = performance.now();
    const { layers, stats } = inspectBytes(img);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(codes(layers)).toContain('ebr-chain-too-long');
    expect(ofKind(layers, 'mbr').filter((m) => m.fields.kind === 'ebr').length).toBe(100);
    expect(stats.reads).toBeLessThan(200);
  });
});

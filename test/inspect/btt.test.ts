/**
 * What is inside a sector-mode (BTT) device: a GPT (src/disk) and a host mkfs.ext4 written through
 * nvtool's BTT writer onto a label-less sector namespace, inspected, and compared with sfdisk and
 * blkid run on a plain file holding the same logical device bytes (read back through the BTT
 * reader, the way Linux reads /dev/pmem0s after opening the BTT). A torn write the flog must
 * complete is read the way Linux reads it after recovery, without writing the image.
 */
import { copyFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { Btt } from '../../src/infoblocks/btt.js';
import { CountingReader, inspectFile, inspectReader, renderDiagram, renderHexdump, renderSvg, renderTree, walk, type Layer } from '../../src/inspect/index.js';
import { buildSectorImage, run } from './build.js';
import { all, blkidExport, inspectBytes, ofKind } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const PART_SIZE = 32 * MiB;
let dir: string;
let image: string;
let torn: string;

/** The logical device of the (only) BTT in a label-less image, as Linux reads it, into a plain file. */
function logicalDevice(path: string, out: string): number {
  const btt = Btt.open(new MemoryBlockIO(new Uint8Array(readFileSync(path))), { version: { major: 1, minor: 1 } });
  const fd = openSync(out, 'w');
  for (let lba = 0; lba < btt.nlba; lba++) {
    const s = btt.read(lba);
    if (s.some((b) => b !== 0)) writeSync(fd, s, 0, s.length, lba * btt.sectorSize);
  }
  closeSync(fd);
  run('truncate', ['-s', String(btt.size), out], 'coreutils');
  return btt.size;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nvtool-inspect-btt-'));
  image = join(dir, 'sector.img');
  const { btt, store } = buildSectorImage(image, SIZE, { partSize: PART_SIZE, fsLabel: 'btt-ext4' }, dir);
  // The torn copy: LBA 1 (primary GPT header) zeroed, then rewritten, and the map entry of that
  // last write put back to the zeroed block, as if power went out between flog and map update.
  const header = btt.read(1);
  btt.write(1, new Uint8Array(512));
  const a = btt.arenas[0]!;
  const before = btt.readMapRaw(a, 1);
  btt.write(1, header);
  store.close();
  torn = join(dir, 'torn.img');
  copyFileSync(image, torn);
  const mapAt = a.base + Number(a.info.mapoff) + 4;
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, before, true);
  const tfd = openSync(torn, 'r+');
  writeSync(tfd, b, 0, 4, mapAt);
  closeSync(tfd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkAgainstOracle(path: string): Layer[] {
  const plain = join(dir, 'plain.img');
  logicalDevice(path, plain);
  const table = JSON.parse(run('sfdisk', ['--json', plain], 'fdisk')).partitiontable;
  const pt = blkidExport(run('blkid', ['-p', '-o', 'export', plain], 'util-linux'));
  const p1 = table.partitions[0];
  const fsb = blkidExport(run('blkid', ['-p', '-o', 'export', '-O', String(p1.start * 512), plain], 'util-linux'));
  const fileBytes = new Uint8Array(readFileSync(path));
  const plainBytes = new Uint8Array(readFileSync(plain));

  const before = new Uint8Array(readFileSync(path));
  const { report, stats } = inspectFile(path);
  expect(Buffer.compare(new Uint8Array(readFileSync(path)), before), 'inspect never writes').toBe(0);
  const ls = report.layers;
  const [ns] = ofKind(ls, 'namespace');
  expect(ns!.fields).toMatchObject({ mode: 'sector', blockdev: 'pmem0s', sectorSize: 512 });
  expect((ns!.fields.blockDevice as any).space).toBe('btt');
  // The GPT, as sfdisk and blkid read the logical bytes.
  const [gpt, backup] = ofKind(ls, 'gpt');
  expect(pt.PTTYPE).toBe('gpt');
  expect(gpt!.fields.diskGuid).toBe(pt.PTUUID);
  expect(String(gpt!.fields.diskGuid).toUpperCase()).toBe(table.id);
  expect(gpt!.fields.firstUsableLba).toBe(table.firstlba);
  expect(gpt!.fields.lastUsableLba).toBe(table.lastlba);
  expect(gpt!.fields).toMatchObject({ deviceSpace: 'btt', deviceOffset: 0, headerCrcOk: true, arrayCrcOk: true });
  expect(backup!.fields.deviceSpace).toBe('btt');
  // Layer offsets are file offsets of the bytes that hold them: the same bytes the device shows there.
  for (const l of [gpt!, backup!]) {
    const dev = l.fields.deviceOffset as number;
    expect(Buffer.compare(fileBytes.subarray(l.offset, l.offset + 512), plainBytes.subarray(dev, dev + 512)), l.label).toBe(0);
  }
  const parts = ofKind(ls, 'partition');
  expect(parts.length).toBe(table.partitions.length);
  for (const [i, p] of table.partitions.entries()) {
    const l = parts[i]!;
    expect(l.fields).toMatchObject({ device: `pmem0s${i + 1}`, startLba: p.start, sectors: p.size, name: p.name, deviceOffset: p.start * table.sectorsize, deviceSpace: 'btt' });
    expect(String(l.fields.typeGuid).toUpperCase()).toBe(p.type);
    expect(String(l.fields.uniqueGuid).toUpperCase()).toBe(p.uuid);
    expect(l.length).toBe(p.size * table.sectorsize);
  }
  const [fs] = ofKind(ls, 'filesystem');
  expect(fs!.fields).toMatchObject({ type: fsb.TYPE, label: fsb.LABEL, uuid: fsb.UUID, blockSize: Number(fsb.BLOCK_SIZE), deviceOffset: p1.start * 512, deviceSpace: 'btt' });
  // Every layer and finding names a real file offset; the BTT's data area was not read whole.
  for (const { layer } of walk(ls)) {
    expect(layer.offset).toBeGreaterThanOrEqual(0);
    expect(layer.offset).toBeLessThan(SIZE);
    for (const f of layer.findings) expect(f.offset >= 0 && f.offset < SIZE, f.message).toBe(true);
  }
  expect(stats.bytesRead).toBeLessThan(256 * 1024);
  return ls;
}

describe('inside a BTT (sector mode)', () => {
  it('GPT and ext4 written through the BTT are reported as sfdisk and blkid see the logical device', () => {
    const ls = checkAgainstOracle(image);
    expect(all(ls).flatMap((l) => l.findings).filter((f) => f.severity !== 'info')).toEqual([]);
    // Drawn in the device's space: the tree says both offsets, the diagram nests them in the arena.
    const tree = renderTree('sector.img', SIZE, ls);
    expect(tree).toMatch(/partition @btt:0x4400 \(file @0x[0-9a-f]+\)/);
    const diagram = renderDiagram(SIZE, ls, 120);
    expect(diagram.split('\n')[2]).toMatch(/gpt/);
    expect(diagram.split('\n')[3]).toMatch(/fs|ext4/);
  });

  it('a torn write the flog completes is read as Linux reads it after recovery, and the image is not written', () => {
    // Without recovery, LBA 1 still reads as the zeroed block: the test really needs the flog.
    const stale = Btt.open(new MemoryBlockIO(new Uint8Array(readFileSync(torn))), { version: { major: 1, minor: 1 }, recover: false });
    expect(stale.read(1).every((b) => b === 0)).toBe(true);
    const ls = checkAgainstOracle(torn);
    const recovered = all(ls).flatMap((l) => l.findings).filter((f) => f.code === 'flog-recovery');
    expect(recovered.length).toBe(1);
    expect(ofKind(ls, 'gpt')[0]!.fields.copy).toBe('primary');
  });

  it('a sector whose map entry has the error flag (-EIO in Linux) is a finding, not a crash', () => {
    const img = new Uint8Array(readFileSync(image));
    const [arena] = ofKind(inspectReader(CountingReader.fromBytes(img)).report.layers, 'btt');
    const at = (arena!.fields.mapOffset as number) + 4; // map entry of LBA 1 (primary GPT header)
    const dv = new DataView(img.buffer, img.byteOffset + at, 4);
    dv.setUint32(0, ((dv.getUint32(0, true) & 0x3fffffff) | 0x40000000) >>> 0, true);
    const { layers } = inspectBytes(img);
    const found = all(layers).flatMap((l) => l.findings);
    expect(found.map((f) => f.code)).toContain('gpt-unreadable');
    for (const f of found) expect(f.offset >= 0 && f.offset < img.length).toBe(true);
  });

  it('fast-check: mutations of the BTT metadata and of the sectors inside never crash inspect; offsets stay in the file', () => {
    const img = new Uint8Array(readFileSync(torn));
    const clean = inspectReader(CountingReader.fromBytes(img)).report.layers;
    const [arena] = ofKind(clean, 'btt');
    // Where mutations land: 8 KiB at every layer (device-space layers: the sector holding their start
    // and what follows in the file), the map, the flog, and anywhere at all.
    const targets = [
      ...all(clean).map((l) => ({ at: Math.max(0, l.offset - 4096), len: 8192 })),
      { at: arena!.fields.mapOffset as number, len: 4096 },
      { at: arena!.fields.logOffset as number, len: 256 * 64 },
    ];
    const mutation = fc.record({
      target: fc.nat({ max: targets.length }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
    });
    fc.assert(
      fc.property(mutation, ({ target, edits }) => {
        const t = targets[target] ?? { at: 0, len: img.length };
        const saved: [number, number][] = [];
        for (const [pos, v] of edits) {
          const at = Math.min(img.length - 1, t.at + (pos % Math.max(1, t.len)));
          saved.push([at, img[at]!]);
          img[at] = v;
        }
        try {
          const r = CountingReader.fromBytes(img);
          const { report, dumps } = inspectReader(r);
          for (const { layer } of walk(report.layers)) {
            expect(layer.offset >= 0 && layer.offset < img.length).toBe(true);
            for (const f of layer.findings) expect(Number.isInteger(f.offset) && f.offset >= 0 && f.offset < img.length, f.message).toBe(true);
          }
          renderTree('m', img.length, report.layers);
          renderDiagram(img.length, report.layers);
          renderSvg('m', img.length, report.layers);
          renderHexdump(report.layers, dumps, (o, n) => r.read(o, n));
          expect(r.stats.bytesRead).toBeLessThan(4 * 1024 * 1024);
        } finally {
          for (const [at, v] of saved.reverse()) img[at] = v;
        }
      }),
      { numRuns: 120, seed: Number(process.env.NVTOOL_SEED ?? 6) },
    );
  }, 60_000);

  it('--hexdump shows structures inside the BTT with device offsets, read through the map', () => {
    const r = CountingReader.openFile(image);
    try {
      const { report, dumps } = inspectReader(r);
      const text = renderHexdump(report.layers, dumps, (o, n) => r.read(o, n));
      expect(text).toMatch(/GPT header \(primary\) \(offsets on \/dev\/pmem0s\)/);
      expect(text).toMatch(/0x200 +45 46 49 20 50 41 52 54/); // "EFI PART" at device offset 512
    } finally {
      r.close();
    }
  });
});

/**
 * The BTT data path: random sector writes read back equal (against a plain model), free-block
 * rotation, flog recovery after torn updates as Linux's btt_freelist_init()/btt_log_get_old() rules
 * say, multi-arena layouts, and the (0,2) log slot scheme of kernels before 4.15.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileBlockIO, MemoryBlockIO, type BlockIO } from '../../src/core/blockio.js';
import { Btt } from '../../src/infoblocks/btt.js';
import { ARENA_MAX_SIZE, planArenas } from '../../src/infoblocks/bttLayout.js';
import { LOG_ENT_SIZE, LOG_GRP_SIZE, MAP_ENT_NORMAL, detectLogIndices, logEntry, logOldEntry, type LogGroup } from '../../src/infoblocks/bttLog.js';
import { crashPoints, type MediaWrite } from '../../src/core/mediaWrites.js';
import { decodeStruct } from '../../src/core/schema/index.js';

const MiB = 1024 * 1024;
const UUID = '0f0e0d0c-0b0a-0908-0706-050403020100';
const V11 = { major: 1, minor: 1 } as const;

function fresh(size = 16 * MiB + 4096, lbasize = 512): { store: MemoryBlockIO; btt: Btt } {
  const store = new MemoryBlockIO(new Uint8Array(size));
  return { store, btt: Btt.create(store, { uuid: UUID, lbasize, version: V11 }) };
}

const pattern = (n: number, tag: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + tag * 13 + (i >> 8)) & 0xff);

describe('BTT sector I/O', () => {
  it('random writes read back equal, also after reopening (property, against a Map model)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 255 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 60 }), (ops) => {
        const { store, btt } = fresh();
        const model = new Map<number, Uint8Array>();
        for (const [lba0, tag, lane] of ops) {
          const lba = lba0 * 997 % btt.nlba;
          const d = pattern(btt.sectorSize, tag);
          btt.write(lba, d, lane);
          model.set(lba, d);
        }
        const again = Btt.open(store);
        for (const b of [btt, again]) {
          for (const [lba, d] of model) expect(Buffer.from(b.read(lba)).equals(Buffer.from(d))).toBe(true);
          expect(b.read(btt.nlba - 1).every((x) => x === 0)).toBe(true);
        }
        // every post-map block is distinct and the free blocks are the ones no map entry uses
        const used = new Set<number>();
        for (let l = 0; l < btt.nlba; l++) used.add(again.lookup(l).postmap);
        expect(used.size).toBe(btt.nlba);
        for (let lane = 0; lane < 256; lane++) expect(used.has(again.freeBlock(0, lane))).toBe(false);
      }),
      { numRuns: 25, seed: 42 },
    );
  });

  it('free-block rotation: the old block becomes the lane free block; the flog alternates slots with seq 1->2->3->1', () => {
    const { btt } = fresh();
    const nlba = btt.nlba;
    expect(btt.freeBlock(0, 0)).toBe(nlba); // initial free block of lane 0 = external_nlba + 0
    btt.write(3, pattern(512, 1));
    expect(btt.lookup(3).postmap).toBe(nlba);
    expect(btt.freeBlock(0, 0)).toBe(3);
    let g = btt.logGroup(0, 0);
    expect(g.ent[1]).toEqual({ lba: 3, oldMap: 3, newMap: nlba, seq: 2 });
    btt.write(3, pattern(512, 2));
    g = btt.logGroup(0, 0);
    expect(g.ent[0]).toEqual({ lba: 3, oldMap: nlba, newMap: 3, seq: 3 });
    btt.write(9, pattern(512, 3));
    g = btt.logGroup(0, 0);
    expect(g.ent[1]).toEqual({ lba: 9, oldMap: 9, newMap: nlba, seq: 1 });
    expect(Buffer.from(btt.read(3)).equals(Buffer.from(pattern(512, 2)))).toBe(true);
  });

  it('the map entry after a write is normal (Z=E=1) with the new block', () => {
    const { btt } = fresh();
    btt.write(0, pattern(512, 9));
    const a = btt.arenas[0]!;
    const raw = btt.readMapRaw(a, 0);
    expect(raw >>> 0).toBe((MAP_ENT_NORMAL | btt.nlba) >>> 0);
  });
});

/** Records every write a BTT issues (and passes it on). */
class RecordingStore implements BlockIO {
  readonly writes: MediaWrite[] = [];
  constructor(readonly inner: BlockIO) {}
  get size() {
    return this.inner.size;
  }
  read(o: number, n: number) {
    return this.inner.read(o, n);
  }
  write(o: number, d: Uint8Array) {
    this.writes.push({ offset: o, bytes: d.slice(), what: `${d.length} bytes at ${o}` });
    this.inner.write(o, d);
  }
  flush() {}
}

describe('torn sector writes recover as Linux says (every crash point)', () => {
  const { store, btt } = fresh();
  const before = pattern(512, 1);
  const after = pattern(512, 2);
  btt.write(7, before);
  const image = store.bytes.slice();
  const a = btt.arenas[0]!;
  const free = btt.freeBlock(0, 0);
  const old = btt.lookup(7).postmap;
  // Lane 0 holds {seq 1} in slot 0 (btt_log_init) and {seq 2} in slot 1 (the first write): the
  // older one, slot 0, is overwritten with seq 3.
  const slot = a.logIndices[0];
  const rec = new RecordingStore(new MemoryBlockIO(image.slice()));
  Btt.open(rec).write(7, after);

  it("a write is btt_write_pg's I/O and nothing more: data into the free block, the flog entry, the map entry", () => {
    // Linux: btt_data_write, btt_flog_write (__btt_log_write: two 8-byte halves of one entry), btt_map_write.
    expect(rec.writes.map((w) => [w.offset, w.bytes.length])).toEqual([
      [a.base + Number(a.info.dataoff) + free * a.info.internalLbasize, 512],
      [a.base + Number(a.info.logoff) + slot * LOG_ENT_SIZE, LOG_ENT_SIZE],
      [a.base + Number(a.info.mapoff) + 7 * 4, 4],
    ]);
    expect(decodeStruct(logEntry, rec.writes[1]!.bytes).value).toEqual({ lba: 7, oldMap: old, newMap: free, seq: 3 });
    expect(new DataView(rec.writes[2]!.bytes.buffer).getUint32(0, true)).toBe((MAP_ENT_NORMAL | free) >>> 0);
  });

  // Power cut after every write and inside every write at 8-byte steps (a pmem store's atomic unit,
  // and the halves Linux writes the flog entry in). Expected (btt_freelist_init, btt_log_get_old):
  // until the flog entry's second half (new_map, seq) is on media the old entry is the newest and
  // the old data is read; once it is, the new data is read, from the map or completed from the flog.
  const points = [...crashPoints([image], rec.writes, () => 0, 8)];
  it(`${points.length} crash points: old or new data as the flog says, no block both mapped and free, the next write lands`, () => {
    expect(points.length).toBeGreaterThan(rec.writes.length + 64);
    for (const p of points) {
      const flogDone = p.completed >= 2;
      const re = Btt.open(new MemoryBlockIO(p.devices[0]!));
      const where = `after ${p.completed} writes${p.torn !== undefined ? ` + ${p.torn} bytes` : ''}`;
      expect(Buffer.from(re.read(7)).equals(Buffer.from(flogDone ? after : before)), where).toBe(true);
      expect(re.findings.some((f) => f.code === 'flog-recovery'), where).toBe(p.completed === 2);
      const used = new Set<number>();
      for (let l = 0; l < re.nlba; l++) used.add(re.lookup(l).postmap);
      expect(used.size, where).toBe(re.nlba);
      for (let lane = 0; lane < 256; lane++) expect(used.has(re.freeBlock(0, lane)), where).toBe(false);
      re.write(7, pattern(512, 3));
      expect(Buffer.from(Btt.open(new MemoryBlockIO(p.devices[0]!)).read(7)).equals(Buffer.from(pattern(512, 3))), where).toBe(true);
    }
  });
});

describe('flog slot schemes and sequence rules (btt.c log_set_indices, btt_log_get_old)', () => {
  const e = (lba: number, o: number, n: number, seq: number) => ({ lba, oldMap: o, newMap: n, seq });
  const z = () => e(0, 0, 0, 0);
  it('initial state everywhere -> (0,1)', () => {
    const g: LogGroup[] = [{ ent: [e(0, 10, 10, 1), z(), z(), z()] }, { ent: [e(1, 11, 11, 1), z(), z(), z()] }];
    expect(detectLogIndices(g)).toEqual([0, 1]);
  });
  it('a used lane with entries in slots 0 and 2 -> (0,2) (kernels before 4.15)', () => {
    const g: LogGroup[] = [{ ent: [e(0, 10, 10, 1), z(), z(), z()] }, { ent: [e(1, 11, 5, 2), z(), e(5, 5, 11, 3), z()] }];
    expect(detectLogIndices(g)).toEqual([0, 2]);
  });
  it('entries in slots (1,3) are an unknown scheme', () => {
    expect(typeof detectLogIndices([{ ent: [z(), e(1, 2, 3, 1), z(), e(1, 3, 2, 2)] }])).toBe('string');
  });
  it('old entry by sequence: (1,2)->0 old, (3,1)->0 old, (2,3)->0 old, (3,2)->1 old; equal or sum>5 corrupt', () => {
    const grp = (a: number, b: number): LogGroup => ({ ent: [e(0, 1, 1, a), e(0, 1, 1, b), z(), z()] });
    expect(logOldEntry(grp(1, 2), [0, 1])).toBe(0);
    expect(logOldEntry(grp(3, 1), [0, 1])).toBe(0);
    expect(logOldEntry(grp(2, 3), [0, 1])).toBe(0);
    expect(logOldEntry(grp(3, 2), [0, 1])).toBe(1);
    expect(logOldEntry(grp(1, 0), [0, 1])).toBe(1);
    expect(typeof logOldEntry(grp(2, 2), [0, 1])).toBe('string');
    expect(typeof logOldEntry(grp(3, 3), [0, 1])).toBe('string');
  });
  it('a BTT whose flog uses (0,2) keeps using slot 2 for writes', () => {
    const { store, btt } = fresh();
    const a = btt.arenas[0]!;
    // lane 5 was used by an old kernel: entries in slots 0 and 2
    const lo = a.base + Number(a.info.logoff) + 5 * LOG_GRP_SIZE;
    const nlba = btt.nlba;
    const dv = new DataView(new ArrayBuffer(64));
    [[5, nlba + 5, 5, 1], [0, 0, 0, 0], [5, 5, nlba + 5, 2], [0, 0, 0, 0]].forEach((ent, i) => ent.forEach((x, j) => dv.setUint32(i * 16 + j * 4, x, true)));
    store.write(lo, new Uint8Array(dv.buffer));
    // the map must agree with the newest entry (lba 5 -> block nlba+5)
    const mo = a.base + Number(a.info.mapoff) + 5 * 4;
    const m = new Uint8Array(4);
    new DataView(m.buffer).setUint32(0, (MAP_ENT_NORMAL | (nlba + 5)) >>> 0, true);
    store.write(mo, m);
    const re = Btt.open(store);
    expect(re.arenas[0]!.logIndices).toEqual([0, 2]);
    expect(re.findings.some((f) => f.code === 'old-log-scheme')).toBe(true);
    re.write(1, pattern(512, 4), 5);
    const g = re.logGroup(0, 5);
    expect(g.ent[0]).toEqual({ lba: 1, oldMap: 1, newMap: 5, seq: 3 });
    expect(g.ent[1]).toEqual(z());
  });
});

describe('layout and large namespaces', () => {
  it('several arenas: 512 GiB each, tail under 16 MiB dropped, nextoff chain', () => {
    const raw = 2 * ARENA_MAX_SIZE + 100 * MiB + 12345;
    const p = planArenas(raw, 4096);
    expect(p.map((a) => a.size)).toEqual([ARENA_MAX_SIZE, ARENA_MAX_SIZE, 100 * MiB + 12345]);
    expect(p.map((a) => a.nextoff)).toEqual([ARENA_MAX_SIZE, ARENA_MAX_SIZE, 0]);
    expect(planArenas(ARENA_MAX_SIZE + 10 * MiB, 512).map((a) => a.nextoff)).toEqual([0]);
  });

  it('a 1 TiB + 64 MiB sparse file: format, write in the last arena, reopen, read back (never loaded whole)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nvtool-btt-'));
    try {
      const f = join(dir, 'big.img');
      const fd = openSync(f, 'w');
      ftruncateSync(fd, 1024 * 1024 * MiB + 64 * MiB);
      closeSync(fd);
      const s = FileBlockIO.open(f, true);
      const btt = Btt.create(s, { uuid: UUID, lbasize: 4096, version: V11 });
      expect(btt.arenas.length).toBe(3);
      const last = btt.nlba - 1;
      btt.write(last, pattern(4096, 77));
      btt.write(0, pattern(4096, 78));
      s.close();
      const s2 = FileBlockIO.open(f, false);
      const re = Btt.open(s2);
      expect(re.arenas.map((a) => a.info.nextoff > 0n)).toEqual([true, true, false]);
      expect(Buffer.from(re.read(last)).equals(Buffer.from(pattern(4096, 77)))).toBe(true);
      expect(Buffer.from(re.read(0)).equals(Buffer.from(pattern(4096, 78)))).toBe(true);
      expect(re.lookup(last).arena).toBe(2);
      s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

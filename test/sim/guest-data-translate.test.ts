/**
 * The guest data path's translation (`gpaPieces`, `GuestPmemIO`) against a reference model that
 * walks byte by byte: random p2m layouts (runs of pages on two host images, holes, label runs that
 * must not count), random stores and reads anywhere around a vNVDIMM. A byte of a mapped page lands
 * exactly where the model puts it; a byte of a page with no p2m entry is dropped (Xen 4.17: type
 * p2m_mmio_dm, emulated MMIO no ioreq server claims, null_write) and reads as 0xff (null_read's ~0);
 * nothing faults. The pieces cover the range in guest order and the unclaimed ones are the model's holes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { gpaPieces, type GuestMappingView, type GuestRunView } from '../../src/sim/guestMappings.js';
import { GuestPmemIO } from '../../src/sim/guest/dataPath.js';

const PAGE = 4096;
const BASE = 0x100000000n;
const HOST_PAGES = 48;
const IMAGES = ['host/a.img', 'host/b.img'];

interface Layout {
  pages: number;
  /** Per guest page: undefined (hole) or [image index, host page]. */
  map: ([number, number] | undefined)[];
  runs: GuestRunView[];
}

/** Runs of consecutive guest pages on consecutive host pages of one image, host pages never reused. */
const layouts: fc.Arbitrary<Layout> = fc
  .record({
    pieces: fc.array(fc.record({ len: fc.integer({ min: 1, max: 4 }), hole: fc.boolean(), img: fc.nat(1) }), { minLength: 1, maxLength: 8 }),
    order: fc.shuffledSubarray([...Array(HOST_PAGES / 4).keys()], { minLength: HOST_PAGES / 4, maxLength: HOST_PAGES / 4 }),
    label: fc.boolean(),
  })
  .map(({ pieces, order, label }) => {
    const map: Layout['map'] = [];
    const runs: GuestRunView[] = [];
    let slot = 0;
    for (const p of pieces) {
      const gStart = map.length;
      if (p.hole) {
        for (let i = 0; i < p.len; i++) map.push(undefined);
        continue;
      }
      const hostPage = order[slot++]! * 4; // each run gets its own 4-page block of host pages
      for (let i = 0; i < p.len; i++) map.push([p.img, hostPage + i]);
      const g = BASE + BigInt(gStart * PAGE);
      const spa = 0x200000000n + BigInt(p.img) * 0x10000000n + BigInt(hostPage * PAGE);
      const len = BigInt(p.len * PAGE);
      runs.push({ type: 'data', guest: { start: g, end: g + len - 1n }, hostSpa: { start: spa, end: spa + len - 1n }, pages: p.len, image: IMAGES[p.img]!, imageOffset: BigInt(hostPage * PAGE) });
    }
    // label pages are owned, not in the p2m: a label run over a hole must not make it readable
    const hole = map.findIndex((m) => m === undefined);
    if (label && hole >= 0) {
      const g = BASE + BigInt(hole * PAGE);
      runs.push({ type: 'label', guest: { start: g, end: g + 4095n }, hostSpa: { start: 0x300000000n, end: 0x300000fffn }, pages: 1, image: IMAGES[0]!, imageOffset: 0n });
    }
    return { pages: map.length, map, runs };
  });

function open(l: Layout) {
  const images = IMAGES.map(() => new MemoryBlockIO(new Uint8Array(HOST_PAGES * PAGE)));
  const view: GuestMappingView = { guest: 'g', status: 'running', vnvdimms: [{ id: 'nvdimm1', slot: 0, guest: { start: BASE, end: BASE + BigInt(l.pages * PAGE) - 1n }, runs: l.runs }], other: [] };
  const io = new GuestPmemIO(view, BASE, l.pages * PAGE, (rel) => images[IMAGES.indexOf(rel)]!);
  return { images, view, io };
}

/** Where guest byte `gpa` is in the model: [image, offset] or undefined. */
function where(l: Layout, gpa: bigint): [number, number] | undefined {
  const rel = gpa - BASE;
  if (rel < 0n || rel >= BigInt(l.pages * PAGE)) return undefined;
  const m = l.map[Number(rel / 4096n)];
  return m && [m[0], m[1] * PAGE + Number(rel % 4096n)];
}

describe('guest-physical translation against a byte-by-byte model', () => {
  it('stores land where the model puts them and are dropped at unmapped pages; reads equal the model, all ones where unmapped', () => {
    fc.assert(
      fc.property(layouts, fc.array(fc.record({ at: fc.integer({ min: -2 * PAGE, max: 40 * PAGE }), len: fc.integer({ min: 0, max: 3 * PAGE }), fill: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 6 }), (l, ops) => {
        const { images, view, io } = open(l);
        const model = IMAGES.map(() => new Uint8Array(HOST_PAGES * PAGE));
        for (const op of ops) {
          const gpa = BASE + BigInt(op.at);
          const data = Uint8Array.from({ length: op.len }, (_, i) => (op.fill + i) & 0xff);
          let stored = 0;
          for (let i = 0; i < op.len; i++) {
            const w = where(l, gpa + BigInt(i));
            if (!w) continue;
            model[w[0]]![w[1]] = data[i]!;
            stored++;
          }
          const before = io.writes.length;
          const droppedBefore = io.dropped.length;
          io.storeAt(gpa, data);
          expect(io.writes.slice(before).reduce((n, s) => n + Number(s.length), 0)).toBe(stored);
          expect(io.dropped.slice(droppedBefore).reduce((n, s) => n + Number(s.length), 0)).toBe(op.len - stored);
          images.forEach((img, i) => expect(Buffer.compare(Buffer.from(img.bytes), Buffer.from(model[i]!))).toBe(0));
          // a read of the same range inside the vNVDIMM
          const off = Math.max(0, Math.min(op.at, l.pages * PAGE));
          const n = Math.min(op.len, l.pages * PAGE - off);
          const mapped = Array.from({ length: n }, (_, i) => where(l, BASE + BigInt(off + i)));
          expect([...io.read(off, n)]).toEqual(mapped.map((m) => (m ? model[m[0]]![m[1]]! : 0xff)));
          // the pieces cover the range in guest order; the unclaimed ones are exactly the model's holes
          const pieces = gpaPieces(view, gpa, BigInt(op.len));
          expect(pieces.reduce((a, s) => a + s.length, 0n)).toBe(BigInt(op.len));
          pieces.forEach((s, i) => i && expect(s.gpa).toBe(pieces[i - 1]!.gpa + pieces[i - 1]!.length));
          for (const p of pieces) {
            for (const b of [p.gpa, p.gpa + p.length - 1n]) {
              const w = where(l, b);
              if (p.kind === 'unclaimed') expect(w).toBeUndefined();
              else expect([IMAGES.indexOf(p.image), Number(p.imageOffset + (b - p.gpa))]).toEqual(w);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

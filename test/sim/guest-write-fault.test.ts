/**
 * A sector-mode write refused part way: the guest's write through the BTT is several stores (the
 * data block, then the flog and map entries); when a later one reaches a p2m entry whose host frame
 * no host image backs, the earlier stores stay. The outcome must count exactly the host bytes that
 * changed: checked against a byte-by-byte comparison of the host image before and after, not
 * against the write code's own accounting.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBlockIO, WindowBlockIO } from '../../src/core/blockio.js';
import { Btt } from '../../src/infoblocks/btt.js';
import { formatNamespace } from '../../src/namespace/format.js';
import { labellessNamespace } from '../../src/namespace/labelsGlue.js';
import type { GuestMappingView, GuestRunView } from '../../src/sim/guestMappings.js';
import { GuestPmemIO, type GuestPmem } from '../../src/sim/guest/dataPath.js';
import { guestWrite } from '../../src/sim/guest/write.js';

const PAGE = 4096;
const SIZE = 32 * 1024 * 1024;
const BASE = 0x100000000n;

function run(gPage: number, pages: number, image: string | undefined): GuestRunView {
  const g = BASE + BigInt(gPage * PAGE);
  const len = BigInt(pages * PAGE);
  return {
    type: 'data', guest: { start: g, end: g + len - 1n }, hostSpa: { start: 0x200000000n + BigInt(gPage * PAGE), end: 0x200000000n + BigInt(gPage * PAGE) + len - 1n }, pages,
    ...(image ? { image, imageOffset: BigInt(gPage * PAGE) } : { problem: 'in no host NVDIMM range' }),
  };
}

const viewOf = (runs: GuestRunView[]): GuestMappingView => ({ guest: 'g', status: 'running', vnvdimms: [{ id: 'nvdimm1', slot: 0, guest: { start: BASE, end: BASE + BigInt(SIZE) - 1n }, runs }], other: [] });

describe('guestWrite refused at a frame no host image backs', () => {
  it('counts what the earlier stores of a sector write left in the host image, byte for byte', () => {
    const host = new MemoryBlockIO(new Uint8Array(SIZE));
    const all = new GuestPmemIO(viewOf([run(0, SIZE / PAGE, 'nv0.img')]), BASE, SIZE, () => host);
    const ns = labellessNamespace(all, 0);
    formatNamespace(all, ns, { mode: 'sector', sectorSize: 4096, uuid: '12345678-1234-4234-8234-123456789abc' });
    // the page of the map entry of LBA 0 loses its host frame; the data blocks and the flog keep theirs
    const arena = Btt.open(new WindowBlockIO(host, ns.offset, ns.size)).arenas[0]!;
    const mapPage = Math.floor((ns.offset + arena.base + Number(arena.info.mapoff)) / PAGE);
    const io = new GuestPmemIO(viewOf([run(0, mapPage, 'nv0.img'), run(mapPage, 1, undefined), run(mapPage + 1, SIZE / PAGE - mapPage - 1, 'nv0.img')]), BASE, SIZE, () => host);
    const pmem: GuestPmem = { name: 'g', domid: 1, view: viewOf([]), vnvdimms: [{ id: 'nvdimm1', slot: 0, addr: BASE, io }], close: () => {} };
    const before = host.bytes.slice();
    const o = guestWrite(pmem, [{ vnvdimm: 0, ref: ns }], { namespace: 0, offset: 0n, length: 4096n, pattern: Uint8Array.of(0x77) });
    expect(o.result).toBe('refused');
    expect(o.reason).toMatch(/which no host NVDIMM image backs/);
    let changed = 0;
    for (let i = 0; i < SIZE; i++) if (host.bytes[i] !== before[i]) changed++;
    // the data block (4096 bytes of 0x77 over zeros) landed before the fault; nothing at or after the map page changed
    expect(changed).toBeGreaterThanOrEqual(4096);
    expect(host.bytes.subarray(mapPage * PAGE).every((b, i) => b === before[mapPage * PAGE + i])).toBe(true);
    expect(o.written).toBe(o.host.reduce((s, h) => s + h.length, 0n));
    expect(o.written).toBeGreaterThanOrEqual(BigInt(changed));
    // every changed byte lies in a reported host segment
    for (let i = 0; i < SIZE; i++) if (host.bytes[i] !== before[i]) expect(o.host.some((h) => i >= Number(h.imageOffset) && i < Number(h.imageOffset + h.length)), `byte ${i}`).toBe(true);
  });
});

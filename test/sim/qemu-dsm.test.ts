/**
 * The guest's own NVDIMM SSDT (as hvmloader left it in guests/g1/acpi/) evaluated by the AML
 * interpreter with the simulation's region handlers (openGuestDsm): SystemMemory -> the guest's
 * memory.img, SystemIO 0x0A18 -> the simulated QEMU's DSM handler -> XEN_DMOP_pmem_rw (.bin +
 * trace) -> Xen's checks -> the host image. A label area (index blocks as labels init writes them,
 * then a pattern) is written into the host frames of g1's label pages first; the expected bytes are
 * read back from the host image at those frames' file offset. Status codes and reply layouts are
 * QEMU 7.2 hw/acpi/nvdimm.c's. Hostile calls leave the host image's digest unchanged.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nfitTable } from '../../src/acpi/nfit/table.js';
import { encodeStruct } from '../../src/core/schema/index.js';
import { AmlInterpreter, resultJson } from '../../src/aml/interp/index.js';
import { DSM_STATUS, QEMU_RSVD_HANDLE_ROOT } from '../../src/aml/qemuDsm.js';
import { collectWrites, initArea } from '../../src/labels/index.js';
import { runAll, type SimDir } from '../../src/sim/index.js';
import { hostMappings } from '../../src/sim/host/spa.js';
import { hypercallBytes, hypercallEntries } from '../../src/sim/hypercalls.js';
import { dmopPmemRw, NvdimmDsm } from '../../src/sim/qemu/dsm.js';
import { openGuestDsm, type GuestDsm } from '../../src/sim/qemu/guestDsm.js';
import { loadPermissions } from '../../src/sim/xen/permissions.js';
import { PhysMem } from '../../src/sim/xen/physmem.js';
import { pmemRw } from '../../src/sim/xen/pmemRw.js';
import { XEN_DMOP_pmem_rw, xenDmOp } from '../../src/xen/hypercalls/index.js';
import { sparseDigest } from './helpers.js';

const cfg = (name: string, backend: string) => `name = "${name}"\nbuilder = "hvm"\nmemory = 1032\nvcpus = 2\nvnvdimms = [ 'type=mfn, backend=${backend}, nr_pages=0x8000, nr_label_pages=32' ]\n`;
/** libxl maps the label pages at mfn + nr_pages - nr_label_pages (xen.md §3). */
const LABEL_MFN = 0x110000n + 0x8000n - 32n;
const LABEL_SIZE = 32 * 4096;

let work: string;
let dir: SimDir;
let image: string;
let imageOffset: number;
let g: GuestDsm;
let guest: AmlInterpreter;
let mema: bigint;
let ctx: { perms: ReturnType<typeof loadPermissions>['table']; mem: PhysMem };
let domid: number;
const hostHash = () => sparseDigest(image);
const hostBytes = (at: number, n: number): Uint8Array => {
  const b = new Uint8Array(n);
  const fd = openSync(image, 'r');
  readSync(fd, b, 0, n, at);
  closeSync(fd);
  return b;
};
const int = (value: bigint) => ({ type: 'Integer' as const, value });
const le32 = (...v: number[]) => new Uint8Array(new Uint32Array(v).buffer);
/** A DSM call as the AML makes it: NvdimmDsmIn into the DSM page, its address to the port. */
const dsmCall = (handle: number, fn: number, arg3: Uint8Array = new Uint8Array(0), revision = 1): Uint8Array => {
  g.mem.write(Number(mema), new Uint8Array(4096));
  g.mem.write(Number(mema), new Uint8Array([...le32(handle, revision, fn), ...arg3]));
  g.handlers[1]!.write(0xa18n, 32, mema);
  return g.mem.read(Number(mema), 4096);
};
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'nvtool-dsm-'));
  writeFileSync(join(work, 'g1.cfg'), cfg('g1', '0x110000'));
  writeFileSync(join(work, 'g2.cfg'), cfg('g2', '0x120000'));
  writeFileSync(join(work, 's.json'), JSON.stringify({
    design: 'v4',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '1G', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
    guests: [{ name: 'g1', config: 'g1.cfg' }, { name: 'g2', config: 'g2.cfg' }],
  }));
  dir = await runAll(join(work, 's.json'), join(work, 'run'));
  const maps = hostMappings(dir);
  ctx = { perms: loadPermissions(dir).table, mem: new PhysMem(dir.root, maps.map((m) => ({ spa: m.spa, length: m.length, image: m.dimm.image, fileOffset: m.fileOffset }))) };
  const m = maps.find((x) => LABEL_MFN * 4096n >= x.spa && LABEL_MFN * 4096n < x.spa + x.length)!;
  image = join(dir.root, m.dimm.image);
  imageOffset = Number(m.fileOffset + LABEL_MFN * 4096n - m.spa);
  // a recognisable label area in the host frames of g1's label pages: a pattern, then fresh index blocks
  const area = Uint8Array.from({ length: LABEL_SIZE }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
  for (const w of collectWrites(initArea(area, { version: '1.2', variant: 'linux' })).writes) area.set(w.bytes, w.offset);
  const fd = openSync(image, 'r+');
  writeSync(fd, area, 0, area.length, imageOffset);
  closeSync(fd);
  domid = dir.readJson<{ domid: number }>('guests/g1/xl.json').domid;
  const ssdt = new Uint8Array(readFileSync(dir.path('guests/g1/acpi/SSDT.aml')));
  mema = (new AmlInterpreter([ssdt]).evaluate('\\MEMA') as { value: bigint }).value;
  g = openGuestDsm(dir, 'g1', mema);
  guest = new AmlInterpreter([ssdt], { handlers: g.handlers });
}, 180_000);
afterAll(() => {
  g?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the guest's SSDT label methods through port 0x0A18, QEMU's DSM handler and XEN_DMOP_pmem_rw", () => {
  it('_LSI: status 0, the label size, max transfer 4076 (nvdimm_get_max_xfer_label_size)', () => {
    expect(resultJson(guest.evaluate('\\_SB.NVDR.NV00._LSI'))).toEqual(resultJson({ type: 'Package', elements: [0n, BigInt(LABEL_SIZE), 4076n].map(int) }));
  });

  it('_LSR(0, 256): the host image bytes of the label pages (index block 0), via one DMOP with a .bin and a trace line', () => {
    const before = hypercallEntries(dir).length;
    const r = guest.evaluate('\\_SB.NVDR.NV00._LSR', [int(0n), int(256n)]);
    const want = hostBytes(imageOffset, 256);
    expect(Buffer.from(want.subarray(0, 16)).toString('latin1')).toBe('NAMESPACE_INDEX\0');
    expect(resultJson(r)).toEqual(resultJson({ type: 'Package', elements: [int(0n), { type: 'Buffer', value: want }] }));
    const calls = hypercallEntries(dir).slice(before);
    expect(calls.map((c) => [c.caller, c.op, c.result])).toEqual([['qemu', 'dm_op_pmem_rw', '0']]);
    expect(calls[0]!.args).toMatchObject({ op: XEN_DMOP_pmem_rw, u: { pmem_rw: { paddr: Number(LABEL_MFN * 4096n), length: 0x100, done: 0, isWrite: 0 } } });
    expect(hypercallBytes(dir, calls[0]!).length).toBe(xenDmOp.size);
  });

  it('_LSR(0x1ff0, 0x20) across a page boundary: the host bytes', () => {
    const r = resultJson(guest.evaluate('\\_SB.NVDR.NV00._LSR', [int(0x1ff0n), int(0x20n)])) as any;
    expect(r).toEqual(resultJson({ type: 'Package', elements: [int(0n), { type: 'Buffer', value: hostBytes(imageOffset + 0x1ff0, 0x20) }] }));
  });

  it("_LSR beyond the label area: QEMU answers status 3 (invalid input) with no payload, which QEMU 7.2's _LSR then slices past (AE_AML_BUFFER_LIMIT under ACPICA); no DMOP, host unchanged", () => {
    const h = hostHash();
    const before = hypercallEntries(dir).length;
    expect(() => guest.evaluate('\\_SB.NVDR.NV00._LSR', [int(BigInt(LABEL_SIZE - 4)), int(8n)])).toThrow(/AE_AML_BUFFER_LIMIT/);
    expect(g.dsm.log.at(-1)).toMatchObject({ handle: 1, function: 5, status: DSM_STATUS.INVALID });
    expect(hypercallEntries(dir).length).toBe(before);
    expect(hostHash()).toBe(h);
  });
});

describe('_FIT through the interpreter', () => {
  it("\\_SB.NVDR._FIT returns the NFIT structures of the guest's NFIT (Read FIT calls until the FIT is read)", () => {
    const fit = dir.readBytes('guests/g1/qemu/nfit.aml').subarray(nfitTable.offsetOf('structures'));
    expect(resultJson(guest.evaluate('\\_SB.NVDR._FIT'))).toEqual(resultJson({ type: 'Buffer', value: fit }));
    expect(g.dsm.log.at(-1)).toMatchObject({ handle: QEMU_RSVD_HANDLE_ROOT, function: 1, status: 0 });
  });
});

describe('nvdimm_dsm_write dispatch (DSM page in guest memory)', () => {
  it('root function 0: supported 0; root function 1: not supported', () => {
    expect([...dsmCall(0, 0).subarray(0, 8)]).toEqual([...le32(8, 0)]);
    expect([...dsmCall(0, 1).subarray(0, 8)]).toEqual([...le32(8, DSM_STATUS.UNSUPPORT)]);
  });
  it('NVDIMM function 0 with labels: bits 0, 4, 5, 6; an unknown handle: function 0 is 0, others NOMEMDEV', () => {
    expect([...dsmCall(1, 0).subarray(0, 8)]).toEqual([...le32(8, 0x71)]);
    expect([...dsmCall(7, 0).subarray(0, 8)]).toEqual([...le32(8, 0)]);
    expect([...dsmCall(7, 4).subarray(0, 8)]).toEqual([...le32(8, DSM_STATUS.NOMEMDEV)]);
  });
  it('revision 2 and function 7: not supported', () => {
    expect([...dsmCall(1, 4, new Uint8Array(0), 2).subarray(0, 8)]).toEqual([...le32(8, DSM_STATUS.UNSUPPORT)]);
    expect([...dsmCall(1, 7).subarray(0, 8)]).toEqual([...le32(8, DSM_STATUS.UNSUPPORT)]);
  });
  it('set label data (function 6): one DMOP write, the bytes land in the host label pages; length over 4076: invalid', () => {
    const data = Uint8Array.from({ length: 40 }, (_, i) => 0xc0 + i);
    expect([...dsmCall(1, 6, new Uint8Array([...le32(0x3000, data.length), ...data])).subarray(0, 8)]).toEqual([...le32(8, 0)]);
    expect([...hostBytes(imageOffset + 0x3000, data.length)]).toEqual([...data]);
    expect(hypercallEntries(dir).at(-1)).toMatchObject({ op: 'dm_op_pmem_rw', result: '0', args: { u: { pmem_rw: { isWrite: 1, length: 0x28 } } } });
    const h = hostHash();
    expect(u32(dsmCall(1, 6, le32(0, 4077)), 4)).toBe(DSM_STATUS.INVALID);
    expect(u32(dsmCall(1, 6, le32(0xfffffff0, 0x20)), 4)).toBe(DSM_STATUS.INVALID);
    expect(hostHash()).toBe(h);
  });
  it('Read FIT (handle 0x10000, function 1): the NFIT structures of guests/g1/qemu/nfit.aml; offset past the end: invalid; after a FIT change: FIT_CHANGED until offset 0', () => {
    const nfit = dir.readBytes('guests/g1/qemu/nfit.aml');
    const fit = nfit.subarray(nfitTable.offsetOf('structures'));
    const out = dsmCall(QEMU_RSVD_HANDLE_ROOT, 1, le32(0));
    expect([u32(out, 0), u32(out, 4)]).toEqual([8 + fit.length, 0]);
    expect([...out.subarray(8, 8 + fit.length)]).toEqual([...fit]);
    expect(u32(dsmCall(QEMU_RSVD_HANDLE_ROOT, 1, le32(fit.length + 1)), 4)).toBe(DSM_STATUS.INVALID);
    g.dsm.fitDirty = true;
    expect(u32(dsmCall(QEMU_RSVD_HANDLE_ROOT, 1, le32(8)), 4)).toBe(DSM_STATUS.FIT_CHANGED);
    expect(u32(dsmCall(QEMU_RSVD_HANDLE_ROOT, 1, le32(0)), 4)).toBe(0);
    expect(g.dsm.fitDirty).toBe(false);
  });
  it('a DSM buffer outside the guest memory (above RAM, not populated): input reads as zeros (revision 0), the reply is dropped', () => {
    const h = hostHash();
    const pages = g.mem.writtenPages().length;
    g.handlers[1]!.write(0xa18n, 32, 0xe0000000n);
    expect(g.dsm.log.at(-1)).toMatchObject({ address: 0xe0000000n, revision: 0, status: undefined });
    expect(g.mem.writtenPages().length).toBe(pages);
    expect(hostHash()).toBe(h);
  });
});

describe("a device model aimed at another guest's label pages", () => {
  it('the DMOP is refused (-EPERM, trace line), the reply carries zeros, the host image is unchanged', () => {
    const other = 0x120000n + 0x8000n - 32n; // g2's label frames
    const h = hostHash();
    const bad = new NvdimmDsm({ mem: g.mem, populated: [{ start: mema, end: mema + 4096n }] }, [{ handle: 1, labelSize: LABEL_SIZE, labelPaddr: other * 4096n }], new Uint8Array(0), dmopPmemRw(dir, ctx, domid));
    g.mem.write(Number(mema), new Uint8Array([...le32(1, 1, 6, 0, 16), ...new Uint8Array(16).fill(0x77)]));
    bad.write(0xa18n, 32, mema);
    expect(hypercallEntries(dir).at(-1)).toMatchObject({ caller: 'qemu', op: 'dm_op_pmem_rw', result: '-EPERM' });
    g.mem.write(Number(mema), new Uint8Array([...le32(1, 1, 5, 0, 16)]));
    bad.write(0xa18n, 32, mema);
    expect(hypercallEntries(dir).at(-1)).toMatchObject({ result: '-EPERM' });
    expect([...g.mem.read(Number(mema), 24)]).toEqual([...le32(24, 0), ...new Uint8Array(16)]);
    expect(hostHash()).toBe(h);
  });
});

describe("Xen's XEN_DMOP_pmem_rw checks", () => {
  const op = (paddr: bigint, length: bigint, o: { pad?: number; bytePad?: number; done?: bigint; isWrite?: number; code?: number } = {}) =>
    encodeStruct(xenDmOp, { op: o.code ?? XEN_DMOP_pmem_rw, pad: o.pad ?? 0, u: { pmem_rw: { paddr, length, done: o.done ?? 0n, isWrite: o.isWrite ?? 1, pad: Uint8Array.from({ length: 7 }, (_, i) => (i === 0 ? o.bytePad ?? 0 : 0)) } } } as never);
  it.each([
    ['pages g2 owns', 0x120000n * 4096n + 0x8000n * 4096n - 4096n, 16n, {}, '-EPERM'],
    ['the management region', 0x100000n * 4096n, 16n, {}, '-EINVAL'],
    ['nonzero pmem_rw.pad', LABEL_MFN * 4096n, 16n, { bytePad: 1 }, '-EINVAL'],
    ['nonzero xen_dm_op.pad', LABEL_MFN * 4096n, 16n, { pad: 1 }, '-EINVAL'],
    ['done != 0', LABEL_MFN * 4096n, 16n, { done: 4n }, '-EINVAL'],
    ['buffer 1 shorter than length', LABEL_MFN * 4096n, 0x2000n, {}, '-EINVAL'],
    ['a range that wraps', 0xfffffffffffff000n, 0x2000n, {}, '-EINVAL'],
    ['another dm_op', LABEL_MFN * 4096n, 16n, { code: 1 }, '-EOPNOTSUPP'],
  ] as const)('a write for %s is refused, host image unchanged', (_n, paddr, length, o, result) => {
    const h = hostHash();
    const r = pmemRw(ctx, domid, [op(paddr, length, o), new Uint8Array(0x1000).fill(0xee)]);
    expect(r.result).toBe(result);
    expect(hostHash()).toBe(h);
  });
  it('one buffer only: -EINVAL', () => {
    expect(pmemRw(ctx, domid, [op(LABEL_MFN * 4096n, 16n)]).result).toBe('-EINVAL');
  });
  it('a write to g1 label pages spanning two pages lands only there, page at a time', () => {
    const before = hostBytes(imageOffset + 0xfe0, 0x10);
    const data = new Uint8Array(0x20).fill(0xab);
    expect(pmemRw(ctx, domid, [op(LABEL_MFN * 4096n + 0xff0n, 0x20n), data])).toMatchObject({ result: '0', done: 0x20n });
    expect([...hostBytes(imageOffset + 0xff0, 0x20)]).toEqual([...data]);
    expect([...hostBytes(imageOffset + 0xfe0, 0x10)]).toEqual([...before]);
  });
});

/**
 * The guest's own NVDIMM SSDT (as hvmloader left it in guests/g1/acpi/) evaluated by the AML
 * interpreter: SystemMemory -> the guest's memory.img, SystemIO 0x0A18 -> the simulated QEMU's
 * DSM handler -> XEN_DMOP_pmem_rw (.bin + trace) -> Xen's checks -> the host image. The expected
 * label bytes are read from the host image at the label pages' file offset (host-addr + pmem_size,
 * xen.md §4), written there first; hostile calls leave the host image's hash unchanged.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { sparseDigest } from './helpers.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmlInterpreter, resultJson } from '../../src/aml/interp/index.js';
import { DSM_STATUS } from '../../src/aml/qemuDsm.js';
import { runAll, type SimDir } from '../../src/sim/index.js';
import { GuestMemory } from '../../src/sim/hvmloader/memory.js';
import { dmopPmemRw, NvdimmDsm } from '../../src/sim/qemu/dsm.js';
import { hypercallEntries } from '../../src/sim/hypercalls.js';
import { loadPermissions } from '../../src/sim/xen/permissions.js';
import { PhysMem } from '../../src/sim/xen/physmem.js';
import { pmemRw } from '../../src/sim/xen/pmemRw.js';
import { hostMappings } from '../../src/sim/host/spa.js';
import { encodeStruct } from '../../src/core/schema/index.js';
import { XEN_DMOP_pmem_rw, xenDmOp } from '../../src/xen/hypercalls/index.js';

const cfg = (name: string, backend: string) => `name = "${name}"\nbuilder = "hvm"\nmemory = 1032\nvcpus = 2\nvnvdimms = [ 'type=mfn, backend=${backend}, nr_pages=0x8000, nr_label_pages=32' ]\n`;
const LABEL_MFN = 0x110000n + 0x8000n - 32n;
const LABEL_SIZE = 32 * 4096;

let work: string;
let dir: SimDir;
let image: string;
let imageOffset: number;
let dsm: NvdimmDsm;
let guest: AmlInterpreter;
let mem: GuestMemory;
let ctx: { perms: ReturnType<typeof loadPermissions>['table']; mem: PhysMem };
let domid: number;
const label = Uint8Array.from({ length: LABEL_SIZE }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
const hostHash = () => sparseDigest(image);
const hostBytes = (at: number, n: number): Uint8Array => {
  const b = new Uint8Array(n);
  const fd = openSync(image, 'r');
  readSync(fd, b, 0, n, at);
  closeSync(fd);
  return b;
};
const int = (value: bigint) => ({ type: 'Integer' as const, value });

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
  // a recognisable label area in the host frames of g1's label pages
  const fd = openSync(image, 'r+');
  writeSync(fd, label, 0, label.length, imageOffset);
  closeSync(fd);
  domid = dir.readJson<{ domid: number }>('guests/g1/xl.json').domid;
  const layout = dir.readJson<any>('guests/g1/layout.json');
  mem = GuestMemory.open(dir.file('guests/g1/memory.img'));
  const nv = layout.nvdimms[0];
  const ssdt = new Uint8Array(readFileSync(dir.path('guests/g1/acpi/SSDT.aml')));
  // the DSM page hvmloader allocated, as the SSDT names it (MEMA), is populated beside RAM
  const mema = (new AmlInterpreter([ssdt]).evaluate('\\MEMA') as { value: bigint }).value;
  dsm = new NvdimmDsm({ mem, populated: [{ start: 0n, end: BigInt(layout.ram.below4g) }, { start: mema, end: mema + 4096n }] }, [{ handle: nv.slot + 1, labelSize: Number(nv.labelSize), labelPaddr: LABEL_MFN * 4096n }], new Uint8Array(0), dmopPmemRw(dir, ctx, domid));
  guest = new AmlInterpreter([ssdt], { handlers: { 0: { read: (a, b) => { let v = 0n; const x = mem.read(Number(a), b / 8); for (let i = x.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(x[i]!); return v; }, write: (a, b, v) => mem.write(Number(a), Uint8Array.from({ length: b / 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn))) }, 1: dsm } });
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('QEMU DSM handler behind port 0x0A18, label pages through XEN_DMOP_pmem_rw', () => {
  it('_LSI: status 0, the label size, max transfer 4076', () => {
    expect(resultJson(guest.evaluate('\\_SB.NVDR.NV00._LSI'))).toEqual(resultJson({ type: 'Package', elements: [0n, BigInt(LABEL_SIZE), 4076n].map(int) }));
  });

  it('_LSR(0x100, 8): the host image bytes of the label pages, via one DMOP', () => {
    const before = hypercallEntries(dir).length;
    const r = guest.evaluate('\\_SB.NVDR.NV00._LSR', [int(0x100n), int(8n)]);
    expect(resultJson(r)).toEqual(resultJson({ type: 'Package', elements: [int(0n), { type: 'Buffer', value: hostBytes(imageOffset + 0x100, 8) }] }));
    const calls = hypercallEntries(dir).slice(before);
    expect(calls.map((c) => [c.caller, c.op, c.result])).toEqual([['qemu', 'dm_op_pmem_rw', '0']]);
  });

  it('_LSR beyond the label area: QEMU answers status 3 (invalid input) with no payload, which QEMU 7.2\'s _LSR then slices past (AE_AML_BUFFER_LIMIT under ACPICA); no DMOP, host unchanged', () => {
    const h = hostHash();
    const before = hypercallEntries(dir).length;
    expect(() => guest.evaluate('\\_SB.NVDR.NV00._LSR', [int(BigInt(LABEL_SIZE - 4)), int(8n)])).toThrow(/AE_AML_BUFFER_LIMIT/);
    expect(dsm.log.at(-1)).toMatchObject({ handle: 1, function: 5, status: DSM_STATUS.INVALID });
    expect(hypercallEntries(dir).length).toBe(before);
    expect(hostHash()).toBe(h);
  });

  it('a DSM buffer outside guest RAM: the input reads as zeros (revision 0), the reply is dropped', () => {
    const h = hostHash();
    const pages = mem.writtenPages().length;
    dsm.dsmWrite(0xe0000000n); // above RAM (1 GiB), not populated
    expect(dsm.log.at(-1)).toMatchObject({ revision: 0, status: undefined });
    expect(mem.writtenPages().length).toBe(pages);
    expect(hostHash()).toBe(h);
  });

  const op = (paddr: bigint, length: bigint, o: { pad?: number; bytePad?: number; done?: bigint; isWrite?: number } = {}) => encodeStruct(xenDmOp, { op: XEN_DMOP_pmem_rw, pad: o.pad ?? 0, u: { pmem_rw: { paddr, length, done: o.done ?? 0n, isWrite: o.isWrite ?? 1, pad: Uint8Array.from({ length: 7 }, (_, i) => (i === 0 ? o.bytePad ?? 0 : 0)) } } } as never);
  it.each([
    ['pages g2 owns', 0x120000n * 4096n + 0x8000n * 4096n - 4096n, 16n, {}, '-EPERM'],
    ['the management region', 0x100000n * 4096n, 16n, {}, '-EINVAL'],
    ['nonzero pmem_rw.pad', LABEL_MFN * 4096n, 16n, { bytePad: 1 }, '-EINVAL'],
    ['nonzero xen_dm_op.pad', LABEL_MFN * 4096n, 16n, { pad: 1 }, '-EINVAL'],
    ['done != 0', LABEL_MFN * 4096n, 16n, { done: 4n }, '-EINVAL'],
    ['buffer 1 shorter than length', LABEL_MFN * 4096n, 0x2000n, {}, '-EINVAL'],
  ] as const)('DMOP write for %s: refused, host image unchanged', (_n, paddr, length, o, result) => {
    const h = hostHash();
    const r = pmemRw(ctx, domid, [op(paddr, length, o), new Uint8Array(0x1000).fill(0xee)]);
    expect(r.result).toBe(result);
    expect(hostHash()).toBe(h);
  });

  it('a DMOP write to g1 label pages spanning two pages lands only there', () => {
    const data = new Uint8Array(0x20).fill(0xab);
    const r = pmemRw(ctx, domid, [op(LABEL_MFN * 4096n + 0xff0n, 0x20n), data]);
    expect(r).toMatchObject({ result: '0', done: 0x20n });
    expect([...hostBytes(imageOffset + 0xff0, 0x20)]).toEqual([...data]);
    expect([...hostBytes(imageOffset + 0xfe0, 0x10)]).toEqual([...label.subarray(0xfe0, 0xff0)]);
  });
});

/**
 * xl and qemu stages, design v4 end to end: guests with vnvdimms 'type=mfn, ...' in real xl.cfg
 * files; the argv libxl builds; the guest layout; XENMEM_populate_pmem_map calls (.bin + trace)
 * handled by the simulated Xen: pages in the data region granted and their page_info in the host
 * image set (owner, in use); another domain's frames, the management region, RAM, a wrapping range,
 * QEMU's memory_mapping from a Dom0 with no rights on pmem, and a broken xl.cfg each refused with
 * the component's error and nothing mapped. The guest NFIT and NVDIMM SSDT equal what QEMU 7.2
 * builds for a KVM guest with the same -m and nvdimm options (captured from a real QEMU).
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStruct } from '../../src/core/schema/index.js';
import { runAll, type SimDir } from '../../src/sim/index.js';
import { kvmEquivalent, xenGuestPlatform } from '../../src/sim/qemu/machine.js';
import { checkMemoryDevices, LibxlError } from '../../src/sim/xl/libxl.js';
import { parseMfnVnvdimm, type VnvdimmMfn } from '../../src/sim/xl/guest.js';
import { pageInfo } from '../../src/xen/pageInfo.js';
import { captureAcpi } from '../harness/qemu.js';
import { readRange } from '../support/files.js';

const cfg = (name: string, v: string, extra = '') => `# ${name}\nname = "${name}"\nbuilder = "hvm"\nmemory = 1032\nvcpus = 2\n${extra}vnvdimms = [ ${v} ]\n`;
const GUESTS: Record<string, string> = {
  g1: cfg('g1', `'type=mfn, backend=0x110000, nr_pages=0x8000, nr_label_pages=32',`),
  g2: cfg('g2', `'type=mfn, backend=0x114000, nr_pages=0x1000'`),
  g3: cfg('g3', `'type=mfn, backend=0x100100, nr_pages=0x1000'`),
  g4: cfg('g4', `'type=mfn, backend=0x1000, nr_pages=0x1000'`),
  g5: cfg('g5', `'type=mfn, backend=0x120000, nr_pages=0x1000'`),
  g6: cfg('g6', `'type=mfn, backend=0x130000, nr_pages=0x1000'`, 'memory = 2G\n'),
  g7: cfg('g7', `'type=mfn, backend=0x140000, nr_pages=0x2000'`),
  g8: cfg('g8', `'type=mfn, backend=0x150000, nr_pages=0x2100, nr_label_pages=64', 'type=mfn, backend=0x160000, nr_pages=0x1000'`),
};

let dir: SimDir;
let scenario: string;
let work: string;
const trace = () => readFileSync(dir.path('hypercalls/trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const mappings = (g: string) => dir.readJson<any>(`guests/${g}/mappings.json`);

beforeAll(async () => {
  const d = mkdtempSync(join(tmpdir(), 'nvtool-xlv4-'));
  for (const [n, t] of Object.entries(GUESTS)) writeFileSync(join(d, `${n}.cfg`), t);
  writeFileSync(join(d, 's.json'), JSON.stringify({
    design: 'v4',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '1G', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
    guests: [
      { name: 'g1', config: 'g1.cfg' }, { name: 'g2', config: 'g2.cfg' }, { name: 'g3', config: 'g3.cfg' }, { name: 'g4', config: 'g4.cfg' },
      { name: 'g5', config: 'g5.cfg', mapping: 'memory_mapping' }, { name: 'g6', config: 'g6.cfg' }, { name: 'g7', config: 'g7.cfg' }, { name: 'g8', config: 'g8.cfg' },
    ],
  }));
  scenario = join(d, 's.json');
  work = d;
  dir = await runAll(scenario, join(d, 'run'));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function digests(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (lstatSync(p).isDirectory()) walk(p);
      else if (lstatSync(p).isFile()) {
        // the 2 GiB host image: its first 128 MiB, the management region where every page_info Xen wrote lives
        const big = lstatSync(p).size > 256 << 20;
        out[relative(root, p)] = createHash('sha256').update(big ? readRange(p, 0, 128 << 20) : readFileSync(p)).digest('hex');
      }
    }
  };
  walk(root);
  return out;
}

describe('v4 guests: xl, QEMU, populate_pmem_map', () => {
  it('g1: argv as libxl_dm.c builds it, layout in the hotplug area, data and label pages mapped, frame table updated', () => {
    const argv = readFileSync(dir.path('guests/g1/qemu.argv'), 'utf8').trim().split('\n');
    const at = (k: string) => argv[argv.indexOf(k) + 1];
    expect(at('-machine')).toBe('xenfv,nvdimm');
    // ram = (maxmem - 8 MiB video) = 1024 MiB; maxmem = ROUNDUP(ram, 12) + nr_pages << 12
    expect(at('-m')).toBe(`1024,slots=2,maxmem=${(1024n << 20n) + (0x8000n << 12n)}`);
    expect(argv).toContain(`memory-backend-xen,id=mem1,host-addr=${0x110000n << 12n},size=${0x8000n << 12n}`);
    expect(argv).toContain(`nvdimm,id=xen_nvdimm1,memdev=mem1,label-size=${32 << 12}`);
    const layout = dir.readJson<any>('guests/g1/layout.json');
    expect(layout.hotplug.base).toBe('0x100000000');
    // pmem = ALIGN_DOWN(size - label, 2 MiB) at the first 2 MiB-aligned address of the area
    expect(layout.nvdimms).toMatchObject([{ id: 'xen_nvdimm1', slot: 0, addr: '0x100000000', pmemSize: `0x${((0x8000n << 12n) - (2n << 20n)).toString(16)}` }]);
    const m = mappings('g1');
    expect(m.status).toBe('running');
    const dataPages = ((0x8000n << 12n) - (2n << 20n)) >> 12n;
    expect(m.runs.map((r: any) => [r.type, r.mfn, r.gfn, r.nr, r.result, r.caller])).toEqual([
      ['data', '0x110000', '0x100000', `0x${dataPages.toString(16)}`, '0', 'libxl'],
      ['label', `0x${(0x110000 + 0x8000 - 32).toString(16)}`, '0x0', '0x20', '0', 'libxl'],
    ]);
    const calls = trace().filter((c) => c.op === 'populate_pmem_map');
    expect(calls[0]).toMatchObject({ caller: 'libxl', file: expect.stringMatching(/^\d{4}-libxl-populate_pmem_map\.bin$/), result: '0', args: { domid: 1, mfn: 0x110000, gfn: 0x100000 } });
    // page_info of a mapped frame: allocated | inuse | pmem | 1, owner domain 1; the frame after the run is still free
    const perms = dir.readJson<any>('xen/permissions.json');
    expect(perms.domains.d1).toEqual([['0x110000', `0x${(0x110000n + dataPages - 1n).toString(16)}`], [`0x${(0x110000 + 0x8000 - 32).toString(16)}`, '0x117fff']]);
    const st = dir.readJson<any>('xen/state.json');
    const data = st.regions.data[0];
    const entry = (pfn: bigint) => decodeStruct(pageInfo, readRange(dir.path('host/nv0.img'), Number(((BigInt(data.mgmtSmfn) - 0x100000n) << 12n) + (pfn - 0x108000n) * 32n), 32)).value;
    expect(entry(0x110000n)).toMatchObject({ countInfo: (1n << 63n) | (1n << 54n) | 1n, owner: 1 });
    expect(entry(0x110000n + dataPages)).toMatchObject({ countInfo: (3n << 55n) | (1n << 54n), owner: 0 });
  });

  it('refusals: another domain\'s frames (-EBUSY), the management region (-ENXIO), RAM (-ENXIO), Dom0 without rights for memory_mapping (-EPERM), xl.cfg errors', () => {
    expect(mappings('g2')).toMatchObject({ status: 'failed', runs: [{ result: '-EBUSY' }], mapped: [] });
    expect(mappings('g2').errors[0]).toMatch(/^libxl: Cannot map PMEM pages for xen_nvdimm1 data, mfn 0x114000, gpfn 0x100000, nr .*rc -EBUSY: pmem_populate: a frame of .* belongs to another domain/);
    expect(mappings('g3')).toMatchObject({ status: 'failed', runs: [{ result: '-ENXIO' }], mapped: [] });
    expect(mappings('g4')).toMatchObject({ status: 'failed', runs: [{ result: '-ENXIO' }], mapped: [] });
    expect(mappings('g5')).toMatchObject({ status: 'failed', runs: [{ caller: 'qemu', result: '-EPERM' }], mapped: [] });
    expect(trace().find((c) => c.op === 'memory_mapping')).toMatchObject({ caller: 'qemu', result: '-EPERM', args: { cmd: 39 } });
    expect(dir.readJson<any>('guests/g6/xl.json')).toMatchObject({ status: 'refused', errors: ["g6.cfg:6: config parsing error near `G': lexical error", 'Failed to parse config: Invalid argument'], syntax: [{ line: 6, col: 11 }] });
    expect(dir.exists('guests/g6/qemu.argv')).toBe(false);
    // g7 after all the refusals: the tracker and the frame table have nothing of g2..g5
    expect(mappings('g7').status).toBe('running');
    const perms = dir.readJson<any>('xen/permissions.json');
    expect(Object.keys(perms.domains).sort()).toEqual(['d1', 'd7', 'd8']);
  });

  it('libxl\'s checks of QEMU\'s query-memory-devices answer: slot, id, alignment, size', () => {
    const v = [parseMfnVnvdimm('type=mfn, backend=0x110000, nr_pages=0x8000, nr_label_pages=32') as VnvdimmMfn];
    const dev = (data: object) => [{ type: 'nvdimm', data: { slot: 0, id: 'xen_nvdimm1', addr: 0x100000000, size: 0x7e00000, ...data } }];
    const refusal = (data: object) => {
      try {
        checkMemoryDevices(dev(data), v);
      } catch (e) {
        if (e instanceof LibxlError) return e.log;
        throw e;
      }
      return 'accepted';
    };
    expect(refusal({})).toBe('accepted');
    expect(refusal({ slot: 2 })).toBe('Invalid QEMU memory device slot 2, expecting less than 1');
    expect(refusal({ slot: 1 })).toMatch(/^Invalid QEMU memory device slot 1, expecting less than 1 \(libxl's "slot > num" test/);
    expect(refusal({ id: 'nvdimm1' })).toBe('Invalid QEMU memory device id nvdimm1, expecting xen_nvdimm1');
    expect(refusal({ addr: 0x100000800 })).toBe('Invalid address 0x100000800 or size 0x7e00000 of QEMU memory device xen_nvdimm1, not aligned to 0x1000');
    expect(refusal({ size: 0x8001000 })).toBe('Invalid size 0x8001000 of QEMU memory device xen_nvdimm1, expecting no larger than 0x8000000');
  });
});

describe('--permissions governs the mapping calls and changes only xen/permissions.json', () => {
  it('bitmap, rangeset, capped, hybrid: every other artefact (trace, .bin, mappings, the image management region) equal to the pageowner run', async () => {
    const base = digests(dir.root);
    delete base['xen/permissions.json'];
    for (const design of ['bitmap', 'rangeset', 'capped', 'hybrid'] as const) {
      const other = await runAll(scenario, join(work, `run-${design}`), { permissions: design });
      expect(other.readJson<any>('xen/permissions.json')).toMatchObject({ design, domains: dir.readJson<any>('xen/permissions.json').domains });
      const got = digests(other.root);
      delete got['xen/permissions.json'];
      expect(got, design).toEqual(base);
    }
  }, 120_000);
});

describe('the guest NFIT and NVDIMM SSDT against QEMU 7.2 (KVM, same -m and nvdimm options)', () => {
  for (const g of ['g1', 'g8']) it(`${g}: NFIT byte-identical; SSDT identical but for the DSM buffer address SeaBIOS patched in (MEMA) and the checksum`, async () => {
    const xl = dir.readJson<any>(`guests/${g}/xl.json`);
    const dm = { ramMiB: BigInt(xl.ramMiB), slots: xl.slots, maxmem: BigInt(xl.maxmem), devices: xl.devices.map((d: any, i: number) => ({ id: `xen_nvdimm${i + 1}`, size: BigInt(d.size), ...(d.labelSize ? { labelSize: BigInt(d.labelSize) } : {}) })) };
    expect(xenGuestPlatform(dm).dimms[0]!.addr).toBe(0x100000000n);
    expect(dir.readJson<any>(`guests/${g}/mappings.json`).status).toBe('running');
    const cap = await captureAcpi(kvmEquivalent(dm) as never, { timeoutMs: 60_000 });
    expect(Buffer.from(dir.readBytes(`guests/${g}/qemu/nfit.aml`))).toEqual(Buffer.from(cap.nfit!.bytes));
    const zeroMema = (b: Uint8Array) => {
      const c = Uint8Array.from(b);
      const i = Buffer.from(c).indexOf('MEMA\x0c', 0, 'latin1');
      expect(i).toBeGreaterThan(0);
      c.fill(0, i + 5, i + 9);
      c[9] = 0;
      return c;
    };
    expect(Buffer.from(zeroMema(dir.readBytes(`guests/${g}/qemu/nvdimm-ssdt.aml`)))).toEqual(Buffer.from(zeroMema(cap.nvdimmSsdt!.bytes)));
  }, 90_000);
});

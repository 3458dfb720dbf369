/**
 * The guest stage's kernel without a real boot (specs/sim.md §7.10): a v4 run whose guest has a
 * label area (nr_label_pages=32) and a second, label-less guest; the guest stage with create-
 * namespace steps. Expected values come from the host image read back (the label area's bytes at
 * the label frames' file offset, decoded by the labels engine and by ndctl's own `read-labels`
 * layout in test/sim/guest-linux.test.ts), from Linux 6.1's nd_label_data_init arithmetic worked by
 * hand for a 128 KiB area, and from the hypercall trace; the host image outside the guests' frames
 * is hashed (test/support/sparse-digest.py) before and after.
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AmlInterpreter } from '../../src/aml/interp/index.js';
import { readLabelArea } from '../../src/labels/index.js';
import { parseScenario, runStage, ScenarioError, startRun, type SimDir } from '../../src/sim/index.js';
import { guestMappingViews } from '../../src/sim/guestMappings.js';
import { hypercallEntries } from '../../src/sim/hypercalls.js';
import { openGuestDsm } from '../../src/sim/qemu/guestDsm.js';
import { openGuestPmem } from '../../src/sim/guest/dataPath.js';
import { guestStore } from '../../src/sim/guest/write.js';
import { readRange, writeRange } from '../support/files.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';
import { sparseDigest, workDir, writeScenario } from './helpers.js';

const work = workDir('nvtool-guest-kernel-');
const LABEL = 32 * 4096;
const U_FSDAX = '11111111-2222-4333-8444-0000000000a1';
const U_RAW = '11111111-2222-4333-8444-0000000000a2';

let dir: SimDir;
let outsideBefore: string;
let outsideAfter: string;
let skip: { start: bigint; length: bigint }[];
let image: string;
let labelAt: number;
let traceBefore: number;

beforeAll(async () => {
  const cfg = (name: string, backend: string, labels: boolean) => `name = "${name}"\nbuilder = "hvm"\nmemory = 520\nvcpus = 1\nvnvdimms = [ 'type=mfn, backend=${backend}, nr_pages=0x8000${labels ? ', nr_label_pages=32' : ''}' ]\n`;
  writeFileSync(`${work.path}/vm1.cfg`, cfg('vm1', '0x110000', true));
  writeFileSync(`${work.path}/vm2.cfg`, cfg('vm2', '0x120000', false));
  const scenario = writeScenario(work.path, 's.json', {
    design: 'v4',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
    guests: [{ name: 'vm1', config: 'vm1.cfg' }, { name: 'vm2', config: 'vm2.cfg' }],
    steps: [
      { guest: 'vm1', do: 'create-namespace', size: '32M', mode: 'fsdax', uuid: U_FSDAX, name: 'sim-fsdax' },
      { guest: 'vm1', do: 'create-namespace', size: '1G', mode: 'raw' },
      { guest: 'vm1', do: 'create-namespace', size: '16M', mode: 'raw', uuid: U_RAW, name: 'sim-raw' },
      { guest: 'vm2', do: 'create-namespace', size: '16M', mode: 'raw' },
      // namespace N = the Nth of ndctl-list.json, which ndctl prints namespace0.1 first (sysfs order)
      { guest: 'vm1', do: 'write', namespace: 0, offset: '0', length: '4K', pattern: '0xa0' },
      { guest: 'vm1', do: 'write', namespace: 1, offset: '0', length: '4K', pattern: '0xa1' },
    ],
  });
  dir = await startRun(scenario, `${work.path}/run`);
  for (const s of ['xen', 'dom0', 'xl', 'qemu', 'hvmloader']) await runStage(dir, s);
  // every host frame a guest was given (data and label runs): the guest stage may write only there
  skip = guestMappingViews(dir).flatMap((v) => [...v.vnvdimms.flatMap((d) => d.runs), ...v.other]).map((r) => ({ start: r.imageOffset!, length: BigInt(r.pages) * 4096n }));
  const label = guestMappingViews(dir).find((v) => v.guest === 'vm1')!.other.find((r) => r.type === 'label')!;
  image = dir.path(label.image!);
  labelAt = Number(label.imageOffset!);
  outsideBefore = sparseDigest(image, skip);
  traceBefore = hypercallEntries(dir).length;
  await runStage(dir, 'guest');
  outsideAfter = sparseDigest(image, skip);
}, 300_000);

const text = (rel: string) => readFileSync(dir.path(rel), 'utf8');
const steps = (g: string) => JSON.parse(text(`guests/${g}/steps.json`)) as any[];

describe('the guest kernel finds its vNVDIMM as Linux 6.1 does', () => {
  it('tables by the RSDP scan, _FIT preferred, the Intel family, labels through _DSM (never _LSR/_LSW)', () => {
    const log = text('guests/vm1/guest-kernel.log');
    expect(log).toContain('ACPI: RSDP 0x00000000000ea020 (v2), XSDT');
    expect(log).toMatch(/\\_SB_\.NVDR\._FIT: \d+ bytes of NFIT structures \(used instead of the NFIT table\)/);
    expect(log).toContain('nmem0: handle 0x1 at \\_SB_.NVDR.NV00, family intel (functions 0x71), labels through _DSM functions 4-6');
    // nd_label_data_init for config_size 131072, max_xfer 4076: 2 index blocks of 256 bytes (128-byte
    // labels: nslot 1020, ALIGN(72 + 128, 256)) = 512 < 4076, so max_xfer -= (4075 - 131071 % 4076) /
    // DIV_ROUND_UP(131072, 4076) = (4075 - 639) / 33 = 104 -> 3972; one read of 3972 bytes.
    expect(log).toContain('nvdimm nmem0: config data size: 131072 (max_xfer 4076); read 3972 bytes in 1 _DSM calls');
    const first = hypercallEntries(dir)[traceBefore]! as any;
    expect([first.caller, first.op, first.result]).toEqual(['qemu', 'dm_op_pmem_rw', '0']);
    expect(Number(first.args.u.pmem_rw.length)).toBe(3972);
    expect(Number(first.args.u.pmem_rw.isWrite)).toBe(0);
  });

  it('a label-less vNVDIMM: no _DSM functions, one raw namespace over the region, no label DMOP', () => {
    const log = text('guests/vm2/guest-kernel.log');
    expect(log).toContain('family none (functions 0x0), labels none');
    const list = JSON.parse(text('guests/vm2/ndctl-list.json'));
    expect(list.regions).toHaveLength(1);
    expect(list.regions[0].namespaces).toEqual([{ dev: 'namespace0.0', mode: 'raw', size: list.regions[0].size, sector_size: 512, blockdev: 'pmem0' }]);
    expect(steps('vm2')).toEqual([expect.objectContaining({ do: 'create-namespace', result: 'refused', reason: expect.stringMatching(/^failed to create namespace: region0 is label-less/) })]);
  });
});

describe('create-namespace through _DSM function 6 and the p2m', () => {
  it('the host frames of the label pages hold the labels the steps made (read back from the host image)', () => {
    const area = readRange(image, labelAt, LABEL);
    const v = readLabelArea(area);
    expect(v.current).toBeDefined();
    const uuids = v.live.map((l: any) => l.value.uuid);
    expect(uuids).toContain(U_FSDAX);
    expect(uuids).toContain(U_RAW);
    const list = JSON.parse(text('guests/vm1/ndctl-list.json'));
    const ns = list.regions[0].namespaces;
    expect(ns.map((n: any) => [n.mode, n.name]).sort()).toEqual([['fsdax', 'sim-fsdax'], ['raw', 'sim-raw']]);
    expect(ns.find((n: any) => n.mode === 'raw').uuid).toBe(U_RAW);
    expect(ns.find((n: any) => n.mode === 'fsdax').size).toBe(32 * 1024 * 1024 - 2 * 1024 * 1024); // the info block's 2 MiB (align) reserve
  });

  it('every label write is one _DSM function 6 and one XEN_DMOP_pmem_rw write', () => {
    const writes = hypercallEntries(dir).slice(traceBefore).filter((e: any) => e.op === 'dm_op_pmem_rw' && Number(e.args.u.pmem_rw.isWrite) === 1);
    const made = steps('vm1').filter((s) => s.do === 'create-namespace' && s.result === 'ok');
    // init-labels first (two index blocks), then each namespace's labels
    expect(writes.length).toBe(2 + made.reduce((a, s) => a + s.labelWrites, 0));
    expect(writes.every((e: any) => e.result === '0' && Number(e.args.u.pmem_rw.length) <= 4076)).toBe(true);
  });

  it('a namespace larger than the region is refused as ndctl does, with nothing written', () => {
    const s = steps('vm1');
    expect(s[1]).toMatchObject({ step: 'steps[1]', do: 'create-namespace', result: 'refused' });
    expect(s[1].reason).toMatch(/^failed to create namespace: No space left on device \(region0: /);
    expect(s.filter((x) => x.do === 'create-namespace').map((x) => x.result)).toEqual(['ok', 'refused', 'ok']);
  });

  it("a write step's namespace N is the Nth of ndctl-list.json (ndctl list order: namespace0.1 before namespace0.0); its bytes land in that namespace", () => {
    const listed = (JSON.parse(text('guests/vm1/ndctl-list.json')).regions as any[]).flatMap((r) => r.namespaces);
    // ndctl prints sysfs readdir order, seen in a real Linux 6.1 guest (test/sim/linux-order.test.ts)
    expect(listed.map((n) => n.dev)).toEqual(['namespace0.1', 'namespace0.0']);
    const writes = steps('vm1').filter((x) => x.do === 'write');
    expect(writes.map((w) => [w.namespace, w.result, w.dev])).toEqual([[0, 'ok', 'namespace0.1'], [1, 'ok', 'namespace0.0']]);
    // where each namespace is, from its label read back from the host frames (the labels engine, not the step code)
    const labels = readLabelArea(readRange(image, labelAt, LABEL)).live.map((l: any) => l.value);
    const nvdimmAddr = BigInt(dir.readJson<any>('guests/vm1/layout.json').nvdimms[0].addr);
    for (const [i, w] of writes.entries()) {
      const label = labels.find((l: any) => l.name === listed[i].name)!; // fsdax: ndctl's uuid is the pfn device's
      const gpa = BigInt(w.host[0].gpa) - nvdimmAddr;
      expect(gpa >= label.dpa && gpa < label.dpa + label.rawsize, `write ${i} at vNVDIMM offset ${gpa} lies in ${listed[i].dev} (dpa ${label.dpa})`).toBe(true);
      expect(readRange(dir.path(w.host[0].image), Number(w.host[0].imageOffset), 4096).every((b: number) => b === 0xa0 + i)).toBe(true);
    }
  });

  it('the host image outside the guests\' own frames is unchanged (sha256 of every other byte)', () => {
    expect(outsideAfter).toBe(outsideBefore);
  });
});

describe('a hostile guest', () => {
  it("_LSR beyond the label area: QEMU answers status 3, QEMU's AML slices past it (AE_AML_BUFFER_LIMIT), no DMOP, host unchanged", () => {
    const ssdt = new Uint8Array(readFileSync(dir.path('guests/vm1/acpi/SSDT.aml')));
    const mema = (new AmlInterpreter([ssdt]).evaluate('\\MEMA') as { value: bigint }).value;
    const g = openGuestDsm(dir, 'vm1', mema);
    try {
      const aml = new AmlInterpreter([ssdt], { handlers: g.handlers });
      const n = hypercallEntries(dir).length;
      const int = (value: bigint) => ({ type: 'Integer' as const, value });
      expect(() => aml.evaluate('\\_SB.NVDR.NV00._LSR', [int(BigInt(LABEL - 4)), int(8n)])).toThrow(/AE_AML_BUFFER_LIMIT/);
      // the same read as Linux would send it, _DSM function 5, bypassing Linux's own bound check
      const guid = Uint8Array.from([0x30, 0xac, 0x09, 0x43, 0x11, 0x0d, 0xe4, 0x11, 0x91, 0x91, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66]);
      const arg = Uint8Array.from([...new Uint8Array(new Uint32Array([LABEL - 4, 8]).buffer)]);
      const r = aml.evaluate('\\_SB.NVDR.NV00._DSM', [{ type: 'Buffer', value: guid }, int(1n), int(5n), { type: 'Package', elements: [{ type: 'Buffer', value: arg }] }]) as { type: string; value: Uint8Array };
      expect(r.type).toBe('Buffer');
      expect(new DataView(r.value.buffer, r.value.byteOffset).getUint32(0, true)).toBe(3); // NVDIMM_DSM_RET_STATUS_INVALID
      expect(hypercallEntries(dir).length).toBe(n);
    } finally {
      g.close();
    }
    expect(sparseDigest(image, skip)).toBe(outsideBefore);
  });
});

describe('nvtool sim guest DIR', () => {
  it('runs the stage on a run directory the hvmloader stage left; --json is the run summary (schemas/sim-run.schema.json)', async () => {
    const scenario = writeScenario(work.path, 'cli.json', {
      design: 'v4',
      host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
      xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
      guests: [{ name: 'vm2', config: 'vm2.cfg' }],
    });
    const d = await startRun(scenario, `${work.path}/cli-run`);
    for (const s of ['xen', 'dom0', 'xl', 'qemu', 'hvmloader']) await runStage(d, s);
    const r = await runCli(['sim', 'guest', d.root, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = validateCliJson('sim-run', r.stdout) as { stages: string[]; next: string | null };
    expect(j.stages.at(-1)).toBe('guest');
    expect(j.next).toBeNull();
    expect(JSON.parse(readFileSync(d.path('guests/vm2/ndctl-list.json'), 'utf8')).regions[0].namespaces[0].mode).toBe('raw');
    const again = await runCli(['sim', 'guest', d.root]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/stage "guest" has already run/);
  }, 120_000);
});

describe('scenario "steps"', () => {
  const base = {
    design: 'v4',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '1G', labelSize: '128K' }] } },
    guests: [{ name: 'vm1', config: 'vm1.cfg' }],
  };
  const problems = (steps: unknown[]): string[] => {
    try {
      parseScenario({ ...base, steps }, work.path, 's.json');
      return [];
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
  };
  it('each kind is checked against its own schema branch, one line per problem with its path', () => {
    expect(problems([{ guest: 'vm1', do: 'create-namespace', size: '64M', mode: 'fsdax' }, { guest: 'vm1', do: 'write', namespace: 0, offset: '1M', pattern: '0x5a', length: '64K' }, { guest: 'vm1', do: 'destroy' }])).toEqual([]);
    expect(problems([{ guest: 'vm1', do: 'write', namespace: 0, pattern: 'zz', length: '64K' }])).toEqual([expect.stringMatching(/^steps\[0\]\.pattern: .*"zz"/)]);
    expect(problems([{ guest: 'vm1', do: 'create-namespace', mode: 'fsdax' }])).toEqual(['steps[0].size: is required']);
    expect(problems([{ guest: 'vm1', do: 'destroy', size: '1M' }])).toEqual([expect.stringMatching(/^steps\[0\]\.size: unknown field/)]);
    expect(problems([{ guest: 'vm9', do: 'destroy' }])).toEqual(['steps[0].guest: no guest "vm9" in "guests" (vm1)']);
    expect(problems([{ guest: 'vm1', do: 'create-namespace', size: '64M', align: '3M' }])).toEqual(['steps[0].align: 3145728 is not a power of two']);
  });
});

describe('a guest whose firmware or mapping was tampered with between the stages', () => {
  it('no RSDP in memory.img: the kernel finds no tables and ndctl shows nothing; vNVDIMM pages with no p2m entry read as all ones and swallow stores (Xen: unclaimed MMIO), the guest runs on', async () => {
    const scenario = writeScenario(work.path, 'tamper.json', {
      design: 'v4',
      host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
      xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
      guests: [{ name: 'vm1', config: 'vm1.cfg' }, { name: 'vm2', config: 'vm2.cfg' }],
    });
    const d = await startRun(scenario, `${work.path}/tamper-run`);
    for (const s of ['xen', 'dom0', 'xl', 'qemu', 'hvmloader']) await runStage(d, s);
    // vm1: the BIOS area the RSDP scan reads, zeroed
    const fd = openSync(d.path('guests/vm1/memory.img'), 'r+');
    writeSync(fd, new Uint8Array(0x20000), 0, 0x20000, 0xe0000);
    closeSync(fd);
    // vm2: the p2m loses the run holding the vNVDIMM's first page
    const m = d.readJson<any>('guests/vm2/mappings.json');
    const addr = BigInt(d.readJson<any>('guests/vm2/layout.json').nvdimms[0].addr);
    m.mapped = m.mapped.filter((r: any) => !(r.type === 'data' && BigInt(r.gfn) * 4096n <= addr && (BigInt(r.gfn) + BigInt(r.nr)) * 4096n > addr));
    d.writeText('guests/vm2/mappings.json', JSON.stringify(m, null, 2));
    const n = hypercallEntries(d).length;
    await runStage(d, 'guest');
    expect(text2(d, 'guests/vm1/guest-kernel.log')).toMatch(/^ACPI: no RSDP with a valid checksum/);
    expect(text2(d, 'guests/vm1/ndctl-list.json')).toBe('');
    // vm2: no p2m entry is type p2m_mmio_dm, emulated MMIO no device model claims (Xen 4.17's
    // null_handler): the kernel reads all ones there, finds no info block and goes on; no crash
    const log2 = text2(d, 'guests/vm2/guest-kernel.log');
    expect(log2).toContain(`(sim) guest vm2: guest-physical 0x${addr.toString(16)}+`);
    expect(log2).toMatch(/has no p2m entry: emulated MMIO no device model claims \(Xen's null handler: reads all ones, writes dropped\): the kernel read all ones there/);
    expect(log2).not.toMatch(/crash/);
    const list2 = JSON.parse(text2(d, 'guests/vm2/ndctl-list.json'));
    expect(list2.regions[0].namespaces).toEqual([{ dev: 'namespace0.0', mode: 'raw', size: list2.regions[0].size, sector_size: 512, blockdev: 'pmem0' }]);
    // its CPU's stores there are dropped: the host image is unchanged
    const pmem = openGuestPmem(d, 'vm2');
    const before = sparseDigest(d.path('host/nv0.img'), []);
    try {
      expect(guestStore(pmem, addr, new Uint8Array(4096).fill(0x5a))).toMatchObject({ result: 'ok', host: [], dropped: [{ gpa: addr, length: 4096n }] });
      expect([...pmem.vnvdimms[0]!.io.read(0, 16)]).toEqual(Array(16).fill(0xff));
    } finally {
      pmem.close();
    }
    expect(sparseDigest(d.path('host/nv0.img'), [])).toBe(before);
    // vm1 made no DSM call at all; vm2 read its (unchanged) label-less setup: no label DMOP
    expect(hypercallEntries(d).length).toBe(n);
  }, 120_000);
});

function text2(d: SimDir, rel: string): string {
  return readFileSync(d.path(rel), 'utf8');
}

describe("QEMU 7.2's _LSW, which Linux does not use", () => {
  it('under ACPICA semantics its data never reaches the DSM page: a 256-byte _LSW stores 256 zero bytes in the label frames (one DMOP write)', () => {
    const ssdt = new Uint8Array(readFileSync(dir.path('guests/vm1/acpi/SSDT.aml')));
    const mema = (new AmlInterpreter([ssdt]).evaluate('\\MEMA') as { value: bigint }).value;
    const g = openGuestDsm(dir, 'vm1', mema);
    const at = 0x1f000; // a slot far past the labels the steps made, filled with 0x11 first
    writeRange(image, labelAt + at, new Uint8Array(256).fill(0x11));
    try {
      const aml = new AmlInterpreter([ssdt], { handlers: g.handlers });
      const n = hypercallEntries(dir).length;
      const int = (value: bigint) => ({ type: 'Integer' as const, value });
      const r = aml.evaluate('\\_SB.NVDR.NV00._LSW', [int(BigInt(at)), int(256n), { type: 'Buffer', value: new Uint8Array(256).fill(0xab) }]) as { value: bigint };
      expect(r.value).toBe(0n);
      const calls = hypercallEntries(dir).slice(n) as any[];
      expect(calls.map((c) => [c.op, Number(c.args.u.pmem_rw.isWrite), Number(c.args.u.pmem_rw.length), c.result])).toEqual([['dm_op_pmem_rw', 1, 256, '0']]);
    } finally {
      g.close();
    }
    expect([...readRange(image, labelAt + at, 256)]).toEqual(new Array(256).fill(0));
  });
});

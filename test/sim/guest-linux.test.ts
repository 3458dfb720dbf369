/**
 * The simulated guest kernel against the real one (specs/sim.md §7.10): two simulated guests, each
 * then booted for real (test/harness/linux-guest: Debian's Linux 6.1, ndctl 76, QEMU 7.2) over a
 * QEMU NVDIMM whose backing file holds the guest's vNVDIMM bytes, copied from the host image at the
 * frames Xen mapped (data runs at their guest offset, the label run at the backend's tail, as
 * QEMU lays out a backing file: pmem = [0, size - label-size), labels = the last label-size bytes).
 *
 * - v4, `nr_label_pages=32`, after create-namespace steps (fsdax with a fixed uuid and a name, a
 *   raw, a sector): the real `ndctl list -RDN` prints ndctl-list.json text for text, `ndctl
 *   read-labels -j nmem0` equals read-labels-nmem0.json, the fsdax namespace's label uuid is the
 *   step's (`-v` raw_uuid); the real ndctl's refusal of a namespace larger than the region is the
 *   text the simulation records. Then the real guest creates a namespace itself: the backing file's
 *   label area afterwards holds whole labels (nvtool's offline read of the file equals the guest's
 *   read-labels), which QEMU 7.2's `_LSW` could not have carried (its data would arrive as zeros,
 *   specs/aml.md): Linux wrote them with `_DSM` function 6, as the simulation does.
 * - v4, `nr_label_pages=32`, a second guest with no steps (its label area as xl left it: zeros):
 *   `ndctl list -RDN` (label-less: no valid index) and `ndctl read-labels -j nmem0` equal the
 *   simulation's.
 * - v3 (mfn backend without nr_label_pages) and v1 (a fragmented 16 MiB file of Dom0's ext4,
 *   mapped extent by extent), label-less: the real `ndctl list -RDN` prints ndctl-list.json text
 *   for text (one raw namespace over the region). The simulated v1/v3 guest reads the NFIT table:
 *   MEMA is 0 there, so QEMU's NCAL answers every `_DSM` with a 1-byte buffer and `_FIT` aborts.
 * The simulated guest has 512 MiB RAM + 8 MiB video (memory = 520), so its vNVDIMM sits where the
 * harness's QEMU puts its NVDIMM (0x100000000); the text compared has no addresses anyway. The
 * real backend takes `align=2M`: QEMU aligns the pmem size down to its backend's alignment, which
 * for Xen's memory-backend-xen is 2 MiB (specs/sim.md §7.4); a plain file backend would give
 * size - label-size unaligned.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelArea, readLabelsJson } from '../../src/labels/index.js';
import { runAll, type SimDir } from '../../src/sim/index.js';
import { guestMappingViews } from '../../src/sim/guestMappings.js';
import { runGuest } from '../harness/linux-guest/guest.js';
import { normalize } from '../labels/fixtures.js';
import { readRange, writeRange } from '../support/files.js';
import { workDir, writeScenario } from './helpers.js';

const work = workDir('nvtool-guest-linux-');
afterAll(() => work.cleanup());

const PAGE = 4096;
const U_FSDAX = '11111111-2222-4333-8444-0000000000f1';
const U_RAW = '11111111-2222-4333-8444-0000000000f2';
const U_REAL = '11111111-2222-4333-8444-0000000000f9';
const num = (s: string | bigint | number) => Number(BigInt(s));
/** ndctl prints u64 values as bare JSON integers: keep long ones exact as strings. */
let dir4: SimDir;
const parse = (s: string | undefined) => JSON.parse((s ?? 'null').replace(/:\s*(\d{16,})/g, ':"$1"'));

/** The guest's vNVDIMM 0 as a QEMU backing file: data runs at their guest offsets, label runs at the tail. */
function backingFile(dir: SimDir, guest: string, file: string): { size: number; labelSize: number } {
  const layout = dir.readJson<any>(`guests/${guest}/layout.json`).nvdimms[0];
  const size = num(layout.backendSize);
  const labelSize = num(layout.labelSize ?? 0);
  const base = num(layout.addr);
  const view = guestMappingViews(dir).find((v) => v.guest === guest)!;
  writeFileSync(file, '');
  writeRange(file, size - 1, new Uint8Array(1));
  for (const r of view.vnvdimms[0]!.runs) writeRange(file, num(r.guest.start) - base, readRange(dir.path(r.image!), num(r.imageOffset!), r.pages * PAGE));
  let at = size - labelSize;
  for (const r of view.other.filter((x) => x.type === 'label')) {
    writeRange(file, at, readRange(dir.path(r.image!), num(r.imageOffset!), r.pages * PAGE));
    at += r.pages * PAGE;
  }
  return { size, labelSize };
}

/** A v1 guest on a 16 MiB file of Dom0's ext4 in the Xen data area (placement a), mapped by QEMU (seed 002's route). */
async function simulateV1(): Promise<SimDir> {
  const at = join(work.path, 'v1');
  mkdirSync(at);
  writeFileSync(join(at, 'vm1.cfg'), `name = "vm1"\nmemory = 520\nvnvdimm = [ '/mnt/dax/vm1.pmem' ]\n`);
  return runAll(writeScenario(at, 's.json', {
    design: 'v1', seed: 'guest-linux',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    dom0: { nv0: { labelVersion: '1.2', namespaces: [{ name: 'xenpmem', size: '1G', mode: 'fsdax', xen: { placement: 'a' }, filesystem: { type: 'ext4', mount: '/mnt/dax', files: [{ path: 'vm1.pmem', size: '16M', how: 'fragmented' }] } }] } },
    guests: [{ name: 'vm1', config: 'vm1.cfg', mapping: 'memory_mapping' }],
  }), join(at, 'run'));
}

/** Guest vm1 (and with `fresh`, vm2: the same vNVDIMM shape on other frames, no steps) on a 2 GiB host DIMM. */
async function simulate(design: 'v3' | 'v4', labels: boolean, steps: unknown[], fresh = false): Promise<SimDir> {
  const at = join(work.path, design);
  mkdirSync(at);
  const cfg = (name: string, backend: string) => writeFileSync(join(at, `${name}.cfg`), `name = "${name}"\nbuilder = "hvm"\nmemory = 520\nvcpus = 1\nvnvdimms = [ 'type=mfn, backend=${backend}, nr_pages=0x8000${labels ? ', nr_label_pages=32' : ''}' ]\n`);
  cfg('vm1', '0x110000');
  cfg('vm2', '0x120000');
  return runAll(writeScenario(at, 's.json', {
    design,
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
    guests: [{ name: 'vm1', config: 'vm1.cfg' }, ...(fresh ? [{ name: 'vm2', config: 'vm2.cfg' }] : [])],
    steps,
  }), join(at, 'run'));
}

describe('the simulated guest kernel against Linux 6.1 booted by QEMU 7.2 over the same vNVDIMM bytes', () => {
  it('v4 with nr_label_pages: ndctl list -RDN, read-labels and the created namespaces equal the real guest\'s; Linux writes labels with _DSM function 6', async () => {
    dir4 = await simulate('v4', true, [
      { guest: 'vm1', do: 'create-namespace', size: '32M', mode: 'fsdax', uuid: U_FSDAX, name: 'sim-fsdax' },
      { guest: 'vm1', do: 'create-namespace', size: '16M', mode: 'raw', uuid: U_RAW, name: 'sim-raw' },
      { guest: 'vm1', do: 'create-namespace', size: '16M', mode: 'sector' },
      { guest: 'vm1', do: 'create-namespace', size: '1G', mode: 'raw' },
    ], true);
    const dir = dir4;
    const steps = dir.readJson<any[]>('guests/vm1/steps.json');
    expect(steps.map((s) => s.result)).toEqual(['ok', 'ok', 'ok', 'refused']);
    const file = join(work.path, 'v4-vm1.img');
    const { size, labelSize } = backingFile(dir, 'vm1', file);
    expect(labelSize).toBe(32 * PAGE);
    const r = await runGuest({
      nvdimms: [{ file, size, labelSize, align: 2 * 1024 * 1024 }],
      memory: '512M',
      timeoutMs: 150_000,
      checkExit: false,
      job: [
        'run list ndctl list -RDN',
        'run listv ndctl list -N -v',
        'run rl ndctl read-labels -j nmem0',
        'run big ndctl create-namespace -r region0 -m raw -s 1G',
        `run mine ndctl create-namespace -r region0 -m raw -s 16M -u ${U_REAL} -n real-guest`,
        'run rl2 ndctl read-labels -j nmem0',
      ].join('\n'),
    });
    console.log(`guest-linux v4 boot: ${r.durationMs} ms; ${JSON.stringify(r.rcs)}`);
    expect(r.rcs).toMatchObject({ list: 0, listv: 0, rl: 0, mine: 0, rl2: 0 });
    // ndctl list -RDN: text for text
    expect(r.sections.list).toBe(dir.readBytes('guests/vm1/ndctl-list.json').length ? Buffer.from(dir.readBytes('guests/vm1/ndctl-list.json')).toString('utf8') : '');
    // read-labels: as JSON values (ndctl's u64 isetcookie kept exact)
    expect(normalize(parse(Buffer.from(dir.readBytes('guests/vm1/read-labels-nmem0.json')).toString('utf8')))).toEqual(normalize(parse(r.sections.rl)));
    // the namespaces the steps made, by their label uuid, size and mode
    const real = parse(r.sections.listv) as any[];
    const fsdax = real.find((n) => n.raw_uuid === U_FSDAX);
    expect(fsdax).toMatchObject({ mode: 'fsdax', name: 'sim-fsdax' });
    expect(real.find((n) => n.uuid === U_RAW)).toMatchObject({ mode: 'raw', name: 'sim-raw', size: 16 * 1024 * 1024 });
    expect(real.filter((n) => n.mode === 'sector')).toHaveLength(1);
    // the refusal of a namespace larger than the region
    expect(r.rcs.big).not.toBe(0);
    const refused = steps[3].reason as string;
    expect(refused.startsWith(r.sections['big.stderr']!.trim())).toBe(true);
    // Linux's own label writes reached the backing file whole: not through QEMU's _LSW
    const area = readRange(file, size - labelSize, labelSize);
    expect(readLabelArea(area).live.some((l: any) => l.value.uuid === U_REAL)).toBe(true);
    expect(normalize(readLabelsJson(area, 'nmem0'))).toEqual(normalize(parse(r.sections.rl2)));
  }, 400_000);

  it('v4 with nr_label_pages, a fresh (zero) label area: ndctl list -RDN and read-labels equal the real guest\'s', async () => {
    const file = join(work.path, 'v4-vm2.img');
    const { size, labelSize } = backingFile(dir4, 'vm2', file);
    const r = await runGuest({ nvdimms: [{ file, size, labelSize, share: false, align: 2 * 1024 * 1024 }], memory: '512M', timeoutMs: 150_000, job: 'run list ndctl list -RDN\nrun rl ndctl read-labels -j nmem0' });
    console.log(`guest-linux v4 fresh boot: ${r.durationMs} ms`);
    expect(r.sections.list).toBe(Buffer.from(dir4.readBytes('guests/vm2/ndctl-list.json')).toString('utf8'));
    expect(normalize(parse(Buffer.from(dir4.readBytes('guests/vm2/read-labels-nmem0.json')).toString('utf8')))).toEqual(normalize(parse(r.sections.rl)));
  }, 300_000);

  for (const design of ['v3', 'v1'] as const) it(`${design} label-less: ndctl list -RDN equals the real guest's (one raw namespace over the region)`, async () => {
    const dir = design === 'v3' ? await simulate('v3', false, []) : await simulateV1();
    expect(dir.readJson<any>('guests/vm1/mappings.json').status).toBe('running');
    const file = join(work.path, `${design}-vm1.img`);
    const { size, labelSize } = backingFile(dir, 'vm1', file);
    expect(labelSize).toBe(0);
    const r = await runGuest({ nvdimms: [{ file, size, labelSize: 0, share: false, align: 2 * 1024 * 1024 }], memory: '512M', timeoutMs: 150_000, job: 'run list ndctl list -RDN' });
    console.log(`guest-linux ${design} boot: ${r.durationMs} ms`);
    expect(r.sections.list).toBe(Buffer.from(dir.readBytes('guests/vm1/ndctl-list.json')).toString('utf8'));
    expect(parse(r.sections.list).regions[0].namespaces).toHaveLength(1);
  }, 300_000);
});

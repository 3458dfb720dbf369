/**
 * QEMU's label methods against Linux on the kernel fixtures (fixtures/linux/*: Linux 6.1 + ndctl 76
 * in a guest of real QEMU 7.2 made each image and recorded `ndctl read-labels -j nmem0` and `ndctl
 * list -RDN -v` after a reboot). Each fixture's bytes become one v4 guest's vNVDIMM (a 256 MiB
 * backend with nr_label_pages=32, the fixtures' 128 KiB label area): the pmem into the host frames
 * of its data runs, the label area into its label frames. The simulated guest kernel then reads the
 * labels as Linux does, through `_DSM` function 5, QEMU's DSM handler and `XEN_DMOP_pmem_rw`, and
 * its read-labels-nmem0.json must equal what the real ndctl printed over the same bytes, value for
 * value. Its namespaces (dev, mode, size, uuid, name) must be the real kernel's too (a label-less
 * one spans the region, whose size is the platform's).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runStage, startRun, type SimDir } from '../../src/sim/index.js';
import { guestMappingViews } from '../../src/sim/guestMappings.js';
import { hypercallEntries } from '../../src/sim/hypercalls.js';
import { normalize } from '../labels/fixtures.js';
import { writeRange } from '../support/files.js';
import { workDir, writeScenario } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'linux');
const NAMES = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const PAGE = 4096;
const PAGES = 0x10000; // 256 MiB, the fixtures' backing file
const work = workDir('nvtool-guest-kernel-fixtures-');

interface Expected {
  image: { file: string; size: number; labelSize: number };
  reboot: { reports: { read_labels: { stdout: string }; ndctl_list: { stdout: string } } };
}

/** ndctl prints u64 values as bare JSON integers: keep long ones exact as strings. */
const parse = (s: string) => JSON.parse(s.replace(/:\s*(\d{16,})/g, ':"$1"'));
const num = (s: string | bigint | number) => Number(BigInt(s));
const guestOf = (i: number) => `vm${i}`;

/** The inverse of a QEMU backing file: pmem at its guest offsets into the data runs' frames, the label area into the label runs'. */
function loadBackingFile(dir: SimDir, guest: string, bytes: Uint8Array, labelSize: number): void {
  const layout = dir.readJson<any>(`guests/${guest}/layout.json`).nvdimms[0];
  expect([num(layout.backendSize), num(layout.labelSize)]).toEqual([bytes.length, labelSize]);
  const base = num(layout.addr);
  const view = guestMappingViews(dir).find((v) => v.guest === guest)!;
  const zeros = Buffer.alloc(65536);
  const zero = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).equals(zeros.subarray(0, b.length));
  for (const r of view.vnvdimms[0]!.runs) {
    const from = num(r.guest.start) - base;
    for (let o = 0; o < r.pages * PAGE; o += 65536) {
      const chunk = bytes.subarray(from + o, from + Math.min(o + 65536, r.pages * PAGE));
      if (!zero(chunk)) writeRange(dir.path(r.image!), num(r.imageOffset!) + o, chunk);
    }
  }
  let at = bytes.length - labelSize;
  for (const r of view.other.filter((x) => x.type === 'label')) {
    writeRange(dir.path(r.image!), num(r.imageOffset!), bytes.subarray(at, at + r.pages * PAGE));
    at += r.pages * PAGE;
  }
  expect(at).toBe(bytes.length);
}

let dir: SimDir;
let expected: Expected[];
let dmops: number;

beforeAll(async () => {
  expected = NAMES.map((n) => JSON.parse(readFileSync(join(FIXTURES, n, 'expected.json'), 'utf8')) as Expected);
  for (const e of expected) expect([e.image.size, e.image.labelSize]).toEqual([PAGES * PAGE, 32 * PAGE]);
  NAMES.forEach((_n, i) => writeFileSync(join(work.path, `${guestOf(i)}.cfg`), `name = "${guestOf(i)}"\nbuilder = "hvm"\nmemory = 520\nvcpus = 1\nvnvdimms = [ 'type=mfn, backend=0x${(0x110000 + i * PAGES).toString(16)}, nr_pages=0x${PAGES.toString(16)}, nr_label_pages=32' ]\n`));
  const scenario = writeScenario(work.path, 's.json', {
    design: 'v4',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '4G', labelSize: '128K' }] } },
    xl: ['pmem-setup -m 0x100000 0x108000', `pmem-setup -d 0x108000 0x${(0x110000 + NAMES.length * PAGES).toString(16)} 0x100000 0x108000`],
    guests: NAMES.map((_n, i) => ({ name: guestOf(i), config: `${guestOf(i)}.cfg` })),
  });
  dir = await startRun(scenario, join(work.path, 'run'));
  for (const s of ['xen', 'dom0', 'xl', 'qemu', 'hvmloader']) await runStage(dir, s);
  NAMES.forEach((n, i) => {
    const bytes = new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, n, expected[i]!.image.file))));
    loadBackingFile(dir, guestOf(i), bytes, expected[i]!.image.labelSize);
  });
  const before = hypercallEntries(dir).length;
  await runStage(dir, 'guest');
  dmops = hypercallEntries(dir).slice(before).filter((e: any) => e.op === 'dm_op_pmem_rw').length;
}, 300_000);

describe('the simulated guest kernel on the kernel fixtures\' bytes (labels through _DSM, QEMU and XEN_DMOP_pmem_rw)', () => {
  it('the labels went through XEN_DMOP_pmem_rw only (no guest reads the host file)', () => {
    expect(dmops).toBeGreaterThanOrEqual(NAMES.length);
  });

  it.each(NAMES.map((n, i) => [n, i] as const))('%s: read-labels-nmem0.json equals the real ndctl read-labels -j', (_n, i) => {
    const ours = Buffer.from(dir.readBytes(`guests/${guestOf(i)}/read-labels-nmem0.json`)).toString('utf8');
    expect(normalize(parse(ours))).toEqual(normalize(parse(expected[i]!.reboot.reports.read_labels.stdout)));
  });

  it.each(NAMES.map((n, i) => [n, i] as const))('%s: the namespaces (dev, mode, size, uuid, name) are the real kernel\'s', (_n, i) => {
    // A label-less namespace spans its region, whose size is the platform's: 256 MiB - 128 KiB on the
    // fixtures' QEMU (file backend, 4 KiB aligned), 254 MiB on Xen's (memory-backend-xen aligns the pmem to 2 MiB).
    const list = (text: string) => (parse(text).regions as any[]).flatMap((r) => (r.namespaces ?? []).map((n: any) => ({
      dev: n.dev, mode: n.mode, size: n.size === r.size && n.uuid === undefined ? 'the region' : n.size, uuid: n.uuid, ...(n.name !== undefined ? { name: n.name } : {}),
    })));
    expect(list(Buffer.from(dir.readBytes(`guests/${guestOf(i)}/ndctl-list.json`)).toString('utf8'))).toEqual(list(expected[i]!.reboot.reports.ndctl_list.stdout));
  });
});

/**
 * `nvtool gpt ...` and `nvtool xen ...` on `IMAGE --namespace UUID`, checked by the real kernel in
 * ONE boot (Debian 6.1 under QEMU, test/harness/linux-guest) of copies of kernel-written fixtures:
 *   slot 0: raw-v1.2, claimed by `nvtool xen format --placement namespace` (label claim class = ours);
 *   slot 1: a label-less spacer (keeps the next DIMMs 2 MiB-aligned, see test/infoblocks/guest.test.ts);
 *   slot 2: two-named-v1.2, whose raw namespace "nvtool-b" (DPA 64 MiB) gets a GPT via --namespace;
 *   slot 3: sector-v1.2 (BTT2, 4096-byte sectors), which gets a 4Kn GPT written through its BTT.
 * Labels carry the interleave-set cookie of the DIMM serial QEMU derives from the slot, and the
 * fixtures were made in slot 0; for slots 2 and 3 only each live label's isetcookie is rewritten
 * (label checksum recomputed) to that slot's cookie, else Linux ignores the labels.
 * Expected values are what we asked for (start, size, GUIDs) and what the guest's kernel, sfdisk,
 * sgdisk and ndctl report, never nvtool's own reading.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStruct, encodeStruct } from '../../src/core/schema/index.js';
import { guidAsStoredBytes, interleaveSetCookies, labelV12, qemuSetMember, readLabelArea, slotOffset } from '../../src/labels/index.js';
import { XEN_PMEM_CLAIM_CLASS_GUID } from '../../src/xen/superblock.js';
import { runGuest, type GuestResult } from '../harness/linux-guest/guest.js';
import { loadFixture } from '../infoblocks/helpers.js';
import { MiB, nvtool, workDir } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const w = workDir('nvtool-ns-guest-');
afterAll(() => w.cleanup());
const LS = 128 * 1024;

/** Rewrite every live v1.2 label's isetcookie to the cookie Linux expects for a lone QEMU DIMM in `slot`. */
function recookie(file: string, slot: number): void {
  const img = readFileSync(file);
  const off = img.length - LS;
  const area = new Uint8Array(img.subarray(off));
  const view = readLabelArea(area);
  const cookie = interleaveSetCookies([qemuSetMember(slot)]).cookie2;
  for (const l of view.live) {
    const at = slotOffset(view.geometry!, l.slot);
    const { value } = decodeStruct(labelV12, area.subarray(at, at + 256));
    img.set(encodeStruct(labelV12, { ...value, isetcookie: cookie, checksum: 0n }), off + at);
  }
  writeFileSync(file, img);
}

function copyFixture(name: string, to: string): { file: string; fx: ReturnType<typeof loadFixture> } {
  const fx = loadFixture(name);
  const file = join(w.dir, to);
  writeFileSync(file, fx.image);
  return { file, fx };
}

const DISK_RAW = '6a1c5b0e-2f3d-4c4b-9a8e-1d2c3b4a5f60';
const PART_RAW = '7b2d6c1f-3a4e-4d5c-8b9f-2e3d4c5b6a71';
const DISK_SEC = '8c3e7d2a-4b5f-4e6d-9ca0-3f4e5d6c7b82';
const PART_SEC = '9d4f8e3b-5c6a-4f7e-8db1-4a5f6e7d8c93';

let r: GuestResult;
let xen: { file: string; uuid: string };
let raw: { file: string; uuid: string };
let sec: { file: string; uuid: string; bttUuid: string };
const ok = async (...argv: string[]) => {
  const o = await nvtool(...argv);
  if (o.code !== 0) throw new Error(`nvtool ${argv.join(' ')} -> ${o.code}: ${o.stderr}${o.stdout}`);
  return o;
};

beforeAll(async () => {
  const x = copyFixture('raw-v1.2', 'xen.img');
  xen = { file: x.file, uuid: x.fx.listed.uuid };
  const t = copyFixture('two-named-v1.2', 'raw.img');
  const rawNs = (t.fx.expected.reboot.reports.ndctl_list.json.regions[0].namespaces as any[]).find((n) => n.mode === 'raw');
  raw = { file: t.file, uuid: rawNs.uuid };
  const s = copyFixture('sector-v1.2', 'sector.img');
  sec = { file: s.file, uuid: s.fx.listed.raw_uuid, bttUuid: s.fx.listed.uuid };
  recookie(raw.file, 2);
  recookie(sec.file, 3);

  await ok('xen', 'format', xen.file, '--namespace', xen.uuid, '--placement', 'namespace', '-q');
  await ok('gpt', 'create', raw.file, '--namespace', raw.uuid, '--label-size', '128K', '--disk-guid', DISK_RAW);
  await ok('gpt', 'add', raw.file, '--namespace', raw.uuid, '--start', '2048', '--part-size', '32M', '--name', 'ns-raw', '--guid', PART_RAW);
  // the sector namespace named by the BTT's uuid (what `ndctl list` prints as "uuid"), then by its label uuid
  await ok('gpt', 'create', sec.file, '--namespace', sec.bttUuid, '--disk-guid', DISK_SEC);
  await ok('gpt', 'add', sec.file, '--namespace', sec.uuid, '--start', '256', '--part-size', '64M', '--name', 'ns-sector', '--guid', PART_SEC, '--type', '8300');

  const spacer = w.image('spacer.img', 4 * MiB);
  r = await runGuest({
    nvdimms: [
      { file: xen.file, labelSize: LS, share: true },
      { file: spacer, labelSize: 1920 * 1024 },
      { file: raw.file, labelSize: LS, share: true },
      { file: sec.file, labelSize: LS, share: true },
    ],
    timeoutMs: 200_000,
    checkExit: false,
    job: [
      'run list ndctl list -N -v',
      'section ns',
      'for n in /sys/bus/nd/devices/namespace*; do echo "$(basename $n) uuid=$(cat $n/uuid 2>/dev/null) mode=$(cat $n/mode 2>/dev/null) holder=$(cat $n/holder 2>/dev/null) class=$(cat $n/holder_class 2>/dev/null) size=$(cat $n/size 2>/dev/null) block=$(ls $n/block 2>/dev/null | tr "\\n" ,)"; done',
      'section claims',
      'for d in /sys/bus/nd/devices/pfn* /sys/bus/nd/devices/btt* /sys/bus/nd/devices/dax*; do [ -e $d/namespace ] && echo "$(basename $d) $(cat $d/namespace)"; done',
      'section parts',
      'for p in /sys/class/block/pmem*; do [ -e "$p/start" ] && echo "$(basename $p) $(cat $p/start) $(cat $p/size)"; done',
      'section lbs',
      'for b in /sys/block/pmem*; do echo "$(basename $b) $(cat $b/queue/logical_block_size)"; done',
      'run labels0 ndctl read-labels -j nmem0',
      'XB=$(for n in /sys/bus/nd/devices/namespace*; do [ "$(cat $n/uuid 2>/dev/null)" = "' + '__XEN__' + '" ] && ls $n/block 2>/dev/null; done | head -n1)',
      'section xenblk; echo "$XB"',
      'run xenmagic sh -c "dd if=/dev/$XB bs=16 count=1 2>/dev/null"',
      // the block device of a namespace (label uuid): its own, or its holder's (btt/pfn/dax) when claimed
      'blk_of() { for n in /sys/bus/nd/devices/namespace*; do [ "$(cat $n/uuid 2>/dev/null)" = "$1" ] || continue; h=$(cat $n/holder); if [ -n "$h" ]; then ls /sys/bus/nd/devices/$h/block; else ls $n/block; fi; done | head -n1; }',
      'RB=$(blk_of __RAW__); SB=$(blk_of __SEC__)',
      'section devs; echo "$RB $SB"',
      'run sfraw sfdisk --json /dev/$RB',
      'run sfsec sfdisk --json /dev/$SB',
      'run sgraw sgdisk -v /dev/$RB',
      'run sgsec sgdisk -v /dev/$SB',
      'run dmesg sh -c "dmesg | grep -iE \'nd_|pmem|btt|namespace\' | tail -n 40"',
    ].join('\n').replace('__XEN__', () => x.fx.listed.uuid).replace('__RAW__', () => rawNs.uuid).replace('__SEC__', () => s.fx.listed.raw_uuid),
  });
  if (process.env.NVTOOL_GUEST_DEBUG) console.log(JSON.stringify(r.sections, null, 1), r.console.slice(-4000));
}, 300_000);

const sec_ = (k: string) => (r.sections[k] ?? '').trim();
const nsLine = (uuid: string) => sec_('ns').split('\n').find((l) => l.includes(`uuid=${uuid}`)) ?? '';
const field = (line: string, k: string) => new RegExp(`${k}=(\\S*)`).exec(line)?.[1];

describe('linux-guest: gpt and xen through IMAGE --namespace (one boot)', () => {
  it('a GPT made through --namespace on a raw namespace is /dev/<blockdev>p1 to the kernel, sfdisk and sgdisk', () => {
    const [rb] = sec_('devs').split(' ');
    expect(rb, r.console.slice(-3000)).toMatch(/^pmem\S+$/);
    const parts = new Map(sec_('parts').split('\n').map((l) => { const [n, st, sz] = l.split(' '); return [n!, [Number(st), Number(sz)]] as const; }));
    // a blockdev name ending in a digit (pmem2.1) gets "p" before the partition number
    expect(parts.get(`${rb}p1`)).toEqual([2048, (32 * MiB) / 512]);
    const sf = JSON.parse(sec_('sfraw')).partitiontable;
    expect(sf.id).toBe(DISK_RAW.toUpperCase());
    expect(sf.sectorsize ?? 512).toBe(512);
    expect(sf.partitions).toHaveLength(1);
    expect(sf.partitions[0]).toMatchObject({ node: `/dev/${rb}p1`, start: 2048, size: (32 * MiB) / 512, uuid: PART_RAW.toUpperCase(), name: 'ns-raw' });
    expect(sec_('sgraw')).toMatch(/No problems found/);
  });

  it('a 4Kn GPT written through the sector namespace\'s BTT is /dev/<blockdev>1 with 4096-byte sectors', () => {
    const sb = sec_('devs').split(' ')[1]!;
    expect(sb).toMatch(/^pmem\d+s$/);
    expect(sec_('lbs')).toContain(`${sb} 4096`);
    const parts = new Map(sec_('parts').split('\n').map((l) => { const [n, st, sz] = l.split(' '); return [n!, [Number(st), Number(sz)]] as const; }));
    // the name ends in "s", so no "p": pmemNs1; sysfs counts 512-byte units
    expect(parts.get(`${sb}1`)).toEqual([256 * 8, (64 * MiB) / 512]);
    const sf = JSON.parse(sec_('sfsec')).partitiontable;
    expect(sf.sectorsize).toBe(4096);
    expect(sf.id).toBe(DISK_SEC.toUpperCase());
    expect(sf.partitions[0]).toMatchObject({ node: `/dev/${sb}1`, start: 256, size: (64 * MiB) / 4096, uuid: PART_SEC.toUpperCase(), name: 'ns-sector', type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4' });
    expect(sec_('sgsec')).toMatch(/No problems found/);
  });

  it('the Xen-claimed namespace: the kernel assembles it with an unknown claim class, no BTT/PFN/DAX claims it, and its bytes are untouched', () => {
    const line = nsLine(xen.uuid);
    expect(line, sec_('ns')).not.toBe('');
    expect(field(line, 'class')).toBe('<unknown>');
    expect(field(line, 'holder')).toBe('');
    const nsDev = line.split(' ')[0]!;
    expect(sec_('claims').split('\n').filter((l) => l.endsWith(` ${nsDev}`))).toEqual([]);
    // ndctl's view of the label: the abstraction GUID as stored bytes, as the kernel left it
    const labels = JSON.parse(sec_('labels0')).label as { uuid: string; flags: number; abstraction_guid: string }[];
    const live = labels.filter((l) => l.uuid === xen.uuid && l.flags === 0);
    expect(live.map((l) => l.abstraction_guid)).toContain(guidAsStoredBytes(XEN_PMEM_CLAIM_CLASS_GUID));
    // Linux 6.1 nd_pmem_probe: btt/pfn/dax probes refuse an unknown class (-ENODEV), then it attaches a
    // plain pmem disk over the whole namespace; the super block is what that disk reads at offset 0.
    expect(field(line, 'mode')).toBe('raw');
    expect(field(line, 'block')).toMatch(/^pmem\d+,$/);
    const listed = (JSON.parse(sec_('list')) as any[]).find((n) => n.uuid === xen.uuid);
    expect(listed).toMatchObject({ mode: 'raw', size: 240 * MiB });
    expect(sec_('xenmagic')).toBe('XEN_PMEM_SUPERBK');
  });

  it('after the boot, nvtool xen check finds the super block through the label (claim class Xen) and the GPTs still list', async () => {
    const c = await nvtool('xen', 'check', xen.file, '--namespace', xen.uuid, '--json');
    expect(c.code).toBe(0);
    const j = (validateCliJson('xen-check', c.stdout) as any) as { located: { placement: number }; findings: { code: string }[] };
    expect(j.located.placement).toBe(3);
    expect(j.findings.map((f) => f.code)).toContain('claimed');
    expect((await nvtool('gpt', 'verify', sec.file, '--namespace', sec.uuid)).code).toBe(0);
  });
});

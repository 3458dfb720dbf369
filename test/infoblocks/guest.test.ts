/**
 * One batched boot of the real Linux 6.1 kernel (QEMU, test/harness/linux-guest) on NVDIMMs nvtool
 * formatted:
 * - a v1.2-labelled raw namespace (the raw-v1.2 kernel fixture) formatted as sector by nvtool;
 * - label-less NVDIMMs formatted fsdax, devdax and sector (512) by nvtool;
 * - blank label-less NVDIMMs the guest's ndctl turns into sector (the 1 GiB worked example) and fsdax;
 * - a labelled NVDIMM QEMU maps at an SPA 128 KiB short of 2 MiB alignment, whose namespace at image
 *   offset 128 KiB (SPA 2 MiB-aligned) nvtool formats fsdax given the DIMM's SPA (`--spa`): Linux
 *   aligns the info block to the SPA (nd_pfn_init/nd_pfn_validate use nsio->res.start), not to the
 *   offset in the file, so without the SPA nvtool must refuse.
 * The guest must bring nvtool's namespaces up in that mode with the same uuid and size; sectors
 * nvtool wrote through its BTT read back in the guest (dd | md5sum) and sectors the guest wrote read
 * back through nvtool's BTT; what the kernel wrote must equal nvtool's planning byte for byte.
 */
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockIO } from '../../src/core/blockio.js';
import { Btt } from '../../src/infoblocks/btt.js';
import { encodeBttInfo } from '../../src/infoblocks/bttInfo.js';
import { decodePfnInfo, encodePfnInfo, planPfnInfo } from '../../src/infoblocks/pfn.js';
import { formatNamespace } from '../../src/namespace/format.js';
import { findLabelledNamespace, labellessNamespace, type NamespaceRef } from '../../src/namespace/labelsGlue.js';
import { openNamespaceView } from '../../src/namespace/view.js';
import { parsePlatform, resolvePlatform } from '../../src/acpi/qemu/index.js';
import { guestPlatform, runGuest, type GuestResult } from '../harness/linux-guest/guest.js';
import { runCli } from '../support/cli.js';
import { loadFixture } from './helpers.js';

const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'nvtool-infoblock-guest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
/** What busybox `yes TAG | head -c N` produces. */
const yesBytes = (tag: string, n: number) => Buffer.from(`${tag}\n`.repeat(Math.ceil(n / (tag.length + 1)))).subarray(0, n);
const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 17 + (i >> 9)) & 0xff);

function blank(name: string, size: number): string {
  const f = join(work, name);
  const fd = openSync(f, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return f;
}

interface Dimm {
  file: string;
  labelSize: number;
  ns: () => NamespaceRef;
}

const U = { d6: 'a6666666-6666-4666-8666-666666666666', d6ns: 'b6666666-6666-4666-8666-666666666666', d6filler: 'b6666666-6666-4666-8666-000000000000', d0: 'a0000000-0000-4000-8000-000000000000', d1: 'a1111111-1111-4111-8111-111111111111', d2: 'a2222222-2222-4222-8222-222222222222', d3: 'a3333333-3333-4333-8333-333333333333' };
let result: GuestResult;
let dimms: Dimm[];
let labelledUuid: string;
const expected: Record<string, { mode: string; size: number; uuid: string; nsUuid?: string }> = {};
/** d6: its SPA (from nvtool's model of QEMU's placement; the guest's sysfs confirms it) and what nvtool said without it. */
let d6: { file: string; spa: bigint; noSpa: { code: number; stderr: string } };

async function nvtool(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args);
}

beforeAll(async () => {
  const fx = loadFixture('raw-v1.2');
  labelledUuid = fx.listed.uuid;
  const d0 = join(work, 'd0.img');
  writeFileSync(d0, fx.image);
  dimms = [
    { file: d0, labelSize: 128 * 1024, ns: () => findLabelledNamespace(FileBlockIO.open(d0, false), labelledUuid, 128 * 1024) },
    { file: blank('d1.img', 64 * MiB), labelSize: 0, ns: () => labellessNamespace(FileBlockIO.open(join(work, 'd1.img'), false), 0) },
    { file: blank('d2.img', 80 * MiB), labelSize: 0, ns: () => labellessNamespace(FileBlockIO.open(join(work, 'd2.img'), false), 0) },
    { file: blank('d3.img', 96 * MiB), labelSize: 0, ns: () => labellessNamespace(FileBlockIO.open(join(work, 'd3.img'), false), 0) },
    { file: blank('d4.img', 1024 * MiB), labelSize: 0, ns: () => labellessNamespace(FileBlockIO.open(join(work, 'd4.img'), false), 0) },
    { file: blank('d5.img', 112 * MiB), labelSize: 0, ns: () => labellessNamespace(FileBlockIO.open(join(work, 'd5.img'), false), 0) },
  ];
  const fmt = (i: number, o: Parameters<typeof formatNamespace>[2]) => {
    const s = FileBlockIO.open(dimms[i]!.file, true);
    try {
      const ns = dimms[i]!.ns();
      const r = formatNamespace(s, ns, o);
      const v = openNamespaceView(s, ns);
      expected[`d${i}`] = { mode: o.mode, size: v.size, uuid: r.uuid!, nsUuid: ns.uuid };
      return { s, v };
    } catch (e) {
      s.close();
      throw e;
    }
  };
  // d0: labelled namespace -> sector (BTT 1.1: the label's claim class stays none), sectors written by nvtool
  {
    const { s, v } = fmt(0, { mode: 'sector', uuid: U.d0, sectorSize: 4096 });
    v.device.write(0, pattern(4096, 1));
    v.device.write(100, pattern(4096, 2));
    v.device.write(100, pattern(4096, 3)); // rewritten: the free-block rotation is exercised
    s.close();
  }
  fmt(1, { mode: 'fsdax', uuid: U.d1, align: 2 * MiB, map: 'dev' }).s.close();
  {
    const { s, v } = fmt(1, { mode: 'fsdax', uuid: U.d1, align: 2 * MiB, map: 'dev', force: true });
    v.bytes!.write(0, pattern(512, 4));
    s.close();
  }
  fmt(2, { mode: 'devdax', uuid: U.d2, align: 2 * MiB, map: 'dev' }).s.close();
  {
    const { s, v } = fmt(3, { mode: 'sector', uuid: U.d3, sectorSize: 512 });
    v.device.write(9, pattern(512, 5));
    s.close();
  }
  const sz = (k: string) => expected[k]!.size;
  const job = `
find_blk() { for b in /sys/block/pmem*; do [ "$(cat $b/size)" = "$1" ] && basename $b && return 0; done; return 1; }
find_ns() { for r in /sys/bus/nd/devices/region*; do [ "$(cat $r/size)" = "$1" ] && ls -d $r/namespace*.0 | xargs -n1 basename && return 0; done; return 1; }
run list0 ndctl list -N -v
run resources sh -c 'for r in /sys/bus/nd/devices/region*; do echo $(basename $r) $(cat $r/size) $(cat $r/resource); for n in $r/namespace*; do [ "$(cat $n/size)" != 0 ] && echo $(basename $n) $(cat $n/size) $(cat $n/resource); done; done'
run blocks sh -c 'for b in /sys/block/pmem*; do echo $(basename $b) $(cat $b/size) $(cat $b/queue/logical_block_size); done'
D0=$(find_blk ${sz('d0') / 512}); D1=$(find_blk ${sz('d1') / 512}); D3=$(find_blk ${sz('d3') / 512})
section devs; echo "$D0 $D1 $D3"
run d0_md5 sh -c "dd if=/dev/$D0 bs=4096 skip=0 count=1 2>/dev/null | md5sum; dd if=/dev/$D0 bs=4096 skip=100 count=1 2>/dev/null | md5sum; dd if=/dev/$D0 bs=4096 skip=55 count=1 2>/dev/null | md5sum"
run d1_md5 sh -c "dd if=/dev/$D1 bs=512 count=1 2>/dev/null | md5sum"
run d3_md5 sh -c "dd if=/dev/$D3 bs=512 skip=9 count=1 2>/dev/null | md5sum"
run d0_write sh -c "yes guest-sector-7 | head -c 4096 | dd of=/dev/$D0 bs=4096 seek=7 count=1 conv=fsync && yes guest-sector-100 | head -c 4096 | dd of=/dev/$D0 bs=4096 seek=100 count=1 conv=fsync && yes guest-sector-50000 | head -c 4096 | dd of=/dev/$D0 bs=4096 seek=50000 count=1 conv=fsync"
run d1_write sh -c "yes guest-fsdax | head -c 512 | dd of=/dev/$D1 bs=512 seek=3 count=1 conv=fsync"
run d3_write sh -c "yes guest-512 | head -c 512 | dd of=/dev/$D3 bs=512 seek=9 count=1 conv=fsync"
N4=$(find_ns ${1024 * MiB}); N5=$(find_ns ${112 * MiB})
run kbtt ndctl create-namespace -f -e $N4 -m sector
run kfsdax ndctl create-namespace -f -e $N5 -m fsdax -a 2M
run list1 ndctl list -N -v
sync
`;
  // The labelled DIMM must stay in slot 0: its labels carry the interleave-set cookie of the DIMM
  // serial QEMU derives from the slot. QEMU maps only size - label-size of an NVDIMM, which puts the
  // next DIMM (slot 1, d6) 128 KiB short of 2 MiB alignment; d6 (36 MiB, a 1920 KiB label area) maps
  // 34 MiB + 128 KiB, so every later DIMM is 2 MiB-aligned again (Linux rejects fsdax/devdax at a
  // misaligned start: "bad offset").
  const LSA = 128 * 1024;
  const LSA6 = 1920 * 1024;
  const d6file = blank('d6.img', 36 * MiB);
  const order = [{ file: dimms[0]!.file, labelSize: LSA }, { file: d6file, labelSize: LSA6 }, ...[1, 2, 3, 4, 5].map((i) => ({ file: dimms[i]!.file, labelSize: 0 }))];
  const platform = guestPlatform({ nvdimms: order.map((n) => ({ ...n, size: statSync(n.file).size })) });
  const platformFile = join(work, 'platform.json');
  writeFileSync(platformFile, JSON.stringify(platform));
  const spa = resolvePlatform(parsePlatform(platform)).dimms.find((x) => x.id === 'nv1')!.addr;
  // d6 (v1.2 labels, slot 1's cookie): a 128 KiB namespace first so the next one sits at DPA 128 KiB
  // (SPA 2 MiB-aligned), then it is deleted; the 33 MiB namespace ends 1 MiB short of alignment (end_trunc).
  const ok = async (...args: string[]) => {
    const r = await nvtool(...args);
    if (r.code !== 0) throw new Error(`nvtool ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  };
  const lab = ['--label-size', '1920K', '--platform', platformFile, '--dimm', 'nv1'];
  await ok('labels', 'init', '--label-size', '1920K', '--label-version', '1.2', d6file);
  await ok('labels', 'create', ...lab, '--size', '128K', '--align', '128K', '--uuid', U.d6filler, d6file);
  await ok('labels', 'create', ...lab, '--size', '33M', '--align', '128K', '--uuid', U.d6ns, '--name', 'spa-aligned', d6file);
  await ok('labels', 'delete', '--label-size', '1920K', '--uuid', U.d6filler, d6file);
  const noSpa = await nvtool('namespace', 'format', d6file, '-n', U.d6ns, '--mode', 'fsdax', '--uuid', U.d6);
  // where QEMU maps d6, from the machine description (test/infoblocks/cli.test.ts: the same bytes as --spa and --nfit)
  await ok('namespace', 'format', d6file, '-n', U.d6ns, '--mode', 'fsdax', '--uuid', U.d6, '--platform', platformFile, '--dimm', 'nv1');
  d6 = { file: d6file, spa, noSpa };
  {
    const s6 = FileBlockIO.open(d6file, false);
    const ns = findLabelledNamespace(s6, U.d6ns, LSA6);
    expected.d6 = { mode: 'fsdax', size: openNamespaceView(s6, { ...ns, physStart: Number(spa) + ns.offset }).size, uuid: U.d6, nsUuid: U.d6ns };
    s6.close();
  }
  result = await runGuest({ nvdimms: order, job, timeoutMs: 240_000, checkExit: false });
  if (process.env.NVTOOL_GUEST_DEBUG) console.log(JSON.stringify(result.sections, null, 1), result.console.slice(-6000));
}, 300_000);

function listed(section: string): any[] {
  const j = JSON.parse(result.sections[section] ?? '[]');
  return Array.isArray(j) ? j : [j];
}

describe('real kernel on nvtool-formatted namespaces (one boot)', () => {
  it('every nvtool-formatted namespace comes up in its mode with nvtool uuid and size', () => {
    const list = listed('list0');
    for (const k of ['d0', 'd1', 'd2', 'd3', 'd6']) {
      const e = expected[k]!;
      const n = list.find((x) => x.uuid === e.uuid);
      expect(n, `${k} (${e.mode}) in ndctl list: ${result.sections.list0}`).toBeDefined();
      expect(n.mode).toBe(e.mode);
      expect(n.size).toBe(e.size);
      if (k === 'd0') expect(n.raw_uuid).toBe(labelledUuid);
    }
    const d2 = list.find((x) => x.uuid === U.d2);
    expect(d2.daxregion?.devices?.[0]?.size ?? d2.size).toBe(expected.d2!.size);
  });

  it("an fsdax info block aligned to the DIMM's SPA (not 2 MiB-aligned like the image offset) is accepted; without the SPA nvtool refuses", () => {
    const res = Object.fromEntries((result.sections.resources ?? '').trim().split('\n').map((l) => l.split(' ')).filter((f) => f.length === 3).map(([dev, size, at]) => [dev!, { size: Number(size), at: BigInt(at!) }]));
    const region = Object.entries(res).find(([k, v]) => k.startsWith('region') && v.size === 34 * MiB + 128 * 1024);
    expect(region, result.sections.resources).toBeDefined();
    expect(region![1].at).toBe(d6.spa); // where the test assumed QEMU maps d6
    expect(Number(d6.spa % BigInt(2 * MiB))).toBe(2 * MiB - 128 * 1024);
    const ns = Object.entries(res).find(([k, v]) => k.startsWith('namespace') && v.at === d6.spa + 128n * 1024n);
    expect(ns, 'the namespace at DPA 128 KiB: SPA 2 MiB-aligned').toBeDefined();
    const n = listed('list0').find((x) => x.uuid === U.d6);
    expect(n).toMatchObject({ mode: 'fsdax', map: 'dev', uuid: U.d6, raw_uuid: U.d6ns, name: 'spa-aligned' });
    const s6 = FileBlockIO.open(d6.file, false);
    const pfn = decodePfnInfo(s6.read(128 * 1024 + 4096, 4096)).value;
    s6.close();
    expect(pfn.endTrunc).toBe(MiB); // 33 MiB from an aligned SPA
    expect(n.size).toBe(33 * MiB - Number(pfn.dataoff) - MiB);
    expect(d6.noSpa.code).toBe(2);
    expect(d6.noSpa.stderr.trim().split('\n')).toEqual([expect.stringMatching(/its SPA 0x20000 is not 2 MiB-aligned: .*-EINVAL\); that SPA is assumed from its offset in the image: pass the DIMM's with --spa$/)]);
  });

  it('sectors nvtool wrote through its BTT / view read back in the guest', () => {
    const sums = (s: string) => (result.sections[s] ?? '').split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean);
    expect(sums('d0_md5')).toEqual([md5(pattern(4096, 1)), md5(pattern(4096, 3)), md5(new Uint8Array(4096))]);
    expect(sums('d1_md5')).toEqual([md5(pattern(512, 4))]);
    expect(sums('d3_md5')).toEqual([md5(pattern(512, 5))]);
  });

  it("sectors the guest wrote read back through nvtool's BTT and fsdax view", () => {
    expect(result.rcs).toMatchObject({ d0_write: 0, d1_write: 0, d3_write: 0 });
    const s0 = FileBlockIO.open(dimms[0]!.file, false);
    const v0 = openNamespaceView(s0, dimms[0]!.ns());
    expect(v0.mode).toBe('sector');
    expect(Buffer.from(v0.device.read(7)).equals(yesBytes('guest-sector-7', 4096))).toBe(true);
    expect(Buffer.from(v0.device.read(100)).equals(yesBytes('guest-sector-100', 4096))).toBe(true);
    expect(Buffer.from(v0.device.read(50000)).equals(yesBytes('guest-sector-50000', 4096))).toBe(true);
    expect(Buffer.from(v0.device.read(0)).equals(Buffer.from(pattern(4096, 1)))).toBe(true);
    s0.close();
    const s1 = FileBlockIO.open(dimms[1]!.file, false);
    const v1 = openNamespaceView(s1, dimms[1]!.ns());
    expect(Buffer.from(v1.device.read(3)).equals(yesBytes('guest-fsdax', 512))).toBe(true);
    s1.close();
    const s3 = FileBlockIO.open(dimms[3]!.file, false);
    const v3 = openNamespaceView(s3, dimms[3]!.ns());
    expect(Buffer.from(v3.device.read(9)).equals(yesBytes('guest-512', 512))).toBe(true);
    s3.close();
  });

  it('the BTT the kernel created on a 1 GiB namespace is the worked example and equals nvtool planning byte for byte', () => {
    expect(result.rcs.kbtt, result.sections['kbtt.stderr']).toBe(0);
    const created = JSON.parse(result.sections.kbtt!);
    const s = FileBlockIO.open(dimms[4]!.file, false);
    const btt = Btt.open(s, { namespaceUuid: '00000000-0000-0000-0000-000000000000' });
    expect(btt.uuid).toBe(created.uuid);
    expect(btt.size).toBe(listed('list1').find((x) => x.uuid === created.uuid).size);
    const i = btt.arenas[0]!.info;
    expect({ internal: i.internalNlba, external: i.externalNlba, dataoff: i.dataoff, mapoff: i.mapoff, logoff: i.logoff, info2off: i.info2off }).toEqual({
      internal: 261880, external: 261624, dataoff: 4096n, mapoff: 1072668672n, logoff: 1073717248n, info2off: 1073733632n,
    });
    const plan = Btt.plan(1024 * MiB, { uuid: created.uuid, lbasize: created.sector_size, version: { major: 1, minor: 1 } });
    expect(Buffer.from(encodeBttInfo(plan[0]!.info)).equals(Buffer.from(s.read(4096, 4096)))).toBe(true);
    s.close();
  });

  it('the fsdax info block the kernel wrote equals nd_pfn_init planning byte for byte', () => {
    expect(result.rcs.kfsdax, result.sections['kfsdax.stderr']).toBe(0);
    const created = JSON.parse(result.sections.kfsdax!);
    const s = FileBlockIO.open(dimms[5]!.file, false);
    const raw = s.read(4096, 4096);
    const d = decodePfnInfo(raw);
    expect(d.value.uuid).toBe(created.uuid);
    const mine = planPfnInfo({ kind: 'fsdax', size: 112 * MiB, align: 2 * MiB, map: 'dev', uuid: created.uuid });
    expect(Buffer.from(encodePfnInfo(mine)).equals(Buffer.from(raw))).toBe(true);
    expect(openNamespaceView(s, dimms[5]!.ns()).size).toBe(listed('list1').find((x) => x.uuid === created.uuid).size);
    s.close();
  });
});

/**
 * Interleave sets with the real Linux kernel as the oracle, in one QEMU boot. QEMU gives one region
 * per NVDIMM, so the guest gets nvtool-built tables through the initrd (runGuest acpiOverrides,
 * test/harness/linux-guest/interleavedTables.ts): an NFIT whose two persistent-memory ranges
 * interleave 2 and 4 of QEMU's NVDIMMs, and QEMU's SSDT with `_FIT` returning those structures.
 *  - set A (nv4, nv5): v1.1 index blocks, so Linux uses the v1.1 cookie (cookie1);
 *  - set B (nv0..nv3): v1.2, memdevs listed out of Region Offset order (table order nv2, nv0, nv3,
 *    nv1), so mapping order (label position) and cookie sort order (sysfs mapping position) differ;
 *  - set C (nv6..nv8): v1.2, 3 DIMMs in reverse table order: the region align is 48 MiB; one of
 *    its namespaces carries the altcookie, which Linux accepts.
 * Direction 1: nvtool writes a namespace across each set (labels create --nfit); the guest must
 * assemble the regions with nvtool's cookie and positions and show the namespaces (uuid, name,
 * size, mode), with `ndctl read-labels` equal to nvtool's reading of the same bytes. Set A also
 * holds a namespace labelled with the v1.2 cookie under its v1.1 index: the guest must skip it and
 * still assemble the region, as nvtool predicts (state `ignored`). A marker
 * written at offset 0 of every backing file, read back at the namespace offsets where nvtool's
 * platform model says QEMU placed each DIMM, shows the SPA ranges cover QEMU's placement.
 * Direction 2: the guest creates namespaces on both regions (raw; fsdax and sector on v1.2); nvtool
 * reads the label areas afterwards and must assemble exactly the namespaces the guest lists, with
 * Linux's label positions (mapping index) and cookies.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNfit } from '../../src/acpi/nfit/index.js';
import {
  applySetWrite, collectWrites, createSetNamespace, deleteSetNamespace, interleaveSetsFromNfit, listSetNamespacesJson, readInterleaveSet, readLabelsJson, type NfitSet, type SetWrite,
} from '../../src/labels/index.js';
import { guestPlatform, runGuest, type NvdimmSpec } from '../harness/linux-guest/guest.js';
import { interleavedTables } from '../harness/linux-guest/interleavedTables.js';
import { runCli } from '../support/cli.js';
import { readRange, writeRange } from '../support/files.js';
import { normalize } from './fixtures.js';
import { validateCliJson } from '../support/schemas.js';

const MiB = 1024 * 1024;
const LSA = 128 * 1024;
const work = mkdtempSync(join(tmpdir(), 'nvtool-iset-guest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** ndctl prints u64 values as bare JSON integers: keep long ones exact as strings. */
const parse = (s: string | undefined) => JSON.parse((s ?? 'null').replace(/:\s*(\d{16,})/g, ':"$1"'));
const marker = (i: number) => `nvtool-mark-nv${i}`.padEnd(16, '.');

async function nvtool(...args: string[]): Promise<string> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`nvtool ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('interleave sets and the real Linux kernel (nvtool NFIT + SSDT through the initrd, one boot)', () => {
  it('the kernel assembles nvtool-written set labels; nvtool assembles kernel-written ones', async () => {
    // Set B first: its SPA range then starts 16 MiB-aligned, as ndctl wants for an fsdax namespace.
    const sizes = [256, 256, 256, 256, 128, 128, 128, 128, 128].map((m) => m * MiB);
    const nvdimms: NvdimmSpec[] = sizes.map((size, i) => ({ file: join(work, `nv${i}.img`), size, labelSize: LSA }));
    for (const [i, d] of nvdimms.entries()) {
      writeFileSync(d.file, '');
      truncateSync(d.file, d.size!);
      writeRange(d.file, 0, Buffer.from(marker(i)));
    }
    const files = nvdimms.map((d) => d.file);
    const tables = interleavedTables(guestPlatform({ nvdimms, memory: '512M' }), [
      { dimms: [4, 5] },
      { dimms: [0, 1, 2, 3], tableOrder: [2, 0, 3, 1] },
      // 128-byte lines: Region Offsets 0, 0x80, 0x100 sort differently as LE bytes (the altcookie).
      { dimms: [6, 7, 8], tableOrder: [2, 1, 0], line: 0x80 },
    ]);
    const nfitFile = join(work, 'nfit.aml');
    writeFileSync(nfitFile, tables.nfit);
    const sets: NfitSet[] = interleaveSetsFromNfit(decodeNfit(tables.nfit).table);
    const [setA, setB, setC] = sets as [NfitSet, NfitSet, NfitSet];
    expect(sets.map((s) => s.set.dimms.map((d) => d.handle))).toEqual([[5, 6], [3, 1, 4, 2], [9, 8, 7]]);
    // Where nvtool's QEMU model puts the DIMMs: pmem = size - label area, back to back.
    const pmem = (i: number) => sizes[i]! - LSA;
    expect([...tables.platform.dimms].sort((x, y) => x.index - y.index).map((d) => [d.slot, d.addr, d.pmemSize])).toEqual(
      sizes.map((_, i) => [i, 0x100000000n + BigInt(sizes.slice(0, i).reduce((t, s) => t + s - LSA, 0)), BigInt(pmem(i))]),
    );

    // nvtool writes: set A v1.1, sets B and C v1.2 (targets in file order, --dimm maps them to the
    // memdevs; set C without --dimm, so in memdev order).
    const ua = '7e57a000-0000-4000-8000-00000000000a';
    const ub = '7e57b000-0000-4000-8000-00000000000b';
    const uc = '7e57c000-0000-4000-8000-00000000000c';
    for (const [i, f] of files.entries()) await nvtool('labels', 'init', '--label-size', '128K', '--label-version', i === 4 || i === 5 ? '1.1' : '1.2', f);
    await nvtool('labels', 'create', '--nfit', nfitFile, '--label-size', '128K', '--dimm', '0x5', '--dimm', '0x6', '--size', '192M', '--name', 'set-a', '--uuid', ua, files[4]!, files[5]!);
    await nvtool('labels', 'create', '--nfit', nfitFile, '--label-size', '128K', '--dimm', '0x1', '--dimm', '0x2', '--dimm', '0x3', '--dimm', '0x4', '--size', '768M', '--name', 'set-b', '--uuid', ub, ...files.slice(0, 4));
    // Set C: 3 DIMMs, so the region align is 16 MiB × 3 (region_devs.c default_align) and 96 MiB is a multiple.
    expect(setC.set.align).toBe(48n * BigInt(MiB));
    await nvtool('labels', 'create', '--nfit', nfitFile, '--label-size', '128K', '--size', '96M', '--name', 'set-c', '--uuid', uc, files[8]!, files[7]!, files[6]!);
    // And a namespace labelled with the altcookie (the v1.1 elements sorted by memcmp of the LE
    // offsets, cookies from before the sort fix), which Linux still accepts (create_namespace_pmem).
    const ualt = '7e57c000-0000-4000-8000-0000000000a1';
    expect(setC.set.cookies.altcookie).not.toBe(setC.set.cookies.cookie1);
    const areasC = [8, 7, 6].map((i) => readRange(files[i]!, sizes[i]! - LSA, LSA));
    const altSet = { ...setC.set, cookies: { ...setC.set.cookies, cookie2: setC.set.cookies.altcookie } };
    for (const w of collectWrites(createSetNamespace(areasC, altSet, { uuid: ualt, name: 'alt-cookie', size: 48n * BigInt(MiB) })).writes) applySetWrite(areasC, w);
    [8, 7, 6].forEach((i, k) => writeRange(files[i]!, sizes[i]! - LSA, areasC[k]!));
    expect(readInterleaveSet(areasC, setC.set).namespaces.map((n) => [n.uuid, n.state])).toEqual([[uc, 'active'], [ualt, 'active']]);
    const lsa = (i: number) => readRange(files[i]!, sizes[i]! - LSA, LSA);
    // Set A also gets a namespace whose labels carry the v1.2 cookie under the v1.1 index: Linux must
    // skip it (create_namespace_pmem -EAGAIN) and still assemble the region. It goes after a 32 MiB
    // gap (a filler made and deleted) so the guest's own namespace, placed first fit, does not overlap it.
    const uw = '7e57a000-0000-4000-8000-0000000000ff';
    const areasA = [4, 5].map(lsa);
    const wrongCookie = { ...setA.set, cookies: { ...setA.set.cookies, cookie1: setA.set.cookies.cookie2, altcookie: setA.set.cookies.cookie2 } };
    const filler = '7e57a000-0000-4000-8000-0000000000fe';
    const apply = (writes: SetWrite[]) => writes.forEach((w) => applySetWrite(areasA, w));
    apply(collectWrites(createSetNamespace(areasA, setA.set, { uuid: filler, size: 32n * BigInt(MiB) })).writes);
    apply(collectWrites(createSetNamespace(areasA, wrongCookie, { uuid: uw, name: 'wrong-cookie', size: 16n * BigInt(MiB) })).writes);
    apply(collectWrites(deleteSetNamespace(areasA, setA.set, filler)).writes);
    areasA.forEach((area, k) => writeRange(files[4 + k]!, sizes[4 + k]! - LSA, area));
    const svA = readInterleaveSet(areasA, setA.set);
    expect(svA.regionActive).toBe(true);
    expect(svA.namespaces.map((n) => [n.uuid, n.state])).toEqual([[ua, 'active'], [uw, 'ignored']]);
    const before = files.map((_, i) => lsa(i));
    const mineBefore = validateCliJson('labels-list', await nvtool('labels', 'list', '--json', '--nfit', nfitFile, '--label-size', '128K', '--dimm', '0x1', '--dimm', '0x2', '--dimm', '0x3', '--dimm', '0x4', ...files.slice(0, 4))) as any[];
    expect(mineBefore.map((n: any) => [n.uuid, n.mode, n.state])).toEqual([[ub, 'raw', 'active']]);

    // Markers: namespace offset of each DIMM's first byte (QEMU's linear placement inside the SPA range).
    const markJobs = [
      { uuid: ua, offsets: [0, pmem(4)] },
      { uuid: ub, offsets: [0, pmem(0), 2 * pmem(0), 3 * pmem(0)] },
    ];
    const r = await runGuest({
      nvdimms,
      memory: '512M',
      acpiOverrides: [{ bytes: tables.nfit, name: 'nfit.aml' }, { bytes: tables.ssdt, name: 'ssdt.aml' }],
      timeoutMs: 300_000,
      job: [
        'nmem_of() { for d in /sys/bus/nd/devices/nmem*; do [ "$(cat $d/nfit/handle)" = "$1" ] && basename $d; done; }',
        'region_of() { for r in /sys/bus/nd/devices/region*; do grep -q "^$1," $r/mapping0 2>/dev/null && basename $r; done; }',
        'dev_of() { for n in /sys/bus/nd/devices/namespace*; do [ "$(cat $n/uuid 2>/dev/null)" = "$1" ] && ls $n/block; done; }',
        'section handles; for d in /sys/bus/nd/devices/nmem*; do echo "$(basename $d) $(cat $d/nfit/handle)"; done',
        'run before ndctl list -R -N -D -v',
        'section mappings; for m in /sys/bus/nd/devices/region*/mapping[0-9]*; do echo "$(basename $(dirname $m)) $(basename $m) $(cat $m)"; done',
        'for i in 0 1 2 3 4 5 6 7 8; do run rl$i ndctl read-labels -j nmem$i; done',
        ...markJobs.flatMap((m, k) => [
          `section marks${k}; D=$(dev_of ${m.uuid})`,
          ...m.offsets.map((o) => `dd if=/dev/$D bs=4096 skip=${o / 4096} count=1 2>/dev/null | head -c 16; echo`),
        ]),
        'RA=$(region_of $(nmem_of 0x5)); RB=$(region_of $(nmem_of 0x3))',
        'section regions; echo "$RA $RB"',
        'run ca ndctl create-namespace -r $RA -m raw -s 32M -n guest-a',
        'run cb1 ndctl create-namespace -r $RB -m fsdax -s 64M -n guest-fsdax',
        'run cb2 ndctl create-namespace -r $RB -m sector -s 64M -n guest-sector',
        'run after ndctl list -R -N -D -v',
        'section classes; for n in /sys/bus/nd/devices/namespace*; do [ -e $n/holder_class ] && echo "$(cat $n/uuid) $(cat $n/size) $(cat $n/holder_class)"; done',
        'for i in 0 1 2 3 4 5 6 7 8; do run ra$i ndctl read-labels -j nmem$i; done',
      ].join('\n'),
    });
    console.log(`interleave-set guest boot: ${r.durationMs} ms; ${JSON.stringify(r.acpiUpgrade)}; ndctl ${JSON.stringify(r.rcs)}`);
    for (const [name, rc] of Object.entries(r.rcs)) if (rc !== 0) console.log(`${name}: ${r.sections[`${name}.stderr`]}`);
    // The kernel replaced QEMU's NFIT and NVDIMM SSDT with nvtool's (acpi_table_initrd_override).
    expect(r.acpiUpgrade!.overridden.sort()).toEqual(['NFIT-BOCHS -BXPC    ', 'SSDT-BOCHS -  NVDIMM']);
    expect(r.acpiUpgrade!.installed).toEqual([]);
    expect(r.rcs).toMatchObject({ before: 0, ca: 0, cb1: 0, cb2: 0, after: 0, ...Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7, 8].flatMap((i) => [[`rl${i}`, 0], [`ra${i}`, 0]])) });

    // nmemN ↔ device handle ↔ backing file (handle = slot + 1 = file index + 1).
    const nmemOfHandle = new Map(r.sections.handles!.trim().split('\n').map((l) => { const [dev, h] = l.split(' '); return [Number(h), dev!]; }));
    const fileOfNmem = new Map([...nmemOfHandle].map(([h, dev]) => [dev, h - 1]));

    // --- direction 1: the regions and namespaces the kernel built from nvtool's tables and labels ---
    const b = parse(r.sections.before);
    const mappingLines = r.sections.mappings!.trim().split('\n').map((l) => l.split(' ') as [string, string, string]);
    const regionOf = (list: any, set: NfitSet) => list.regions.find((x: any) => x.mappings.some((m: any) => m.dimm === nmemOfHandle.get(set.set.dimms[0]!.handle!)));
    for (const [set, cookie, size] of [[setA, setA.set.cookies.cookie1, 2 * pmem(4)], [setB, setB.set.cookies.cookie2, 4 * pmem(0)], [setC, setC.set.cookies.cookie2, 3 * pmem(6)]] as const) {
      const reg = regionOf(b, set);
      expect(reg.size).toBe(size);
      // Linux's cookie: v1.1 index on mapping 0 → cookie1, else cookie2 (nd_region_interleave_set_cookie).
      expect(String(reg.iset_id)).toBe(String(cookie));
      // sysfs mappingN (region_devs.c mappingN_show: nmem,start,size,position): mapping i is memdev i
      // in table order; its position is the DIMM's place in the cookie sort (cmp_map2 by Region Offset).
      const maps = mappingLines.filter((l) => l[0] === reg.dev).sort((x, y) => x[1].localeCompare(y[1]));
      expect(maps.map((l) => [l[1], l[2]])).toEqual(set.set.dimms.map((d, i) => [`mapping${i}`, `${nmemOfHandle.get(d.handle!)},0,${d.dpaSize},${set.set.cookies.positions[i]}`]));
      expect(String(reg.align)).toBe(String(set.set.align));
    }
    const named = (list: any, set: NfitSet) => regionOf(list, set).namespaces.filter((n: any) => n.size > 0).map((n: any) => [n.uuid ?? n.raw_uuid, n.name, n.size, n.mode]);
    expect(named(b, setA)).toEqual([[ua, 'set-a', 192 * MiB, 'raw']]);
    expect(named(b, setB)).toEqual([[ub, 'set-b', 768 * MiB, 'raw']]);
    expect(named(b, setC).sort()).toEqual([[uc, 'set-c', 96 * MiB, 'raw'], [ualt, 'alt-cookie', 48 * MiB, 'raw']].sort());
    // ndctl read-labels -j in the guest = nvtool's reading of the bytes it wrote.
    for (let i = 0; i < 9; i++) {
      const dev = nmemOfHandle.get(i + 1)!;
      expect(normalize(readLabelsJson(before[i]!, dev))).toEqual(normalize(parse(r.sections[`rl${Number(dev.slice(4))}`])));
    }
    expect(r.sections.marks0!.trim().split('\n')).toEqual([4, 5].map(marker));
    expect(r.sections.marks1!.trim().split('\n')).toEqual([0, 1, 2, 3].map(marker));

    // --- direction 2: nvtool assembles what the kernel wrote across each set ---
    const a = parse(r.sections.after);
    const after = files.map((_, i) => lsa(i));
    const classes = new Map(r.sections.classes!.trim().split('\n').map((l) => { const [u, s, c] = l.split(' '); return [u!, { size: BigInt(s!), holder: c ?? '' }]; }));
    for (const set of [setA, setB, setC]) {
      const areas = set.set.dimms.map((d) => after[d.handle! - 1]!);
      const sv = readInterleaveSet(areas, set.set);
      // The only complaint: set A's wrong-cookie labels, which Linux skipped.
      expect(sv.findings.filter((f) => f.severity !== 'info').map((f) => f.code)).toEqual(set === setA ? ['set-cookie'] : []);
      expect(sv.regionActive).toBe(true);
      const guest = regionOf(a, set).namespaces.filter((n: any) => n.size > 0);
      expect(guest.some((n: any) => n.uuid === uw)).toBe(false);
      const mine = listSetNamespacesJson(sv, set.set).filter((n) => n.state !== 'ignored');
      const key = (n: any) => String(n.raw_uuid ?? n.uuid);
      expect(mine.map((n) => [key(n), n.mode, n.name ?? null, n.state]).sort()).toEqual(guest.map((n: any) => [key(n), n.mode, n.name ?? null, 'active']).sort());
      for (const ns of sv.namespaces.filter((n) => n.state === 'active')) {
        // The kernel's namespace size (sysfs size) and claim class (holder_class) = what nvtool assembles.
        // holder_class_show prints "btt" for both BTT claim classes and nothing for none.
        const holder = ns.claimClass === undefined || ns.claimClass === 'none' ? '' : ns.claimClass.replace(/^btt2$/, 'btt');
        expect([ns.size, holder]).toEqual([classes.get(ns.uuid)!.size, classes.get(ns.uuid)!.holder]);
        // label.c __pmem_label_update: position = mapping index, nlabel = mappings.
        expect(ns.shares.map((s) => [s.dimm, s.position, s.nlabel])).toEqual(set.set.dimms.map((_, i) => [i, i, set.set.dimms.length]));
      }
      for (const d of set.set.dimms) {
        const dev = nmemOfHandle.get(d.handle!)!;
        expect(normalize(readLabelsJson(after[fileOfNmem.get(dev)!]!, dev))).toEqual(normalize(parse(r.sections[`ra${Number(dev.slice(4))}`])));
      }
    }
  }, 400_000);
});

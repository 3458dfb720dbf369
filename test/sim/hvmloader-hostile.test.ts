/**
 * Hostile device-model ACPI, refused as the series' hvmloader refuses it. Expected outcomes are
 * the rules of tools/libacpi/build.c and qemu_loader.c (nvdimm-rfc-v1/-v3/-v4) read as a
 * reference: what each design keeps, skips or throws away entirely.
 */
import { describe, expect, it } from 'vitest';
import { acpiByteSum } from '../../src/core/checksum/acpi.js';
import { decodeFileDir, decodeLoader, encodeFileDir, encodeLoader, FW_CFG_FILE_DIR, FW_CFG_SIGNATURE, LoaderCommand, type LoaderEntry } from '../../src/acpi/loader/index.js';
import { encodeStruct } from '../../src/core/schema/index.js';
import { genericTable } from '../../src/acpi/genericTable.js';
import { strtoll0, toU32 } from '../../src/sim/hvmloader/index.js';
import { bootFwCfg, bootXenstore, standardBlobs, standardFiles } from './hvmloader-guest.js';

const table = (signature: string, body = new Uint8Array(8)) => encodeStruct(genericTable, { signature, length: 0, revision: 1, checksum: 0, oemId: 'BOCHS ', oemTableId: 'TEST', oemRevision: 1, creatorId: 'BXPC', creatorRevision: 1, body });
const dmSigs = (g: ReturnType<typeof bootXenstore>) => g.res.entries.filter((e) => e.origin === 'dm').map((e) => e.signature);
const reason = (g: ReturnType<typeof bootXenstore>, what: string) => g.res.dm.decisions.find((d) => d.what === what)?.reason;

describe('v1/v3: xenstore dm-acpi blobs', () => {
  it('a DSDT from the DM: v1 (static list without DSDT) appends it, v3 (Xen built one) refuses it; APIC refused by both', () => {
    for (const [design, want] of [['v1', ['NFIT', 'SSDT', 'DSDT']], ['v3', ['NFIT', 'SSDT']]] as const) {
      const g = bootXenstore(design, [...standardBlobs(design), { name: 'DSDX', type: 0, bytes: table('DSDT') }, { name: 'MADX', type: 0, bytes: table('APIC') }]);
      expect(dmSigs(g), design).toEqual(want);
      expect(reason(g, 'MADX')).toBe("signature APIC is on Xen's blacklist");
    }
  });

  it('v3 accepts a DM table signed XSDT: Xen blacklists its XSDT only after the DM tables are in (acpi_build_tables order)', () => {
    expect(dmSigs(bootXenstore('v3', [{ name: 'X', type: 0, bytes: table('XSDT') }]))).toEqual(['XSDT']);
    expect(dmSigs(bootXenstore('v1', [{ name: 'X', type: 0, bytes: table('XSDT') }]))).toEqual([]);
  });

  it('header length 0 or beyond the blob length refused; a wrong checksum is recomputed, not refused', () => {
    const zero = table('SSDT');
    zero.set([0, 0, 0, 0], 4);
    const bad = table('SSDT');
    bad[9] = bad[9]! ^ 0x55;
    const g = bootXenstore('v3', [{ name: 'Z', type: 0, bytes: zero }, { name: 'B', type: 0, bytes: bad }], (xs) => {
      const root = '/local/domain/1/hvmloader/dm-acpi';
      xs.write(`${root}/Z/length`, '44');
      xs.write(`${root}/L/type`, '0');
      xs.write(`${root}/L/offset`, xs.read(`${root}/B/offset`)!);
      xs.write(`${root}/L/length`, '43');
    });
    expect(reason(g, 'Z')).toBe('header length 0 is 0 or more than the blob\'s 44 bytes');
    expect(reason(g, 'L')).toBe('header length 44 is 0 or more than the blob\'s 43 bytes');
    const b = g.res.entries.find((e) => e.origin === 'dm')!;
    expect(acpiByteSum(g.mem.read(b.addr, 44))).toBe(0);
  });

  it('v3 device-name blacklist MEM0/PCI0 (4-character compare of C strings); an unknown type and a missing key are skipped', () => {
    const body = standardBlobs('v3')[1]!.bytes;
    const g = bootXenstore('v3', [{ name: 'PCI0', type: 1, bytes: body }, { name: 'MEM0', type: 1, bytes: body }, { name: 'NVDR', type: 1, bytes: body }], (xs) => {
      const root = '/local/domain/1/hvmloader/dm-acpi';
      xs.write(`${root}/T9/type`, '9'), xs.write(`${root}/T9/offset`, '0'), xs.write(`${root}/T9/length`, '4');
      xs.write(`${root}/NOLEN/type`, '0'), xs.write(`${root}/NOLEN/offset`, '0');
    });
    expect(dmSigs(g)).toEqual(['SSDT']);
    expect(reason(g, 'PCI0')).toBe("device name PCI0 is on Xen's blacklist");
    expect(reason(g, 'MEM0')).toBe("device name MEM0 is on Xen's blacklist");
    expect(reason(g, 'T9')).toBe('unknown blob type 9: skipped');
    expect(reason(g, 'NOLEN')).toBe('missing length: skipped');
  });

  it('a device name longer than 4 characters stops hvmloader (ASSERT in build_prepend_name)', () => {
    expect(() => bootXenstore('v3', [{ name: 'NVDIMM', type: 1, bytes: new Uint8Array(4) }])).toThrow(/longer than 4 characters/);
  });

  it('more directory entries than secondary-table slots: every blob skipped (address and length count as entries)', () => {
    // 1 table (MADT) built already: 15 slots; 13 blobs + address + length = 15 fit, 14 + 2 = 16 do not.
    const blobs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `T${i.toString().padStart(3, '0')}`, type: 0 as const, bytes: table('SSDT') }));
    expect(dmSigs(bootXenstore('v3', blobs(13)))).toHaveLength(13);
    const g = bootXenstore('v3', blobs(14));
    expect(dmSigs(g)).toEqual([]);
    expect(g.res.dm.decisions[0]!.reason).toMatch(/^16 directory entries .* all DM ACPI skipped$/);
  });

  it("offsets and lengths read with strtoll base 0: '010' is octal 8, '0x2c' hex; no bound by the buffer's length", () => {
    expect(strtoll0('010')).toBe(8n);
    expect(strtoll0(' 0x2c')).toBe(44n);
    expect(strtoll0('12abc')).toBe(12n);
    expect(strtoll0('-1')).toBe(-1n);
    expect(toU32(strtoll0('-1'))).toBe(0xffffffff);
    expect(strtoll0('junk')).toBe(0n);
    expect(strtoll0('0x10000000000000000')).toBe(0x7fffffffffffffffn);
    expect(strtoll0('-0x10000000000000000')).toBe(-0x8000000000000000n);
    expect(strtoll0('09')).toBe(0n);
  });

  it('no dm-acpi/address: no DM ACPI; a blob that does not fit the buffer is not published (QEMU ignores its -ENOMEM)', () => {
    const g = bootXenstore('v3', standardBlobs('v3'), (xs) => xs.write('/local/domain/1/hvmloader/dm-acpi/address', '0'));
    expect(dmSigs(g)).toEqual([]);
    const big = bootXenstore('v3', [...standardBlobs('v3'), { name: 'BIG', type: 0, bytes: table('SSDT', new Uint8Array(0x10000)) }]);
    expect(big.xs!.read('/local/domain/1/hvmloader/dm-acpi/BIG/type')).toBeUndefined();
  });
});

describe('v4: fw_cfg and the table-loader, all or nothing', () => {
  const withLoader = (edit: (e: LoaderEntry[]) => void) => {
    const files = standardFiles();
    const l = files.find((f) => f.name === 'etc/table-loader')!;
    const entries = decodeLoader(l.data);
    edit(entries);
    l.data = encodeLoader(entries);
    return bootFwCfg(files);
  };
  const none = (g: ReturnType<typeof bootFwCfg>) => expect(g.res.entries.filter((e) => e.origin === 'dm')).toEqual([]);
  const first = (g: ReturnType<typeof bootFwCfg>) => g.res.dm.decisions[0]!.reason;

  it('the standard files load: NFIT and SSDT appended after the MADT', () => {
    expect(bootFwCfg().res.entries.map((e) => `${e.signature}:${e.origin}`)).toEqual(['FACP:xen', 'APIC:xen', 'NFIT:dm', 'SSDT:dm']);
  });

  it.each([
    ['ADD_POINTER offset past the destination', (e: LoaderEntry[]) => (e.find((x) => x.u.addPointer)!.u.addPointer!.offset = 0x7fffffff), /ADD_POINTER etc\/acpi\/tables: offset 2147483647 \+ size 4 outside/],
    ['ADD_POINTER offset + size wrapping 32 bits', (e: LoaderEntry[]) => (e.find((x) => x.u.addPointer)!.u.addPointer!.offset = 0xfffffffe), /offset 4294967294 \+ size 4 outside/],
    ['ADD_POINTER size 3', (e: LoaderEntry[]) => (e.find((x) => x.u.addPointer)!.u.addPointer!.size = 3), /invalid pointer size 3/],
    ['ADD_CHECKSUM offset past the file', (e: LoaderEntry[]) => (e.find((x) => x.u.addChecksum)!.u.addChecksum!.offset = 1 << 20), /ADD_CHECKSUM etc\/acpi\/tables: offset 1048576/],
    ['ADD_CHECKSUM range past the file', (e: LoaderEntry[]) => (e.find((x) => x.u.addChecksum)!.u.addChecksum!.length = 1 << 20), /range 0\+1048576 outside/],
    ['ALLOCATE alignment 3', (e: LoaderEntry[]) => (e[0]!.u.allocate!.align = 3), /invalid alignment 3, not a power of 2/],
    ['ALLOCATE zone 7', (e: LoaderEntry[]) => (e[0]!.u.allocate!.zone = 7), /unsupported zone 7/],
    ['ALLOCATE of a file fw_cfg does not list', (e: LoaderEntry[]) => (e[0]!.u.allocate!.file = 'etc/acpi/other'), /ALLOCATE: file etc\/acpi\/other does not exist/],
    ['ADD_POINTER before its source is allocated', (e: LoaderEntry[]) => e.splice(0, 0, e.splice(e.findIndex((x) => x.u.addPointer), 1)[0]!), /no space allocated for file etc\/acpi\/tables/],
  ])('%s: nothing of QEMU loaded', (_n, edit, msg) => {
    const g = withLoader(edit);
    none(g);
    expect(first(g)).toMatch(msg);
  });

  it('an unknown command is skipped (WRITE_POINTER included); a table-loader whose size is not a multiple of 128 is refused', () => {
    const g = withLoader((e) => e.unshift({ command: LoaderCommand.WRITE_POINTER, u: { $raw: new Uint8Array(124) } }));
    expect(g.res.entries.filter((x) => x.origin === 'dm').map((x) => x.signature)).toEqual(['NFIT', 'SSDT']);
    const files = standardFiles();
    const l = files.find((f) => f.name === 'etc/table-loader')!;
    l.data = l.data.subarray(0, l.data.length - 1);
    const g2 = bootFwCfg(files);
    none(g2);
    expect(first(g2)).toMatch(/not a multiple of the 128-byte entry/);
  });

  it("a QEMU table colliding with Xen's (APIC), or a second NFIT after the first: none of QEMU's tables kept", () => {
    for (const sig of ['APIC', 'NFIT']) {
      const files = standardFiles();
      const t = files.find((f) => f.name === 'etc/acpi/tables')!;
      const d = t.data.slice();
      // the SSDT (second table) renamed: RSDT order is NFIT, SSDT
      const nfitLen = d[4]! | (d[5]! << 8);
      d.set([...sig].map((c) => c.charCodeAt(0)), nfitLen);
      t.data = d;
      const g = bootFwCfg(files);
      none(g);
      expect(g.res.dm.decisions.find((x) => !x.accepted)!.reason).toBe(`QEMU ACPI table conflict with Xen ACPI table '${sig}': none of QEMU's tables loaded`);
    }
  });

  it('fw_cfg signature not "QEMU", a ROM listed twice, a missing table-loader: no QEMU ACPI', () => {
    none(bootFwCfg(undefined, (items) => items.set(FW_CFG_SIGNATURE, Uint8Array.from([0x51, 0x45, 0x4d, 0x56]))));
    const twice = bootFwCfg(undefined, (items) => {
      const dir = decodeFileDir(items.get(FW_CFG_FILE_DIR)!);
      items.set(FW_CFG_FILE_DIR, encodeFileDir([...dir, dir[0]!].map((f) => ({ name: f.name, data: new Uint8Array(f.size) }))));
    });
    none(twice);
    expect(first(twice)).toMatch(/twice \(-EEXIST\)/);
    const noLoader = bootFwCfg(standardFiles().filter((f) => f.name !== 'etc/table-loader'));
    none(noLoader);
    expect(first(noLoader)).toMatch(/Cannot find BIOSLinkerLoader/);
  });

  it('an RSDT with more entries than the slots left: none kept, and QEMU\'s RSDP and RSDT still zeroed', () => {
    const files = standardFiles();
    const t = files.find((f) => f.name === 'etc/acpi/tables')!;
    const d = t.data.slice();
    const nfitLen = d[4]! | (d[5]! << 8);
    const ssdtLen = d[nfitLen + 4]! | (d[nfitLen + 5]! << 8) | (d[nfitLen + 6]! << 16);
    const rsdtAt = nfitLen + ssdtLen;
    d.set([36 + 4 * 16, 0, 0, 0], rsdtAt + 4); // 16 entries claimed, 15 slots left
    t.data = d;
    const g = bootFwCfg(files);
    none(g);
    expect(first(g)).toBe('Too many tables in QEMU ACPI tables: 16 > 16 - 1');
  });
});

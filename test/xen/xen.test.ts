import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStruct, encodeStruct } from '../../src/core/schema/index.js';
import { MemoryBlockIO, FileBlockIO } from '../../src/core/blockio.js';
import { formatXen, inspectXen, locateSuperBlock, planSuperBlock } from '../../src/xen/layout.js';
import { INITIAL_PAGE_INFO, pageInfo, PGC_pmem_page, PGC_state_free } from '../../src/xen/pageInfo.js';
import { writeFrameTable } from '../../src/xen/frameTable.js';
import { PLACEMENT, XEN_SB_SIZE, checkSuperBlock, reservedBytesFor, xenSuperBlock, xenV1RequiredPages } from '../../src/xen/superblock.js';
import { requireTool, runTool, runToolStatus } from '../support/tools.js';
import { MiB, nvtool, workDir } from '../disk/helpers.js';
import { validateCliJson } from '../support/schemas.js';

const sgdisk = requireTool('sgdisk', 'gdisk');
const sfdisk = requireTool('sfdisk', 'fdisk');
const w = workDir('nvtool-xen-');
afterAll(() => w.cleanup());

describe('struct page_info (x86-64, 32 bytes)', () => {
  it('count_info bits are the vNVDIMM tree\'s PG_mask values', () => {
    // PG_shift(idx) = 64 - idx: PGC_state = PG_mask(3, 9) → bits 55-56, PGC_pmem_page = PG_mask(1, 10) → bit 54
    expect(PGC_state_free).toBe(3n << 55n);
    expect(PGC_pmem_page).toBe(1n << 54n);
    const b = encodeStruct(pageInfo, INITIAL_PAGE_INFO);
    expect(b.length).toBe(32);
    expect(Buffer.from(b).toString('hex')).toBe('ffffffffffffffff' + '000000000000c001' + '0000000000000000' + '00000000' + '00000000');
    expect(decodeStruct(pageInfo, b).value).toEqual(INITIAL_PAGE_INFO);
  });

  it('the frame-table writer writes exactly the right bytes for a small range, and nothing outside it', () => {
    const mem = new MemoryBlockIO(new Uint8Array(64 * 1024).fill(0xaa));
    writeFrameTable(mem, 4096, 1000, { chunk: 4096 + 32 * 7 }); // odd chunk: entries straddle writes
    const entry = encodeStruct(pageInfo, INITIAL_PAGE_INFO);
    for (let i = 0; i < 1000; i++) expect(mem.bytes.subarray(4096 + i * 32, 4096 + i * 32 + 32)).toEqual(entry);
    expect(mem.bytes.subarray(0, 4096).every((x) => x === 0xaa)).toBe(true);
    expect(mem.bytes.subarray(4096 + 32000).every((x) => x === 0xaa)).toBe(true);
  });
});

describe('super block', () => {
  it('round-trips, and the CRC detects any single-byte change', () => {
    const sb = planSuperBlock({ placement: PLACEMENT.namespace, containerSize: 64 * MiB, superBlockOffset: 0n });
    const b = encodeStruct(xenSuperBlock, sb);
    expect(b.length).toBe(XEN_SB_SIZE);
    const d = decodeStruct(xenSuperBlock, b);
    expect(d.findings).toEqual([]);
    expect(encodeStruct(xenSuperBlock, d.value)).toEqual(b);
    for (const at of [0, 17, 100, 175, 2000, 4095]) {
      const c = b.slice();
      c[at]! ^= 0x10;
      expect(decodeStruct(xenSuperBlock, c).findings.map((f) => f.code)).toContain('checksum');
    }
  });

  it('sizing rule: reserved area ≥ frame table + M2P for every managed page, ≥ Xen v1 check', () => {
    for (const pages of [1n, 100n, 65536n, 262144n + 3n, 1n << 28n]) {
      const r = reservedBytesFor(pages);
      expect(r.frameTable).toBeGreaterThanOrEqual(pages * 32n);
      expect(r.m2p).toBeGreaterThanOrEqual(pages * 8n);
      expect(r.total / 4096n).toBeGreaterThanOrEqual(xenV1RequiredPages(pages));
      expect(r.total / 4096n).toBeGreaterThanOrEqual((pages * 40n + 4095n) / 4096n); // R-layout-2
    }
    const sb = planSuperBlock({ placement: PLACEMENT.namespace, containerSize: 1 << 30, superBlockOffset: 0n });
    expect(sb.managedPages).toBe(262144n);
    expect(sb.reservedSize).toBe(262144n * 40n); // 10 MiB: 0.98 % of 1 GiB
    const small = { ...sb, reservedSize: 4096n * 100n };
    expect(checkSuperBlock(small, 0, 1 << 30).map((f) => f.code)).toContain('sizing');
    const stale = checkSuperBlock(sb, 8192, 1 << 30);
    expect(stale.map((f) => f.code)).toContain('self-pointer');
  });
});

describe('placements, checked by sgdisk/sfdisk', () => {
  it('(a) after the partition table: sgdisk -v clean, partition 1 = data area, first usable past the reserved area', async () => {
    const img = w.image('a.img', 128 * MiB);
    const r = await nvtool('xen', 'format', img, '--placement', 'a', '--quiet');
    expect(r.code).toBe(0);
    expect(runToolStatus(sgdisk, ['-v', img]).stdout).toMatch(/No problems found/);
    const sf = JSON.parse(runTool(sfdisk, ['--json', img])).partitiontable as { firstlba: number; partitions: { start: number; size: number }[] };
    const io = new FileBlockIO(img, false);
    const loc = locateSuperBlock(io)!;
    const x = inspectXen(io, loc, { deep: true });
    io.close();
    expect(x.findings).toEqual([]);
    expect(loc.superBlockOffset).toBe(34 * 512 + 3072); // first 4 KiB boundary after LBA 33
    expect(Number(x.sb.dataOffset)).toBe(sf.partitions[0]!.start * 512);
    expect(sf.firstlba * 512).toBe(Number(x.sb.dataOffset));
    expect(Number(x.sb.reservedOffset + x.sb.reservedSize)).toBeLessThanOrEqual(sf.firstlba * 512);
    expect(x.sb.managedPages).toBe(BigInt((128 * MiB) / 4096));
    expect((await nvtool('xen', 'check', img)).code).toBe(0);
    expect((await nvtool('xen', 'format', img, '--placement', 'a')).code).toBe(2); // needs --force
  });

  it('(b) a partition with the Xen type GUID next to an existing one', async () => {
    const img = w.image('b.img', 128 * MiB);
    runTool(sgdisk, ['-n', '1:2048:+32M', img]);
    expect((await nvtool('xen', 'format', img, '--placement', 'b', '--part-size', '64M', '-q')).code).toBe(0);
    expect(runToolStatus(sgdisk, ['-v', img]).stdout).toMatch(/No problems found/);
    const sf = JSON.parse(runTool(sfdisk, ['--json', img])).partitiontable as { partitions: { start: number; size: number; type: string; name?: string }[] };
    expect(sf.partitions[1]).toMatchObject({ type: '75FE7E62-5F60-4205-B2CE-62682F4CCAE1', size: (64 * MiB) / 512, name: 'xen-pmem' });
    const bytes = readFileSync(img);
    const at = sf.partitions[1]!.start * 512;
    expect(bytes.subarray(at, at + 16).toString('latin1')).toBe('XEN_PMEM_SUPERBK');
    const j = validateCliJson('xen-check', (await nvtool('xen', 'check', img, '--json')).stdout) as { findings: unknown[]; superBlock: { managedPages: string } };
    expect(j.findings).toEqual([]);
    expect(BigInt(j.superBlock.managedPages)).toBe(BigInt((64 * MiB) / 4096));
  });

  it('(c) a whole namespace; damage is detected', async () => {
    const img = w.image('c.img', 32 * MiB);
    expect((await nvtool('xen', 'format', img, '--placement', 'c', '-q', '--container-uuid', '11111111-2222-4333-8444-555555555555')).code).toBe(0);
    expect((await nvtool('xen', 'check', img)).code).toBe(0);
    const fd = new FileBlockIO(img, true);
    fd.write(100, Uint8Array.of(0x7f));
    fd.close();
    const c = await nvtool('xen', 'check', img);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/crc32 checksum/);
  });

  it('4096-byte sectors: (a) uses LBA 6 as the end of the entry array', () => {
    const mem = new MemoryBlockIO(new Uint8Array(64 * MiB));
    const r = formatXen(mem, { placement: 'a', sectorSize: 4096 });
    expect(r.located.superBlockOffset).toBe(6 * 4096);
    expect(inspectXen(mem, locateSuperBlock(mem, 4096)!, { deep: true }).findings).toEqual([]);
  });
});

void join;

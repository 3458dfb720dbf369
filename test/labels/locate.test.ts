/**
 * The one label-area locator (src/labels/locate.ts, specs/labels.md §7.1) and Linux's label-less
 * fallback:
 *  - the kernel fixture `blank` (a fresh QEMU backing file the guest saw as label-less):
 *    `nvtool labels list --json` lists exactly the namespace `ndctl list -N` showed;
 *  - areas of sizes that are not powers of two (QEMU accepts any label-size ≥ 128 KiB) are found
 *    where they were put, damaged areas are kept, a blank tail is no area.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { applyWrite, collectWrites, geometryFor, initArea, locateLabelArea, TAIL_SCAN } from '../../src/labels/index.js';
import { runCli } from '../support/cli.js';
import { kernelFixtures } from './fixtures.js';
import { validateCliJson } from '../support/schemas.js';

const work = mkdtempSync(join(tmpdir(), 'nvtool-locate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const KiB = 1024;
const MiB = 1024 * KiB;

describe('label-less fallback: the kernel fixture `blank`', () => {
  const f = kernelFixtures().find((x) => x.name === 'blank');
  it('labels list --json lists the one raw namespace ndctl list showed (no uuid, the whole region)', async () => {
    expect(f, 'fixtures/linux/blank (scripts/make-kernel-fixtures.ts --only blank)').toBeDefined();
    const img = join(work, 'blank.img');
    writeFileSync(img, f!.image);
    const r = await runCli(['labels', 'list', '--json', '--label-size', String(f!.expected.image.labelSize), img]);
    expect(r.code, r.stderr).toBe(0);
    const mine = (validateCliJson('labels-list', r.stdout) as any);
    const listed = f!.expected.reboot.reports.ndctl_list.json.regions[0].namespaces;
    expect(mine).toHaveLength(listed.length);
    const { numa_node: _n, target_node: _t, ...want } = listed[0];
    expect({ dev: mine[0].dev, mode: mine[0].mode, size: mine[0].size, sector_size: mine[0].sector_size, blockdev: mine[0].blockdev }).toEqual(want);
    expect(mine[0].uuid).toBeUndefined();
    expect(mine[0].size).toBe(f!.expected.reboot.reports.ndctl_list.json.regions[0].size);
    const text = await runCli(['labels', 'list', '--label-size', '128K', img]);
    expect(text.stdout).toMatch(/namespace0\.0 \(label-less\): raw, 268304384 bytes/);
  });

  it('namespace show on it: the label-less namespace, raw over the whole region (the guest\'s namespace0.0)', async () => {
    const img = join(work, 'blank-show.img');
    writeFileSync(img, f!.image);
    const r = await runCli(['namespace', 'show', '--label-size', String(f!.expected.image.labelSize), '--json', img]);
    expect(r.code, r.stderr).toBe(0);
    const j = (validateCliJson('namespace-show', r.stdout) as any);
    const want = f!.expected.reboot.reports.ndctl_list.json.regions[0].namespaces[0];
    expect(j.mode).toBe(want.mode);
    expect(j.size).toBe(want.size);
    expect(j.namespace.offset).toBe(Number(BigInt(f!.expected.reboot.reports.sysfs['namespace0.0/resource']) - BigInt(f!.expected.reboot.reports.sysfs['region0/resource'])));
  });

  it('the locator finds no area in a blank tail without a size, and the given size with no valid index', () => {
    const io = new MemoryBlockIO(f!.image);
    expect(locateLabelArea(io, { scan: TAIL_SCAN })).toBeUndefined();
    const given = locateLabelArea(io, { labelSize: f!.expected.image.labelSize })!;
    expect(given).toMatchObject({ offset: f!.expected.image.labelAreaOffset, size: f!.expected.image.labelSize, kind: 'backing' });
    expect(given.view.current).toBeUndefined();
  });
});

describe('the locator', () => {
  const image = (pmem: number, areaSize: number, version: '1.1' | '1.2') => {
    const b = new Uint8Array(pmem + areaSize);
    const area = b.subarray(pmem);
    for (const w of collectWrites(initArea(area, { version, variant: 'linux' })).writes) applyWrite(area, w);
    return b;
  };

  for (const [size, version] of [[130 * KiB, '1.2'], [200 * KiB + 100, '1.1'], [1020 * KiB, '1.2']] as const) {
    it(`a ${size}-byte area (not a power of two, v${version}) is found by its signature where it was put`, () => {
      const b = image(8 * MiB, size, version);
      const hit = locateLabelArea(new MemoryBlockIO(b), { scan: TAIL_SCAN })!;
      expect(hit).toMatchObject({ offset: 8 * MiB, size, kind: 'backing' });
      expect(hit.view.current).toBeDefined();
      // Without the tail search only powers of two are probed: not found.
      expect(locateLabelArea(new MemoryBlockIO(b))).toBeUndefined();
    });
  }

  it('powers of two are found by probing; a raw area is the whole file; a damaged area is kept', () => {
    const b = image(16 * MiB, 256 * KiB, '1.2');
    expect(locateLabelArea(new MemoryBlockIO(b))).toMatchObject({ offset: 16 * MiB, size: 256 * KiB, kind: 'backing' });
    const raw = image(0, 128 * KiB, '1.1');
    expect(locateLabelArea(new MemoryBlockIO(raw))).toMatchObject({ offset: 0, size: 128 * KiB, kind: 'raw' });
    // Both index blocks' checksums broken: no valid index, but the signatures say where the area is.
    b[16 * MiB + 100]! ^= 1;
    b[16 * MiB + geometryFor(256 * KiB, 256)!.indexSize + 100]! ^= 1; // index 1 sits one index-block size (Linux's formula) further
    const d = locateLabelArea(new MemoryBlockIO(b))!;
    expect(d).toMatchObject({ offset: 16 * MiB, size: 256 * KiB });
    expect(d.view.current).toBeUndefined();
  });
});

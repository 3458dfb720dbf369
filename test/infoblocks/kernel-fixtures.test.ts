/**
 * Info blocks and BTTs the real Linux 6.1 kernel wrote (fixtures/linux, made in a QEMU guest with
 * `ndctl create-namespace`): nvtool decodes them to the values the kernel/ndctl reported, and its
 * own planner reproduces the kernel's bytes exactly.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBlockIO, WindowBlockIO } from '../../src/core/blockio.js';
import { Btt } from '../../src/infoblocks/btt.js';
import { decodeBttInfo, encodeBttInfo } from '../../src/infoblocks/bttInfo.js';
import { decodePfnInfo, encodePfnInfo, planPfnInfo, validatePfnInfo } from '../../src/infoblocks/pfn.js';
import { findLabelledNamespace } from '../../src/namespace/labelsGlue.js';
import { openNamespaceView } from '../../src/namespace/view.js';
import { loadFixture } from './helpers.js';

const MiB = 1024 * 1024;

describe.each([
  ['fsdax-v1.2', 'fsdax', 'pfn'],
  ['devdax-v1.2', 'devdax', 'dax'],
] as const)('kernel-written %s', (name, mode, cls) => {
  const fx = loadFixture(name);
  const image = new MemoryBlockIO(fx.image);
  const labelSize = fx.expected.image.labelSize as number;
  const rawUuid = fx.listed.raw_uuid as string;

  it('the label glue finds the namespace and its claim class', () => {
    const ns = findLabelledNamespace(image, rawUuid, labelSize);
    expect(ns).toMatchObject({ offset: 0, size: Number(fx.sysfs['namespace0.0/size']), uuid: rawUuid, claimClass: cls, labelVersion: '1.2' });
  });

  it('decodes to what sysfs and ndctl list reported, with no findings', () => {
    const raw = fx.image.subarray(4096, 8192);
    const d = decodePfnInfo(raw, 4096);
    expect(d.findings).toEqual([]);
    expect(d.value.uuid).toBe(fx.listed.uuid);
    expect(d.value.parentUuid).toBe(rawUuid);
    expect(d.value.align).toBe(fx.listed.align);
    expect(d.value.mode).toBe(2); // map=dev
    const ns = findLabelledNamespace(image, rawUuid, labelSize);
    expect(validatePfnInfo(d.value, raw, { namespaceUuid: rawUuid, size: ns.size, physStart: 0x100000000 })).toEqual([]);
    const view = openNamespaceView(image, ns);
    expect(view.mode).toBe(mode);
    expect(view.size).toBe(fx.listed.size);
  });

  it("nd_pfn_init planning reproduces the kernel's block byte for byte", () => {
    const d = decodePfnInfo(fx.image.subarray(4096, 8192)).value;
    const size = Number(fx.sysfs['namespace0.0/size']);
    const mine = planPfnInfo({ kind: mode, size, physStart: 0x100000000, align: 2 * MiB, map: 'dev', uuid: d.uuid, parentUuid: rawUuid });
    expect(Buffer.from(encodePfnInfo(mine)).equals(Buffer.from(fx.image.subarray(4096, 8192)))).toBe(true);
  });
});

describe.each([
  ['sector-v1.1', { major: 1, minor: 1 }, 4096, '1.1', 'none'],
  ['sector-v1.2', { major: 2, minor: 0 }, 0, '1.2', 'btt2'],
] as const)('kernel-written %s', (name, version, initial, lv, cls) => {
  const fx = loadFixture(name);
  const image = new MemoryBlockIO(fx.image);
  const labelSize = fx.expected.image.labelSize as number;
  const rawUuid = fx.listed.raw_uuid as string;
  const ns = findLabelledNamespace(image, rawUuid, labelSize);

  it('label glue: namespace and claim class', () => {
    expect(ns).toMatchObject({ offset: 0, size: 251658240, claimClass: cls, labelVersion: lv });
  });

  it("Linux's arena layout for this size reproduces the kernel's info blocks (info and info2) byte for byte", () => {
    const d = decodeBttInfo(fx.image.subarray(initial, initial + 4096), initial);
    expect(d.findings).toEqual([]);
    const plan = Btt.plan(ns.size, { uuid: fx.listed.uuid, parentUuid: rawUuid, lbasize: fx.listed.sector_size, version });
    expect(plan).toHaveLength(1);
    const bytes = encodeBttInfo(plan[0]!.info);
    expect(Buffer.from(bytes).equals(Buffer.from(fx.image.subarray(initial, initial + 4096)))).toBe(true);
    const i2 = initial + plan[0]!.layout.info2off;
    expect(Buffer.from(bytes).equals(Buffer.from(fx.image.subarray(i2, i2 + 4096)))).toBe(true);
  });

  it('opens as the sector device Linux exposed (size, uuid, sector size) with the initial flog', () => {
    const view = openNamespaceView(image, ns);
    expect(view.mode).toBe('sector');
    expect(view.size).toBe(fx.listed.size);
    expect(view.btt!.uuid).toBe(fx.listed.uuid);
    expect(view.btt!.sectorSize).toBe(fx.listed.sector_size);
    expect(view.btt!.arenas[0]!.logIndices).toEqual([0, 1]);
    // a fresh copy written by nvtool has the same map + flog bytes as the kernel's (the kernel has not written sectors yet)
    const mine = new MemoryBlockIO(new Uint8Array(ns.size));
    const b = Btt.create(mine, { uuid: fx.listed.uuid, parentUuid: rawUuid, lbasize: 4096, version });
    const a = b.arenas[0]!;
    const from = a.base + Number(a.info.mapoff);
    const to = a.base + Number(a.info.info2off) + 4096;
    const kernel = new WindowBlockIO(image, ns.offset, ns.size).read(from, to - from);
    expect(Buffer.from(mine.read(from, to - from)).equals(Buffer.from(kernel))).toBe(true);
  });
});

describe('kernel-written raw-v1.2', () => {
  it('is raw over the whole namespace', () => {
    const fx = loadFixture('raw-v1.2');
    const image = new MemoryBlockIO(fx.image);
    const ns = findLabelledNamespace(image, fx.listed.uuid, fx.expected.image.labelSize);
    const view = openNamespaceView(image, ns);
    expect(view.mode).toBe('raw');
    expect(view.size).toBe(fx.listed.size);
  });
});

/**
 * `nvtool namespace format -n UUID --mode M` on a v1.2-labelled namespace records the claim class
 * the way Linux 6.1 + ndctl do (holder_class → label update), so the label nvtool leaves equals the
 * label the kernel wrote for that mode (fixtures/linux/*-v1.2, same namespace uuid), byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelArea, slotOffset } from '../../src/labels/index.js';
import { kernelFixtures } from '../labels/fixtures.js';
import { loadFixture } from './helpers.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';

const LSA = 128 * 1024;
const work = mkdtempSync(join(tmpdir(), 'nvtool-claim-format-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function nv(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

function liveLabels(image: Uint8Array): Map<string, string> {
  const area = image.subarray(image.length - LSA);
  const view = readLabelArea(area);
  const out = new Map<string, string>();
  for (const l of view.live) {
    const off = slotOffset(view.geometry!, l.slot);
    out.set((l.value as { uuid: string }).uuid, Buffer.from(area.subarray(off, off + 256)).toString('hex'));
  }
  return out;
}

describe('namespace format writes the claim class as Linux does (v1.2 labels)', () => {
  for (const [name, mode] of [['fsdax-v1.2', 'fsdax'], ['devdax-v1.2', 'devdax'], ['sector-v1.2', 'sector']] as const) {
    it(`${mode}: nvtool labels create + namespace format leave the kernel's label (${name})`, async () => {
      const made = loadFixture(name);
      const base = kernelFixtures().find((x) => x.name === 'labels-v1.2')!; // ndctl init-labels -V 1.2, no namespace
      const label = made.expected.create.reports.read_labels.json.label.find((l: any) => l.flags === 0);
      const img = join(work, `${mode}.img`);
      writeFileSync(img, base.image);
      const c = await nv('labels', 'create', '--label-size', '128K', '--uuid', label.uuid, '--size', String(label.rawsize), img);
      expect(c.code, c.err).toBe(0);
      const f = await nv('namespace', 'format', img, '-n', label.uuid, '--mode', mode, '--uuid', made.listed.uuid, '--json');
      expect(f.code, f.err).toBe(0);
      const j = (validateCliJson('writes', f.out) as any);
      expect(j.mode).toBe(mode);
      expect(j.label.writes.map((w: any) => w.what)).toEqual([expect.stringMatching(/UPDATING/), expect.stringMatching(/^index/), expect.not.stringMatching(/UPDATING/), expect.stringMatching(/^index/)]);
      const mine = liveLabels(new Uint8Array(readFileSync(img)));
      const kernel = liveLabels(made.image);
      expect([...mine.keys()]).toEqual([label.uuid]);
      expect(mine.get(label.uuid)).toBe(kernel.get(label.uuid));
      // The block device is the size the guest reported for the kernel-made namespace.
      expect(j.size).toBe(made.listed.size);
      const show = (validateCliJson('namespace-show', (await nv('namespace', 'show', img, '-n', label.uuid, '--json')).out) as any);
      expect(show.namespace.claimClass).toBe({ fsdax: 'pfn', devdax: 'dax', sector: 'btt2' }[mode]);
      expect(show.mode).toBe(mode);
    });
  }

  it('raw clears the claim class of the kernel fsdax namespace (label = kernel raw label, uuid aside)', async () => {
    const fx = loadFixture('fsdax-v1.2');
    const u = fx.expected.create.reports.read_labels.json.label[1].uuid;
    const img = join(work, 'raw.img');
    writeFileSync(img, fx.image);
    expect((await nv('namespace', 'format', img, '-n', u, '--mode', 'raw')).code).toBe(2); // an info block is there
    const r = await nv('namespace', 'format', img, '-n', u, '--mode', 'raw', '--force');
    expect(r.code, r.err).toBe(0);
    const show = (validateCliJson('namespace-show', (await nv('namespace', 'show', img, '-n', u, '--json')).out) as any);
    expect([show.mode, show.namespace.claimClass]).toEqual(['raw', 'none']);
    const raw = loadFixture('raw-v1.2');
    const rawU = raw.expected.create.reports.read_labels.json.label[1].uuid;
    const mine = liveLabels(new Uint8Array(readFileSync(img))).get(u)!;
    const kernel = liveLabels(raw.image).get(rawU)!;
    // bytes 0..15 uuid and 248..255 checksum differ with the uuid; the rest is the same
    expect(mine.slice(32, 496)).toBe(kernel.slice(32, 496));
  });
});

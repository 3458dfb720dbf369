import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fletcher64 } from '../../src/core/checksum/fletcher64.js';
import { REPO } from '../support/fixtures.js';

/**
 * Linux's Fletcher-64 against index blocks the real kernel wrote (fixtures/linux, made by
 * `ndctl init-labels` in a QEMU guest). Offsets of `struct nd_namespace_index` fields
 * (drivers/nvdimm/label.h): mysize at 32, checksum at 64.
 */
describe('fletcher64 matches what the Linux kernel wrote', () => {
  const root = join(REPO, 'fixtures/linux');
  // `blank` is the kernel's label-less case: nothing was written, so it has no index block.
  const images = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'blank');

  it.each(images.map((e) => e.name))('%s: both index blocks', (name) => {
    const expected = JSON.parse(readFileSync(join(root, name, 'expected.json'), 'utf8')) as { image: { file?: string; labelAreaOffset: number } };
    const img = gunzipSync(readFileSync(join(root, name, 'image.img.gz')));
    const area = new Uint8Array(img.buffer, img.byteOffset + expected.image.labelAreaOffset);
    const view = new DataView(area.buffer, area.byteOffset);
    const mysize = Number(view.getBigUint64(32, true));
    expect(mysize).toBeGreaterThan(0);
    for (const start of [0, mysize]) {
      const block = area.subarray(start, start + mysize);
      expect(new TextDecoder().decode(block.subarray(0, 15))).toBe('NAMESPACE_INDEX');
      expect(fletcher64(block, 64)).toBe(new DataView(block.buffer, block.byteOffset).getBigUint64(64, true));
    }
  });

  it('blank: the label area the kernel left label-less is all zero (no index block to check)', () => {
    const expected = JSON.parse(readFileSync(join(root, 'blank', 'expected.json'), 'utf8')) as { image: { labelAreaOffset: number; labelSize: number } };
    const img = gunzipSync(readFileSync(join(root, 'blank', 'image.img.gz')));
    const area = img.subarray(expected.image.labelAreaOffset, expected.image.labelAreaOffset + expected.image.labelSize);
    expect(area.length).toBe(expected.image.labelSize);
    expect(area.every((b) => b === 0)).toBe(true);
  });
});

/**
 * Integrity of the kernel-written fixtures in fixtures/linux/ (no boot): each image decompresses to
 * the size and SHA-256 recorded in its expected.json, and the guest's reports in expected.json are
 * self-consistent with a few raw bytes of the image. Decoding proper is other modules' business.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './assets.js';

const DIR = join(REPO_ROOT, 'fixtures', 'linux');
const names = existsSync(DIR)
  ? readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];

interface Expected {
  image: { file: string; size: number; sha256: string; labelSize: number; labelAreaOffset: number };
  reboot: { reports: { read_labels: { json: { index: Array<{ signature: string; major: number; minor: number; nslot: number }> } } } };
}

describe('fixtures/linux (kernel-written images)', () => {
  it('has the fixture set', () => {
    expect(names).toEqual(expect.arrayContaining([
      'labels-v1.1', 'labels-v1.2', 'fsdax-v1.2', 'devdax-v1.2', 'sector-v1.2', 'raw-v1.2', 'sector-v1.1',
      'two-named-v1.2', 'gpt-ext4-fsdax-v1.2',
    ]));
  });

  it.each(names)('%s: image matches expected.json', (name) => {
    const e = JSON.parse(readFileSync(join(DIR, name, 'expected.json'), 'utf8')) as Expected;
    const img = gunzipSync(readFileSync(join(DIR, name, e.image.file)));
    expect(img.length).toBe(e.image.size);
    expect(createHash('sha256').update(img).digest('hex')).toBe(e.image.sha256);
    const lsa = img.subarray(e.image.labelAreaOffset);
    expect(lsa.length).toBe(e.image.labelSize);
    const ix = e.reboot.reports.read_labels.json.index[0];
    expect(ix).toBeDefined();
    // What ndctl read-labels printed: "NAMESPACE_INDEX", or "" for the label-less `blank` image.
    expect(lsa.subarray(0, 16).toString('latin1')).toBe(ix!.signature.padEnd(16, '\0'));
    expect(lsa.readUInt32LE(56)).toBe(ix?.nslot);
    expect([lsa.readUInt16LE(60), lsa.readUInt16LE(62)]).toEqual([ix?.major, ix?.minor]);
  });
});

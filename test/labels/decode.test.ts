/** `nvtool decode` on label areas (raw files and QEMU backing files), against what ndctl printed in the guest. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelFixtures, normalize } from './fixtures.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';

const work = mkdtempSync(join(tmpdir(), 'nvtool-labels-decode-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fixtures = kernelFixtures();

async function nv(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** read-labels -j as ndctl printed it, with the u64 values in the hex strings toJsonText writes. */
const asPrinted = (rl: any) => JSON.parse(JSON.stringify(normalize({ index: rl.index, label: rl.label })));
const hexToDec = (v: any): any =>
  Array.isArray(v) ? v.map(hexToDec) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hexToDec(x)])) : typeof v === 'string' && /^0x[0-9a-f]+$/.test(v) ? BigInt(v).toString() : typeof v === 'number' ? String(v) : v;

describe('nvtool decode: label areas', () => {
  for (const name of ['two-named-v1.2', 'sector-v1.1', 'labels-v1.2']) {
    it(`${name}: raw area and backing file detected; dump, findings, --json = ndctl's read-labels and list`, async () => {
      const f = fixtures.find((x) => x.name === name)!;
      const raw = join(work, `${name}.lsa`);
      const img = join(work, `${name}.img`);
      writeFileSync(raw, f.area);
      writeFileSync(img, f.image);
      const text = await nv('decode', raw);
      expect(text.code, text.err).toBe(0);
      expect(text.out).toMatch(/Namespace Index Block \d \(current\)/);
      expect(text.out).toMatch(new RegExp(`label area \\(v1\\.${name.endsWith('1.1') ? 1 : 2}\\): `));
      const listed = f.expected.create.reports.ndctl_list.json?.regions?.[0]?.namespaces ?? [];
      for (const n of listed) expect(text.out).toContain(String(n.raw_uuid ?? n.uuid));
      for (const file of [raw, img]) {
        const r = await nv('decode', file, '--json');
        expect(r.code, r.err).toBe(0);
        const j = (validateCliJson('decode', r.out) as any);
        expect(j.value.area.size).toBe(131072);
        expect(j.value.area.offset).toBe(file === raw ? 0 : f.image.length - 131072);
        expect(hexToDec({ index: j.value.readLabels.index, label: j.value.readLabels.label })).toEqual(asPrinted(f.expected.create.reports.read_labels.json));
        const key = (n: any) => String(n.raw_uuid ?? n.uuid);
        expect(j.value.namespaces.map(key).sort()).toEqual(listed.map(key).sort());
      }
    });
  }

  it('both index blocks damaged: errors explained, exit status 1', async () => {
    const f = fixtures.find((x) => x.name === 'fsdax-v1.2')!;
    const a = f.area.slice();
    a[40]! ^= 1;
    a[256 + 40]! ^= 1;
    const file = join(work, 'damaged.lsa');
    writeFileSync(file, a);
    const r = await nv('decode', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no valid index block/);
    expect(r.out).toMatch(/checksum/);
  });
});

/**
 * `nvtool inspect` on a host image after the simulated Xen (design v1) built its frame table: the
 * table is a layer whose runs of page states match xen.md §1A's rule (reserved pages holding the
 * metadata in use, every other page free), and damage — an entry in no state Xen leaves, a data
 * page marked in use — is reported as findings at the entry's offset.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/inspect/index.js';
import { runAll } from '../../src/sim/index.js';
import { FileBlockIO } from '../../src/core/blockio.js';
import { ofKind } from './helpers.js';

const FREE_V1 = 3n << 55n;

describe('inspect: the frame table Xen v1 built, and a damaged one', () => {
  it('runs of page states, then findings for damage', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nvtool-ftinspect-'));
    writeFileSync(join(d, 's.json'), JSON.stringify({
      design: 'v1',
      host: { platform: { machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
      dom0: { nv0: { labelVersion: '1.2', namespaces: [{ name: 'x', size: '1G', mode: 'raw', xen: { placement: 'namespace' } }] } },
      guests: [],
    }));
    const dir = await runAll(join(d, 's.json'), join(d, 'run'));
    const img = dir.path('host/nv0.img');
    const regions = dir.readJson<any>('xen/state.json').regions as Record<string, string>[];
    expect(regions).toHaveLength(1);
    const [spfn, epfn, rsvSpfn] = [BigInt(regions[0]!.spfn!), BigInt(regions[0]!.epfn!), BigInt(regions[0]!.rsvSpfn!)];
    const n = epfn - spfn;
    const used = (32n * n + 4095n) / 4096n + (8n * n + 4095n) / 4096n; // formula layout: frame table then M2P
    const first = Number(rsvSpfn - spfn);
    const [ft] = ofKind(inspectFile(img).report.layers, 'xen-frame-table'); // sampled (the default)
    expect(ft!.fields.builtBy).toBe('xen');
    expect(ft!.fields.runs).toEqual([
      { pages: `0..${first - 1}`, count: first, state: 'free (Xen v1)' },
      { pages: `${first}..${first + Number(used) - 1}`, count: Number(used), state: 'in use (Xen v1: reserved page holding metadata)' },
      { pages: `${first + Number(used)}..${Number(n) - 1}`, count: Number(n) - first - Number(used), state: 'free (Xen v1)' },
    ]);
    expect(ft!.findings.map((f) => f.code)).toEqual(['frame-table-sampled']);
    const [exact] = ofKind(inspectFile(img, { deep: true }).report.layers, 'xen-frame-table');
    expect(exact!.fields.runs).toEqual(ft!.fields.runs);
    expect(exact!.findings).toEqual([]);
    // Damage: page_info 1000 gets a count_info no state has; page_info 200000 (a data page) is marked in use.
    const io = new FileBlockIO(img, true);
    const ftOff = ft!.offset;
    const bad = new Uint8Array(8);
    new DataView(bad.buffer).setBigUint64(0, FREE_V1 | 0x1234n, true);
    io.write(ftOff + 1000 * 32 + 8, bad);
    io.write(ftOff + 200000 * 32 + 8, new Uint8Array(8));
    io.close();
    const [ft2] = ofKind(inspectFile(img, { deep: true }).report.layers, 'xen-frame-table');
    const codes = ft2!.findings.map((f) => [f.code, f.offset]);
    expect(codes).toEqual([
      ['frame-table-damaged', ftOff + 1000 * 32],
      ['frame-table-inuse-outside-reserved', ftOff + 200000 * 32],
    ]);
  });
});

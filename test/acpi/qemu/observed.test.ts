/**
 * The platform model against live-QEMU observations recorded by capture/observePlacement.ts
 * (QEMU 7.2 `query-memory-devices`, `qom-list`, or its refusal on stderr) for hand-picked edge
 * cases and seeded random platforms.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NvError } from '../../../src/core/errors.js';
import { parsePlatform, resolvePlatform, type ResolvedPlatform } from '../../../src/acpi/qemu/index.js';
import type { Observation } from './capture/observePlacement.js';

const file = JSON.parse(readFileSync(new URL('./observed/placement.json', import.meta.url), 'utf8')) as {
  qemuVersion: string;
  observations: Observation[];
};

function attempt(platform: unknown): { ok: ResolvedPlatform } | { err: unknown } {
  try {
    return { ok: resolvePlatform(parsePlatform(platform)) };
  } catch (err) {
    return { err };
  }
}

describe(`observations of ${file.qemuVersion}`, () => {
  it('were recorded with QEMU 7.2', () => {
    expect(file.qemuVersion).toMatch(/QEMU emulator version 7\.2\./);
    expect(file.observations.length).toBeGreaterThan(100);
  });

  it.each(file.observations.filter((o) => o.refused))('$name: refused with QEMU\'s message', (o) => {
    if (!o.refused) return;
    const r = attempt(o.platform);
    expect('err' in r ? r.err : r.ok).toBeInstanceOf(NvError);
    if ('err' in r && r.err instanceof NvError) {
      expect(o.stderr.endsWith(r.err.reason), `QEMU: ${o.stderr}\nmodel: ${r.err.reason}`).toBe(true);
    }
  });

  it.each(file.observations.filter((o) => !o.refused))('$name: same slots, addresses, sizes, nodes and order', (o) => {
    if (o.refused) return;
    const r = attempt(o.platform);
    if ('err' in r) throw r.err;
    const resolved = r.ok;
    // query-memory-devices lists by address; compare as sets keyed by slot.
    const model = resolved.dimms
      .map((d) => ({ id: d.id ?? null, slot: d.slot, addr: `0x${d.addr.toString(16)}`, size: `0x${d.pmemSize.toString(16)}`, node: d.node }))
      .sort((a, b) => a.slot - b.slot);
    expect(model).toEqual([...o.devices].sort((a, b) => a.slot - b.slot));
    // NFIT order = forward iteration of peripheral, then peripheral-anon (qom-list prepends).
    const names = resolved.dimms.map((d) => d.qomPath.slice(d.qomPath.lastIndexOf('/') + 1));
    expect(names).toEqual([...[...o.qomList].reverse(), ...[...o.qomListAnon].reverse()]);
  });
});

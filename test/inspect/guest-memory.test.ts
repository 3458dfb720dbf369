/**
 * `nvtool inspect` on a guest's memory.img: the tables as the guest finds them, each with how it
 * was reached and its checksum state; a table damaged in memory is named. Expected addresses and
 * tables come from the test harness's own walker (test/harness/acpi-walk.ts), not from nvtool.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GuestMemory } from '../../src/sim/hvmloader/index.js';
import { findRsdp, walkAcpiTables } from '../harness/acpi-walk.js';
import { runCli } from '../support/cli.js';
import { bootFwCfg, tmpDir } from '../sim/hvmloader-guest.js';
import { validateCliJson } from '../support/schemas.js';

const tmp = tmpDir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('inspect memory.img', () => {
  const g = bootFwCfg();
  const img = join(tmp, 'memory.img');
  g.mem.save(img);

  it('one guest-memory layer: the RSDP, then every table at its address with its path and a valid checksum', async () => {
    const r = GuestMemory.reader(img);
    const rsdp = findRsdp(r.read(0xe0000, 0x20000), 0xe0000)!;
    const walked = await walkAcpiTables(async (a, n) => r.read(a, n), rsdp);
    r.close();
    const out = await runCli(['inspect', img, '--json']);
    expect(out.code).toBe(0);
    const j = (validateCliJson('inspect', out.stdout) as any);
    expect(j.layers).toHaveLength(1);
    const top = j.layers[0];
    expect(top.kind).toBe('guest-memory');
    expect(top.fields.rsdp).toBe(rsdp.address);
    expect(top.children[0].kind).toBe('rsdp');
    const tables = top.children.slice(1);
    expect(tables.map((t: any) => `${t.fields.signature}@${t.offset}`).sort()).toEqual(walked.map((t) => `${t.signature}@${t.address}`).sort());
    expect(tables.filter((t: any) => t.fields.signature !== 'FACS').every((t: any) => t.fields.checksumState === 'valid')).toBe(true);
    expect(tables.find((t: any) => t.fields.signature === 'NFIT').fields.via).toBe('XSDT[2]');
    expect(tables.find((t: any) => t.fields.signature === 'DSDT').fields.via).toBe('FADT.X_DSDT');
  });

  it('a byte flipped in the NFIT in memory: its checksum is invalid and inspect exits 1 naming it', async () => {
    const nfit = g.res.entries.find((e) => e.signature === 'NFIT')!;
    const bad = GuestMemory.open(img);
    bad.write(nfit.addr + 40, Uint8Array.from([bad.read(nfit.addr + 40, 1)[0]! ^ 1]));
    bad.flush();
    bad.close();
    const out = await runCli(['inspect', img, '--json']);
    expect(out.code).toBe(1);
    const t = (validateCliJson('inspect', out.stdout) as any).layers[0].children.find((c: any) => c.fields.signature === 'NFIT');
    expect(t.fields.checksumState).toBe('invalid');
    expect(t.findings.some((f: any) => f.severity === 'error' && f.offset === nfit.addr + 9)).toBe(true);
  });
});

/**
 * The built-in examples the README's first command runs (fixtures/examples/xen-*), through the CLI
 * as a user types them: every stage of the design runs, every hypercall succeeds, and the v4 guest
 * ends with its vNVDIMM mapped and a table set a guest can walk. The facts checked are the
 * simulation's rules (xen.md §1A/§1B/§3/§4); the oracles for those rules are the other sim tests.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';

const work = mkdtempSync(join(tmpdir(), 'nvtool-examples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const trace = (out: string) =>
  readFileSync(join(out, 'hypercalls/trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string; result: string });

describe('fixtures/examples: the README\'s built-in scenarios', () => {
  it('xen-v4: host -> xen -> dom0 -> xl -> qemu -> hvmloader -> guest; the guest\'s vNVDIMM mapped from the data region', async () => {
    const out = join(work, 'v4');
    const r = await runCli(['sim', 'run', join(REPO, 'fixtures/examples/xen-v4/scenario.json'), '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    validateCliJson('sim-run', r.stdout);
    const calls = trace(out);
    // then the guest's kernel reads its label area's index blocks (one 3972-byte _DSM read, the
    // size nd_label_data_init trims max_xfer 4076 to for a 128 KiB area) and ndctl read-labels the
    // whole area (ceil(131072 / 4076) = 33 reads); the steps: init-labels writes both index blocks
    // of the zero area, then create-namespace's label updates, each a label into a free slot and
    // then the next index block (8 writes, the count steps.json reports as labelWrites; the label
    // bytes themselves are compared with a real kernel's in guest-linux.test.ts, not here), each
    // write one 256-byte _DSM function 6; then read-labels again (33). Each is a XEN_DMOP_pmem_rw
    // from QEMU. These counts are the simulation's rules, pinned so a change to them is seen.
    const rw = calls.slice(4);
    expect(calls.slice(0, 4).map((c) => c.op)).toEqual(['nvdimm_op', 'nvdimm_op', 'populate_pmem_map', 'populate_pmem_map']);
    expect(rw.every((c) => c.op === 'dm_op_pmem_rw')).toBe(true);
    const writes = (c: (typeof calls)[number]) => (c as unknown as { args: { u: { pmem_rw: { isWrite: number; length: number } } } }).args.u.pmem_rw;
    expect(rw.map((c) => writes(c).isWrite).join('')).toBe('0'.repeat(34) + '1'.repeat(2 + 8) + '0'.repeat(33));
    expect(rw.filter((c) => writes(c).isWrite).every((c) => writes(c).length === 256)).toBe(true);
    expect(calls.every((c) => c.result === '0')).toBe(true);
    // The write step: 64 KiB of 0x5a at 1 MiB of /dev/pmem0 (fsdax: after the 2 MiB the pfn info
    // block reserves) = guest 0x100000000 + 0x300000, host SPA 0x110300000, 0x10300000 into nv0.img
    // (the host DIMM at SPA 0x100000000).
    const steps = JSON.parse(readFileSync(join(out, 'guests/vm1/steps.json'), 'utf8')) as Array<{ do: string; result: string; labelWrites?: number }>;
    expect(steps.map((s) => `${s.do} ${s.result}`)).toEqual(['create-namespace ok', 'write ok']);
    expect(steps[0]!.labelWrites).toBe(8);
    const img = openSync(join(out, 'host/nv0.img'), 'r');
    const got = Buffer.alloc(0x10000 + 2);
    readSync(img, got, 0, got.length, 0x10300000 - 1);
    closeSync(img);
    expect(got[0]).toBe(0);
    expect(got.subarray(1, 0x10001).every((b) => b === 0x5a)).toBe(true);
    expect(got[0x10001]).toBe(0);
    const m = await runCli(['sim', 'mappings', out]);
    expect(m.code).toBe(0);
    // 0x8000 pages at backend 0x110000: the last 32 are the label area (not in the guest's p2m)
    expect(m.stdout).toContain('host 0x110000000-0x117dfffff (32256 pages)');
    expect(m.stdout).toContain('label guest 0x0-0x1ffff -> host 0x117fe0000-0x117ffffff (32 pages)');
    const i = await runCli(['inspect', join(out, 'guests/vm1/memory.img'), '--json']);
    expect(i.code).toBe(0);
    const text = i.stdout;
    validateCliJson('inspect', text);
    for (const sig of ['FACS', 'DSDT', 'FACP', 'APIC', 'NFIT', 'SSDT', 'XSDT']) expect(text).toContain(`"${sig}`);
    expect(text).not.toMatch(/"checksumState":\s*"(?!valid)/);
  }, 120_000);

  it('xen-v1: the issue\'s 64 GiB host; Dom0 reports both Xen areas and Xen accepts them', async () => {
    const out = join(work, 'v1');
    const r = await runCli(['sim', 'run', join(REPO, 'fixtures/examples/xen-v1/scenario.json'), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const calls = trace(out);
    expect(calls.map((c) => [c.op, c.result])).toEqual([['pmem_add', '0'], ['pmem_add', '0']]);
    expect(readFileSync(join(out, 'xen/console.log'), 'utf8').match(/^\(XEN\) pmem: pfns/gm)?.length).toBe(2);
  }, 180_000);
});

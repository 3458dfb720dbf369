import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/registry.js';
import { runCli } from '../support/cli.js';

/** Leaf commands: top-level ones, and the subcommands their --help lists under "Commands:". */
async function leafCommands(): Promise<string[][]> {
  const leaves: string[][] = [];
  for (const name of new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))) {
    const help = (await runCli([name, '--help'])).stdout;
    const subs = [...help.matchAll(new RegExp(`^\\s+nvtool ${name} ([a-z][a-z0-9-]*)`, 'gm'))].map((m) => m[1]!);
    if (subs.length === 0) leaves.push([name]);
    else for (const s of new Set(subs)) leaves.push([name, s]);
  }
  return leaves;
}

const leaves = await leafCommands();

describe('CLI conventions', () => {
  it('the top-level --help lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`nvtool ${c.name}`);
  });

  it.each(leaves.map((l) => [l.join(' '), l] as const))('nvtool %s --help shows examples and offers --json', async (_n, leaf) => {
    const r = await runCli([...leaf, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/--json/);
  });

  it('an unknown command is a usage error (exit 2), no stack trace', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('bad input is one line naming the file, field and offset, exit 2', async () => {
    const r = await runCli(['decode', 'fixtures/qemu/pc-1dimm/NFIT.aml', '--format', 'NFIT', '--json']);
    expect(r.code).toBe(0);
    const bad = await runCli(['build-nfit', 'fixtures/qemu/rejected/label-64k/platform.json', '-o', '-']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      "nvtool: fixtures/qemu/rejected/label-64k/platform.json: platform.nvdimms[0].labelSize: Property 'nvdimm.label-size' (0x10000) is required at least 0x20000",
    ]);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AmlInterpreter, MemoryHandler } from '../../../src/aml/interp/index.js';
import { acpiexecEvaluate } from '../../support/acpiexec.js';
import { FIXTURES } from '../helpers.js';
import { nvtoolEvaluate } from './nvtoolEval.js';

/**
 * NVDIMM SSDT-only configurations worth their own run: the SSDTs differ by slot count (the same
 * methods per slot), so 1, 16 (NV0F, whose handle makes a 12-byte reply in acpiexec) and 32 slots,
 * no label area, and an unarmed DIMM stand for the rest. Every configuration with a DSDT runs.
 */
const SSDT_ONLY = new Set(['pc-slots-1', 'pc-slots-16', 'pc-slots-32', 'pc-label-none', 'pc-unarmed']);

/** Each QEMU configuration's AML tables, DSDT first (the order acpiexec and ACPICA load them). */
function configs(): { config: string; files: string[] }[] {
  const out: { config: string; files: string[] }[] = [];
  for (const config of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, config);
    if (!existsSync(join(dir, 'index.json'))) continue;
    const files = readdirSync(dir)
      .filter((f) => /^(DSDT|SSDT.*)\.aml$/.test(f))
      .sort((a, b) => (a.startsWith('DSDT') ? -1 : b.startsWith('DSDT') ? 1 : a.localeCompare(b)))
      .map((f) => join(dir, f));
    if (files.some((f) => f.endsWith('DSDT.aml')) || (files.length && SSDT_ONLY.has(config))) out.push({ config, files });
  }
  return out;
}

/** acpiexec's debugger cannot print a result larger than its 16 KiB buffer (`dbexec.c`); ACPICA evaluated it. */
const DEBUGGER_BUFFER = /Possible buffer overflow within AML Debugger buffer/;

describe('AML interpreter on QEMU 7.2 DSDT/SSDT fixtures, against acpiexec', () => {
  const all = configs();
  it('there are QEMU configurations with a DSDT', () => {
    expect(all.filter((c) => c.files.some((f) => f.endsWith('DSDT.aml'))).length).toBeGreaterThanOrEqual(5);
  });

  it.each(all.map((c) => [c.config, c]))('%s: every method (arguments 0) gives what acpiexec gives', (_name, c) => {
    const tables = c.files.map((f) => new Uint8Array(readFileSync(f)));
    const probe = new AmlInterpreter(tables, { handlers: { 0: new MemoryHandler(), 1: new MemoryHandler(), 2: new MemoryHandler() } });
    const evals = [...probe.ns.paths()].flatMap((path) => {
      const o = probe.ns.get(path);
      return o?.type === 'Method' && o.body ? [{ path, args: new Array<string>(o.argc).fill('0') }] : [];
    });
    expect(evals.length).toBeGreaterThan(0);
    const want = acpiexecEvaluate(c.files, evals);
    const got = nvtoolEvaluate(tables, evals);
    let compared = 0;
    evals.forEach((e, i) => {
      const w = want[i]!;
      const g = got[i]!;
      if (w.status === 'AE_BUFFER_OVERFLOW' && w.messages.some((m) => DEBUGGER_BUFFER.test(m))) {
        expect(g.status, e.path).toBe('AE_OK');
        return;
      }
      expect({ path: e.path, status: g.status, result: g.status === 'AE_OK' ? g.result : undefined }).toEqual({ path: e.path, status: w.status, result: w.status === 'AE_OK' ? w.result : undefined });
      compared++;
    });
    expect(compared).toBeGreaterThanOrEqual(evals.length - 1);
  });
});

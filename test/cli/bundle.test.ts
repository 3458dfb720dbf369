/**
 * The installed command line: bin/nvtool.cjs running the esbuild bundle with its V8 code caches
 * (scripts/bundle-cli.mjs, built by `npm ci` / `npm run build`). What users run must give what iasl
 * accepts, and V8 must take the caches (a rejected cache only costs time, so nothing else notices).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { iaslCompile, sameBodyIgnoringCreator } from '../support/iasl.js';
import { REPO } from '../support/fixtures.js';

const bundle = join(REPO, 'dist/cli-bundle/nvtool.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'nvtool-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function nvtool(...args: string[]) {
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run \`npm run build\` (npm ci does)`);
  return spawnSync(process.execPath, [join(REPO, 'bin/nvtool.cjs'), ...args], { encoding: 'utf8', env: { ...process.env, NVTOOL_CODE_CACHE_REPORT: '1' } });
}

describe('bin/nvtool.cjs with the bundle', () => {
  it('disasm: V8 takes the cache, iasl compiles the ASL back to the same body', () => {
    const ssdt = join(REPO, 'fixtures/qemu/pc-4dimm/SSDT-NVDIMM.aml');
    const r = nvtool('disasm', ssdt, '-o', join(tmp, 'ssdt.dsl'));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^code cache: accepted$/m);
    const back = iaslCompile(readFileSync(join(tmp, 'ssdt.dsl'), 'utf8'));
    expect(sameBodyIgnoringCreator(back, new Uint8Array(readFileSync(ssdt)))).toBe(true);
  });

  it('decode and --version: cache taken, output as the sources give it', () => {
    const d = nvtool('decode', join(REPO, 'fixtures/qemu/pc-1dimm/NFIT.aml'));
    expect(d.status).toBe(0);
    expect(d.stderr).toMatch(/^code cache: accepted$/m);
    expect(d.stdout).toMatch(/Signature\s*:\s*"?NFIT/);
    const v = nvtool('--version');
    expect(v.stderr).toMatch(/^code cache: accepted$/m);
    expect(v.stdout).toBe(`${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });
});

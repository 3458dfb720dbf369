import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/qemu');

export interface AmlFixture {
  config: string;
  file: string;
  path: string;
  bytes: Uint8Array;
}

/** Every AML table QEMU gave a guest: the NVDIMM SSDTs and the DSDTs (and any other SSDT). */
export function qemuAmlFixtures(): AmlFixture[] {
  const out: AmlFixture[] = [];
  for (const config of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, config);
    if (!existsSync(join(dir, 'index.json'))) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!/^(DSDT|SSDT.*)\.aml$/.test(file)) continue;
      const path = join(dir, file);
      out.push({ config, file, path, bytes: new Uint8Array(readFileSync(path)) });
    }
  }
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The iasl binary, or a thrown error naming the Debian package (never a silent skip). */
export function requireTool(tool: 'iasl' | 'acpiexec'): string {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.trim()) throw new Error(`${tool} not found: install the acpica-tools package (apt-get install acpica-tools)`);
  return r.stdout.trim();
}

/** Compiles ASL with `iasl -oa` (no optimizations: integers and names stay as written) into dir. */
export function iaslCompile(dsl: string, outPrefix: string, extra: string[] = []): { aml?: Uint8Array; log: string } {
  const iasl = requireTool('iasl');
  let log = '';
  try {
    log = execFileSync(iasl, ['-oa', ...extra, '-p', outPrefix, dsl], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    log = `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
  const aml = existsSync(`${outPrefix}.aml`) ? new Uint8Array(readFileSync(`${outPrefix}.aml`)) : undefined;
  return aml ? { aml, log } : { log };
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const QEMU_FIXTURES = join(REPO, 'fixtures/qemu');

export interface QemuFixture {
  name: string;
  dir: string;
  platform: unknown;
  nfit?: Uint8Array;
  ssdt?: Uint8Array;
  index: { mema?: number; argv?: string[] } & Record<string, unknown>;
}

/** Every configuration real QEMU 7.2 accepted (scripts/capture-qemu-fixtures.ts made them). */
export function qemuFixtures(): QemuFixture[] {
  return readdirSync(QEMU_FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'rejected' && existsSync(join(QEMU_FIXTURES, e.name, 'platform.json')))
    .map((e) => {
      const dir = join(QEMU_FIXTURES, e.name);
      const read = (f: string) => (existsSync(join(dir, f)) ? new Uint8Array(readFileSync(join(dir, f))) : undefined);
      const nfit = read('NFIT.aml');
      const ssdt = read('SSDT-NVDIMM.aml');
      return {
        name: e.name, dir,
        platform: JSON.parse(readFileSync(join(dir, 'platform.json'), 'utf8')),
        ...(nfit ? { nfit } : {}), ...(ssdt ? { ssdt } : {}),
        index: existsSync(join(dir, 'index.json')) ? JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) : {},
      };
    });
}

/** Configurations real QEMU refused, with what it printed. */
export function rejectedQemuFixtures(): { name: string; platform: unknown; stderr: string }[] {
  const root = join(QEMU_FIXTURES, 'rejected');
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({
      name: e.name,
      platform: JSON.parse(readFileSync(join(root, e.name, 'platform.json'), 'utf8')),
      stderr: readFileSync(join(root, e.name, 'stderr.txt'), 'utf8'),
    }));
}

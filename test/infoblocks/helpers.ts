import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/linux');

export interface KernelFixture {
  image: Uint8Array;
  expected: any;
  /** Namespace entry of `ndctl list -N` after the reboot (what the kernel brought up). */
  listed: any;
  sysfs: Record<string, string>;
}

export function loadFixture(name: string): KernelFixture {
  const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8'));
  const image = new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, name, expected.image.file))));
  const list = expected.reboot?.reports?.ndctl_list?.json ?? expected.create.reports.ndctl_list.json;
  const listed = list.regions[0].namespaces[0];
  return { image, expected, listed, sysfs: expected.create.reports.sysfs ?? {} };
}

/** Run a host tool; a missing tool is a failure naming its package, never a skip. */
export function tool(cmd: string, args: string[], pkg: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${cmd} is not installed (Debian package ${pkg})`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

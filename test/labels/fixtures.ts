import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const LINUX_FIXTURES = resolve(here, '..', '..', 'fixtures', 'linux');

export interface KernelFixture {
  name: string;
  expected: any;
  image: Buffer;
  /** The label storage area: the image's last labelSize bytes. */
  area: Uint8Array;
}

/** Images the real kernel/ndctl wrote (fixtures/linux/*), with what the guest reported. */
export function kernelFixtures(): KernelFixture[] {
  if (!existsSync(LINUX_FIXTURES)) return [];
  return readdirSync(LINUX_FIXTURES)
    .filter((d) => existsSync(join(LINUX_FIXTURES, d, 'expected.json')) && existsSync(join(LINUX_FIXTURES, d, 'image.img.gz')))
    .sort()
    .map((name) => {
      const expected = JSON.parse(readFileSync(join(LINUX_FIXTURES, name, 'expected.json'), 'utf8'));
      const image = gunzipSync(readFileSync(join(LINUX_FIXTURES, name, 'image.img.gz')));
      const ls = expected.image.labelSize as number;
      return { name, expected, image, area: new Uint8Array(image.subarray(image.length - ls)) };
    });
}

/** JSON values with every bigint/number as a decimal string, so 64-bit values compare exactly. */
export function normalize(v: unknown): unknown {
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

/**
 * Dom0's namespaces and claim devices where Linux publishes their physical place: each
 * `dom0/sys/devices/.../ndbusN/regionR/<device>/` with `resource` (the SPA of the disk's first
 * byte) and `size` (specs/sim.md §5.2), and the disk under its `block/` folder.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimDir } from '../runDir.js';

export interface SysDevice {
  region: string;
  dev: string;
  disk?: string;
  resource: bigint;
  size: bigint;
  image?: string;
  imageOffset?: bigint;
}

const ROOT = 'dom0/sys/devices';

export function readSysDevices(dir: SimDir): SysDevice[] {
  const out: SysDevice[] = [];
  const walk = (abs: string, depth: number) => {
    if (depth > 8 || !existsSync(abs)) return;
    for (const name of readdirSync(abs).sort()) {
      const p = join(abs, name);
      if (lstatSync(p).isSymbolicLink() || !lstatSync(p).isDirectory()) continue;
      if (/^region\d+$/.test(name)) {
        for (const dev of readdirSync(p).sort()) {
          const d = join(p, dev);
          if (!existsSync(join(d, 'resource')) || !existsSync(join(d, 'size'))) continue;
          const text = (f: string) => readFileSync(join(d, f), 'utf8').trim();
          const disks = existsSync(join(d, 'block')) ? readdirSync(join(d, 'block')).sort() : [];
          out.push({ region: name, dev, resource: BigInt(text('resource')), size: BigInt(text('size')), ...(disks[0] ? { disk: disks[0] } : {}) });
        }
      } else walk(p, depth + 1);
    }
  };
  walk(dir.path(ROOT), 0);
  return out;
}

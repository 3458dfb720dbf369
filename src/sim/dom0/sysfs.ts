/**
 * Dom0's sysfs and /proc/mounts as files under `dom0/` (specs/sim.md §5.2), laid out as Linux 6.1
 * has them (seen in the guest): the disk's directory under its device
 * (`devices/.../ndbus0/regionR/<namespaceR.N | pfnR.N | bttR.N>/block/<disk>`), with `dev`, `size`
 * (512-byte sectors) and `device` (a symlink to its device, whose `resource` is the SPA of the
 * disk's first byte in `%#llx` and `size` its bytes); one directory per partition with `start`,
 * `size` (512-byte sectors), `partition` and `dev`, and no `device`; `block/<disk>` and
 * `dev/block/MAJ:MIN` are symlinks into `devices/`, as in Linux.
 */
import { symlinkSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { SimDir } from '../runDir.js';
import { diskSysfsPath, type Dom0Linux } from './linux.js';

export const DOM0_SYS = 'dom0/sys';

/** A symlink at `at` whose text is `text` (Linux's own relative spelling). */
function symlink(dir: SimDir, at: string, text: string): void {
  symlinkSync(text, dir.file(`${DOM0_SYS}/${at}`));
}

/** A symlink from `at` to `target` (both relative to sys/), spelled relative to `at`'s folder. */
const link = (dir: SimDir, at: string, target: string) => symlink(dir, at, relative(dirname(`/${at}`), `/${target}`));

export function writeSysfs(dir: SimDir, linux: Dom0Linux): void {
  const put = (rel: string, text: string) => dir.writeText(`${DOM0_SYS}/${rel}`, text.endsWith('\n') ? text : `${text}\n`);
  for (const r of linux.regions) {
    for (const ns of r.namespaces) {
      const d = ns.disk;
      if (!d) continue;
      const diskDir = diskSysfsPath(r, d);
      const holderDir = dirname(dirname(diskDir));
      if (d.resource !== undefined) put(`${holderDir}/resource`, `0x${d.resource.toString(16)}`);
      put(`${holderDir}/size`, String(d.deviceSize));
      put(`${diskDir}/dev`, d.dev);
      put(`${diskDir}/size`, String(d.bytes / 512n));
      symlink(dir, `${diskDir}/device`, `../../../${d.holder}`); // from block/<disk>: up through block/ and the device to the region
      link(dir, `block/${d.name}`, diskDir);
      link(dir, `dev/block/${d.dev}`, diskDir);
      for (const p of d.partitions) {
        put(`${diskDir}/${p.name}/start`, String(p.start));
        put(`${diskDir}/${p.name}/size`, String(p.sectors));
        put(`${diskDir}/${p.name}/partition`, String(p.number));
        put(`${diskDir}/${p.name}/dev`, p.dev);
        link(dir, `dev/block/${p.dev}`, `${diskDir}/${p.name}`);
      }
    }
  }
}

export interface Mount {
  device: string;
  mountpoint: string;
  type: string;
  options: string;
}

/** /proc/mounts lines: `device mountpoint type options 0 0`. */
export function mountsText(mounts: readonly Mount[]): string {
  return mounts.map((m) => `${m.device} ${m.mountpoint} ${m.type} ${m.options} 0 0\n`).join('');
}

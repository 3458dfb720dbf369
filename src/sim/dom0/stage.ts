/**
 * The dom0 stage (specs/sim.md §5). Dom0's Linux is handed an ACPI NFIT — the firmware's in design
 * v1, the one Xen left it in v3/v4 (`xen/acpi/NFIT.aml`, signature TFIN: no pmem) — and publishes
 * it as `dom0/acpi/NFIT.aml`. In v1 the administrator's setup runs on the host images (setup.ts);
 * then Dom0 publishes what Linux shows when it boots on them (linux.ts): `ndctl list -RDN`,
 * sysfs, /proc/mounts. Finally Dom0's pmem driver reports each Xen area to Xen (v1), and balloons a
 * reported reserved area out of its own view once Xen accepted it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FileBlockIO } from '../../core/blockio.js';
import { decodeNfit } from '../../acpi/nfit/index.js';
import { HOST_NFIT, readHostMachine } from '../host/machine.js';
import type { SimDir } from '../runDir.js';
import { registerStage } from '../stages.js';
import { enumerateLinux, type Dom0Linux } from './linux.js';
import { ndctlListText } from './ndctl.js';
import { setupDimm, type HostImage, type MadeNamespace } from './setup.js';
import { DOM0_SYS, mountsText, writeSysfs, type Mount } from './sysfs.js';
import { reportXenArea } from './report.js';
import { findXenAreas, type XenArea } from './xenAreas.js';

export const DOM0_NFIT = 'dom0/acpi/NFIT.aml';
/** Design v3/v4: the NFIT as Xen leaves it for Dom0 (written by the xen stage). */
export const XEN_DOM0_NFIT = 'xen/acpi/NFIT.aml';
export const DOM0_SETUP = 'dom0/setup.json';
export const DOM0_XEN_AREAS = 'dom0/xen-areas.json';

const hex = (n: bigint) => `0x${n.toString(16)}`;

export function openHostImages(dir: SimDir, writable: boolean): HostImage[] {
  return readHostMachine(dir).dimms.map((d) => ({ dimm: d, path: resolve(dir.path(d.image)), io: new FileBlockIO(dir.path(d.image), writable) }));
}

function mountsOf(linux: Dom0Linux, made: readonly MadeNamespace[]): Mount[] {
  const out: Mount[] = [];
  for (const m of made) {
    const ns = linux.regions.flatMap((r) => r.namespaces).find((n) => n.ref.uuid === m.uuid);
    for (const c of m.containers) {
      if (!c.filesystem?.mount || !ns?.disk) continue;
      const dev = c.partition !== undefined ? ns.disk.partitions.find((p) => p.number === c.partition)?.name : ns.disk.name;
      if (!dev) continue;
      // ext4 on a pfn-backed (fsdax) disk is mounted -o dax; a raw pmem disk has no struct pages, no DAX.
      out.push({ device: `/dev/${dev}`, mountpoint: c.filesystem.mount, type: 'ext4', options: ns.view.mode === 'fsdax' ? 'rw,relatime,dax=always' : 'rw,relatime' });
    }
  }
  return out;
}

const areaJson = (a: XenArea) => ({
  device: `/dev/${a.device}`, placement: a.placement, base: hex(a.base),
  spfn: hex(a.spfn), epfn: hex(a.epfn), rsv_spfn: hex(a.rsvSpfn), rsv_epfn: hex(a.rsvEpfn), data_spfn: hex(a.dataSpfn), data_epfn: hex(a.dataEpfn),
});

export function runDom0(dir: SimDir): Dom0Linux {
  const sc = dir.scenario();
  const seed = dir.seed();
  const nfitBytes = dir.readBytes(sc.design === 'v1' ? HOST_NFIT : XEN_DOM0_NFIT);
  dir.writeBytes(DOM0_NFIT, nfitBytes);
  const images = openHostImages(dir, true);
  try {
    const made: MadeNamespace[] = [];
    if (sc.design === 'v1') {
      const nfit = decodeNfit(nfitBytes).table;
      for (const img of images) {
        const setup = sc.dom0[img.dimm.id];
        if (setup) made.push(...setupDimm(img, nfit, setup, seed));
      }
    }
    dir.writeText(DOM0_SETUP, JSON.stringify({ namespaces: made }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
    const linux = enumerateLinux(nfitBytes, images);
    dir.writeText('dom0/ndctl-list.json', ndctlListText(linux));
    for (const d of ['block', 'dev/block']) mkdirSync(dir.path(`${DOM0_SYS}/${d}`), { recursive: true });
    writeSysfs(dir, linux);
    dir.writeText('dom0/proc/mounts', mountsText(mountsOf(linux, made)));
    if (sc.design === 'v1') {
      const { areas, refused } = findXenAreas(linux);
      dir.writeText(DOM0_XEN_AREAS, JSON.stringify({ areas: areas.map(areaJson), refused: refused.map((r) => ({ device: `/dev/${r.device}`, why: r.why })) }, null, 2) + '\n');
      for (const a of areas) reportXenArea(dir, a);
    }
    return linux;
  } finally {
    for (const i of images) (i.io as FileBlockIO).close();
  }
}

registerStage({ name: 'dom0', describe: "Dom0's Linux: the administrator's setup (v1), enumeration, sysfs, ndctl list, the v1 pmem reports", run: (dir) => void runDom0(dir) });

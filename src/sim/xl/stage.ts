/**
 * The `xl` stage (specs/sim.md §7): `xl create` of each guest of the scenario, up to starting its
 * device model. xl reads the guest's xl.cfg (cfg.ts, guest.ts); libxl sizes each vNVDIMM in Dom0
 * (v1: stat of the path, BLKGETSIZE64 or st_size) or takes it from the config (v3+), and builds
 * QEMU's command line (argv.ts). Writes, per guest, `guests/<name>/xl.json` (the config as xl
 * understood it, the devices, or every error xl printed) and `guests/<name>/qemu.argv`.
 */
import { readFileSync } from 'node:fs';
import { NvError } from '../../core/errors.js';
import { FileBlockIO } from '../../core/blockio.js';
import { enumerateLinux } from '../dom0/linux.js';
import { DOM0_NFIT, openHostImages } from '../dom0/stage.js';
import { DOM0_SYS } from '../dom0/sysfs.js';
import type { SimDir } from '../runDir.js';
import type { GuestSpec } from '../scenario/scenario.js';
import { registerStage } from '../stages.js';
import { argvText, buildDmArgv, type ArgvDevice } from './argv.js';
import { parseGuestConfig, XlConfigError, type GuestConfig, type VnvdimmMfn } from './guest.js';
import { LibxlError, parseMounts, statInDom0, type Dom0View } from './libxl.js';

export const guestFile = (name: string, rel: string) => `guests/${name}/${rel}`;
export const XL_JSON = 'xl.json';
export const QEMU_ARGV = 'qemu.argv';

export interface XlGuestJson {
  name: string;
  status: 'created' | 'refused';
  domid?: number;
  mapping: GuestSpec['mapping'];
  config?: { name: string; memory: string; maxmem: string; vcpus: number; deviceModelVersion: string; vnvdimms: unknown[] };
  devices?: { path?: string; hostAddr?: string; size: string; labelSize?: string }[];
  ramMiB?: string;
  slots?: number;
  maxmem?: string;
  warnings: string[];
  errors: string[];
  /** Syntax errors of the xl.cfg with their line and column. */
  syntax?: { line: number; col: number; message: string }[];
}

/** Dom0 as libxl sees it: sysfs, /proc/mounts, the block devices (read-only). */
export function openDom0View(dir: SimDir): { view: Dom0View; close(): void } {
  const images = openHostImages(dir, false);
  const linux = enumerateLinux(dir.readBytes(DOM0_NFIT), images);
  const mounts = dir.exists('dom0/proc/mounts') ? parseMounts(Buffer.from(dir.readBytes('dom0/proc/mounts')).toString('utf8')) : [];
  return { view: { sysRoot: dir.path(DOM0_SYS), mounts, linux }, close: () => images.forEach((i) => (i.io as FileBlockIO).close()) };
}

const hexs = (v: bigint) => `0x${v.toString(16)}`;

function configJson(g: GuestConfig): XlGuestJson['config'] {
  return {
    name: g.name, memory: String(g.memory), maxmem: String(g.maxmem), vcpus: g.vcpus, deviceModelVersion: g.deviceModelVersion,
    vnvdimms: g.vnvdimms.map((v) => (v.kind === 'path' ? { path: v.path, written: v.written } : { mfn: hexs(v.mfn), nrPages: hexs(v.nrPages), nrLabelPages: hexs(v.nrLabelPages), written: v.written })),
  };
}

export function readXlGuest(dir: SimDir, name: string): XlGuestJson {
  return dir.readJson<XlGuestJson>(guestFile(name, XL_JSON));
}

export function runXl(dir: SimDir): XlGuestJson[] {
  const sc = dir.scenario();
  const out: XlGuestJson[] = [];
  const dom0 = sc.guests.length && sc.design === 'v1' ? openDom0View(dir) : undefined;
  try {
    sc.guests.forEach((spec, i) => {
      const domid = i + 1;
      let text: string;
      try {
        text = readFileSync(spec.config, 'utf8');
      } catch (e) {
        throw new NvError('sim', `guests[${i}].config`, undefined, `cannot read ${spec.config}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const j: XlGuestJson = { name: spec.name, status: 'refused', mapping: spec.mapping, warnings: [], errors: [] };
      let g: GuestConfig;
      try {
        g = parseGuestConfig(text, spec.config.split('/').pop()!, sc.design);
      } catch (e) {
        if (!(e instanceof XlConfigError)) throw e;
        j.errors = e.lines;
        if (e.at.length) j.syntax = e.at;
        dir.writeText(guestFile(spec.name, XL_JSON), JSON.stringify(j, null, 2) + '\n');
        out.push(j);
        return;
      }
      j.config = configJson(g);
      j.warnings = g.warnings;
      const devices: ArgvDevice[] = [];
      for (const v of g.vnvdimms) {
        if (v.kind === 'path') {
          let size = 0n;
          try {
            size = statInDom0(dom0!.view, v.path).size;
          } catch (e) {
            if (!(e instanceof LibxlError)) throw e;
            j.errors.push(`libxl: ${e.log}`);
          }
          devices.push({ memPath: v.path, size });
        } else {
          const m = v as VnvdimmMfn;
          devices.push({ hostAddr: m.mfn << 12n, size: m.nrPages << 12n, ...(m.nrLabelPages ? { labelSize: m.nrLabelPages << 12n } : {}) });
        }
      }
      const dm = buildDmArgv(g, domid, sc.design, devices);
      if (dm.devices.length < devices.length) j.warnings.push(`libxl: vNVDIMM ${dm.devices.length + 1} could not be sized; it and the ones after it are not given to QEMU (libxl__build_dm_vnvdimms_args stops there)`);
      j.status = 'created';
      j.domid = domid;
      j.devices = dm.devices.map((d) => ({ ...(d.memPath ? { path: d.memPath } : {}), ...(d.hostAddr !== undefined ? { hostAddr: hexs(d.hostAddr) } : {}), size: hexs(d.size), ...(d.labelSize ? { labelSize: hexs(d.labelSize) } : {}) }));
      j.ramMiB = String(dm.ramMiB);
      j.slots = dm.slots;
      if (dm.maxmem !== undefined) j.maxmem = hexs(dm.maxmem);
      dir.writeText(guestFile(spec.name, QEMU_ARGV), argvText(dm.argv));
      dir.writeText(guestFile(spec.name, XL_JSON), JSON.stringify(j, null, 2) + '\n');
      out.push(j);
    });
  } finally {
    dom0?.close();
  }
  return out;
}

registerStage({ name: 'xl', describe: 'xl create: each guest\'s xl.cfg, its vNVDIMMs sized in Dom0 (v1) or taken from the config (v3+), QEMU\'s command line', run: (dir) => void runXl(dir) });

/**
 * The device-model command line libxl builds for an HVM guest with vNVDIMMs
 * (libxl__build_device_model_args_new; nvdimm-rfc-v1 and nvdimm-label-v1.1-rebase libxl_dm.c;
 * xen.md §3). The vNVDIMM parts are the series' exactly: `,nvdimm` on the machine, `-m
 * RAM,slots=N+1,maxmem=...` (v1: ROUNDUP(ram + nvdimms, 12); v3+: ROUNDUP(ram, 12) + nvdimms), and
 * per device a memory-backend-xen object and an nvdimm device. The rest is the usual libxl line,
 * trimmed to what a guest without disks or network gets.
 */
import type { GuestConfig } from './guest.js';

/** libxl's default video memory for qemu-xen's cirrus VGA (8 MiB), taken from maxmem for -m. */
export const VIDEO_MEMKB = 8192n;

/** `ROUNDUP(x, 12)`: up to a 4 KiB multiple. */
export const roundup12 = (x: bigint) => (x + 4095n) & ~4095n;

export interface ArgvDevice {
  /** v1: the backing path and its size (BLKGETSIZE64 / st_size); v3+: host address and size. */
  memPath?: string;
  hostAddr?: bigint;
  size: bigint;
  labelSize?: bigint;
}

export interface DmArgv {
  argv: string[];
  /** `-m`'s RAM (MiB), slots and maxmem (bytes), as QEMU gets them. */
  ramMiB: bigint;
  slots: number;
  maxmem?: bigint;
  /** Devices on the line (v1 stops at the first of size 0, as libxl does). */
  devices: ArgvDevice[];
}

export function buildDmArgv(g: GuestConfig, domid: number, design: 'v1' | 'v3' | 'v4', devices: readonly ArgvDevice[]): DmArgv {
  const ramMiB = (g.maxmem * 1024n - VIDEO_MEMKB) / 1024n;
  const ramBytes = ramMiB << 20n;
  const nv: string[] = [];
  let total = 0n;
  const used: ArgvDevice[] = [];
  for (const [i, d] of devices.entries()) {
    if (d.size === 0n) break; // libxl__build_dm_vnvdimms_args stops at a device it could not size
    const n = i + 1;
    if (design === 'v1') nv.push('-object', `memory-backend-xen,id=mem${n},size=${d.size},mem-path=${d.memPath}`, '-device', `nvdimm,id=nvdimm${n},memdev=mem${n}`);
    else nv.push('-object', `memory-backend-xen,id=mem${n},host-addr=${d.hostAddr},size=${d.size}`, '-device', `nvdimm,id=xen_nvdimm${n},memdev=mem${n}${d.labelSize ? `,label-size=${d.labelSize}` : ''}`);
    total += d.size;
    used.push(d);
  }
  const slots = used.length + 1;
  const maxmem = total ? (design === 'v1' ? roundup12(ramBytes + total) : roundup12(ramBytes) + total) : undefined;
  const argv = [
    'qemu-system-i386', '-xen-domid', String(domid),
    '-chardev', `socket,id=libxl-cmd,path=/var/run/xen/qmp-libxl-${domid},server,nowait`, '-no-shutdown', '-mon', 'chardev=libxl-cmd,mode=control',
    '-nodefaults', '-no-user-config', '-name', g.name, '-display', 'none', '-device', `cirrus-vga,vgamem_mb=${VIDEO_MEMKB / 1024n}`,
    '-boot', 'order=cd', '-smp', `${g.vcpus},maxcpus=${g.vcpus}`, '-net', 'none',
    '-machine', used.length ? 'xenfv,nvdimm' : 'xenfv',
    ...nv,
    '-m', maxmem !== undefined ? `${ramMiB},slots=${slots},maxmem=${maxmem}` : String(ramMiB),
  ];
  return { argv, ramMiB, slots: maxmem !== undefined ? slots : 0, ...(maxmem !== undefined ? { maxmem } : {}), devices: used };
}

/** One argument per line: the file `guests/<name>/qemu.argv`. */
export const argvText = (argv: readonly string[]) => argv.map((a) => `${a}\n`).join('');

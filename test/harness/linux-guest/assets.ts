/**
 * Guest assets: a Debian 6.1 kernel (as an ELF vmlinux for a fast PVH boot), the nvdimm modules it
 * needs, and a base uncompressed newc initramfs with busybox-static and the host's ndctl & co.
 *
 * Everything is cached under <repo>/.cache/linux-guest/ (override: NVTOOL_GUEST_CACHE), in
 * directories named by the versions/contents they derive from. Each directory is built in a
 * private temp dir and renamed into place, so concurrent first runs cannot corrupt the cache:
 * the loser of the rename race discards its copy and uses the winner's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync,
  statSync, writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CpioEntry, writeCpio } from './cpio.js';
import { JOB_LIB, initScript } from './init-script.js';

/** Bump when the layout of cached artefacts changes. */
const FORMAT = 5;

/**
 * Kernel modules the guest loads (their dependencies are added by modprobe --show-depends).
 * qemu_fw_cfg exposes QEMU's fw_cfg files under /sys/firmware/qemu_fw_cfg (CONFIG_FW_CFG_SYSFS=m).
 */
export const GUEST_MODULES = ['libnvdimm', 'nfit', 'nd_btt', 'nd_pmem', 'dax_pmem', 'device_dax', 'kmem', 'ext4', 'crc32c_generic', 'qemu_fw_cfg'] as const;

/** Host binaries copied into the guest, with the Debian package that provides each. */
export const GUEST_TOOLS: Readonly<Record<string, string>> = {
  ndctl: 'ndctl',
  daxctl: 'daxctl',
  sgdisk: 'gdisk',
  sfdisk: 'fdisk',
  blkid: 'util-linux',
  wipefs: 'util-linux',
  lsblk: 'util-linux',
  'mkfs.ext4': 'e2fsprogs',
  'mkfs.xfs': 'xfsprogs',
  debugfs: 'e2fsprogs',
  e2fsck: 'e2fsprogs',
  filefrag: 'e2fsprogs',
};

/** Host tools the harness itself runs, with their Debian packages. */
export const HOST_TOOLS: Readonly<Record<string, string>> = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-deb': 'dpkg',
  xz: 'xz-utils',
  modprobe: 'kmod',
  depmod: 'kmod',
  ldd: 'libc-bin',
  busybox: 'busybox-static',
};

/** Every Debian package the harness needs on the host. */
export const REQUIRED_DEBIAN_PACKAGES = [...new Set([...Object.values(HOST_TOOLS), ...Object.values(GUEST_TOOLS)])].sort();

export interface KernelAssets {
  /** Debian package name, e.g. linux-image-6.1.0-56-amd64. */
  package: string;
  /** Debian package version, e.g. 6.1.192-2. */
  packageVersion: string;
  /** uname -r of the guest, e.g. 6.1.0-56-amd64. */
  release: string;
  vmlinux: string;
  /** Root of the module subset: <dir>/lib/modules/<release>/... */
  moduleRoot: string;
  /** Module paths relative to lib/modules/<release>/, in load order. */
  modules: string[];
}

export interface GuestAssets {
  kernel: KernelAssets;
  /** Base initramfs (uncompressed newc). */
  initramfs: string;
  /** Tool name -> { path on the host, Debian package, version string }. */
  tools: Record<string, { hostPath: string; debianPackage: string }>;
  qemuVersion: string;
  ndctlVersion: string;
  cacheDir: string;
}

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..', '..');

export function guestCacheDir(): string {
  return process.env.NVTOOL_GUEST_CACHE ?? join(REPO_ROOT, '.cache', 'linux-guest');
}

export class MissingToolError extends Error {
  constructor(tool: string, debianPackage: string, extra = '') {
    super(
      `linux-guest harness: required host tool '${tool}' not found (install the Debian package '${debianPackage}': ` +
        `apt-get install ${debianPackage}). Needed packages: ${REQUIRED_DEBIAN_PACKAGES.join(' ')}${extra ? `. ${extra}` : ''}`,
    );
    this.name = 'MissingToolError';
  }
}

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a host tool; throws MissingToolError (naming the Debian package) if absent. */
export function requireTool(name: string, debianPackage?: string): string {
  const pkg = debianPackage ?? HOST_TOOLS[name] ?? GUEST_TOOLS[name] ?? '?';
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  throw new MissingToolError(name, pkg);
}

function run(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, maxBuffer: 256 << 20, encoding: 'buffer' });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(-2000)}`);
  }
  return r.stdout.toString();
}

/** Build a cache entry atomically: `build(tmpDir)` fills a private dir that is then renamed to `dest`. */
function atomicDir(dest: string, build: (tmp: string) => void): void {
  if (existsSync(join(dest, '.complete'))) return;
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = mkdtempSync(`${dest}.tmp-`);
  try {
    build(tmp);
    writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, dest);
    } catch (e) {
      // Another process won the race (dest exists and is non-empty): use theirs.
      if (!existsSync(join(dest, '.complete'))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface KernelChoice {
  package: string;
  version: string;
  release: string;
}

/** How long a looked-up "newest kernel" choice is reused before asking apt-cache again. */
const CHOICE_TTL_MS = 24 * 3600 * 1000;

/**
 * The kernel package to use: NVTOOL_LINUX_IMAGE (e.g. linux-image-6.1.0-56-amd64) if set, else the
 * newest linux-image-6.1.0-<N>-amd64 the apt archive offers. apt-cache costs ~1 s per call, so the
 * answer is remembered in the cache for a day; if apt-cache fails, the remembered answer is used.
 */
export function chooseKernel(): KernelChoice {
  const pinned = process.env.NVTOOL_LINUX_IMAGE;
  const memoFile = join(guestCacheDir(), 'kernel-choice.json');
  let remembered: (KernelChoice & { at: number; pinned: string | null }) | undefined;
  try {
    remembered = JSON.parse(readFileSync(memoFile, 'utf8')) as KernelChoice & { at: number; pinned: string | null };
  } catch {
    remembered = undefined;
  }
  if (remembered && remembered.pinned === (pinned ?? null) && Date.now() - remembered.at < CHOICE_TTL_MS) {
    return { package: remembered.package, version: remembered.version, release: remembered.release };
  }
  let choice: KernelChoice;
  try {
    choice = lookUpKernel(pinned);
  } catch (e) {
    if (remembered && remembered.pinned === (pinned ?? null)) {
      return { package: remembered.package, version: remembered.version, release: remembered.release };
    }
    throw e;
  }
  mkdirSync(guestCacheDir(), { recursive: true });
  const tmp = `${memoFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...choice, at: Date.now(), pinned: pinned ?? null })}\n`);
  renameSync(tmp, memoFile);
  return choice;
}

function lookUpKernel(pinned: string | undefined): KernelChoice {
  const aptCache = requireTool('apt-cache');
  let pkg = pinned;
  if (!pkg) {
    const names = run(aptCache, ['pkgnames', 'linux-image-6.1.0-'])
      .split('\n')
      .filter((n) => /^linux-image-6\.1\.0-\d+-amd64$/.test(n))
      .sort((a, b) => Number(/-(\d+)-amd64$/.exec(a)?.[1]) - Number(/-(\d+)-amd64$/.exec(b)?.[1]));
    pkg = names.at(-1);
    if (!pkg) {
      throw new Error(
        'linux-guest harness: apt-cache finds no linux-image-6.1.0-<N>-amd64 package; is a Debian 12 archive ' +
          'configured and `apt-get update` done?',
      );
    }
  }
  const show = run(aptCache, ['show', '--no-all-versions', pkg]);
  const version = /^Version: (\S+)$/m.exec(show)?.[1];
  if (!version) throw new Error(`apt-cache show ${pkg}: no Version field`);
  return { package: pkg, version, release: pkg.replace(/^linux-image-/, '') };
}

/** Find the xz stream inside a bzImage and decompress it to an ELF vmlinux. */
function extractVmlinux(bzImage: string, out: string): void {
  const xz = requireTool('xz');
  const img = readFileSync(bzImage);
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  const off = img.indexOf(magic);
  if (off < 0) throw new Error(`${bzImage}: no xz stream found (kernel not xz-compressed?)`);
  const r = spawnSync(xz, ['-dc', '--single-stream'], { input: img.subarray(off), maxBuffer: 1 << 30 });
  if (r.status !== 0 || !r.stdout || r.stdout.length < 4) {
    throw new Error(`xz failed to decompress the kernel in ${bzImage}: ${r.stderr?.toString() ?? r.error}`);
  }
  if (r.stdout.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${bzImage}: decompressed kernel is not an ELF file`);
  writeFileSync(out, r.stdout);
}

export function ensureKernel(choice: KernelChoice = chooseKernel()): KernelAssets {
  const dest = join(guestCacheDir(), `kernel-${choice.release}_${choice.version}-f${FORMAT}`);
  atomicDir(dest, (tmp) => {
    const aptGet = requireTool('apt-get');
    const dpkgDeb = requireTool('dpkg-deb');
    const modprobe = requireTool('modprobe');
    const depmod = requireTool('depmod');
    const dl = join(tmp, 'download');
    mkdirSync(dl);
    run(aptGet, ['-q', '-o', 'APT::Sandbox::User=root', 'download', `${choice.package}=${choice.version}`], { cwd: dl });
    const deb = readdirSync(dl).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${choice.package} produced no .deb`);
    const full = join(tmp, 'full');
    run(dpkgDeb, ['-x', join(dl, deb), full]);
    const kdir = join(full, 'lib', 'modules', choice.release);
    if (!existsSync(kdir)) throw new Error(`${deb} has no lib/modules/${choice.release}`);
    // The .deb ships no modules.dep (depmod runs at install time): generate it in the unpacked tree.
    run(depmod, ['-b', full, '-C', '/dev/null', choice.release]);
    const order: string[] = [];
    for (const m of GUEST_MODULES) {
      const out = run(modprobe, ['--show-depends', '-d', full, '-S', choice.release, '-C', '/dev/null', m]);
      for (const line of out.split('\n')) {
        const mm = /^insmod (\S+)/.exec(line.trim());
        if (!mm?.[1]) continue;
        const marker = `/lib/modules/${choice.release}/`;
        const at = mm[1].indexOf(marker);
        if (at < 0) throw new Error(`unexpected module path ${mm[1]}`);
        const rel = mm[1].slice(at + marker.length);
        if (!order.includes(rel)) order.push(rel);
      }
    }
    for (const m of GUEST_MODULES) {
      if (!order.some((p) => p.endsWith(`/${m}.ko`))) throw new Error(`module ${m} not found in ${choice.package}`);
    }
    // Module subset, with its own depmod indexes so modprobe/libkmod work inside the guest.
    const sub = join(tmp, 'modroot');
    const subK = join(sub, 'lib', 'modules', choice.release);
    for (const rel of order) {
      mkdirSync(dirname(join(subK, rel)), { recursive: true });
      copyFileSync(join(kdir, rel), join(subK, rel));
    }
    for (const f of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
      if (existsSync(join(kdir, f))) copyFileSync(join(kdir, f), join(subK, f));
    }
    run(depmod, ['-b', sub, '-C', '/dev/null', choice.release]);
    extractVmlinux(join(full, 'boot', `vmlinuz-${choice.release}`), join(tmp, 'vmlinux'));
    copyFileSync(join(full, 'boot', `config-${choice.release}`), join(tmp, 'config'));
    rmSync(full, { recursive: true, force: true });
    rmSync(dl, { recursive: true, force: true });
    writeFileSync(
      join(tmp, 'kernel.json'),
      `${JSON.stringify({ package: choice.package, packageVersion: choice.version, release: choice.release, modules: order }, null, 2)}\n`,
    );
  });
  const info = JSON.parse(readFileSync(join(dest, 'kernel.json'), 'utf8')) as { modules: string[] };
  return {
    package: choice.package,
    packageVersion: choice.version,
    release: choice.release,
    vmlinux: join(dest, 'vmlinux'),
    moduleRoot: join(dest, 'modroot'),
    modules: info.modules,
  };
}

/** Shared libraries (and the loader) a dynamic binary needs, as paths ldd reports. */
function lddLibs(bin: string): string[] {
  const ldd = requireTool('ldd');
  const r = spawnSync(ldd, [bin], { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (/not a dynamic executable|statically linked/.test(text)) return [];
  if (r.status !== 0) throw new Error(`ldd ${bin} failed: ${text}`);
  const libs: string[] = [];
  for (const line of text.split('\n')) {
    if (/not found/.test(line)) throw new Error(`ldd ${bin}: missing library: ${line.trim()}`);
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

function fileStamp(p: string): string {
  const s = statSync(p);
  return `${p}:${realpathSync(p)}:${s.size}:${s.mtimeMs}`;
}

let memo: GuestAssets | undefined;

/** Kernel + base initramfs, built on first use and cached on disk (and in this process). */
export function ensureGuestAssets(): GuestAssets {
  if (memo && existsSync(memo.initramfs) && existsSync(memo.kernel.vmlinux)) return memo;
  memo = buildGuestAssets();
  return memo;
}

function buildGuestAssets(): GuestAssets {
  const kernel = ensureKernel();
  const qemu = requireTool('qemu-system-x86_64');
  const busybox = requireTool('busybox');
  const tools: GuestAssets['tools'] = {};
  for (const [t, pkg] of Object.entries(GUEST_TOOLS)) tools[t] = { hostPath: requireTool(t, pkg), debianPackage: pkg };
  const init = initScript(kernel.release);
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        FORMAT, kernel: [kernel.package, kernel.packageVersion], init, JOB_LIB,
        stamps: [busybox, ...Object.values(tools).map((t) => t.hostPath)].map(fileStamp),
      }),
    )
    .digest('hex')
    .slice(0, 16);
  const dest = join(guestCacheDir(), `initramfs-${kernel.release}-${key}`);
  atomicDir(dest, (tmp) => {
    const entries: CpioEntry[] = [];
    const dirs = new Set<string>();
    const addDir = (d: string): void => {
      if (d === '/' || d === '' || dirs.has(d)) return;
      addDir(dirname(d));
      dirs.add(d);
      entries.push({ kind: 'dir', path: d });
    };
    const files = new Set<string>();
    const addFile = (path: string, data: Buffer, mode: number): void => {
      if (files.has(path)) return;
      files.add(path);
      addDir(dirname(path));
      entries.push({ kind: 'file', path, data, mode });
    };
    for (const d of ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/proc', '/sys',
      '/dev', '/run', '/tmp', '/etc/nvtool', '/job', '/var/tmp']) addDir(d);
    entries.push({ kind: 'chardev', path: '/dev/console', major: 5, minor: 1 });
    entries.push({ kind: 'chardev', path: '/dev/null', major: 1, minor: 3, mode: 0o666 });
    const libs = new Set<string>();
    addFile('/bin/busybox', readFileSync(busybox), 0o755);
    for (const l of lddLibs(busybox)) libs.add(l);
    entries.push({ kind: 'symlink', path: '/bin/sh', target: 'busybox' });
    for (const [t, { hostPath }] of Object.entries(tools)) {
      addFile(`/usr/local/sbin/${t}`, readFileSync(hostPath), 0o755);
      for (const l of lddLibs(hostPath)) libs.add(l);
    }
    for (const l of [...libs].sort()) addFile(l, readFileSync(l), 0o755);
    // Module subset with its depmod indexes.
    const walk = (hostDir: string, guestDir: string): void => {
      for (const ent of readdirSync(hostDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const h = join(hostDir, ent.name);
        const g = `${guestDir}/${ent.name}`;
        if (ent.isDirectory()) {
          addDir(g);
          walk(h, g);
        } else if (ent.isFile()) addFile(g, readFileSync(h), 0o644);
      }
    };
    addDir(`/lib/modules/${kernel.release}`);
    walk(join(kernel.moduleRoot, 'lib', 'modules', kernel.release), `/lib/modules/${kernel.release}`);
    addFile('/etc/nvtool/modules', Buffer.from(`${kernel.modules.join('\n')}\n`), 0o644);
    addFile('/etc/nvtool/lib.sh', Buffer.from(JOB_LIB), 0o644);
    if (existsSync('/etc/mke2fs.conf')) addFile('/etc/mke2fs.conf', readFileSync('/etc/mke2fs.conf'), 0o644);
    entries.push({ kind: 'symlink', path: '/etc/mtab', target: '/proc/self/mounts' });
    addFile('/etc/passwd', Buffer.from('root:x:0:0:root:/:/bin/sh\n'), 0o644);
    addFile('/etc/group', Buffer.from('root:x:0:\n'), 0o644);
    addFile('/init', Buffer.from(init), 0o755);
    writeCpio(join(tmp, 'base.cpio'), entries);
    writeFileSync(
      join(tmp, 'manifest.json'),
      `${JSON.stringify({ kernel: kernel.package, kernelVersion: kernel.packageVersion, tools, libs: [...libs].sort() }, null, 2)}\n`,
    );
  });
  return {
    kernel,
    initramfs: join(dest, 'base.cpio'),
    tools,
    qemuVersion: run(qemu, ['--version']).split('\n')[0] ?? '',
    ndctlVersion: run(tools.ndctl!.hostPath, ['--version']).trim(),
    cacheDir: guestCacheDir(),
  };
}

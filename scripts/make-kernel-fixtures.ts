/**
 * Generate fixtures/linux/: NVDIMM images written by the real Linux kernel and ndctl/sgdisk/mkfs
 * inside a QEMU guest, plus what the guest reported about them (the oracle for nvtool's decoders).
 *
 * Usage: npx tsx scripts/make-kernel-fixtures.ts [--only NAME[,NAME...]] [--list]
 *
 * Per fixture, two boots (sequential):
 *   1. "create": a sparse 256 MiB backing file (share=on), label-size 128 KiB; the listed guest
 *      commands run; reports are taken. The file as left by this boot is the fixture image.
 *   2. "reboot": a fresh boot of the finished image with share=off (private mapping, the file is
 *      not modified), taking the same reports: how Linux reads the image cold.
 * The image is stored gzip'd (fixtures/linux/<name>/image.img.gz) with expected.json.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT, ensureGuestAssets } from '../test/harness/linux-guest/assets.js';
import { type GuestResult, runGuest } from '../test/harness/linux-guest/guest.js';

const MiB = 1024 * 1024;
const IMAGE_SIZE = 256 * MiB;
const LABEL_SIZE = 128 * 1024;
const OUT_DIR = join(REPO_ROOT, 'fixtures', 'linux');

interface FixtureDef {
  name: string;
  description: string;
  /** Shell commands (each run with `sh -c`) in the guest, in order; each must exit 0. */
  commands: string[];
  /** Extra report commands (name -> shell command) run after the common reports in both boots. */
  reports?: Record<string, string>;
}

const initLabels = (v: '1.1' | '1.2'): string[] => [
  'ndctl disable-region all',
  `ndctl init-labels -f all -V ${v}`,
  'ndctl enable-region all',
];

const GPT_REPORTS: Record<string, string> = {
  sgdisk: 'sgdisk -p /dev/pmem0',
  sfdisk_dump: 'sfdisk --dump /dev/pmem0',
  sfdisk_json: 'sfdisk --json /dev/pmem0',
  blkid_pmem0: 'blkid -p -o export /dev/pmem0',
  blkid_pmem0p1: 'blkid -p -o export /dev/pmem0p1',
  sys_pmem0p1: 'for f in start size partition; do echo "$f=$(cat /sys/block/pmem0/pmem0p1/$f)"; done',
};

export const FIXTURES: FixtureDef[] = [
  {
    name: 'blank',
    description: 'A fresh all-zero backing file, nothing run: no valid index block, so Linux makes the DIMM label-less and lists one raw namespace over the whole region (namespace0.0, no uuid).',
    commands: [],
  },
  {
    name: 'labels-v1.1',
    description: 'ndctl init-labels -V 1.1 on an empty NVDIMM: two v1.1 index blocks (128-byte label slots), no namespace.',
    commands: initLabels('1.1'),
  },
  {
    name: 'labels-v1.2',
    description: 'ndctl init-labels -V 1.2 on an empty NVDIMM: two v1.2 index blocks (256-byte label slots), no namespace.',
    commands: initLabels('1.2'),
  },
  {
    name: 'fsdax-v1.2',
    description: 'v1.2 labels + one fsdax namespace over the whole region (default align): PFN info block at namespace offset 4 KiB, memmap on the device.',
    commands: [...initLabels('1.2'), 'ndctl create-namespace -r region0 -m fsdax'],
  },
  {
    name: 'devdax-v1.2',
    description: 'v1.2 labels + one devdax namespace over the whole region (default align): DAX info block at namespace offset 4 KiB.',
    commands: [...initLabels('1.2'), 'ndctl create-namespace -r region0 -m devdax'],
    reports: { daxctl: 'daxctl list -D -R -u' },
  },
  {
    name: 'sector-v1.2',
    description: 'v1.2 labels + one sector-mode namespace (claim class btt2): BTT 2.0 arena info block at namespace offset 0.',
    commands: [...initLabels('1.2'), 'ndctl create-namespace -r region0 -m sector'],
  },
  {
    name: 'raw-v1.2',
    description: 'v1.2 labels + one raw namespace over the whole region: a label with a zero abstraction GUID, no info block.',
    commands: [...initLabels('1.2'), 'ndctl create-namespace -r region0 -m raw'],
  },
  {
    name: 'sector-v1.1',
    description: 'v1.1 labels + one sector-mode namespace: BTT 1.1 arena info block at namespace offset 4 KiB.',
    commands: [...initLabels('1.1'), 'ndctl create-namespace -r region0 -m sector'],
  },
  {
    name: 'two-named-v1.2',
    description: 'v1.2 labels + two 64 MiB namespaces with names: "nvtool-a" (fsdax) then "nvtool-b" (raw).',
    commands: [
      ...initLabels('1.2'),
      'ndctl create-namespace -r region0 -m fsdax -s 64M -n nvtool-a',
      'ndctl create-namespace -r region0 -m raw -s 64M -n nvtool-b',
    ],
  },
  {
    name: 'gpt-ext4-fsdax-v1.2',
    description:
      'v1.2 labels + one fsdax namespace; sgdisk GPT with one Linux partition on /dev/pmem0; mkfs.ext4 on /dev/pmem0p1. ' +
      'The GPT sits at the start of the pmem0 block device, i.e. at namespace offset dataoff (from the PFN info block).',
    commands: [
      ...initLabels('1.2'),
      'ndctl create-namespace -r region0 -m fsdax',
      'sgdisk -n 1:0:0 -t 1:8300 -c 1:nvtool-part /dev/pmem0',
      'i=0; while [ ! -b /dev/pmem0p1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; [ -b /dev/pmem0p1 ]',
      'mkfs.ext4 -F -L nvtool-ext4 /dev/pmem0p1',
      'sync',
    ],
    reports: GPT_REPORTS,
  },
];

/** Reports taken in both boots: name -> command. */
const COMMON_REPORTS: Record<string, string> = {
  ndctl_list: 'ndctl list -N -R -D -v',
  read_labels: 'ndctl read-labels -j nmem0',
  blkid: 'blkid -o export || true',
  dmesg_nvdimm: "dmesg | grep -iE 'nvdimm|nd_|pmem|btt|pfn|dax|nfit|namespace|region|label' | grep -v NetLabel || true",
};

/** Dumps readable top-level sysfs attributes of nd devices and pmem block devices as path=value lines. */
const SYSFS_DUMP = `section sysfs
for d in /sys/bus/nd/devices/nmem* /sys/bus/nd/devices/region* /sys/bus/nd/devices/namespace* \\
         /sys/bus/nd/devices/pfn* /sys/bus/nd/devices/dax* /sys/bus/nd/devices/btt*; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    [ -f "$f" ] && [ -r "$f" ] || continue
    case "\${f##*/}" in uevent|modalias|driver_override) continue;; esac
    v=$(head -c 4096 "$f" 2>/dev/null | tr '\\n' ' ' | sed 's/ *$//') || continue
    echo "\${d##*/}/\${f##*/}=$v"
  done
done
for b in /sys/block/pmem*; do
  [ -d "$b" ] || continue
  for f in size queue/logical_block_size queue/physical_block_size; do echo "block/\${b##*/}/$f=$(cat $b/$f)"; done
done
`;

function shQuoteSingle(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function buildJob(commands: string[], reports: Record<string, string>): string {
  const lines = ['# generated by scripts/make-kernel-fixtures.ts'];
  commands.forEach((c, i) => {
    lines.push(`run step${String(i).padStart(2, '0')} sh -c ${shQuoteSingle(c)} || exit 90`);
  });
  for (const [name, c] of Object.entries(reports)) lines.push(`run report.${name} sh -c ${shQuoteSingle(c)}`);
  lines.push(SYSFS_DUMP, 'exit 0');
  return `${lines.join('\n')}\n`;
}

/**
 * Parse ndctl-style JSON output if it is JSON. Integers beyond 2^53 (e.g. iset_id) would lose
 * precision as JS numbers, so they are kept as decimal strings; the exact text is stored as well.
 */
function parseJsonOutput(text: string | undefined): { json: unknown } | Record<string, never> {
  if (text === undefined || !/^\s*[[{]/.test(text)) return {};
  try {
    const safe = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, (m, pre: string, num: string) =>
      Number.isSafeInteger(Number(num)) ? m : `${pre}"${num}"`,
    );
    return { json: JSON.parse(safe) };
  } catch {
    return {};
  }
}

function commandRecord(r: GuestResult, key: string, command: string): Record<string, unknown> {
  const stdout = r.sections[key] ?? '';
  return {
    command,
    rc: r.rcs[key],
    stdout,
    ...parseJsonOutput(stdout),
    stderr: r.sections[`${key}.stderr`] ?? '',
  };
}

function collectReports(r: GuestResult, reports: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(reports)) {
    out[name] = commandRecord(r, `report.${name}`, reports[name] ?? '');
  }
  const sysfs: Record<string, string> = {};
  for (const line of (r.sections.sysfs ?? '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) sysfs[line.slice(0, i)] = line.slice(i + 1);
  }
  out.sysfs = sysfs;
  return out;
}

/** Installed versions of Debian packages on the host ("name version"). */
function debianVersions(pkgs: string[]): Record<string, string> {
  const out = execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', ...pkgs], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
}

function scrubArgs(args: string[], map: Record<string, string>): string[] {
  return args.map((a) => {
    let s = a;
    for (const [from, to] of Object.entries(map)) s = s.split(from).join(to);
    return s;
  });
}

async function makeFixture(def: FixtureDef): Promise<void> {
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), `nvtool-fixture-${def.name}-`));
  try {
    const img = join(work, 'image.img');
    writeFileSync(img, '');
    truncateSync(img, IMAGE_SIZE);
    const reports = { ...COMMON_REPORTS, ...(def.reports ?? {}) };
    const job = buildJob(def.commands, reports);
    const created = await runGuest({
      nvdimms: [{ file: img, size: IMAGE_SIZE, labelSize: LABEL_SIZE, share: true }],
      job,
      timeoutMs: 300_000,
    });
    const rebootJob = buildJob([], reports);
    const reboot = await runGuest({
      nvdimms: [{ file: img, size: IMAGE_SIZE, labelSize: LABEL_SIZE, share: false }],
      job: rebootJob,
      timeoutMs: 300_000,
    });
    const raw = readFileSync(img);
    const gz = gzipSync(raw, { level: 9 });
    const dir = join(OUT_DIR, def.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'image.img.gz'), gz);
    const a = created.assets;
    const scrub = (args: string[]): string[] =>
      scrubArgs(args, {
        [img]: '<image.img>',
        [a.kernel.vmlinux]: '<vmlinux>',
        [REPO_ROOT + '/']: '',
      }).map((s) => s.replace(/\/tmp\/nvtool-guest-[^/]+\//g, '<run>/'));
    const expected = {
      fixture: def.name,
      description: def.description,
      image: {
        file: 'image.img.gz',
        size: IMAGE_SIZE,
        sha256: createHash('sha256').update(raw).digest('hex'),
        gzipBytes: gz.length,
        labelSize: LABEL_SIZE,
        labelAreaOffset: IMAGE_SIZE - LABEL_SIZE,
        layout: 'NVDIMM DPA 0 = file offset 0; pmem = [0, size - labelSize); label storage area = the last labelSize bytes',
      },
      generator: {
        script: 'scripts/make-kernel-fixtures.ts',
        generatedAt: new Date().toISOString(),
        kernelPackage: `${a.kernel.package} ${a.kernel.packageVersion}`,
        kernelRelease: a.kernel.release,
        qemu: a.qemuVersion,
        ndctl: a.ndctlVersion,
        guestTools: Object.fromEntries(Object.entries(a.tools).map(([k, v]) => [k, v.debianPackage])),
        debianPackages: debianVersions([...new Set(['busybox-static', ...Object.values(a.tools).map((t) => t.debianPackage)])]),
      },
      create: {
        qemu: scrub(created.qemuArgs),
        durationMs: created.durationMs,
        commands: def.commands.map((command, i) => commandRecord(created, `step${String(i).padStart(2, '0')}`, command)),
        reports: collectReports(created, reports),
      },
      reboot: {
        note: 'fresh boot of the finished image with share=off (the file is not modified)',
        qemu: scrub(reboot.qemuArgs),
        durationMs: reboot.durationMs,
        reports: collectReports(reboot, reports),
      },
    };
    writeFileSync(join(dir, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
    console.log(
      `${def.name}: gz ${(gz.length / 1024).toFixed(0)} KiB, boots ${created.durationMs} + ${reboot.durationMs} ms, total ${Date.now() - t0} ms` +
        ` -> ${relative(REPO_ROOT, dir)}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--list')) {
    for (const f of FIXTURES) console.log(`${f.name}\t${f.description}`);
    return;
  }
  const oi = argv.indexOf('--only');
  const only = oi >= 0 ? (argv[oi + 1] ?? '').split(',').filter(Boolean) : undefined;
  const defs = only ? FIXTURES.filter((f) => only.includes(f.name)) : FIXTURES;
  if (only && defs.length !== only.length) throw new Error(`unknown fixture in --only ${only.join(',')}`);
  const a = ensureGuestAssets();
  console.log(`kernel ${a.kernel.package} ${a.kernel.packageVersion}; ${a.qemuVersion}; ndctl ${a.ndctlVersion}`);
  for (const def of defs) await makeFixture(def); // sequential: boots are CPU-heavy
}

await main();

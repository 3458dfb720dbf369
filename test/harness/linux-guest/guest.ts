/**
 * Boot the real Linux kernel under QEMU (TCG) with NVDIMMs backed by host files and run a shell job.
 *
 * The job is a busybox-sh script. Its stdout goes to the result channel (second serial port), its
 * stderr to the console log. Helpers available to the job (see init-script.ts):
 *   section NAME        following stdout belongs to sections[NAME]
 *   run NAME CMD...     sections[NAME] = CMD's stdout, sections[NAME + '.stderr'] = its stderr,
 *                       rcs[NAME] = its exit status; returns that status
 * Tools in the guest: busybox, ndctl, daxctl, sgdisk, sfdisk, blkid, wipefs, lsblk, mkfs.ext4, mkfs.xfs, debugfs, e2fsck.
 *
 * One boot costs ~5-10 s under TCG, so batch many checks into one job.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type GuestAssets, ensureGuestAssets, requireTool } from './assets.js';
import { buildCpio } from './cpio.js';
import { MARK } from './init-script.js';
import type { PlatformDescription } from '../../../src/acpi/qemu/platform.js';

export interface NvdimmSpec {
  /** Backing file (must exist). Its layout: pmem = [0, size - labelSize), labels = the last labelSize bytes. */
  file: string;
  /** Backend size in bytes; defaults to the file's size. Must equal the file's size if given. */
  size?: number;
  /** Label storage area size in bytes (QEMU label-size); default 128 KiB. 0 = no label area. */
  labelSize?: number;
  /** true (default): guest writes reach the file (memory-backend-file share=on). false: private mapping. */
  share?: boolean;
  /** memory-backend-file `align=` in bytes (QEMU aligns the pmem size down to it: 2 MiB models memory-backend-xen). */
  align?: number;
}

/**
 * An ACPI table handed to the kernel through the initrd (CONFIG_ACPI_TABLE_UPGRADE,
 * Documentation/admin-guide/acpi/initrd_table_override.rst). It replaces the firmware's table with
 * the same signature, OEM ID and OEM Table ID when its OEM Revision is higher; with the same ids
 * and a revision not higher it is dropped (marked used before the revision check); a table whose
 * ids match none is added (drivers/acpi/tables.c acpi_table_initrd_override / acpi_table_initrd_scan).
 */
export interface AcpiOverride {
  /** The whole table, header included; length and checksum must be right (the kernel checks both). */
  bytes: Uint8Array;
  /** File name under kernel/firmware/acpi/ in the initrd; default `SIGNATURE-N.aml`. */
  name?: string;
}

/** What the kernel did with the tables of `acpiOverrides` (from its log), `SIG-OEMID-OEMTABLE` each. */
export interface AcpiUpgradeReport {
  /** Accepted from the initrd (signature, length and checksum good). */
  found: string[];
  /** Replaced a firmware table. */
  overridden: string[];
  /** Added as a new table. */
  installed: string[];
  /** The kernel's complaints (`ACPI OVERRIDE: ...`). */
  errors: string[];
}

export interface RunGuestOptions {
  nvdimms: NvdimmSpec[];
  /** ACPI tables for the kernel to use instead of (or besides) QEMU's; see AcpiOverride. */
  acpiOverrides?: AcpiOverride[];
  /** busybox sh script run as root in the guest. */
  job: string;
  /** Wall-clock bound for the whole boot; default 180 s. */
  timeoutMs?: number;
  /** Guest RAM (QEMU -m size), default '512M'. */
  memory?: string;
  /** If false, a non-zero job exit status is returned instead of thrown. Default true. */
  checkExit?: boolean;
  /** Extra kernel command-line words. */
  append?: string;
}

export interface GuestResult {
  /** Everything the job wrote to stdout (between the begin/end markers, markers of sections included). */
  result: string;
  /** Section name -> its stdout text; text before the first section is under ''. */
  sections: Record<string, string>;
  /** Exit status of each `run NAME ...`. */
  rcs: Record<string, number>;
  /** Exit status of the job script. */
  exitCode: number;
  /** Console log (kernel messages, init log, job stderr). */
  console: string;
  durationMs: number;
  /** With `acpiOverrides`: what the kernel did with each table. */
  acpiUpgrade?: AcpiUpgradeReport;
  /** The exact QEMU command line used. */
  qemuArgs: string[];
  assets: GuestAssets;
}

export class GuestError extends Error {
  constructor(message: string, readonly console: string, readonly result: string) {
    super(message);
    this.name = 'GuestError';
  }
}

const MiB = 1024 * 1024;

function tail(s: string, lines = 60): string {
  return s.split('\n').slice(-lines).join('\n');
}

/** Parse the result channel. Exported for tests of the parser itself. */
export function parseResult(raw: string): { body: string; sections: Record<string, string>; rcs: Record<string, number>; exitCode: number | undefined } {
  let text = raw;
  const begin = `${MARK}BEGIN@@`;
  const b = text.indexOf(begin);
  if (b < 0) return { body: '', sections: {}, rcs: {}, exitCode: undefined };
  // If the tty could not be put in raw mode, every \n arrived as \r\n.
  if (text.startsWith(`${begin}\r\n`, b)) text = text.replace(/\r\n/g, '\n');
  text = text.slice(text.indexOf(begin) + begin.length + 1);
  const endRe = new RegExp(`\\n${MARK}END:(-?\\d+)@@\\n`);
  const em = endRe.exec(text);
  const body = em ? text.slice(0, em.index) : text;
  const exitCode = em?.[1] !== undefined ? Number(em[1]) : undefined;
  const sections: Record<string, string> = {};
  const rcs: Record<string, number> = {};
  const markRe = new RegExp(`\\n${MARK}(SECTION|RC):([^\\n]*?)@@(?=\\n|$)`, 'g');
  let current = '';
  let pos = 0;
  const flush = (upto: number): void => {
    const chunk = body.slice(pos, upto);
    sections[current] = (sections[current] ?? '') + chunk;
  };
  for (let m = markRe.exec(body); m; m = markRe.exec(body)) {
    flush(m.index);
    pos = Math.min(body.length, m.index + m[0].length + 1);
    const arg = m[2] ?? '';
    if (m[1] === 'SECTION') {
      current = arg;
    } else {
      const i = arg.lastIndexOf(':');
      rcs[arg.slice(0, i)] = Number(arg.slice(i + 1));
      current = '';
    }
  }
  flush(body.length);
  if (sections[''] === '') delete sections[''];
  return { body, sections, rcs, exitCode };
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

function memSizeBytes(m: string): number {
  const mm = /^(\d+)([KMGT]?)$/i.exec(m);
  if (!mm) throw new Error(`bad memory size ${m}`);
  const mult = { '': 1, K: 1024, M: MiB, G: 1024 * MiB, T: 1024 * 1024 * MiB }[(mm[2] ?? '').toUpperCase()] ?? 1;
  return Number(mm[1]) * mult;
}

/** maxmem (MiB) must cover RAM + all NVDIMMs; round up generously to a GiB. */
function maxmemMiB(memory: string, nvdimms: readonly NvdimmSpec[]): number {
  const sizes = nvdimms.map((n) => n.size ?? 0);
  return Math.ceil((memSizeBytes(memory) + sizes.reduce((a, b) => a + b, 0)) / (1024 * MiB) + 1) * 1024;
}

/**
 * The machine runGuest starts, as an nvtool platform description (src/acpi/qemu): resolve it to
 * learn where QEMU places each NVDIMM (slot, SPA base, pmem size) and the SSDT's slot count, e.g. to
 * build tables for `acpiOverrides`. NVDIMM ids are `nv0`, `nv1`... in `nvdimms` order; sizes must
 * be given (`size`, the backing file's size).
 */
export function guestPlatform(opts: Pick<RunGuestOptions, 'nvdimms' | 'memory'>): PlatformDescription {
  const memory = opts.memory ?? '512M';
  return {
    machine: { type: 'pc' },
    memory: { size: memory, slots: Math.max(1, opts.nvdimms.length), maxmem: `${maxmemMiB(memory, opts.nvdimms)}M` },
    nvdimms: opts.nvdimms.map((n, i) => {
      if (n.size === undefined) throw new Error(`guestPlatform: nvdimms[${i}] needs its size`);
      const label = n.labelSize ?? 128 * 1024;
      return { id: `nv${i}`, size: n.size, ...(label > 0 ? { labelSize: label } : {}), ...(n.align ? { align: n.align } : {}) };
    }),
  };
}

/** Build the QEMU argument list (exported so fixtures can record it). */
export function qemuArgs(opts: { vmlinux: string; initrd: string; consoleLog: string; resultLog: string } & Pick<RunGuestOptions, 'nvdimms' | 'memory' | 'append'>): string[] {
  const memory = opts.memory ?? '512M';
  const args = [
    '-machine', 'pc,nvdimm=on,accel=tcg',
    '-cpu', 'max',
    '-smp', '1',
    '-m', `${memory},slots=${Math.max(1, opts.nvdimms.length)},maxmem=${maxmemMiB(memory, opts.nvdimms)}M`,
  ];
  opts.nvdimms.forEach((n, i) => {
    const label = n.labelSize ?? 128 * 1024;
    args.push(
      '-object', `memory-backend-file,id=mem${i},share=${n.share === false ? 'off' : 'on'},mem-path=${n.file},size=${n.size}${n.align ? `,align=${n.align}` : ''}`,
      '-device', `nvdimm,id=nv${i},memdev=mem${i}${label > 0 ? `,label-size=${label}` : ''}`,
    );
  });
  args.push(
    '-kernel', opts.vmlinux,
    '-initrd', opts.initrd,
    '-append', `console=ttyS0 rdinit=/init panic=-1 quiet${opts.append ? ` ${opts.append}` : ''}`,
    '-no-reboot', '-nodefaults', '-display', 'none',
    '-serial', `file:${opts.consoleLog}`,
    '-serial', `file:${opts.resultLog}`,
  );
  return args;
}

const ACPI_DIR = 'kernel/firmware/acpi';
const ACPI_LOG_SECTION = 'nvtool.acpi-upgrade';
/** Prepended to the job when tables are given: the kernel's log lines about them. */
const ACPI_LOG_JOB = `run ${ACPI_LOG_SECTION} sh -c "dmesg | grep -e 'ACPI table found in initrd' -e 'Table Upgrade:' -e 'ACPI OVERRIDE:'"`;

export function acpiCpio(tables: readonly AcpiOverride[]): Buffer {
  const files = tables.map((t, i) => {
    if (t.bytes.length < 36) throw new Error(`runGuest: acpiOverrides[${i}] is ${t.bytes.length} bytes, shorter than an ACPI header`);
    const sig = Buffer.from(t.bytes.subarray(0, 4)).toString('latin1');
    return { kind: 'file' as const, path: `${ACPI_DIR}/${t.name ?? `${sig}-${i}.aml`}`, data: Buffer.from(t.bytes) };
  });
  return buildCpio([{ kind: 'dir', path: 'kernel' }, { kind: 'dir', path: 'kernel/firmware' }, { kind: 'dir', path: ACPI_DIR }, ...files]);
}

/** The kernel's lines (drivers/acpi/tables.c): "%4.4s ACPI table found in initrd [...]", "Table Upgrade: override|install [SIG-OEMID-OEMTABLE]". */
export function acpiUpgradeReport(log: string): AcpiUpgradeReport {
  const out: AcpiUpgradeReport = { found: [], overridden: [], installed: [], errors: [] };
  for (const line of log.split('\n')) {
    const up = /Table Upgrade: (override|install) \[(.*)\]/.exec(line);
    if (up) (up[1] === 'override' ? out.overridden : out.installed).push(up[2]!);
    else if (/ACPI table found in initrd/.test(line)) out.found.push(line.replace(/^.*?\] (ACPI: )?/, ''));
    else if (/ACPI OVERRIDE:/.test(line)) out.errors.push(line.replace(/^.*?ACPI OVERRIDE: /, ''));
  }
  return out;
}

/**
 * Boot the guest once, run `job`, power off. Throws GuestError (with the console tail) on a crash,
 * timeout, missing result, or (unless checkExit is false) a non-zero job exit status.
 */
export async function runGuest(options: RunGuestOptions): Promise<GuestResult> {
  const assets = ensureGuestAssets();
  const qemu = requireTool('qemu-system-x86_64');
  const timeoutMs = options.timeoutMs ?? 180_000;
  const nvdimms = options.nvdimms.map((n) => {
    const file = resolve(n.file);
    if (!existsSync(file)) throw new Error(`runGuest: NVDIMM backing file ${file} does not exist`);
    const actual = statSync(file).size;
    if (n.size !== undefined && n.size !== actual) {
      throw new Error(`runGuest: ${file} is ${actual} bytes, expected size ${n.size}`);
    }
    const labelSize = n.labelSize ?? 128 * 1024;
    if (actual % (2 * MiB) !== 0) throw new Error(`runGuest: ${file} size ${actual} is not a multiple of 2 MiB`);
    if (labelSize > 0 && labelSize % 4096 !== 0) throw new Error(`runGuest: labelSize ${labelSize} not 4 KiB-aligned`);
    return { ...n, file, size: actual, labelSize };
  });

  const work = mkdtempSync(join(tmpdir(), 'nvtool-guest-'));
  try {
    const initrd = join(work, 'initrd.cpio');
    const consoleLog = join(work, 'console.log');
    const resultLog = join(work, 'result.log');
    // The kernel looks for kernel/firmware/acpi/ files in the uncompressed cpio at the start of
    // the initrd (acpi_table_upgrade → find_cpio_data), so the tables go first.
    if (options.acpiOverrides?.length) writeFileSync(initrd, acpiCpio(options.acpiOverrides));
    appendFileSync(initrd, readFileSync(assets.initramfs));
    const env = `NVTOOL_NMEM=${nvdimms.length}\nNVTOOL_WAIT_TICKS=600\n`;
    appendFileSync(
      initrd,
      buildCpio([
        { kind: 'dir', path: 'job' },
        { kind: 'file', path: 'job/env', data: Buffer.from(env) },
        { kind: 'file', path: 'job/job.sh', data: Buffer.from(options.acpiOverrides?.length ? `${ACPI_LOG_JOB}\n${options.job}` : options.job), mode: 0o755 },
      ]),
    );
    const args = qemuArgs({ vmlinux: assets.kernel.vmlinux, initrd, consoleLog, resultLog, nvdimms, memory: options.memory, append: options.append });
    const t0 = performance.now();
    const proc = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }>(
      (resolveRun, rejectRun) => {
        const child = spawn(qemu, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        let timedOut = false;
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        const timer = setTimeout(() => {
          timedOut = true;
          if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
        }, timeoutMs);
        child.on('error', (e) => {
          clearTimeout(timer);
          rejectRun(e);
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolveRun({ code, signal, stderr, timedOut });
        });
      },
    );
    const durationMs = Math.round(performance.now() - t0);
    const consoleText = readOr(consoleLog);
    const resultText = readOr(resultLog);
    const parsed = parseResult(resultText);
    const where = `\n--- qemu stderr ---\n${tail(proc.stderr, 20)}\n--- console tail ---\n${tail(consoleText)}\n--- result tail ---\n${tail(resultText, 30)}`;
    if (proc.timedOut) throw new GuestError(`runGuest: guest timed out after ${timeoutMs} ms (QEMU killed)${where}`, consoleText, resultText);
    if (proc.code !== 0) throw new GuestError(`runGuest: QEMU exited with ${proc.code ?? proc.signal}${where}`, consoleText, resultText);
    if (parsed.exitCode === undefined) {
      throw new GuestError(`runGuest: guest ended without completing the job (crash or init failure)${where}`, consoleText, resultText);
    }
    const acpiUpgrade = options.acpiOverrides?.length ? acpiUpgradeReport(parsed.sections[ACPI_LOG_SECTION] ?? '') : undefined;
    const given = options.acpiOverrides?.length ?? 0;
    if (acpiUpgrade && (acpiUpgrade.errors.length > 0 || acpiUpgrade.found.length !== given)) {
      throw new GuestError(`runGuest: the kernel took ${acpiUpgrade.found.length} of ${given} ACPI table(s) from the initrd: ${JSON.stringify(acpiUpgrade)}${where}`, consoleText, resultText);
    }
    if (acpiUpgrade && acpiUpgrade.overridden.length + acpiUpgrade.installed.length !== given) {
      throw new GuestError(`runGuest: the kernel used ${acpiUpgrade.overridden.length + acpiUpgrade.installed.length} of ${given} ACPI table(s) (a table with a firmware table's ids replaces it only with a higher OEM Revision, else it is dropped): ${JSON.stringify(acpiUpgrade)}${where}`, consoleText, resultText);
    }
    if (options.checkExit !== false && parsed.exitCode !== 0) {
      throw new GuestError(`runGuest: job exited with status ${parsed.exitCode}${where}`, consoleText, resultText);
    }
    return {
      result: parsed.body,
      sections: parsed.sections,
      rcs: parsed.rcs,
      exitCode: parsed.exitCode,
      console: consoleText,
      durationMs,
      ...(acpiUpgrade ? { acpiUpgrade } : {}),
      qemuArgs: [qemu, ...args],
      assets,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import {
  AcpiWalkError, findNvdimmSsdt, findRsdp, memaOf, walkAcpiTables,
  type AcpiTable, type ReadGuest, type Rsdp,
} from './acpi-walk.js';
import { platformToQemuArgs, QEMU_BINARY, type Platform } from './platform.js';
import { QmpClient, sleep } from './qmp.js';

export { platformToQemuArgs, type Platform } from './platform.js';
export type { AcpiTable, Rsdp } from './acpi-walk.js';

export class QemuMissingError extends Error {
  override readonly name = 'QemuMissingError';
}

/** QEMU exited before it was ready: the configuration was refused. `stderr` holds QEMU's reason. */
export class QemuRefusedError extends Error {
  override readonly name = 'QemuRefusedError';
  constructor(
    readonly argv: string[],
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    super(`QEMU refused the configuration (exit ${exitCode ?? signal}): ${stderr.trim()}`);
  }
}

export interface RunningQemu {
  argv: string[];
  pid: number;
  qmp: QmpClient;
  /** Everything QEMU wrote to stderr (and stdout, normally silent) so far: warnings, error messages. */
  stderr(): string;
  /** QMP `quit`, then SIGTERM, then SIGKILL of this PID; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface StartOptions {
  binary?: string;
  /** Bound on QEMU's start-up until QMP answers. */
  startTimeoutMs?: number;
}

/** Every QEMU this process started and has not seen exit; killed if the process exits first. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function requireQemuBinary(binary = QEMU_BINARY): string {
  const candidates = isAbsolute(binary)
    ? [binary]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, binary));
  for (const path of candidates) {
    try {
      accessSync(path, fsConstants.X_OK);
      return path;
    } catch {
      // not here; try the next PATH entry
    }
  }
  throw new QemuMissingError(
    `${binary} not found on PATH: the QEMU ACPI harness needs real QEMU 7.2 (apt-get install qemu-system-x86 seabios)`,
  );
}

async function createSparseFile(path: string, bytes: bigint): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(Number(bytes));
  } finally {
    await handle.close();
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function terminate(child: ChildProcess, qmp: QmpClient | undefined): Promise<void> {
  if (qmp) {
    await qmp.execute('quit', undefined, 2000).catch(() => undefined);
    qmp.close();
  }
  if (await waitForExit(child, 3000)) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, 2000)) return;
  child.kill('SIGKILL');
  if (!(await waitForExit(child, 5000))) throw new Error(`QEMU pid ${child.pid} survived SIGKILL`);
}

/**
 * Starts QEMU for `platform` with its backing files and QMP socket in `workdir` (absolute, existing)
 * and returns once QMP has negotiated capabilities. Throws QemuRefusedError if QEMU exits first.
 */
export async function startQemu(platform: Platform, workdir: string, options: StartOptions = {}): Promise<RunningQemu> {
  const { argv, qmpSocket, backingFiles } = platformToQemuArgs(platform, workdir, options.binary ?? QEMU_BINARY);
  for (const file of backingFiles) await createSparseFile(file.path, file.bytes);
  return startQemuArgv(argv, qmpSocket, options);
}

/** Starts QEMU with `argv` (argv[0] the binary), which must put QMP on the unix socket `qmpSocket`. */
export async function startQemuArgv(argv: string[], qmpSocket: string, options: StartOptions = {}): Promise<RunningQemu> {
  const binary = requireQemuBinary(options.binary ?? argv[0]);
  await rm(qmpSocket, { force: true });

  const child = spawn(binary, argv.slice(1), { cwd: dirname(qmpSocket), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  child.once('exit', () => live.delete(child));
  // 'close' comes after 'exit' once stdout/stderr are drained: only then is stderr complete.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;

  let qmp: QmpClient;
  try {
    qmp = await QmpClient.open(qmpSocket, options.startTimeoutMs ?? 15_000, exited);
  } catch (err) {
    if (spawnError) throw new QemuMissingError(`cannot run ${binary}: ${spawnError.message}`);
    // A refused configuration exits with status 1 right after printing why; give it a moment.
    if (await waitForExit(child, 3000)) {
      await Promise.race([closed, sleep(2000)]);
      throw new QemuRefusedError(argv, child.exitCode, child.signalCode, stderr);
    }
    await terminate(child, undefined);
    throw err;
  }

  return {
    argv,
    pid: child.pid!,
    qmp,
    stderr: () => stderr,
    stop: () => terminate(child, qmp),
  };
}

export interface CaptureOptions<T> {
  /**
   * Scratch directory (absolute) for backing files, QMP socket and memory dumps; created if missing.
   * Afterwards only the files the capture made are deleted, and the directory if that empties it.
   * Default: a fresh mkdtemp under os.tmpdir(), removed afterwards.
   */
  workdir?: string;
  binary?: string;
  /** Bound on the whole capture, start-up included. */
  timeoutMs?: number;
  /** Extra QMP queries while the VM is stopped after the capture (e.g. qom-list). */
  inspect?: (qmp: QmpClient) => Promise<T>;
}

export interface AcpiCapture<T = undefined> {
  /** Exactly what was run; argv[0] is the binary as named on the command line. */
  argv: string[];
  rsdp: Rsdp;
  /** In walk order; every one (but FACS, which has none) has a valid checksum. */
  tables: AcpiTable[];
  nfit: AcpiTable | undefined;
  nvdimmSsdt: AcpiTable | undefined;
  /** DSM buffer address SeaBIOS patched into the NVDIMM SSDT. */
  mema: number | undefined;
  stderr: string;
  inspected: T;
}

/** Where SeaBIOS may put the RSDP: the first KiB of the EBDA, and 0xE0000-0xFFFFF. */
async function searchRsdp(read: ReadGuest): Promise<Rsdp | undefined> {
  const bda = await read(0x40e, 2);
  const ebda = (bda[0]! | (bda[1]! << 8)) << 4;
  if (ebda >= 0x80000 && ebda < 0xa0000) {
    const found = findRsdp(await read(ebda, 1024), ebda);
    if (found) return found;
  }
  return findRsdp(await read(0xe0000, 0x20000), 0xe0000);
}

function guestReader(qmp: QmpClient, workdir: string): ReadGuest {
  let n = 0;
  return async (address, length) => {
    const filename = join(workdir, `pmem-${n++}.bin`);
    let bytes: Buffer;
    try {
      await qmp.execute('pmemsave', { val: address, size: length, filename });
      bytes = await readFile(filename);
    } finally {
      await rm(filename, { force: true });
    }
    if (bytes.length !== length) throw new Error(`pmemsave returned ${bytes.length} of ${length} bytes`);
    return new Uint8Array(bytes);
  };
}

/**
 * Boots `platform` under TCG with SeaBIOS, waits until the firmware has loaded QEMU's ACPI tables,
 * stops the VM and reads every table back from guest memory. QEMU is always ended.
 */
export async function captureAcpi<T = undefined>(platform: Platform, options: CaptureOptions<T> = {}): Promise<AcpiCapture<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let workdir: string;
  if (options.workdir !== undefined) {
    if (!isAbsolute(options.workdir)) throw new Error(`workdir must be absolute: ${options.workdir}`);
    workdir = options.workdir;
    await mkdir(workdir, { recursive: true });
  } else {
    workdir = await mkdtemp(join(tmpdir(), 'nvtool-qemu-'));
  }

  let qemu: RunningQemu | undefined;
  try {
    const startOptions: StartOptions = { startTimeoutMs: Math.min(15_000, timeoutMs) };
    if (options.binary !== undefined) startOptions.binary = options.binary;
    qemu = await startQemu(platform, workdir, startOptions);
    return await tablesOnceLoaded(qemu, workdir, deadline, timeoutMs, options.inspect);
  } finally {
    try {
      await qemu?.stop();
    } finally {
      await removeScratch(platform, workdir, options.workdir === undefined);
    }
  }
}

/**
 * Polls guest memory until the firmware has placed a consistent RSDP and tables, then stops the VM
 * and reads them back (re-reading while stopped so they come from one instant).
 */
async function tablesOnceLoaded<T>(qemu: RunningQemu, workdir: string, deadline: number, timeoutMs: number, inspect?: (qmp: QmpClient) => Promise<T>): Promise<AcpiCapture<T>> {
  const read = guestReader(qemu.qmp, workdir);
  let lastProblem = 'no RSDP found';
  for (;;) {
    if (Date.now() > deadline) {
      throw new Error(`ACPI tables not ready after ${timeoutMs} ms (${lastProblem}); stderr: ${qemu.stderr()}`);
    }
    if (!(await searchRsdp(read))) {
      await sleep(20);
      continue;
    }
    await qemu.qmp.execute('stop');
    try {
      // Re-read while stopped so the RSDP and the tables come from one instant.
      const rsdp = await searchRsdp(read);
      if (!rsdp) throw new AcpiWalkError('RSDP vanished');
      const tables = await walkAcpiTables(read, rsdp);
      const nvdimmSsdt = findNvdimmSsdt(tables);
      const inspected = inspect ? await inspect(qemu.qmp) : (undefined as T);
      return {
        argv: qemu.argv,
        rsdp,
        tables,
        nfit: tables.find((t) => t.signature === 'NFIT'),
        nvdimmSsdt,
        mema: nvdimmSsdt ? memaOf(nvdimmSsdt.bytes) : undefined,
        stderr: qemu.stderr(),
        inspected,
      };
    } catch (err) {
      if (!(err instanceof AcpiWalkError)) throw err;
      lastProblem = err.message;
      await qemu.qmp.execute('cont');
      await sleep(20);
    }
  }
}

/**
 * captureAcpi for a command line given whole (argv[0] the binary), e.g. the Linux guest harness's
 * own (GuestResult.qemuArgs with its files replaced): QMP is added on a socket in a scratch
 * directory; the tables are read as soon as the firmware has placed them, then QEMU is ended.
 */
export async function captureAcpiArgv(argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<AcpiCapture> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const workdir = await mkdtemp(join(tmpdir(), 'nvtool-qemu-'));
  const qmpSocket = join(workdir, 'qmp.sock');
  let qemu: RunningQemu | undefined;
  try {
    qemu = await startQemuArgv([...argv, '-qmp', `unix:${qmpSocket},server=on,wait=off`], qmpSocket, { startTimeoutMs: Math.min(15_000, timeoutMs) });
    return await tablesOnceLoaded(qemu, workdir, deadline, timeoutMs);
  } finally {
    try {
      await qemu?.stop();
    } finally {
      await rm(workdir, { recursive: true, force: true });
    }
  }
}

async function removeScratch(platform: Platform, workdir: string, ownDirectory: boolean): Promise<void> {
  if (ownDirectory) {
    await rm(workdir, { recursive: true, force: true });
    return;
  }
  const { qmpSocket, backingFiles } = platformToQemuArgs(platform, workdir);
  for (const path of [qmpSocket, ...backingFiles.map((f) => f.path)]) await rm(path, { force: true });
  await rmdir(workdir).catch(() => undefined);
}

/** `qemu-system-x86_64 --version`, first line. */
export function qemuVersion(binary = QEMU_BINARY): Promise<string> {
  const path = requireQemuBinary(binary);
  return new Promise((resolve, reject) => {
    const child = spawn(path, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out.split('\n')[0]!.trim()) : reject(new Error(`--version exit ${code}`))));
  });
}

/**
 * The write gate's machinery (the rules are in gate.ts, which every command uses): a session that
 * locks, plans, checks and commits writes. It does not load inspect's detectors itself: the caller
 * passes how to find the layers of a file (`LayerDetector`), so a command that only writes whole
 * new files (`write/output.ts`: ASL, JSON, tables), where no layer is ever consulted, does not load
 * every format's detector to start.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileBlockIO, type BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';
import type { Layer, LayerKind } from '../../inspect/index.js';
import { parsedClean } from '../parseState.js';
import { CliError } from '../io.js';
import { lockFile, type HeldLock } from './lock.js';
import { OverlayFile, Plan, type PlanOp } from './plan.js';

export interface WriteOptions {
  force: boolean;
  dryRun: boolean;
  /** Structures the command rewrites under their own update protocol: writing them needs no --force. */
  updates?: readonly LayerKind[];
  /** Files to lock before the command reads anything (others are locked when first opened). */
  lock?: readonly string[];
}

/** A file opened through the gate. `write` takes an optional name for the dry-run listing. */
export interface GatedFile extends BlockIO {
  readonly path: string;
  write(offset: number, data: Uint8Array, what?: string): void;
  close(): void;
}

export interface WriteGate {
  readonly dryRun: boolean;
  readonly force: boolean;
  /** An existing file (image, label area, block device) to read and write in place. */
  open(path: string): GatedFile;
  /** A sparse file of `size` bytes (an existing one is extended, never shrunk). */
  create(path: string, size: number): GatedFile;
  /** A whole new file (`-`: stdout), replacing an existing one only with --force. */
  replace(path: string, bytes: Uint8Array | string, what?: string): void;
  /** A range the command takes over though it writes only part of it now (a label area): judged like a write. */
  claim(path: string, offset: number, length: number): void;
  /**
   * A folder for the files the command writes next: made at commit (locked meanwhile, listed by
   * --dry-run), nothing if it is one already. Its parent must exist: a mistyped path makes nothing.
   */
  folder(path: string): void;
}

export interface PlannedWrite {
  file: string;
  offset: number;
  length: number;
  what: string;
}

export interface WriteOutcome<T> {
  result: T;
  dryRun: boolean;
  writes: PlannedWrite[];
}

/** Layers that only contain others: writing inside them is judged by what they contain. */
const CONTAINERS: ReadonlySet<LayerKind> = new Set(['namespace', 'partition']);
/** A BTT covers its whole namespace; what identifies it (and a format destroys first) is the arena's info block. */
const BTT_INFO = 4096;

/** Text as UTF-8 bytes: one encoding pass, and a plain Uint8Array view of it rather than a second copy. */
const toBytes = (b: Uint8Array | string): Uint8Array => {
  if (typeof b !== 'string') return b;
  const buf = Buffer.from(b);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
};

function checkWritable(path: string): void {
  if (!existsSync(path)) throw new CliError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
}

function openBase(path: string): FileBlockIO {
  try {
    return new FileBlockIO(path, false);
  } catch (e) {
    throw new CliError(`${path}: cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The layers (flattened, outermost first) inspect finds in a file as it is; [] when it finds none. */
export type LayerDetector = (io: BlockIO, name: string) => Layer[];

/** Every layer of a tree, parents before their children. */
export function flattenLayers(layers: readonly Layer[], out: Layer[] = []): Layer[] {
  for (const l of layers) {
    out.push(l);
    flattenLayers(l.children, out);
  }
  return out;
}

/** The bytes of a layer the plan may not touch without --force. */
function protectedRange(l: Layer, updates: ReadonlySet<LayerKind>): [number, number] | undefined {
  if (CONTAINERS.has(l.kind) || updates.has(l.kind) || l.length <= 0) return undefined;
  if (l.kind === 'btt') return [l.offset, l.offset + Math.min(l.length, BTT_INFO)];
  return [l.offset, l.offset + l.length];
}

const human = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1).replace(/\.0$/, '')} MiB` : `${n} bytes`);

class Session {
  private readonly locks = new Map<string, HeldLock>();
  private readonly bases = new Map<string, FileBlockIO | undefined>();
  /** Files the plan creates, with their size. */
  readonly created = new Map<string, number>();
  /** Folders the plan makes: a file in one is covered by the folder's lock (nobody else can hold one inside it). */
  readonly folders = new Set<string>();
  constructor(
    readonly o: WriteOptions,
    private readonly layersOf: LayerDetector,
  ) {}

  lock(path: string): void {
    if (path === '-' || this.locks.has(path) || this.folders.has(dirname(path))) return;
    this.locks.set(path, lockFile(path));
  }

  release(): void {
    for (const l of this.locks.values()) l.release();
    for (const b of this.bases.values()) b?.close();
  }

  /** The file as it was before the command (undefined: it did not exist). */
  base(path: string): FileBlockIO | undefined {
    if (!this.bases.has(path)) this.bases.set(path, existsSync(path) && !statSync(path).isDirectory() ? openBase(path) : undefined);
    return this.bases.get(path);
  }

  planGate(plan: Plan): WriteGate {
    const s = this;
    return {
      dryRun: this.o.dryRun,
      force: this.o.force,
      open(path) {
        s.lock(path);
        const made = s.created.get(path);
        if (made !== undefined) return new OverlayFile(path, s.base(path), made, plan);
        checkWritable(path);
        const b = s.base(path)!;
        return new OverlayFile(path, b, b.size, plan);
      },
      create(path, size) {
        s.lock(path);
        const b = s.base(path);
        const n = Math.max(size, b?.size ?? 0);
        plan.ops.push({ kind: 'create', file: path, size });
        s.created.set(path, n);
        return new OverlayFile(path, b, n, plan);
      },
      replace(path, bytes, what) {
        s.lock(path);
        plan.ops.push({ kind: 'replace', file: path, data: toBytes(bytes), ...(what ? { what } : {}) });
      },
      claim(path, offset, length) {
        s.lock(path);
        plan.ops.push({ kind: 'claim', file: path, offset, length });
      },
      folder(path) {
        if (existsSync(path)) {
          if (!statSync(path).isDirectory()) throw new CliError(`${path}: exists and is not a folder`);
          return;
        }
        if (!existsSync(dirname(path))) throw new CliError(`${path}: its parent folder ${dirname(path)} does not exist`);
        s.lock(path);
        s.folders.add(path);
        plan.ops.push({ kind: 'folder', file: path });
      },
    };
  }

  /** What the plan would overwrite that the command may not touch without --force. */
  refusals(plan: Plan): string[] {
    const out: string[] = [];
    const updates = new Set(this.o.updates ?? []);
    const files = [...new Set(plan.ops.map((op) => op.file))];
    for (const file of files) {
      if (plan.ops.some((op) => op.kind === 'replace' && op.file === file) && file !== '-' && existsSync(file)) {
        if (statSync(file).isDirectory()) throw new CliError(`${file}: is a directory`);
        if (!this.o.force) out.push(`${file}: exists; pass --force to replace it`);
        continue;
      }
      const base = this.base(file);
      if (!base || this.o.force) continue;
      const ranges = plan.ranges(file, true);
      if (!ranges.length) continue;
      for (const l of this.layersOf(base, file)) {
        const p = protectedRange(l, updates);
        if (!p) continue;
        const hit = ranges.find(([a, b]) => a < p[1] && p[0] < b);
        if (hit) out.push(`${file}: would overwrite ${l.label} (${l.kind} at offset ${l.offset}, ${human(l.length)}) with ${human(hit[1] - hit[0])} at offset ${hit[0]}; pass --force to overwrite it`);
      }
    }
    return out;
  }

  /** Each write once, contiguous writes of one name joined, unnamed ones named by inspect of the planned files. */
  listing(plan: Plan, overlays: Map<string, OverlayFile>): PlannedWrite[] {
    const list: PlannedWrite[] = [];
    for (const op of plan.ops) {
      if (op.kind === 'flush' || op.kind === 'claim') continue;
      if (op.kind === 'create') {
        list.push({ file: op.file, offset: 0, length: 0, what: `sparse file of ${op.size} bytes${this.base(op.file) ? ' (extended)' : ''}` });
        continue;
      }
      if (op.kind === 'folder') {
        list.push({ file: op.file, offset: 0, length: 0, what: 'new folder' });
        continue;
      }
      if (op.kind === 'replace') {
        list.push({ file: op.file, offset: 0, length: op.data.length, what: op.what ?? (op.file === '-' ? 'standard output' : 'whole file, replaced atomically') });
        continue;
      }
      const last = list[list.length - 1];
      if (last && last.file === op.file && last.offset + last.length === op.offset && last.what === (op.what ?? '')) last.length += op.length;
      else list.push({ file: op.file, offset: op.offset, length: op.length, what: op.what ?? '' });
    }
    const layers = new Map<string, Layer[]>();
    for (const w of list) {
      if (w.what) continue;
      const ov = overlays.get(w.file);
      if (!layers.has(w.file)) layers.set(w.file, ov ? this.layersOf(ov, w.file) : []);
      const end = w.offset + w.length;
      const hits = layers.get(w.file)!.filter((l) => l.offset < end && w.offset < l.offset + l.length);
      // a layer names the write unless one of its children holds all of it
      const named = hits.filter((l) => !l.children.some((c) => c.offset <= w.offset && end <= c.offset + c.length));
      const structures = named.filter((l) => !CONTAINERS.has(l.kind));
      w.what = (structures.length ? structures : named).map((l) => l.label).join(', ') || 'data';
    }
    return list;
  }

  replay(plan: Plan): void {
    const pause = testPause();
    const files = new Map<string, FileBlockIO>();
    const io = (f: string) => {
      let x = files.get(f);
      if (!x) files.set(f, (x = new FileBlockIO(f, true)));
      return x;
    };
    try {
      for (const op of plan.ops) {
        if (op.kind === 'claim') continue;
        if (op.kind !== 'flush') pause?.();
        if (op.kind === 'folder') makeFolder(op.file);
        else if (op.kind === 'create') FileBlockIO.create(op.file, op.size).close();
        else if (op.kind === 'replace') replaceFile(op.file, op.data);
        else if (op.kind === 'flush') io(op.file).flush();
        else if (op.zero) zero(io(op.file), op.offset, op.length);
        else io(op.file).write(op.offset, op.data!);
      }
      for (const f of files.values()) f.flush();
    } finally {
      for (const f of files.values()) f.close();
    }
  }

  /** The command again, on the real files, each write confined to the checked plan's ranges. */
  confinedGate(plan: Plan, opened: FileBlockIO[]): WriteGate {
    const pause = testPause();
    const confine = (path: string, f: FileBlockIO): GatedFile => {
      const ranges = plan.ranges(path);
      return Object.assign(Object.create(f) as FileBlockIO, {
        path,
        write(offset: number, data: Uint8Array) {
          if (!ranges.some(([a, b]) => a <= offset && offset + data.length <= b)) {
            throw new CliError(`${path}: internal: a write of ${data.length} bytes at ${offset} is outside the checked plan; stopped`, 70);
          }
          pause?.();
          f.write(offset, data);
        },
        read: (o: number, n: number) => f.read(o, n),
        flush: () => f.flush(),
        close: () => f.close(),
        size: f.size,
      });
    };
    return {
      dryRun: false,
      force: this.o.force,
      open(path) {
        const f = new FileBlockIO(path, true);
        opened.push(f);
        return confine(path, f);
      },
      create(path, size) {
        const f = FileBlockIO.create(path, size);
        opened.push(f);
        return confine(path, f);
      },
      replace: (path, bytes) => replaceFile(path, toBytes(bytes)),
      claim: () => {},
      folder: (path) => {
        if (!existsSync(path)) makeFolder(path);
      },
    };
  }
}

/**
 * Test hook, off unless NVTOOL_TEST_WRITE_PAUSE_MS is set: before each write of a commit, print
 * `nvtool-test: write N` on stderr and sleep that many milliseconds (only before write
 * NVTOOL_TEST_WRITE_PAUSE_AT when that is set), so a test can SIGKILL the process between any two
 * writes (test/cli/interrupted-writes.test.ts). Nothing else changes.
 */
function testPause(): (() => void) | undefined {
  const env = process.env;
  const ms = Number(env.NVTOOL_TEST_WRITE_PAUSE_MS);
  if (env.NVTOOL_TEST_WRITE_PAUSE_MS === undefined || !Number.isSafeInteger(ms) || ms < 0) return undefined;
  const at = env.NVTOOL_TEST_WRITE_PAUSE_AT === undefined ? undefined : Number(env.NVTOOL_TEST_WRITE_PAUSE_AT);
  let n = 0;
  return () => {
    process.stderr.write(`nvtool-test: write ${++n}\n`);
    if (at === undefined || at === n) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  };
}

function zero(io: BlockIO, offset: number, length: number): void {
  const z = new Uint8Array(Math.min(length, 2 << 20));
  for (let done = 0; done < length; done += z.length) io.write(offset + done, z.subarray(0, Math.min(z.length, length - done)));
}

/** A new folder, then an fsync of its parent so the folder survives a crash. */
function makeFolder(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    throw new CliError(`${dir}: cannot make the folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  fsyncDir(dirname(dir));
}

function fsyncDir(dir: string): void {
  try {
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    /* directories cannot be fsync'd on every platform */
  }
}

/** A whole new file: temporary file in the same directory, fsync, rename, fsync of the directory. */
function replaceFile(file: string, data: Uint8Array): void {
  if (file === '-') {
    process.stdout.write(data);
    return;
  }
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.nvtool-${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    fsyncDir(dir);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw new CliError(`${file}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Run `body` through the gate (finding layers with `layersOf`): plan, check, then (unless --dry-run) commit. `body` must write only
 * through the gate and print nothing: it may run twice (a plan too large to hold is run again,
 * confined to the checked ranges), and its result is what the caller prints.
 */
export function withWritesUsing<T>(layersOf: LayerDetector, o: WriteOptions, body: (g: WriteGate) => T): WriteOutcome<T> {
  if (!parsedClean()) throw new CliError('internal: a write was attempted without a clean parse of the command line', 70);
  const s = new Session(o, layersOf);
  try {
    for (const f of o.lock ?? []) s.lock(f);
    const plan = new Plan();
    const overlays = new Map<string, OverlayFile>();
    const g = s.planGate(plan);
    const gate: WriteGate = {
      ...g,
      claim: g.claim,
      open: (p) => remember(overlays, g.open(p) as OverlayFile),
      create: (p, n) => remember(overlays, g.create(p, n) as OverlayFile),
    };
    const result = body(gate);
    const refused = s.refusals(plan);
    if (refused.length) throw new CliError(refused[0]! + (refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''));
    const writes = s.listing(plan, overlays);
    if (o.dryRun) return { result, dryRun: true, writes };
    if (plan.complete) {
      s.replay(plan);
      return { result, dryRun: false, writes };
    }
    const opened: FileBlockIO[] = [];
    try {
      const again = body(s.confinedGate(plan, opened));
      for (const f of opened) f.flush();
      return { result: again, dryRun: false, writes };
    } finally {
      for (const f of opened) f.close();
    }
  } finally {
    s.release();
  }
}

function remember(m: Map<string, OverlayFile>, f: OverlayFile): OverlayFile {
  m.set(f.path, f);
  return f;
}

/** `would write` / `wrote` lines for the text output. */
export function writeLines(w: WriteOutcome<unknown>): string {
  return w.writes.map((x) => `${w.dryRun ? 'would write' : 'wrote'} ${x.file}: ${x.length} bytes at offset ${x.offset} (0x${x.offset.toString(16)}): ${x.what}\n`).join('');
}

export type { PlanOp };

/** `[base, base + size)` of a gated file as a device of its own, every write named `what` in the listing. */
export function regionOf(f: Pick<GatedFile, 'read' | 'write' | 'flush'> & { path?: string }, base: number, size: number, what?: string): BlockIO {
  const check = (o: number, n: number) => {
    if (!Number.isSafeInteger(o) || o < 0 || o + n > size) throw new NvError(f.path ?? 'region', '', base + o, `${n} bytes at ${o} are outside the ${size}-byte region at ${base}`);
  };
  return {
    size,
    read: (o, n) => (check(o, n), f.read(base + o, n)),
    write: (o, d) => (check(o, d.length), f.write(base + o, d, what)),
    flush: () => f.flush(),
  };
}

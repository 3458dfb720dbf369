/**
 * The scenario: what a simulation run is about (specs/sim.md §2). `parseScenario` checks it against
 * the JSON Schema, then the rules the schema cannot say (the platform as QEMU would take it, which
 * setup fits which namespace mode, which design has which sections), and returns every problem as
 * one `path: problem` line.
 */
import { isAbsolute, resolve } from 'node:path';
import { NvError } from '../../core/errors.js';
import { parsePlatform, parseSize, resolvePlatform, type ResolvedPlatform } from '../../acpi/qemu/index.js';
import { checkSchema, type SchemaError } from './check.js';
import { SCENARIO_SCHEMA } from './schema.js';
import { parsePattern } from '../guest/dataPattern.js';

export type Design = 'v1' | 'v3' | 'v4';
export type Placement = 'a' | 'b' | 'c';
export type NamespaceMode = 'raw' | 'fsdax' | 'devdax' | 'sector';

export type FileHow = 'written' | 'fallocated' | 'sparse' | 'fragmented';

export interface FileSpec {
  path: string;
  size: bigint;
  content: 'allocated' | 'pattern';
  /** How the administrator made the file (its extents): written by default. */
  how: FileHow;
}

/** A guest xl creates: its xl.cfg (absolute path) and who maps its vNVDIMM pages. */
export interface GuestSpec {
  name: string;
  config: string;
  mapping: 'populate' | 'memory_mapping';
}

/** ndctl create-namespace in a guest (scenario "steps", specs/sim.md §7.10). */
export interface CreateNamespaceStep {
  guest: string;
  do: 'create-namespace';
  size: bigint;
  mode: NamespaceMode;
  name?: string;
  uuid?: string;
  align?: bigint;
  sectorSize?: number;
  region?: number;
}

/** The guest writes `length` bytes of `pattern` at `offset` of its namespace's block device. */
export interface WriteStep {
  guest: string;
  do: 'write';
  namespace: number;
  offset: bigint;
  /** The bytes repeated (a byte value or a hex string, guest/dataPattern.ts). */
  pattern: Uint8Array;
  length: bigint;
}

/** xl destroy: Xen takes the guest's pages back. */
export interface DestroyStep {
  guest: string;
  do: 'destroy';
}

export type GuestStep = CreateNamespaceStep | WriteStep | DestroyStep;

export interface FilesystemSpec {
  type: 'ext4';
  mount?: string;
  label?: string;
  files: FileSpec[];
}

export interface PartitionSpec {
  name?: string;
  /** Bytes; undefined: the rest of the disk. */
  size?: bigint;
  type?: string;
  xen?: { placement: 'b' };
  filesystem?: FilesystemSpec;
}

export interface NamespaceSpec {
  name?: string;
  size: bigint;
  mode: NamespaceMode;
  sectorSize?: 512 | 4096;
  xen?: { placement: 'a' | 'c' };
  partitions: PartitionSpec[];
  filesystem?: FilesystemSpec;
}

export interface DimmSetup {
  labelVersion: '1.1' | '1.2';
  namespaces: NamespaceSpec[];
}

export interface Scenario {
  design: Design;
  seed: string;
  /** The platform JSON as written (build-nfit's input). */
  platformJson: unknown;
  platform: ResolvedPlatform;
  /** Existing images by NVDIMM id, absolute paths. */
  images: Record<string, string>;
  /** Design v1: the administrator's setup per NVDIMM id (NFIT order is the platform's). */
  dom0: Record<string, DimmSetup>;
  xl: string[];
  guests: GuestSpec[];
  /** What the guests do in the guest stage, in order. */
  steps: GuestStep[];
  /** The JSON as written. */
  json: unknown;
}

/** A scenario that does not hold: every problem, one `path: problem` each. */
export class ScenarioError extends Error {
  constructor(readonly file: string, readonly problems: SchemaError[]) {
    super(problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n'));
  }
}

type J = Record<string, any>;

function sizeOf(v: unknown, path: string, errors: SchemaError[]): bigint {
  try {
    return parseSize(v, path);
  } catch (e) {
    errors.push({ path, message: e instanceof NvError ? e.reason : String(e) });
    return 0n;
  }
}

function fsOf(j: J | undefined, path: string, errors: SchemaError[]): FilesystemSpec | undefined {
  if (!j) return undefined;
  const files = ((j.files ?? []) as J[]).map((f, i) => ({ path: String(f.path), size: sizeOf(f.size, `${path}.files[${i}].size`, errors), content: (f.content ?? 'allocated') as FileSpec['content'], how: (f.how ?? 'written') as FileHow }));
  files.forEach((f, i) => {
    if (f.how !== 'written' && f.content === 'pattern') errors.push({ path: `${path}.files[${i}].how`, message: `a "${f.how}" file is made by allocation only; content "pattern" writes every block` });
  });
  const seen = new Set<string>();
  files.forEach((f, i) => {
    if (seen.has(f.path)) errors.push({ path: `${path}.files[${i}].path`, message: `${f.path} is listed twice` });
    seen.add(f.path);
  });
  return { type: 'ext4', ...(j.mount ? { mount: String(j.mount) } : {}), ...(j.label ? { label: String(j.label) } : {}), files };
}

/** The rules the schema cannot say, for one namespace. */
function namespaceOf(j: J, path: string, labelVersion: string, errors: SchemaError[]): NamespaceSpec {
  const mode = (j.mode ?? 'fsdax') as NamespaceMode;
  const placement = j.xen?.placement as string | undefined;
  const xen = placement === 'namespace' || placement === 'c' ? 'c' : placement;
  const partitions: PartitionSpec[] = ((j.partitions ?? []) as J[]).map((p, i) => {
    const pp = `${path}.partitions[${i}]`;
    if (p.xen && p.xen.placement !== 'b') errors.push({ path: `${pp}.xen.placement`, message: `a partition takes placement "b" (its own Xen partition); "${p.xen.placement}" is a whole-device placement` });
    if (p.xen && p.filesystem) errors.push({ path: `${pp}.filesystem`, message: 'a Xen partition (placement b) holds the super block, not a file system' });
    return {
      ...(p.name !== undefined ? { name: String(p.name) } : {}),
      ...(p.size !== undefined ? { size: sizeOf(p.size, `${pp}.size`, errors) } : {}),
      ...(p.type !== undefined ? { type: String(p.type) } : {}),
      ...(p.xen ? { xen: { placement: 'b' as const } } : {}),
      ...(p.filesystem ? { filesystem: fsOf(p.filesystem, `${pp}.filesystem`, errors)! } : {}),
    };
  });
  partitions.slice(0, -1).forEach((p, i) => {
    if (p.size === undefined) errors.push({ path: `${path}.partitions[${i}].size`, message: 'only the last partition may leave out its size (it takes the rest)' });
  });
  if (xen === 'b') errors.push({ path: `${path}.xen.placement`, message: 'placement "b" is a partition of its own: put {"xen": {"placement": "b"}} on an entry of "partitions"' });
  const blockless = mode === 'devdax';
  if (blockless && (xen || partitions.length || j.filesystem)) errors.push({ path: `${path}.mode`, message: 'a devdax namespace has no block device for partitions, a file system or a Xen super block' });
  if (mode === 'sector' && (partitions.length || j.filesystem)) errors.push({ path: `${path}.mode`, message: 'the simulation partitions and formats byte-addressed block devices (raw, fsdax); a sector namespace is written through its BTT' });
  if (mode === 'sector' && (xen || partitions.some((p) => p.xen))) errors.push({ path: `${path}.xen`, message: 'a sector namespace is reached through the BTT, whose blocks have no fixed physical address; Xen needs a byte-addressed (raw or fsdax) container' });
  if (xen === 'c') {
    if (mode !== 'raw') errors.push({ path: `${path}.mode`, message: `placement "namespace" claims the whole namespace for Xen: mode must be "raw" (an info block would sit where the super block goes), not "${mode}"` });
    if (partitions.length || j.filesystem) errors.push({ path: `${path}.xen.placement`, message: 'placement "namespace" leaves no room for partitions or a file system' });
    if (labelVersion !== '1.2') errors.push({ path: `${path}.xen.placement`, message: 'placement "namespace" records the claim in a v1.2 label (claim class); labelVersion is 1.1' });
  }
  if (xen === 'a' && partitions.length) errors.push({ path: `${path}.partitions`, message: 'placement "a" makes the partition table itself (partition 1 = the data area); put the file system on the namespace' });
  if (j.filesystem && partitions.length) errors.push({ path: `${path}.filesystem`, message: 'with "partitions" the file systems go on the partitions' });
  return {
    ...(j.name !== undefined ? { name: String(j.name) } : {}),
    size: sizeOf(j.size, `${path}.size`, errors),
    mode,
    ...(j.sectorSize !== undefined ? { sectorSize: j.sectorSize as 512 | 4096 } : {}),
    ...(xen === 'a' || xen === 'c' ? { xen: { placement: xen } } : {}),
    partitions,
    ...(j.filesystem ? { filesystem: fsOf(j.filesystem, `${path}.filesystem`, errors)! } : {}),
  };
}

function patternOf(v: unknown, path: string, errors: SchemaError[]): Uint8Array {
  try {
    return parsePattern(v as string | number, path);
  } catch (e) {
    if (!(e instanceof NvError)) throw e;
    errors.push({ path, message: e.reason });
    return Uint8Array.of(0);
  }
}

function stepOf(j: J, path: string, guests: ReadonlySet<string>, errors: SchemaError[]): GuestStep {
  const guest = String(j.guest);
  if (!guests.has(guest)) errors.push({ path: `${path}.guest`, message: `no guest "${guest}" in "guests" (${[...guests].join(', ') || 'none'})` });
  switch (j.do as GuestStep['do']) {
    case 'create-namespace': {
      const align = j.align !== undefined ? sizeOf(j.align, `${path}.align`, errors) : undefined;
      if (align !== undefined && (align === 0n || (align & (align - 1n)) !== 0n)) errors.push({ path: `${path}.align`, message: `${align} is not a power of two` });
      const mode = (j.mode ?? 'fsdax') as NamespaceMode;
      if (j.sectorSize !== undefined && mode !== 'sector' && mode !== 'raw') errors.push({ path: `${path}.sectorSize`, message: `a ${mode} namespace has 512-byte sectors; sectorSize is for sector (BTT) and raw namespaces` });
      return {
        guest, do: 'create-namespace', size: sizeOf(j.size, `${path}.size`, errors), mode,
        ...(j.name !== undefined ? { name: String(j.name) } : {}),
        ...(j.uuid !== undefined ? { uuid: String(j.uuid).toLowerCase() } : {}),
        ...(align !== undefined ? { align } : {}),
        ...(j.sectorSize !== undefined ? { sectorSize: Number(j.sectorSize) } : {}),
        ...(j.region !== undefined ? { region: Number(j.region) } : {}),
      };
    }
    case 'write':
      return { guest, do: 'write', namespace: Number(j.namespace), offset: j.offset !== undefined ? sizeOf(j.offset, `${path}.offset`, errors) : 0n, pattern: patternOf(j.pattern, `${path}.pattern`, errors), length: sizeOf(j.length, `${path}.length`, errors) };
    case 'destroy':
      return { guest, do: 'destroy' };
  }
}

/** Check and type a scenario. `baseDir` resolves relative paths (the scenario file's folder). */
export function parseScenario(json: unknown, baseDir: string, file = 'scenario.json'): Scenario {
  const errors = checkSchema(SCENARIO_SCHEMA, json);
  if (errors.length) throw new ScenarioError(file, errors);
  const j = json as J;
  let platform: ResolvedPlatform | undefined;
  try {
    platform = resolvePlatform(parsePlatform(j.host.platform));
  } catch (e) {
    if (!(e instanceof NvError)) throw e;
    errors.push({ path: `host.platform${e.path ? `.${e.path}` : ''}`, message: e.reason });
  }
  const ids = new Set((platform?.dimms ?? []).map((d) => d.id).filter((x): x is string => !!x));
  if (platform) platform.dimms.forEach((d) => {
    if (!d.id) errors.push({ path: `host.platform.nvdimms[${d.index}].id`, message: 'the simulation names each DIMM\'s files after its id; give every NVDIMM an id' });
  });
  const design = j.design as Design;
  const images: Record<string, string> = {};
  for (const [id, p] of Object.entries((j.host.images ?? {}) as Record<string, string>)) {
    if (platform && !ids.has(id)) errors.push({ path: `host.images.${id}`, message: `no NVDIMM with id "${id}" (ids: ${[...ids].join(', ')})` });
    images[id] = isAbsolute(p) ? p : resolve(baseDir, p);
  }
  const dom0: Record<string, DimmSetup> = {};
  if (j.dom0 && design !== 'v1') errors.push({ path: 'dom0', message: `design ${design} has no Dom0 setup: Xen hides the NFIT from Dom0 (TFIN) and the administrator assigns roles with "xl": ["pmem-setup ..."]` });
  for (const [id, d] of Object.entries((j.dom0 ?? {}) as Record<string, J>)) {
    if (platform && !ids.has(id)) errors.push({ path: `dom0.${id}`, message: `no NVDIMM with id "${id}" (ids: ${[...ids].join(', ')})` });
    const labelVersion = (d.labelVersion ?? '1.2') as '1.1' | '1.2';
    const namespaces = ((d.namespaces ?? []) as J[]).map((n, i) => namespaceOf(n, `dom0.${id}.namespaces[${i}]`, labelVersion, errors));
    const dimm = platform?.dimms.find((x) => x.id === id);
    if (dimm && namespaces.length && dimm.labelSize === 0n) errors.push({ path: `dom0.${id}.namespaces`, message: 'this NVDIMM has no label area (labelSize): Linux gives it one raw namespace and namespaces cannot be created' });
    dom0[id] = { labelVersion, namespaces };
  }
  const xl = ((j.xl ?? []) as string[]).map(String);
  if (xl.length && design === 'v1') errors.push({ path: 'xl', message: 'design v1 has no xl pmem-setup: Dom0 reports pmem with XENPF_pmem_add' });
  if (errors.length) throw new ScenarioError(file, errors);
  const names = new Set<string>();
  const guests: GuestSpec[] = ((j.guests ?? []) as J[]).map((g, i) => {
    if (names.has(g.name)) errors.push({ path: `guests[${i}].name`, message: `guest "${g.name}" is listed twice` });
    names.add(g.name);
    return { name: String(g.name), config: isAbsolute(g.config) ? g.config : resolve(baseDir, g.config), mapping: g.mapping ?? 'populate' };
  });
  const steps = ((j.steps ?? []) as J[]).map((st, i) => stepOf(st, `steps[${i}]`, names, errors));
  if (errors.length) throw new ScenarioError(file, errors);
  return { design, seed: String(j.seed ?? '0'), platformJson: j.host.platform, platform: platform!, images, dom0, xl, guests, steps, json };
}

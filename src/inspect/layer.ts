/**
 * The one output model of inspect: a tree of layers, each a byte range of the file with what it
 * is (`kind`), what it says (`fields`, JSON-ready), what is wrong with it (`findings`) and what it
 * contains (`children`). Offsets are absolute file offsets. specs/inspect.md has the schema.
 */
import { jsonInteger } from '../core/hex.js';
import type { Finding, Severity, Struct } from '../core/schema/index.js';

export const LAYER_KINDS = [
  'acpi-table', 'label-area', 'namespace', 'pfn-info', 'dax-info', 'btt', 'gpt', 'mbr', 'partition',
  'xen-superblock', 'xen-reserved', 'xen-frame-table', 'xen-m2p', 'filesystem', 'guest-memory', 'rsdp',
] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

export type FieldValue = string | number | boolean | null | FieldValue[] | { [k: string]: FieldValue };
export type Fields = Record<string, FieldValue>;

/** How sure inspect is of a finding: `certain` (a rule the bytes break), `likely`/`possible` (a guess). */
export type Confidence = 'certain' | 'likely' | 'possible';

export interface InspectFinding {
  severity: Severity;
  code: string;
  message: string;
  /** Absolute file offset the finding is about (always inside the file). */
  offset: number;
  /** Field path inside the layer's structure, when there is one. */
  path: string;
  confidence: Confidence;
}

export interface Layer {
  kind: LayerKind;
  offset: number;
  length: number;
  /** One line a person reads (tree, diagram). */
  label: string;
  fields: Fields;
  findings: InspectFinding[];
  children: Layer[];
}

/** A structure to show in `--hexdump`: re-read and decoded with spans only when asked. */
export interface DumpRef {
  struct: Struct<any>;
  offset: number;
  length: number;
  title: string;
  /** Layers inside a BTT: `offset` is on the logical device, read through it. */
  read?: (offset: number, length: number) => Uint8Array;
  /** Layers inside a BTT: file offset of a device offset (-1 when none), to match findings. */
  toFile?: (offset: number) => number;
}

export interface InspectContext {
  size: number;
  read(offset: number, length: number): Uint8Array;
  tryRead(offset: number, length: number): Uint8Array | undefined;
  dumps: WeakMap<Layer, DumpRef[]>;
  /** Read whole what is otherwise sampled (Xen frame tables). */
  deep?: boolean;
}

export function layer(kind: LayerKind, offset: number, length: number, label: string, fields: Fields = {}): Layer {
  return { kind, offset, length: Math.max(0, length), label, fields, findings: [], children: [] };
}

export function addDump(ctx: InspectContext, l: Layer, d: DumpRef): void {
  const list = ctx.dumps.get(l) ?? [];
  list.push(d);
  ctx.dumps.set(l, list);
}

/** Clamp an offset into the file (every finding names a real offset). */
export function clampOffset(ctx: Pick<InspectContext, 'size'>, off: number | undefined, fallback: number): number {
  let o = off !== undefined && Number.isFinite(off) ? off : fallback;
  if (!(o >= 0 && o < ctx.size)) o = fallback;
  if (!(o >= 0 && o < ctx.size)) o = Math.max(0, Math.min(ctx.size - 1, Math.floor(o) || 0));
  return o;
}

/**
 * Add a finding. `relativeTo` converts a format layer's finding whose offset is relative to a
 * window (label area, namespace, disk) to an absolute one.
 */
export function note(
  ctx: Pick<InspectContext, 'size'>,
  l: Layer,
  f: Pick<Finding, 'severity' | 'code' | 'message'> & { offset?: number; path?: string; confidence?: Confidence },
  relativeTo = 0,
): void {
  const off = f.offset === undefined ? undefined : f.offset + relativeTo;
  l.findings.push({
    severity: f.severity, code: f.code, message: f.message, path: f.path ?? '',
    offset: clampOffset(ctx, off, l.offset), confidence: f.confidence ?? 'certain',
  });
}

export function noteAll(ctx: Pick<InspectContext, 'size'>, l: Layer, fs: readonly Finding[], relativeTo = 0, confidence: Confidence = 'certain'): void {
  for (const f of fs) note(ctx, l, { ...f, confidence }, relativeTo);
}

/** bigint → number when exact, else decimal string (fields are JSON). */
export function num(v: bigint | number): number | string {
  return typeof v === 'number' ? v : jsonInteger(v);
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}

export function human(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, '')} ${units[i]}`;
}

/** Every layer, depth first. */
export function* walk(layers: readonly Layer[], depth = 0): Generator<{ layer: Layer; depth: number }> {
  for (const l of layers) {
    yield { layer: l, depth };
    yield* walk(l.children, depth + 1);
  }
}

/**
 * Where a layer sits in the space it is drawn in: its file offset, or for a layer inside a BTT
 * (`fields.deviceSpace`) its offset on the logical device (`fields.deviceOffset`).
 */
export function spaceOffset(l: Layer): number {
  return l.fields.deviceSpace !== undefined && typeof l.fields.deviceOffset === 'number' ? l.fields.deviceOffset : l.offset;
}

/** The range a layer's children are drawn in: its own, or for a BTT arena the device bytes it serves. */
export function childSpace(l: Layer): { start: number; end: number } {
  if (l.kind === 'btt' && typeof l.fields.deviceStart === 'number' && typeof l.fields.deviceSize === 'number') return { start: l.fields.deviceStart, end: l.fields.deviceStart + l.fields.deviceSize };
  const start = spaceOffset(l);
  return { start, end: start + l.length };
}

export function sortLayers(layers: Layer[]): Layer[] {
  layers.sort((a, b) => spaceOffset(a) - spaceOffset(b) || b.length - a.length);
  for (const l of layers) sortLayers(l.children);
  return layers;
}

/** What walkers share while they run: findings, field spans for dumps, and encoder pins. */

export type Severity = 'error' | 'warning' | 'info';

/** Something a decoder or validator noticed: what, where, how bad. */
export interface Finding {
  severity: Severity;
  /** Field path, e.g. `structures[2].length`. */
  path: string;
  /** Absolute byte offset, when the finding is about bytes. */
  offset?: number;
  message: string;
  /** Short stable identifier for programs: `checksum`, `reserved-nonzero`, `dangling-spa-index`... */
  code: string;
}

/** One decoded leaf field: where it was and what it held (drives the annotated dump). */
export interface Span {
  path: string;
  offset: number;
  size: number;
  label: string;
  /** The decoded value (number, bigint, string, bytes). */
  value: unknown;
  /** The value as the dump shows it. */
  text?: string;
  /** Decoded meaning: flag names, enum or GUID name. */
  meaning?: string;
  /** Header row for a structure (no value of its own). */
  group?: boolean;
}

export interface DecodeContext {
  findings: Finding[];
  /** Collected only when a dump is wanted. */
  spans?: Span[];
  /** Nesting depth guard for recursive formats. */
  depth: number;
  /** Skip the compiled fast paths: the full walker decodes every record (the reference, for tests). */
  fullWalk?: boolean;
}

export interface EncodeContext {
  /**
   * Derived fields (length, count, checksum) are recomputed unless pinned: `all` keeps every
   * value as given (to craft damaged images), a set pins individual field paths.
   */
  pins: 'all' | ReadonlySet<string>;
}

export function newDecodeContext(withSpans = false, fullWalk = false): DecodeContext {
  const ctx: DecodeContext = withSpans ? { findings: [], spans: [], depth: 0 } : { findings: [], depth: 0 };
  if (fullWalk) ctx.fullWalk = true;
  return ctx;
}

export function isPinned(ctx: EncodeContext, path: string): boolean {
  return ctx.pins === 'all' || ctx.pins.has(path);
}

import { NvError } from '../errors.js';

/**
 * Bounds-checked little-endian reader over a view of the input. Every read is checked against
 * the bytes really there; offsets in errors are absolute (relative to the start of the file or
 * buffer the caller handed in), and every error names the format and field path.
 */
export class ByteReader {
  /** Shared by a reader and every sub-reader made from it: a sub-reader costs no new view. */
  private readonly view: DataView;
  /** The same bytes as `view`, indexed alike (compiled decoders read it directly). */
  private readonly bytes8: Uint8Array;
  /** Index of this reader's first byte within `view`. */
  private readonly start: number;
  private readonly end: number;
  private pos = 0;
  private bytesCache: Uint8Array | undefined;

  constructor(
    bytes: Uint8Array,
    /** Format name used in errors (`NFIT`, `label-index`). */
    readonly format: string,
    /** Absolute offset of `bytes[0]` in the original input. */
    readonly base = 0,
    /** Field path of this reader's region, e.g. `structures[3]`. */
    readonly path = '',
    /** Internal (sub-readers): a window of a parent's view; `bytes` is then unused. */
    window?: { view: DataView; bytes8: Uint8Array; start: number; length: number },
  ) {
    if (window) {
      this.view = window.view;
      this.bytes8 = window.bytes8;
      this.start = window.start;
      this.end = window.start + window.length;
    } else {
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // A plain Uint8Array even when handed a Buffer, so `slice` copies (Buffer's slice is a view).
      this.bytes8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.start = 0;
      this.end = bytes.byteLength;
      this.bytesCache = bytes;
    }
  }

  /** The bytes this reader covers. */
  get bytes(): Uint8Array {
    this.bytesCache ??= new Uint8Array(this.view.buffer, this.view.byteOffset + this.start, this.end - this.start);
    return this.bytesCache;
  }

  get length(): number {
    return this.end - this.start;
  }
  get position(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.start - this.pos;
  }
  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.base + this.pos;
  }

  // ---- for compiled decoders (src/core/schema/compile.ts): absolute indexes into `raw` ----------
  /** The underlying bytes (shared with sub-readers); index with `cursor`/`limit`, never past `limit`. */
  get raw(): Uint8Array {
    return this.bytes8;
  }
  /** A DataView of `raw`, indexed alike. */
  get rawView(): DataView {
    return this.view;
  }
  /** Index in `raw` of the next byte to read. */
  get cursor(): number {
    return this.start + this.pos;
  }
  /** Index in `raw` one past this reader's last byte. */
  get limit(): number {
    return this.end;
  }
  /** Continue at `cursor` (an index in `raw`, between `cursor` and `limit`), after reading `raw` directly. */
  moveTo(cursor: number): void {
    this.pos = cursor - this.start;
  }

  seek(pos: number): void {
    if (pos < 0 || pos > this.length) this.fail('', `seek to ${pos} is outside 0..${this.length}`);
    this.pos = pos;
  }

  /** Throw the typed error for `field` at the current (or given relative) position. */
  fail(field: string, reason: string, at = this.pos): never {
    throw new NvError(this.format, joinPath(this.path, field), this.base + at, reason);
  }

  /** Fail unless `n` more bytes are there; used before any allocation a count implies. */
  need(n: number, field: string): void {
    if (n > this.remaining || n < 0 || !Number.isSafeInteger(n)) {
      if (!Number.isSafeInteger(n) || n < 0) this.fail(field, `invalid size ${n}`);
      this.fail(field, `needs ${n} byte${n === 1 ? '' : 's'} but only ${this.remaining} remain`);
    }
  }

  u8(field = ''): number {
    this.need(1, field);
    return this.view.getUint8(this.start + this.pos++);
  }
  u16(field = ''): number {
    this.need(2, field);
    const v = this.view.getUint16(this.start + this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(field = ''): number {
    this.need(4, field);
    const v = this.view.getUint32(this.start + this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(field = ''): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.start + this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A view (not a copy) of the next `n` bytes. */
  bytesView(n: number, field = ''): Uint8Array {
    this.need(n, field);
    const v = new Uint8Array(this.view.buffer, this.view.byteOffset + this.start + this.pos, n);
    this.pos += n;
    return v;
  }
  /** A copy of the next `n` bytes, so decoded values never alias the caller's buffer. */
  copy(n: number, field = ''): Uint8Array {
    this.need(n, field);
    const at = this.start + this.pos;
    this.pos += n;
    const out = new Uint8Array(n);
    // Short fields (reserved bytes, signatures) byte by byte: cheaper than a view plus slice().
    if (n <= 64) for (let i = 0; i < n; i++) out[i] = this.view.getUint8(at + i);
    else out.set(new Uint8Array(this.view.buffer, this.view.byteOffset + at, n));
    return out;
  }

  /** Peek without moving; `rel` is relative to the current position. */
  peekU8(rel = 0, field = ''): number {
    if (this.pos + rel + 1 > this.length) this.fail(field, 'unexpected end of data', this.pos + rel);
    return this.view.getUint8(this.start + this.pos + rel);
  }
  peekU16(rel = 0, field = ''): number {
    if (this.pos + rel + 2 > this.length) this.fail(field, 'unexpected end of data', this.pos + rel);
    return this.view.getUint16(this.start + this.pos + rel, true);
  }
  peekU32(rel = 0, field = ''): number {
    if (this.pos + rel + 4 > this.length) this.fail(field, 'unexpected end of data', this.pos + rel);
    return this.view.getUint32(this.start + this.pos + rel, true);
  }

  /**
   * A reader over the next `n` bytes, bounded to them (Kaitai's `size:`): a record decodes inside
   * its declared length and cannot read its neighbour. Advances this reader past them.
   */
  sub(n: number, field: string): ByteReader {
    this.need(n, field);
    const r = new ByteReader(NO_BYTES, this.format, this.base + this.pos, this.path, { view: this.view, bytes8: this.bytes8, start: this.start + this.pos, length: n });
    this.pos += n;
    return r;
  }
}

const NO_BYTES = new Uint8Array(0);

export function joinPath(base: string, field: string): string {
  if (!field) return base;
  if (!base) return field;
  return field.startsWith('[') ? base + field : `${base}.${field}`;
}

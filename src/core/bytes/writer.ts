/** Growable little-endian writer; `patch*` fills derived fields (lengths, checksums) afterwards. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(Math.max(16, initial));
    this.view = new DataView(this.buf.buffer);
  }

  get position(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.byteLength) return;
    let size = this.buf.byteLength * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Overwrite an unsigned field of `size` bytes at absolute writer position `at`. */
  patch(at: number, size: 1 | 2 | 4 | 8, v: number | bigint): void {
    if (size === 8) this.view.setBigUint64(at, BigInt(v), true);
    else if (size === 4) this.view.setUint32(at, Number(v), true);
    else if (size === 2) this.view.setUint16(at, Number(v), true);
    else this.view.setUint8(at, Number(v));
  }

  /** View of bytes written so far in [from, to). */
  view_(from: number, to = this.pos): Uint8Array {
    return this.buf.subarray(from, to);
  }

  /** The bytes written, as an exactly sized copy. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/**
 * The only way inspect touches an image: positioned reads through a byte counter, never the whole
 * file. It satisfies both block abstractions of the format layers (`disk` BlockIO and `infoblocks`
 * BlockIO) so their readers can run over it; writes are refused (inspect is read-only).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { NvError } from '../core/errors.js';

export interface ReadStats {
  /** Bytes returned by read() (what the format code asked for). */
  bytesRead: number;
  /** Number of read() calls. */
  reads: number;
}

export class CountingReader {
  readonly stats: ReadStats = { bytesRead: 0, reads: 0 };
  private fd: number | undefined;
  private constructor(
    readonly size: number,
    readonly name: string,
    private readonly source: { fd?: number; bytes?: Uint8Array; io?: { read(offset: number, length: number): Uint8Array } },
  ) {
    this.fd = source.fd;
  }

  static openFile(path: string): CountingReader {
    const fd = openSync(path, 'r');
    return new CountingReader(fstatSync(fd).size, path, { fd });
  }

  /** Any random-access source, e.g. the block device view of a namespace (`--namespace`). */
  static fromBlockIO(io: { size: number; read(offset: number, length: number): Uint8Array }, name: string): CountingReader {
    return new CountingReader(io.size, name, { io });
  }

  static fromBytes(bytes: Uint8Array, name = '(memory)'): CountingReader {
    return new CountingReader(bytes.length, name, { bytes });
  }

  read(offset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new NvError('inspect', '', Number.isSafeInteger(offset) ? offset : undefined, `read of ${length} bytes at ${offset} is outside the ${this.size}-byte image`);
    }
    this.stats.reads++;
    this.stats.bytesRead += length;
    if (this.source.bytes) return this.source.bytes.slice(offset, offset + length);
    if (this.source.io) return this.source.io.read(offset, length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd!, out, done, length - done, offset + done);
      if (n <= 0) break;
      done += n;
    }
    return out;
  }

  /** Reads that stay inside the image, or undefined (for probing signatures near edges). */
  tryRead(offset: number, length: number): Uint8Array | undefined {
    if (offset < 0 || length < 0 || offset + length > this.size || !Number.isSafeInteger(offset + length)) return undefined;
    return this.read(offset, length);
  }

  write(offset: number): void {
    throw new NvError('inspect', '', offset, 'inspect is read-only: a format layer tried to write');
  }

  flush(): void {}

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** `len` bytes at `off` as latin1 text (signatures). */
export function textAt(r: CountingReader, off: number, len: number): string | undefined {
  const b = r.tryRead(off, len);
  return b ? Buffer.from(b).toString('latin1') : undefined;
}

import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { NvError } from '../core/errors.js';

/**
 * Byte-addressed storage the BTT and the namespace views work over, so a 1 TiB sparse image is
 * read and written in place instead of loaded. Offsets are plain numbers (exact up to 2^53).
 */
export interface BlockStore {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
}

function check(store: BlockStore, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > store.size) {
    throw new NvError('block-store', '', offset, `${what} of ${length} bytes at ${offset} is outside the ${store.size}-byte store`);
  }
}

export class MemoryStore implements BlockStore {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    check(this, offset, length, 'read');
    return this.bytes.slice(offset, offset + length);
  }
  write(offset: number, data: Uint8Array): void {
    check(this, offset, data.length, 'write');
    this.bytes.set(data, offset);
  }
}

/** A file, read and written with positioned I/O (never loaded whole). */
export class FileStore implements BlockStore {
  readonly size: number;
  private closed = false;
  private constructor(private readonly fd: number, size: number, readonly path: string) {
    this.size = size;
  }
  static open(path: string, writable: boolean): FileStore {
    const fd = openSync(path, writable ? 'r+' : 'r');
    return new FileStore(fd, fstatSync(fd).size, path);
  }
  read(offset: number, length: number): Uint8Array {
    check(this, offset, length, 'read');
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n <= 0) break;
      done += n;
    }
    return out;
  }
  write(offset: number, data: Uint8Array): void {
    check(this, offset, data.length, 'write');
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, offset + done);
  }
  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

/** A window [offset, offset + size) of another store (a namespace inside an image, a view). */
export class WindowStore implements BlockStore {
  constructor(readonly parent: BlockStore, readonly offset: number, readonly size: number) {
    if (offset < 0 || size < 0 || offset + size > parent.size) {
      throw new NvError('block-store', '', offset, `window of ${size} bytes at ${offset} does not fit the ${parent.size}-byte store`);
    }
  }
  read(offset: number, length: number): Uint8Array {
    check(this, offset, length, 'read');
    return this.parent.read(this.offset + offset, length);
  }
  write(offset: number, data: Uint8Array): void {
    check(this, offset, data.length, 'write');
    this.parent.write(this.offset + offset, data);
  }
}

/** Write `length` zero bytes in chunks (the way Linux zeroes the map: 2 MiB at a time). */
export function zeroRange(store: BlockStore, offset: number, length: number, chunk = 2 * 1024 * 1024): void {
  const z = new Uint8Array(Math.min(chunk, length));
  let done = 0;
  while (done < length) {
    const n = Math.min(z.length, length - done);
    store.write(offset + done, n === z.length ? z : z.subarray(0, n));
    done += n;
  }
}

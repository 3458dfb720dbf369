import { closeSync, openSync, readSync } from 'node:fs';

/** `length` bytes of `file` at `offset`, read in place (backing files are hundreds of MiB). */
export function readRange(file: string, offset: number, length: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const b = new Uint8Array(length);
    readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}

import { closeSync, openSync, readSync, writeSync } from 'node:fs';

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

/** Writes `bytes` into `file` at `offset`, in place (the file must exist; it grows if needed). */
export function writeRange(file: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * Minimal writer for the "newc" cpio format (magic 070701) the Linux initramfs unpacker reads.
 *
 * Each entry: a 110-byte ASCII header (magic + 13 eight-digit hex fields), the NUL-terminated
 * name padded so that header+name is a multiple of 4, then the data padded to a multiple of 4.
 * The archive ends with an entry named "TRAILER!!!". Several archives may be concatenated; the
 * kernel unpacks them in order.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function header(ino: number, mode: number, size: number, rdevMajor: number, rdevMinor: number, name: string): Buffer {
  const nameBuf = Buffer.from(`${name}\0`, 'utf8');
  const fields = [
    ino, mode, 0 /* uid */, 0 /* gid */, mode & S_IFDIR ? 2 : 1 /* nlink */, 0 /* mtime: fixed for reproducibility */,
    size, 0, 0 /* dev major/minor */, rdevMajor, rdevMinor, nameBuf.length, 0 /* check */,
  ];
  const head = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return Buffer.concat([head, nameBuf, Buffer.alloc(pad4(head.length + nameBuf.length))]);
}

/** Serialize entries (in the given order; parents must precede children) into one newc archive. */
export function buildCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    if (name === '') throw new Error('cpio: empty path');
    let mode: number;
    let data: Buffer = Buffer.alloc(0);
    let rmaj = 0;
    let rmin = 0;
    switch (e.kind) {
      case 'dir':
        mode = S_IFDIR | (e.mode ?? 0o755);
        break;
      case 'file':
        mode = S_IFREG | (e.mode ?? 0o644);
        data = e.data;
        break;
      case 'symlink':
        mode = S_IFLNK | 0o777;
        data = Buffer.from(e.target, 'utf8');
        break;
      case 'chardev':
        mode = S_IFCHR | (e.mode ?? 0o600);
        rmaj = e.major;
        rmin = e.minor;
        break;
    }
    parts.push(header(ino++, mode, data.length, rmaj, rmin, name), data, Buffer.alloc(pad4(data.length)));
  }
  parts.push(header(0, 0, 0, 0, 0, 'TRAILER!!!'));
  return Buffer.concat(parts);
}

/** Write an archive to `file` (truncating it). */
export function writeCpio(file: string, entries: readonly CpioEntry[]): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, buildCpio(entries));
  } finally {
    closeSync(fd);
  }
}

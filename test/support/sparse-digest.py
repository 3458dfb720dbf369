#!/usr/bin/env python3
"""Digest of a (sparse) file's contents: SHA-256 over (offset, bytes) of every 4 KiB block that is
not all zeros, reading only the data segments (SEEK_DATA/SEEK_HOLE), so a hole and written zeros
digest the same. Ranges given as START:LENGTH (bytes) are left out (e.g. Xen's reserved areas).
Prints the hex digest and the number of non-zero blocks."""
import hashlib, os, sys

def main():
    path = sys.argv[1]
    skip = [tuple(int(x, 0) for x in a.split(':')) for a in sys.argv[2:]]
    B = 4096
    zero = bytes(B)
    h = hashlib.sha256()
    n = 0
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    off = 0
    while off < size:
        try:
            data = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:
            break
        hole = os.lseek(fd, data, os.SEEK_HOLE)
        pos = data - data % B
        while pos < hole:
            chunk = os.pread(fd, min(1 << 20, hole - pos), pos)
            for i in range(0, len(chunk), B):
                blk = chunk[i:i + B]
                at = pos + i
                if blk == zero[:len(blk)] or any(s <= at < s + l for s, l in skip):
                    continue
                h.update(at.to_bytes(8, 'little'))
                h.update(blk)
                n += 1
            pos += len(chunk)
        off = hole
    print(h.hexdigest(), n)

main()

/**
 * kernfs_name_hash (fs/kernfs/dir.c, Linux 6.1): sysfs directory entries are kept, and read back
 * by readdir, in the order of this hash. ndctl builds its lists from readdir and prepends, so
 * `ndctl list` prints devices in descending hash order (seen in the Linux 6.1 guest:
 * namespace0.2, 0.1, 0.3, 0.0).
 */
const M64 = (1n << 64n) - 1n;
const GOLDEN_RATIO_64 = 0x61c8864680b583ebn;
const INT_MAX = 0x7fffffff;

export function kernfsNameHash(name: string): number {
  let h = 0n; // init_name_hash(NULL)
  for (const c of Buffer.from(name, 'latin1')) {
    const cc = BigInt(c);
    h = ((h + (cc << 4n) + (cc >> 4n)) * 11n) & M64; // partial_name_hash
  }
  let x = Number(((h * GOLDEN_RATIO_64) & M64) >> 32n) & INT_MAX; // end_name_hash = hash_long(h, 32)
  if (x < 2) x += 2;
  if (x >= INT_MAX) x = INT_MAX - 1;
  return x;
}

/** The order `ndctl list` prints sibling devices in. */
export function ndctlOrder<T>(items: readonly T[], name: (t: T) => string): T[] {
  return [...items].sort((a, b) => kernfsNameHash(name(b)) - kernfsNameHash(name(a)) || (name(a) < name(b) ? 1 : -1));
}

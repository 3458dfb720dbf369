/**
 * The order QEMU 7.2 lists NVDIMMs in the NFIT.
 *
 * `nvdimm_get_device_list()` (hw/acpi/nvdimm.c) walks QOM with `object_child_foreach()`
 * (qom/object.c), which iterates an object's `properties` GHashTable (g_str_hash/g_str_equal,
 * keyed by property name). A `-device nvdimm,id=X` becomes child `X` of `/machine/peripheral`;
 * one without id becomes `device[N]` of `/machine/peripheral-anon` (qdev_set_id, N counting
 * anonymous -device options from 0). So the NFIT order is the GLib 2.74 hash-table iteration order
 * of those names, which this module simulates exactly: insertion with quadratic probing, growth
 * with in-place eviction, iteration by bucket index.
 *
 * Modelled: the peripheral containers hold only the NVDIMMs (true for nvtool platforms: no other
 * -device), insertions only (QEMU never removes a child before the tables are built).
 *
 * Mixed named + anonymous dimms: named ones come first. That is `/machine`'s own hash table
 * iterating `peripheral` before `peripheral-anon`; this module does not simulate /machine's table
 * (its other children depend on machine type and options), it takes the order as observed:
 * qom-order.json's mixed entries (pc and q35) and `qom-list /machine` on every platform checked by
 * hand (pc, q35, with and without NUMA) agree. A platform that changes /machine's children enough
 * to resize its table differently could in principle flip it; none is known.
 */

/** HASH_TABLE_MIN_SHIFT: a new table has 8 buckets. */
const MIN_SHIFT = 3;

/** prime_mod[]: for a table of 1 << shift buckets, the largest prime below it. */
const PRIME_MOD: readonly number[] = [
  1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071,
  262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689,
  268435399, 536870909, 1073741789, 2147483647,
];

const UNUSED = 0;
const TOMBSTONE = 1;
const isReal = (h: number): boolean => h >= 2;

const utf8 = new TextEncoder();

/**
 * g_str_hash: djb2 over the string's bytes read as `signed char`, `h = h*33 + c` in uint32,
 * starting at 5381. (Names here are ASCII, where signedness does not matter.)
 */
export function gStrHash(key: string): number {
  let h = 5381;
  for (const byte of utf8.encode(key)) {
    const c = byte >= 0x80 ? byte - 0x100 : byte;
    h = (Math.imul(h, 33) + c) >>> 0;
  }
  return h;
}

/** g_hash_table_find_closest_shift: the bit length of n. */
function closestShift(n: number): number {
  let i = 0;
  for (let v = n; v !== 0; v >>>= 1) i++;
  return i;
}

/**
 * A GLib 2.74 GHashTable reduced to what decides iteration order: the bucket array of hashes and
 * keys, nnodes and noccupied. Values are irrelevant and not stored.
 */
export class GHashTableSim {
  private shift = MIN_SHIFT;
  private hashes: number[] = new Array<number>(1 << MIN_SHIFT).fill(UNUSED);
  private keys: Array<string | undefined> = new Array<string | undefined>(1 << MIN_SHIFT).fill(undefined);
  private nnodes = 0;
  private noccupied = 0;

  get size(): number {
    return 1 << this.shift;
  }

  private get mod(): number {
    return PRIME_MOD[this.shift] ?? 1;
  }

  private get mask(): number {
    return this.size - 1;
  }

  /** g_hash_table_hash_to_index: `(hash * 11) % mod`, in uint32. */
  private hashToIndex(hash: number): number {
    return (Math.imul(hash, 11) >>> 0) % this.mod;
  }

  /** g_hash_table_lookup_node: the key's bucket, or the first tombstone / unused bucket on its probe path. */
  private lookupNode(key: string, hash: number): number {
    let index = this.hashToIndex(hash);
    let firstTombstone: number | undefined;
    let step = 0;
    for (let h = this.hashes[index] ?? UNUSED; h !== UNUSED; h = this.hashes[index] ?? UNUSED) {
      if (h === hash && this.keys[index] === key) return index;
      if (h === TOMBSTONE && firstTombstone === undefined) firstTombstone = index;
      step++;
      index = (index + step) & this.mask;
    }
    return firstTombstone ?? index;
  }

  /** g_hash_table_insert (new keys; an existing key keeps its bucket). */
  insert(key: string): void {
    let hash = gStrHash(key);
    if (!isReal(hash)) hash = 2;
    const index = this.lookupNode(key, hash);
    const old = this.hashes[index] ?? UNUSED;
    if (isReal(old)) return;
    this.hashes[index] = hash;
    this.keys[index] = key;
    this.nnodes++;
    if (old === UNUSED) {
      this.noccupied++;
      this.maybeResize();
    }
  }

  /** g_hash_table_maybe_resize: shrink below 1/4 full, grow/clean at 15/16 occupied. */
  private maybeResize(): void {
    const size = this.size;
    if ((size > this.nnodes * 4 && size > 1 << MIN_SHIFT) || size <= this.noccupied + Math.trunc(this.noccupied / 16)) {
      this.resize();
    }
  }

  /**
   * g_hash_table_resize: new shift from `(gint)(nnodes * 1.333)`, then every old bucket in index
   * order is re-placed in the same array; an entry landing on a not-yet-moved one evicts it and
   * the evicted entry is placed next (the "reallocated buckets" bitmap).
   */
  private resize(): void {
    const oldSize = this.size;
    this.shift = Math.max(closestShift(Math.trunc(this.nnodes * 1.333)), MIN_SHIFT);
    const newSize = this.size;
    if (newSize > oldSize) {
      for (let i = oldSize; i < newSize; i++) {
        this.hashes.push(UNUSED);
        this.keys.push(undefined);
      }
    }
    const placed = new Array<boolean>(Math.max(oldSize, newSize)).fill(false);
    for (let i = 0; i < oldSize; i++) {
      let hash = this.hashes[i] ?? UNUSED;
      if (!isReal(hash)) {
        this.hashes[i] = UNUSED;
        continue;
      }
      if (placed[i]) continue;
      this.hashes[i] = UNUSED;
      let key = this.keys[i];
      this.keys[i] = undefined;
      for (;;) {
        let index = this.hashToIndex(hash);
        let step = 0;
        while (placed[index]) {
          step++;
          index = (index + step) & this.mask;
        }
        placed[index] = true;
        const replacedHash = this.hashes[index] ?? UNUSED;
        const replacedKey = this.keys[index];
        this.hashes[index] = hash;
        this.keys[index] = key;
        if (!isReal(replacedHash)) break;
        hash = replacedHash;
        key = replacedKey;
      }
    }
    if (newSize < oldSize) {
      this.hashes.length = newSize;
      this.keys.length = newSize;
    }
    this.noccupied = this.nnodes;
  }

  /** GHashTableIter order: ascending bucket index, real entries only. */
  keysInIterationOrder(): string[] {
    const out: string[] = [];
    this.hashes.forEach((h, i) => {
      const key = this.keys[i];
      if (isReal(h) && key !== undefined) out.push(key);
    });
    return out;
  }
}

/** The iteration order of a fresh GLib 2.74 string-keyed hash table after inserting `keys` in order. */
export function gHashTableOrder(keys: readonly string[]): string[] {
  const table = new GHashTableSim();
  for (const key of keys) table.insert(key);
  return table.keysInIterationOrder();
}

/** qdev_set_id's name for the N-th anonymous -device (counting from 0). */
export function anonymousDeviceName(n: number): string {
  return `device[${n}]`;
}

/** What `nvdimmListOrder` needs to know about a dimm. */
export interface QomDimm {
  /** The `-device id=`; undefined for an anonymous device. */
  id?: string | undefined;
}

/** A dimm's place in QOM. */
export interface QomPlacement {
  /** Index in -device order. */
  index: number;
  /** Child name: the id, or `device[N]`. */
  name: string;
  /** `/machine/peripheral/<id>` or `/machine/peripheral-anon/device[N]`. */
  path: string;
}

/** Where each dimm (in -device order) lands in QOM. */
export function qomPlacements(dimms: readonly QomDimm[]): QomPlacement[] {
  let anon = 0;
  return dimms.map((d, index) =>
    d.id !== undefined
      ? { index, name: d.id, path: `/machine/peripheral/${d.id}` }
      : { index, name: anonymousDeviceName(anon), path: `/machine/peripheral-anon/${anonymousDeviceName(anon++)}` },
  );
}

/**
 * Indices (into `dimms`, -device order) in `nvdimm_get_device_list()` order: the named dimms in
 * /machine/peripheral's hash order, then the anonymous ones in /machine/peripheral-anon's.
 */
export function nvdimmListOrder(dimms: readonly QomDimm[]): number[] {
  const placements = qomPlacements(dimms);
  const named = placements.filter((p) => p.path.startsWith('/machine/peripheral/'));
  const anonymous = placements.filter((p) => p.path.startsWith('/machine/peripheral-anon/'));
  const order: number[] = [];
  for (const group of [named, anonymous]) {
    const byName = new Map(group.map((p) => [p.name, p.index]));
    for (const name of gHashTableOrder(group.map((p) => p.name))) {
      const index = byName.get(name);
      if (index !== undefined) order.push(index);
    }
  }
  return order;
}

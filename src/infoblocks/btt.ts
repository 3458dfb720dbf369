import { NvError } from '../core/errors.js';
import { NIL_GUID } from '../core/guid.js';
import { encodeStruct, type Finding } from '../core/schema/index.js';
import { readInto, zeroRange, type BlockIO } from '../core/blockio.js';
import { BTT_INFO_SIZE, BTT_PG_SIZE, BTT_SIG, IB_FLAG_ERROR, bttInfoBlock, encodeBttInfo, validBttInfo, type BttInfo } from './bttInfo.js';
import { bttInitialOffset, bttSectorSize, planArenas, type ArenaLayout, type BttVersion } from './bttLayout.js';
import {
  LOG_ENT_SIZE, LOG_GRP_SIZE, MAP_ENT_NORMAL, MAP_ENT_SIZE, MAP_ERR_SHIFT, MAP_LBA_MASK, decodeLogGroups, detectLogIndices, incSeq, logEntry,
  logOldEntry, mapIsError, mapIsTrim, mapLookup, mapPostmap, putLogEntry, type LogGroup, type LogIndices,
} from './bttLog.js';

const FMT = 'btt';

function fail(reason: string, offset?: number, path = ''): never {
  throw new NvError(FMT, path, offset, reason);
}

interface FreeEntry {
  block: number;
  sub: number;
  seq: number;
  hasErr: boolean;
}

/** One arena of an opened BTT: its info block, log slots in use and the in-memory free list. */
export interface Arena {
  /** Namespace offset of the arena's info block. */
  base: number;
  info: BttInfo;
  externalLbaStart: number;
  size: number;
  logIndices: LogIndices;
  freelist: FreeEntry[];
  /** Namespace offsets of the data area, the map and the flog (base + dataoff, mapoff, logoff). */
  dataAt: number;
  mapAt: number;
  logAt: number;
}

export interface BttCreateOptions {
  uuid: string;
  /** The namespace uuid written as parent_uuid; nil for label-less namespaces. */
  parentUuid?: string;
  /** External LBA size (512, 520, 528, 4096, 4104, 4160, 4224). */
  lbasize: number;
  /** 1.1 (claim class none/btt, at 4 KiB) or 2.0 (claim class btt2, at 0). */
  version: BttVersion;
}

export interface BttOpenOptions {
  /** Probe as claim class btt2 (2.0 at offset 0) or not (1.1 at 4 KiB); default: try both (1.1 first). */
  version?: BttVersion;
  /** The namespace uuid Linux compares a non-nil parent_uuid with; undefined skips the check. */
  namespaceUuid?: string;
  /** Apply Linux's flog recovery to the map while opening (btt_freelist_init); default true. */
  recover?: boolean;
}

/** Map entries per cached page (4 KiB of map), and the most pages kept (64 MiB of map). */
const MAP_PAGE_ENTRIES = 1024;
const MAP_CACHE_PAGES = 16384;

/** Sentinel thrown by `openBtt` when the first arena is not valid (Linux: INIT_NOTFOUND, no BTT). */
export class NoBttError extends NvError {}

/**
 * A BTT over a namespace store: discover arenas as Linux's discover_arenas() does, and read/write
 * sectors through the map and flog as btt_read_pg()/btt_write_pg() do (one CPU => lane 0).
 */
export class Btt {
  readonly findings: Finding[] = [];
  /** Use Btt.open / Btt.create. */
  /** btt->sector_size (the logical block size of /dev/pmemNs) and btt->nlba, fixed at open. */
  readonly sectorSize: number;
  readonly nlba: number;
  constructor(
    readonly store: BlockIO,
    readonly version: BttVersion,
    readonly arenas: Arena[],
  ) {
    this.sectorSize = bttSectorSize(arenas[0]!.info.externalLbasize);
    this.nlba = arenas.reduce((n, a) => n + a.info.externalNlba, 0);
  }

  get initialOffset(): number {
    return bttInitialOffset(this.version);
  }
  get lbasize(): number {
    return this.arenas[0]!.info.externalLbasize;
  }
  /** Bytes of /dev/pmemNs: nlba * sector_size. */
  get size(): number {
    return this.nlba * this.sectorSize;
  }
  get uuid(): string {
    return this.arenas[0]!.info.uuid;
  }

  /** Write a fresh layout the way btt_init() -> create_arenas() -> btt_meta_init() does, then open it. */
  static create(store: BlockIO, o: BttCreateOptions): Btt {
    const initial = bttInitialOffset(o.version);
    const rawsize = store.size - initial;
    const plan = planArenas(rawsize, o.lbasize);
    for (const a of plan) writeArenaLayout(store, initial, a, o);
    return Btt.open(store, { version: o.version, namespaceUuid: o.parentUuid ?? NIL_GUID });
  }

  /** The info blocks Linux would write, without writing anything. */
  static plan(nsSize: number, o: BttCreateOptions): { layout: ArenaLayout; info: BttInfo }[] {
    const initial = bttInitialOffset(o.version);
    return planArenas(nsSize - initial, o.lbasize).map((a) => ({ layout: a, info: arenaInfo(a, o) }));
  }

  static open(store: BlockIO, o: BttOpenOptions = {}): Btt {
    const versions: BttVersion[] = o.version ? [o.version] : [{ major: 1, minor: 1 }, { major: 2, minor: 0 }];
    let lastReason = '';
    for (const version of versions) {
      const initial = bttInitialOffset(version);
      if (store.size < 16 * 1024 * 1024) {
        lastReason = `namespace of ${store.size} bytes is below 16 MiB`;
        continue;
      }
      const info = validBttInfo(store.read(initial, BTT_INFO_SIZE), o.namespaceUuid, initial);
      if (typeof info === 'string') {
        lastReason = `no valid BTT ${version.major}.${version.minor} info block at ${initial}: ${info}`;
        continue;
      }
      if (info.versionMajor !== version.major || info.versionMinor !== version.minor) {
        lastReason = `info block at ${initial} is version ${info.versionMajor}.${info.versionMinor}, Linux wants ${version.major}.${version.minor} there`;
        continue;
      }
      return discover(store, version, o, info);
    }
    throw new NoBttError(FMT, '', undefined, lastReason || 'no BTT');
  }

  /** The arena holding logical sector `lba` (lba_to_arena); premap = lba - arena.externalLbaStart. */
  private arenaOf(lba: number): Arena {
    if (!Number.isSafeInteger(lba) || lba < 0) fail(`bad LBA ${lba}`);
    for (const arena of this.arenas) if (lba - arena.externalLbaStart < arena.info.externalNlba) return arena;
    return fail(`LBA ${lba} is beyond the ${this.nlba} sectors of the BTT`);
  }

  /**
   * Map entries read so far, a page of MAP_PAGE_ENTRIES at a time, keyed by the page's offset.
   * The open BTT owns its map (as the kernel's btt does), so the cache is write-through: a sector
   * read costs the data read alone, a write its data, flog and map writes — no map read.
   */
  private readonly mapPages = new Map<number, Uint32Array>();
  /** The one flog entry and map entry a write stores: filled in place, never allocated per write. */
  private readonly logBytes = new Uint8Array(LOG_ENT_SIZE);
  private readonly logView = new DataView(this.logBytes.buffer);
  private readonly mapBytes = new Uint8Array(MAP_ENT_SIZE);
  private readonly mapView = new DataView(this.mapBytes.buffer);

  private mapPage(a: Arena, premap: number): Uint32Array {
    const first = premap - (premap % MAP_PAGE_ENTRIES);
    const at = a.mapAt + first * MAP_ENT_SIZE;
    let page = this.mapPages.get(at);
    if (!page) {
      const n = Math.min(MAP_PAGE_ENTRIES, a.info.externalNlba - first);
      const b = this.store.read(at, n * MAP_ENT_SIZE);
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      page = new Uint32Array(n);
      for (let i = 0; i < n; i++) page[i] = dv.getUint32(i * MAP_ENT_SIZE, true);
      if (this.mapPages.size >= MAP_CACHE_PAGES) this.mapPages.clear();
      this.mapPages.set(at, page);
    }
    return page;
  }

  readMapRaw(a: Arena, premap: number): number {
    return this.mapPage(a, premap)[premap % MAP_PAGE_ENTRIES]!;
  }

  /** Post-map block of a logical sector (for inspection). */
  lookup(lba: number): { arena: number; premap: number; postmap: number; trim: boolean; error: boolean } {
    const arena = this.arenaOf(lba);
    const premap = lba - arena.externalLbaStart;
    return { arena: this.arenas.indexOf(arena), premap, ...mapLookup(this.readMapRaw(arena, premap), premap) };
  }

  /**
   * btt_read_pg()'s map lookup for one sector: the namespace offset of its data block, or -1 for a
   * trimmed sector (reads as zeros); an error entry is -EIO.
   */
  private dataOffsetOf(lba: number): number {
    const arena = this.arenaOf(lba);
    const premap = lba - arena.externalLbaStart;
    const raw = this.readMapRaw(arena, premap);
    if (mapIsTrim(raw)) return -1;
    if (mapIsError(raw)) fail(`sector ${lba} has its map error flag set (-EIO)`);
    const post = mapPostmap(raw, premap);
    if (post >= arena.info.internalNlba) fail(`map entry of sector ${lba} points at block ${post} beyond internal_nlba`, arena.mapAt + premap * MAP_ENT_SIZE);
    return arena.dataAt + post * arena.info.internalLbasize;
  }

  /** btt_read_pg() for one sector, into fresh bytes. */
  read(lba: number): Uint8Array {
    const at = this.dataOffsetOf(lba);
    return at < 0 ? new Uint8Array(this.sectorSize) : this.store.read(at, this.sectorSize);
  }

  /** btt_read_pg() for one sector into `out` (sectorSize bytes): a map lookup, then one read of the data. */
  readInto(lba: number, out: Uint8Array): void {
    if (out.length !== this.sectorSize) fail(`a sector read needs a ${this.sectorSize}-byte buffer, got ${out.length}`);
    const at = this.dataOffsetOf(lba);
    if (at < 0) out.fill(0);
    else readInto(this.store, at, out);
  }

  /**
   * btt_write_pg() for one sector: data into the lane's free block, the flog entry, then the map;
   * the old block becomes the lane's next free block. Three writes and no read (the map entry comes
   * from the cached page, the lane's state is in memory since open).
   */
  write(lba: number, data: Uint8Array, lane = 0): void {
    if (data.length !== this.sectorSize) fail(`a sector write needs ${this.sectorSize} bytes, got ${data.length}`);
    const arena = this.arenaOf(lba);
    const premap = lba - arena.externalLbaStart;
    if (arena.info.flags & IB_FLAG_ERROR) fail('arena is in the error state (-EIO)');
    const l = lane % arena.freelist.length;
    const fl = arena.freelist[l]!;
    if (fl.hasErr) this.clearFreeError(arena, fl);
    const newPost = fl.block;
    if (newPost >= arena.info.internalNlba) fail(`free block ${newPost} is beyond internal_nlba (-EIO)`);
    this.store.write(arena.dataAt + newPost * arena.info.internalLbasize, data);
    const page = this.mapPage(arena, premap);
    const raw = page[premap % MAP_PAGE_ENTRIES]!;
    const oldPost = mapPostmap(raw, premap);
    if (oldPost >= arena.info.internalNlba) fail(`old map entry ${oldPost} is beyond internal_nlba (-EIO)`);
    const hadError = mapIsError(raw);
    const oldMap = hadError ? (oldPost | (1 << MAP_ERR_SHIFT)) >>> 0 : oldPost;
    // The flog entry {premap, old, new, seq} in one write. Linux's __btt_log_write stores it as two
    // 8-byte halves because a pmem store is atomic only up to 8 bytes; a 16-byte-aligned write into
    // a file lands inside one sector, so it can leave no state the halves cannot (the crash-point
    // test tears it at every 8 bytes).
    putLogEntry(this.logView, 0, premap, oldMap, newPost, fl.seq);
    this.store.write(arena.logAt + l * LOG_GRP_SIZE + arena.logIndices[fl.sub]! * LOG_ENT_SIZE, this.logBytes);
    fl.sub = 1 - fl.sub;
    fl.seq = fl.seq + 1 === 4 ? 1 : fl.seq + 1;
    if (hadError) fl.hasErr = true;
    fl.block = oldPost;
    const newRaw = ((newPost & MAP_LBA_MASK) | MAP_ENT_NORMAL) >>> 0;
    this.mapView.setUint32(0, newRaw, true);
    this.store.write(arena.mapAt + premap * MAP_ENT_SIZE, this.mapBytes);
    page[premap % MAP_PAGE_ENTRIES] = newRaw;
    if (hadError) this.clearFreeError(arena, fl);
  }

  private clearFreeError(a: Arena, fl: FreeEntry): void {
    this.store.write(a.dataAt + fl.block * a.info.internalLbasize, new Uint8Array(this.sectorSize));
    fl.hasErr = false;
  }

  /** The log group of a lane, decoded. */
  logGroup(arenaIndex: number, lane: number): LogGroup {
    const a = this.arenas[arenaIndex]!;
    return decodeLogGroups(this.store.read(a.logAt + lane * LOG_GRP_SIZE, LOG_GRP_SIZE), 1, a.logAt + lane * LOG_GRP_SIZE)[0]!;
  }

  /** The lane's free block (for inspection and tests). */
  freeBlock(arenaIndex: number, lane: number): number {
    return this.arenas[arenaIndex]!.freelist[lane]!.block;
  }
}

function arenaInfo(a: ArenaLayout, o: BttCreateOptions): BttInfo {
  return {
    signature: BTT_SIG,
    uuid: o.uuid.toLowerCase(),
    parentUuid: (o.parentUuid ?? NIL_GUID).toLowerCase(),
    flags: 0,
    versionMajor: o.version.major,
    versionMinor: o.version.minor,
    externalLbasize: a.externalLbasize,
    externalNlba: a.externalNlba,
    internalLbasize: a.internalLbasize,
    internalNlba: a.internalNlba,
    nfree: a.nfree,
    infosize: BTT_INFO_SIZE,
    nextoff: BigInt(a.nextoff),
    dataoff: BigInt(a.dataoff),
    mapoff: BigInt(a.mapoff),
    logoff: BigInt(a.logoff),
    info2off: BigInt(a.info2off),
    padding: new Uint8Array(3968),
    checksum: 0n,
  };
}

/** btt_arena_write_layout(): zero the map, init the log, write info2 then info. */
function writeArenaLayout(store: BlockIO, initial: number, a: ArenaLayout, o: BttCreateOptions): void {
  const base = initial + a.infooff;
  zeroRange(store, base + a.mapoff, a.logoff - a.mapoff);
  zeroRange(store, base + a.logoff, a.info2off - a.logoff, 4096);
  for (let i = 0; i < a.nfree; i++) {
    const e = encodeStruct(logEntry, { lba: i, oldMap: a.externalNlba + i, newMap: a.externalNlba + i, seq: 1 });
    store.write(base + a.logoff + i * LOG_GRP_SIZE, e);
  }
  const sb = encodeBttInfo(arenaInfo(a, o));
  // map and flog durable before the info blocks that make the arena valid (written last, as btt_arena_write_layout)
  store.flush();
  store.write(base + a.info2off, sb);
  store.write(base, sb);
  store.flush();
}

/** discover_arenas() + log_set_indices() + btt_freelist_init() for each arena. */
function discover(store: BlockIO, version: BttVersion, o: BttOpenOptions, first: BttInfo): Btt {
  const initial = bttInitialOffset(version);
  const rawsize = store.size - initial;
  let remaining = rawsize;
  let curOff = 0;
  let curNlba = 0;
  const arenas: Arena[] = [];
  const findings: Finding[] = [];
  while (remaining > 0) {
    const base = initial + curOff;
    if (base + BTT_INFO_SIZE > store.size) fail(`arena ${arenas.length} at ${base} runs past the namespace`, base);
    // Arena 0's block was read and checked by the probe in Btt.open.
    const info = arenas.length === 0 ? first : validBttInfo(store.read(base, BTT_INFO_SIZE), o.namespaceUuid, base);
    if (typeof info === 'string') fail(`arena ${arenas.length}: corrupted metadata: ${info} (Linux: -ENODEV)`, base);
    if (info.flags & IB_FLAG_ERROR) findings.push({ severity: 'warning', code: 'arena-error-flag', path: `arenas[${arenas.length}].flags`, offset: base + bttInfoBlock.offsetOf('flags'), message: 'arena has IB_FLAG_ERROR set: Linux makes writes fail with -EIO' });
    const size = info.nextoff > 0n ? Number(info.nextoff) : Number(info.info2off) + BTT_PG_SIZE;
    checkArenaGeometry(store, base, info, arenas.length);
    const dataAt = base + Number(info.dataoff);
    const mapAt = base + Number(info.mapoff);
    const logAt = base + Number(info.logoff);
    const arena: Arena = { base, info, externalLbaStart: curNlba, size, logIndices: [0, 1], freelist: [], dataAt, mapAt, logAt };
    const groups = decodeLogGroups(store.read(logAt, info.nfree * LOG_GRP_SIZE), info.nfree, logAt);
    const ix = detectLogIndices(groups);
    if (typeof ix === 'string') fail(`arena ${arenas.length}: unable to deduce log/padding indices: ${ix} (Linux: -ENXIO)`, base + Number(info.logoff));
    arena.logIndices = ix;
    if (ix[1] === 2) findings.push({ severity: 'info', code: 'old-log-scheme', path: `arenas[${arenas.length}].log`, offset: base + Number(info.logoff), message: 'flog uses the pre-4.15 slot scheme (0,2)' });
    initFreelist(store, arena, groups, o.recover !== false, findings);
    arenas.push(arena);
    if (size <= 0 || size > remaining) fail(`arena ${arenas.length - 1} size ${size} exceeds the ${remaining} bytes left`, base);
    remaining -= size;
    curOff += size;
    curNlba += info.externalNlba;
    if (info.nextoff === 0n) break;
  }
  const btt = new Btt(store, version, arenas);
  btt.findings.push(...findings);
  return btt;
}

function checkArenaGeometry(store: BlockIO, base: number, info: BttInfo, index: number): void {
  const p = `arenas[${index}]`;
  if (info.nfree === 0 || info.nfree > 4096) fail(`nfree ${info.nfree} is not a usable lane count`, base + bttInfoBlock.offsetOf('nfree'), p);
  if (info.externalNlba + info.nfree !== info.internalNlba) fail(`external_nlba ${info.externalNlba} + nfree ${info.nfree} != internal_nlba ${info.internalNlba}`, base + bttInfoBlock.offsetOf('externalNlba'), p);
  if (info.internalLbasize < info.externalLbasize || info.externalLbasize === 0) fail(`internal lbasize ${info.internalLbasize} < external ${info.externalLbasize}`, base + bttInfoBlock.offsetOf('internalLbasize'), p);
  const end = (off: bigint, len: number) => BigInt(base) + off + BigInt(len) <= BigInt(store.size);
  if (!end(info.dataoff, info.internalNlba * info.internalLbasize)) fail('data area runs past the namespace', base + bttInfoBlock.offsetOf('dataoff'), p);
  if (!end(info.mapoff, info.externalNlba * MAP_ENT_SIZE)) fail('map runs past the namespace', base + bttInfoBlock.offsetOf('mapoff'), p);
  if (!end(info.logoff, info.nfree * LOG_GRP_SIZE)) fail('log runs past the namespace', base + bttInfoBlock.offsetOf('logoff'), p);
}

function initFreelist(store: BlockIO, a: Arena, groups: LogGroup[], recover: boolean, findings: Finding[]): void {
  const ix = a.logIndices;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const old = logOldEntry(g, ix);
    if (typeof old === 'string') fail(`log corruption in lane ${i}: ${old} (Linux: -EIO)`, a.logAt + i * LOG_GRP_SIZE);
    const nw = (1 - old) as 0 | 1;
    const ent = g.ent[ix[nw]]!;
    const oldmap = ent.oldMap & MAP_LBA_MASK;
    const newmap = ent.newMap & MAP_LBA_MASK;
    const fe: FreeEntry = { sub: 1 - nw, seq: incSeq(ent.seq), block: oldmap, hasErr: mapIsError(ent.oldMap) };
    a.freelist.push(fe);
    if (oldmap === newmap) continue;
    if (ent.lba >= a.info.externalNlba) fail(`lane ${i}: log entry lba ${ent.lba} beyond external_nlba`, a.logAt + i * LOG_GRP_SIZE);
    const mo = a.mapAt + ent.lba * MAP_ENT_SIZE;
    const mb = store.read(mo, MAP_ENT_SIZE);
    const raw = new DataView(mb.buffer, mb.byteOffset, MAP_ENT_SIZE).getUint32(0, true);
    const mapped = mapPostmap(raw, ent.lba);
    if (newmap !== mapped && oldmap === mapped) {
      findings.push({ severity: 'info', code: 'flog-recovery', path: `log[${i}]`, offset: mo, message: `map entry of LBA ${ent.lba} completed from the flog (${oldmap} -> ${newmap})` });
      if (recover) {
        const b = new Uint8Array(MAP_ENT_SIZE);
        new DataView(b.buffer).setUint32(0, ((ent.newMap & MAP_LBA_MASK) | MAP_ENT_NORMAL) >>> 0, true);
        store.write(mo, b);
      }
    }
  }
}

import { NvError } from '../core/errors.js';
import { BTT_PG_SIZE } from './bttInfo.js';
import { LOG_GRP_SIZE, MAP_ENT_SIZE } from './bttLog.js';

/** Linux btt.h constants. */
export const ARENA_MIN_SIZE = 16 * 1024 * 1024;
export const ARENA_MAX_SIZE = 512 * 1024 * 1024 * 1024;
export const BTT_DEFAULT_NFREE = 256; // ND_MAX_LANES
export const INT_LBASIZE_ALIGNMENT = 64;
/** Sector sizes Linux's btt_lbasize_supported lists (sysfs btt*.sector_size). */
export const BTT_LBASIZES = [512, 520, 528, 4096, 4104, 4160, 4224] as const;

export type BttVersion = { major: 1; minor: 1 } | { major: 2; minor: 0 };

/** BTT 1.1 (claim class none/btt) starts at namespace offset 4096; BTT 2.0 (claim class btt2) at 0. */
export function bttInitialOffset(v: BttVersion): number {
  return v.major === 2 ? 0 : 4096;
}

/** One arena as alloc_arena() lays it out; offsets are relative to the arena's info block. */
export interface ArenaLayout {
  /** Offset of the arena's info block from the BTT start (namespace offset - initial offset). */
  infooff: number;
  size: number;
  externalLbaStart: number;
  externalLbasize: number;
  internalLbasize: number;
  internalNlba: number;
  externalNlba: number;
  nfree: number;
  nextoff: number;
  dataoff: number;
  mapoff: number;
  logoff: number;
  info2off: number;
}

const roundup = (x: number, m: number) => Math.ceil(x / m) * m;

/** alloc_arena() for an arena of `size` bytes. */
export function arenaLayout(size: number, lbasize: number, infooff = 0, externalLbaStart = 0): ArenaLayout {
  const internalLbasize = roundup(lbasize, INT_LBASIZE_ALIGNMENT);
  const nfree = BTT_DEFAULT_NFREE;
  let available = size - (size % BTT_PG_SIZE);
  available -= 2 * BTT_PG_SIZE;
  const logsize = roundup(nfree * LOG_GRP_SIZE, BTT_PG_SIZE);
  available -= logsize;
  const internalNlba = Math.floor((available - BTT_PG_SIZE) / (internalLbasize + MAP_ENT_SIZE));
  const externalNlba = internalNlba - nfree;
  const mapsize = roundup(externalNlba * MAP_ENT_SIZE, BTT_PG_SIZE);
  const datasize = available - mapsize;
  const dataoff = BTT_PG_SIZE;
  const mapoff = dataoff + datasize;
  const logoff = mapoff + mapsize;
  const info2off = logoff + logsize;
  return {
    infooff, size, externalLbaStart, externalLbasize: lbasize, internalLbasize, internalNlba, externalNlba, nfree,
    nextoff: 0, dataoff, mapoff, logoff, info2off,
  };
}

/** create_arenas(): arenas of min(512 GiB, remaining); a tail under 16 MiB is dropped. */
export function planArenas(rawsize: number, lbasize: number): ArenaLayout[] {
  if (!Number.isSafeInteger(rawsize) || rawsize < ARENA_MIN_SIZE) {
    throw new NvError('btt', '', undefined, `raw size ${rawsize} is below the ${ARENA_MIN_SIZE}-byte minimum arena (Linux: -ENXIO)`);
  }
  if (!(BTT_LBASIZES as readonly number[]).includes(lbasize)) {
    throw new NvError('btt', '', undefined, `sector size ${lbasize} is not one Linux supports (${BTT_LBASIZES.join(', ')})`);
  }
  const out: ArenaLayout[] = [];
  let remaining = rawsize;
  let off = 0;
  let nlba = 0;
  while (remaining) {
    const asize = Math.min(ARENA_MAX_SIZE, remaining);
    remaining -= asize;
    if (asize < ARENA_MIN_SIZE) break;
    const a = arenaLayout(asize, lbasize, off, nlba);
    nlba += a.externalNlba;
    a.nextoff = remaining >= ARENA_MIN_SIZE ? a.size : 0;
    off += asize;
    out.push(a);
  }
  return out;
}

/** btt->sector_size: the logical block size of /dev/pmemNs. */
export function bttSectorSize(lbasize: number): number {
  return lbasize >= 4096 ? 4096 : 512;
}

import { NvError } from '../core/errors.js';
import { Struct, array, u32, type ValueOf } from '../core/schema/index.js';

/**
 * The BTT flog (Linux btt.h): one 64-byte `struct log_group` per lane (nfree of them), each four
 * 16-byte `struct log_entry` slots of which two hold entries: (0,1) since Linux 4.15, (0,2) before.
 */
export const LOG_ENT_SIZE = 16;
export const LOG_GRP_SIZE = 64;
/** Slots per log group. */
export const LOG_SLOTS = 4;

export const logEntry = new Struct(
  'btt-log-entry',
  [
    u32('lba', { label: 'Pre-map LBA', specName: 'lba' }),
    u32('oldMap', { label: 'Old Map', specName: 'old_map', describe: (v) => describeMapEntry(v) }),
    u32('newMap', { label: 'New Map', specName: 'new_map', describe: (v) => describeMapEntry(v) }),
    u32('seq', { label: 'Sequence', specName: 'seq', describe: (v) => (v === 0 ? 'unused' : v > 3 ? 'invalid (1..3)' : undefined) }),
  ] as const,
  { label: 'Log Entry', spec: 'Linux drivers/nvdimm/btt.h struct log_entry', size: LOG_ENT_SIZE },
);

export const logGroup = new Struct(
  'btt-log-group',
  [array('ent', logEntry, LOG_SLOTS, { label: 'Slot' })] as const,
  { label: 'Log Group', spec: 'Linux drivers/nvdimm/btt.h struct log_group', size: LOG_GRP_SIZE },
);

export type LogEntry = ValueOf<typeof logEntry>;
export type LogGroup = ValueOf<typeof logGroup>;

// Field offsets of struct log_entry, from its declaration: the flog is read at open and written on
// every sector write, so those two paths read and write the four u32 fields directly.
const ENT_LBA = logEntry.offsetOf('lba');
const ENT_OLD = logEntry.offsetOf('oldMap');
const ENT_NEW = logEntry.offsetOf('newMap');
const ENT_SEQ = logEntry.offsetOf('seq');
const GRP_ENT = logGroup.offsetOf('ent');

/**
 * `count` log groups from the start of `bytes`: the values decodeStruct(logGroup) gives each group
 * (test/infoblocks/btt-flog.test.ts holds the two equal), without a schema walk per group (an
 * arena's 256 groups cost 0.17 ms that way, most of opening a BTT).
 */
export function decodeLogGroups(bytes: Uint8Array, count: number, base = 0): LogGroup[] {
  if (!Number.isSafeInteger(count) || count < 0 || bytes.length < count * LOG_GRP_SIZE) {
    throw new NvError('btt', 'log', base, `${count} log groups need ${count * LOG_GRP_SIZE} bytes, ${bytes.length} are there`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: LogGroup[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const ent: LogEntry[] = new Array(LOG_SLOTS);
    for (let j = 0; j < LOG_SLOTS; j++) {
      const at = i * LOG_GRP_SIZE + GRP_ENT + j * LOG_ENT_SIZE;
      ent[j] = { lba: dv.getUint32(at + ENT_LBA, true), oldMap: dv.getUint32(at + ENT_OLD, true), newMap: dv.getUint32(at + ENT_NEW, true), seq: dv.getUint32(at + ENT_SEQ, true) };
    }
    out[i] = { ent };
  }
  return out;
}

/** Store one log entry at `at` of `dv` (the bytes encodeStruct(logEntry, ...) gives). */
export function putLogEntry(dv: DataView, at: number, lba: number, oldMap: number, newMap: number, seq: number): void {
  dv.setUint32(at + ENT_LBA, lba, true);
  dv.setUint32(at + ENT_OLD, oldMap, true);
  dv.setUint32(at + ENT_NEW, newMap, true);
  dv.setUint32(at + ENT_SEQ, seq, true);
}

// ---- map entries ------------------------------------------------------------------------------
export const MAP_ENT_SIZE = 4;
export const MAP_TRIM_SHIFT = 31;
export const MAP_ERR_SHIFT = 30;
export const MAP_LBA_MASK = 0x3fffffff;
export const MAP_ENT_NORMAL = 0xc0000000;

export type MapState = 'identity' | 'error' | 'trim' | 'normal';

export function mapState(raw: number): MapState {
  const z = (raw >>> MAP_TRIM_SHIFT) & 1;
  const e = (raw >>> MAP_ERR_SHIFT) & 1;
  return (['identity', 'error', 'trim', 'normal'] as const)[(z << 1) + e]!;
}

/** btt_map_read(): the post-map block (identity when Z=E=0) and the flags. */
export function mapLookup(raw: number, premap: number): { postmap: number; trim: boolean; error: boolean } {
  return { postmap: mapPostmap(raw, premap), trim: mapIsTrim(raw), error: mapIsError(raw) };
}

/** The post-map block of a raw map entry (identity when Z=E=0). */
export function mapPostmap(raw: number, premap: number): number {
  return raw >>> MAP_ERR_SHIFT === 0 ? premap : raw & MAP_LBA_MASK;
}
/** Z only: a trimmed sector (reads as zeros). */
export function mapIsTrim(raw: number): boolean {
  return raw >>> MAP_ERR_SHIFT === 2;
}
/** E only: a sector with a media error (-EIO). */
export function mapIsError(raw: number): boolean {
  return raw >>> MAP_ERR_SHIFT === 1;
}

export function describeMapEntry(raw: number): string {
  const s = mapState(raw);
  return s === 'identity' ? 'Z=E=0 (identity/initial)' : `${s} -> block ${raw & MAP_LBA_MASK}`;
}

// ---- sequence numbers and slot selection (btt.c) ---------------------------------------------
/** nd_inc_seq(): 1 -> 2 -> 3 -> 1, 0 stays 0. */
const NEXT_SEQ = [0, 2, 3, 1] as const;
export function incSeq(seq: number): number {
  return NEXT_SEQ[seq & 3]!;
}

export function isPadding(e: LogEntry): boolean {
  return e.lba === 0 && e.oldMap === 0 && e.newMap === 0 && e.seq === 0;
}

export type LogIndices = readonly [number, number];

/**
 * log_set_indices(): find which two slots of a group hold entries. Groups still in their initial
 * state (three padding slots) are skipped; if every group is initial, (0,1) is assumed. Only (0,1)
 * and (0,2) are accepted; anything else is an error string.
 */
export function detectLogIndices(groups: readonly LogGroup[]): LogIndices | string {
  let idxSet = false;
  let initial = true;
  const idx = [-1, -1];
  let next = 0;
  for (const g of groups) {
    let pad = 0;
    for (let j = 0; j < LOG_SLOTS; j++) {
      const ent = g.ent[j]!;
      if (!idxSet) {
        if (isPadding(ent)) {
          pad++;
          continue;
        }
        if (next === 1 && j === idx[0]) continue;
        idx[next] = j;
        next++;
        if (next === 2) idxSet = true;
        else if (next > 2) return 'too many valid log slots';
      } else if (j === idx[0]) {
        if (isPadding(ent)) return `slot ${j} must hold an entry`;
      } else if (j !== idx[1]) {
        if (!isPadding(ent)) return `slot ${j} must be padding`;
      }
    }
    if (pad < 3) initial = false;
  }
  if (!initial && !idxSet) return 'cannot deduce the log slots';
  if (initial) idx[1] = 1;
  if (idx[0] === 0 && (idx[1] === 1 || idx[1] === 2)) return [idx[0], idx[1]] as const;
  return `unknown padding scheme (${idx[0]}, ${idx[1]})`;
}

/**
 * btt_log_get_old(): which of the two entries (0 or 1, relative to the indices) is the older one,
 * or an error string for corrupt sequence numbers. A group whose first entry has seq 0 counts as
 * "first ever use": entry 0 is old (Linux patches its in-memory seq to 1).
 */
export function logOldEntry(g: LogGroup, ix: LogIndices): 0 | 1 | string {
  const s0 = g.ent[ix[0]]!.seq;
  const s1 = g.ent[ix[1]]!.seq;
  if (s0 === 0) return 0;
  if (s0 === s1) return `equal sequence numbers ${s0}`;
  if (s0 + s1 > 5) return `sequence numbers ${s0}, ${s1} out of range`;
  if (s0 < s1) return s1 - s0 === 1 ? 0 : 1;
  return s0 - s1 === 1 ? 1 : 0;
}

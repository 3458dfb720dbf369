import { fletcher64 } from '../core/checksum/fletcher64.js';
import { NIL_GUID } from '../core/guid.js';
import { Struct, ascii, decodeStruct, encodeStruct, reserved, rfcUuid, u16, u32, u64, type ValueOf } from '../core/schema/index.js';

/**
 * BTT arena info block, Linux `struct btt_sb` (drivers/nvdimm/btt.h): 4096 bytes at the start of
 * every arena and again (the backup) at info2off. Offsets are relative to the arena's info block.
 */
export const BTT_SIG = 'BTT_ARENA_INFO';
export const BTT_INFO_SIZE = 4096;
/** BTT_PG_SIZE. */
export const BTT_PG_SIZE = 4096;
export const IB_FLAG_ERROR = 1;

export const bttInfoBlock = new Struct(
  'btt-info',
  [
    ascii('signature', 16, { specName: 'signature', expect: BTT_SIG }),
    rfcUuid('uuid', { label: 'UUID', specName: 'uuid', doc: 'uuid of the BTT' }),
    rfcUuid('parentUuid', { label: 'Parent UUID', specName: 'parent_uuid', doc: 'namespace uuid; nil = not checked' }),
    u32('flags', { specName: 'flags', flags: { 0: 'IB_FLAG_ERROR (arena in error state)' } }),
    u16('versionMajor', { label: 'Version Major', specName: 'version_major' }),
    u16('versionMinor', { label: 'Version Minor', specName: 'version_minor' }),
    u32('externalLbasize', { label: 'External LBA Size', specName: 'external_lbasize' }),
    u32('externalNlba', { label: 'External LBA Count', specName: 'external_nlba' }),
    u32('internalLbasize', { label: 'Internal LBA Size', specName: 'internal_lbasize' }),
    u32('internalNlba', { label: 'Internal LBA Count', specName: 'internal_nlba' }),
    u32('nfree', { label: 'Free Blocks (nfree)', specName: 'nfree' }),
    u32('infosize', { label: 'Info Block Size', specName: 'infosize' }),
    u64('nextoff', { label: 'Next Arena Offset', specName: 'nextoff', describe: (v) => (v === 0n ? 'last arena' : undefined) }),
    u64('dataoff', { label: 'Data Offset', specName: 'dataoff' }),
    u64('mapoff', { label: 'Map Offset', specName: 'mapoff' }),
    u64('logoff', { label: 'Log (Flog) Offset', specName: 'logoff' }),
    u64('info2off', { label: 'Backup Info Block Offset', specName: 'info2off' }),
    reserved('padding', 3968, { specName: 'padding' }),
    u64('checksum', { specName: 'checksum', role: { kind: 'checksum', algo: 'fletcher64' } }),
  ] as const,
  { label: 'BTT Arena Info Block', spec: 'Linux drivers/nvdimm/btt.h struct btt_sb', size: BTT_INFO_SIZE },
);

export type BttInfo = ValueOf<typeof bttInfoBlock>;

export function decodeBttInfo(bytes: Uint8Array, base = 0, spans = false) {
  return decodeStruct(bttInfoBlock, bytes.subarray(0, BTT_INFO_SIZE), { format: 'btt-info', base, spans });
}

export function encodeBttInfo(v: BttInfo): Uint8Array {
  return encodeStruct(bttInfoBlock, v);
}

/** Raw signature bytes test: "BTT_ARENA_INFO\0" (BTT_SIG_LEN = 16 compared by memcmp). */
export function hasBttSignature(b: Uint8Array): boolean {
  const at = bttInfoBlock.offsetOf('signature');
  const n = bttInfoBlock.sizeOf('signature');
  if (b.length < at + n) return false;
  for (let i = 0; i < n; i++) if (b[at + i] !== (i < BTT_SIG.length ? BTT_SIG.charCodeAt(i) : 0)) return false;
  return true;
}

/**
 * nd_btt_arena_is_valid(): signature, parent uuid (only when the block's is non-nil), checksum.
 * Returns the decoded block (decoded once, at file offset `base`), or the reason it is not valid.
 */
export function validBttInfo(raw: Uint8Array, namespaceUuid: string | undefined, base = 0): BttInfo | string {
  if (raw.length < BTT_INFO_SIZE) return 'truncated';
  if (!hasBttSignature(raw)) return 'no BTT_ARENA_INFO signature';
  const { value } = decodeBttInfo(raw, base);
  if (value.parentUuid !== NIL_GUID && namespaceUuid !== undefined && value.parentUuid !== namespaceUuid.toLowerCase()) {
    return `parent uuid ${value.parentUuid} is not the namespace's ${namespaceUuid}`;
  }
  if (fletcher64(raw.subarray(0, BTT_INFO_SIZE), bttInfoBlock.offsetOf('checksum')) !== value.checksum) return 'checksum mismatch';
  return value;
}

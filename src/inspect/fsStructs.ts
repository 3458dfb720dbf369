/**
 * Superblock fields inspect reads to name a file system, declared with the schema layer (only the
 * leading part each probe needs). Sources: ext4 `fs/ext4/ext4.h` struct ext4_super_block; XFS
 * `fs/xfs/libxfs/xfs_format.h` struct xfs_dsb (big-endian); btrfs `fs/btrfs/ctree.h`
 * struct btrfs_super_block (at 64 KiB); swap `include/linux/swap.h` union swap_header.
 * XFS is big-endian: be16/be32 from the schema layer, the 64-bit one below.
 */
import { jsonInteger } from '../core/hex.js';
import { U64_JSON } from '../core/schema/jsonSchema.js';
import { fc } from '../core/schema/fastCheck.js';
import { Struct, ascii, be16, be32, bytes, field, rfcUuid, u16, u32, u64, u8, type Codec, type FieldOptions, type ValueOf } from '../core/schema/index.js';

const be64Codec: Codec<bigint> = {
  size: 8,
  decode: (r, _f, _ctx, path) => {
    const b = r.bytesView(8, path);
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[i]!);
    return v;
  },
  encode: (w, v) => {
    for (let i = 7; i >= 0; i--) w.u8(Number((v >> BigInt(8 * i)) & 0xffn));
  },
  arbitrary: () => fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  zero: () => 0n,
  show: (v) => '0x' + v.toString(16).padStart(16, '0'),
  toJson: (v) => jsonInteger(v),
  fromJson: (j) => BigInt(j as string | number),
  jsonSchema: () => U64_JSON,
};

const be64 = <N extends string>(n: N, o?: FieldOptions<bigint>) => field(n, be64Codec, o);

export const EXT_SB_OFFSET = 1024;
export const EXT_MAGIC = 0xef53;

/** The ext2/3/4 super block is declared once, with the ext4 reader (src/fs/ext4). */
export { ext4SuperBlock as extSuperBlock } from '../fs/ext4/structs.js';
import { ext4SuperBlock } from '../fs/ext4/structs.js';
export type ExtSuperBlock = ValueOf<typeof ext4SuperBlock>;

export const XFS_MAGIC = 'XFSB';
export const xfsSuperBlock = new Struct(
  'xfs.superblock',
  [
    ascii('magic', 4, { specName: 'sb_magicnum', expect: XFS_MAGIC }),
    be32('blocksize', { specName: 'sb_blocksize' }),
    be64('dblocks', { specName: 'sb_dblocks' }),
    be64('rblocks', { specName: 'sb_rblocks' }),
    be64('rextents', { specName: 'sb_rextents' }),
    rfcUuid('uuid', { specName: 'sb_uuid' }),
    be64('logstart', { specName: 'sb_logstart' }),
    be64('rootino', { specName: 'sb_rootino' }),
    be64('rbmino', { specName: 'sb_rbmino' }),
    be64('rsumino', { specName: 'sb_rsumino' }),
    be32('rextsize', { specName: 'sb_rextsize' }),
    be32('agblocks', { specName: 'sb_agblocks' }),
    be32('agcount', { specName: 'sb_agcount' }),
    be32('rbmblocks', { specName: 'sb_rbmblocks' }),
    be32('logblocks', { specName: 'sb_logblocks' }),
    be16('versionnum', { specName: 'sb_versionnum', describe: (v) => `version ${v & 0xf}` }),
    be16('sectsize', { specName: 'sb_sectsize' }),
    be16('inodesize', { specName: 'sb_inodesize' }),
    be16('inopblock', { specName: 'sb_inopblock' }),
    ascii('fname', 12, { specName: 'sb_fname' }),
  ] as const,
  { label: 'XFS super block (big-endian)', spec: 'Linux fs/xfs/libxfs/xfs_format.h struct xfs_dsb', size: 120 },
);
export type XfsSuperBlock = ValueOf<typeof xfsSuperBlock>;

export const BTRFS_SB_OFFSET = 0x10000;
export const BTRFS_MAGIC = '_BHRfS_M';
export const btrfsSuperBlock = new Struct(
  'btrfs.superblock',
  [
    bytes('csum', 32, { specName: 'csum' }),
    rfcUuid('fsid', { specName: 'fsid' }),
    u64('bytenr', { specName: 'bytenr', doc: 'physical address of this copy' }),
    u64('flags', { specName: 'flags' }),
    ascii('magic', 8, { specName: 'magic', expect: BTRFS_MAGIC }),
    u64('generation', { specName: 'generation' }),
    u64('root', { specName: 'root' }),
    u64('chunkRoot', { specName: 'chunk_root' }),
    u64('logRoot', { specName: 'log_root' }),
    u64('logRootTransid', { specName: '__unused_log_root_transid' }),
    u64('totalBytes', { specName: 'total_bytes' }),
    u64('bytesUsed', { specName: 'bytes_used' }),
    u64('rootDirObjectid', { specName: 'root_dir_objectid' }),
    u64('numDevices', { specName: 'num_devices' }),
    u32('sectorsize', { specName: 'sectorsize' }),
    u32('nodesize', { specName: 'nodesize' }),
    u32('leafsize', { specName: '__unused_leafsize' }),
    u32('stripesize', { specName: 'stripesize' }),
    u32('sysChunkArraySize', { specName: 'sys_chunk_array_size' }),
    u64('chunkRootGeneration', { specName: 'chunk_root_generation' }),
    u64('compatFlags', { specName: 'compat_flags' }),
    u64('compatRoFlags', { specName: 'compat_ro_flags' }),
    u64('incompatFlags', { specName: 'incompat_flags' }),
    u16('csumType', { specName: 'csum_type', names: { 0: 'crc32c', 1: 'xxhash64', 2: 'sha256', 3: 'blake2b' } }),
    u8('rootLevel', { specName: 'root_level' }),
    u8('chunkRootLevel', { specName: 'chunk_root_level' }),
    u8('logRootLevel', { specName: 'log_root_level' }),
    u64('devId', { specName: 'dev_item.devid' }),
    u64('devTotalBytes', { specName: 'dev_item.total_bytes' }),
    bytes('devItemRest', 50, { label: 'dev_item (bytes_used .. bandwidth)' }),
    rfcUuid('devUuid', { specName: 'dev_item.uuid' }),
    rfcUuid('devFsid', { specName: 'dev_item.fsid' }),
    ascii('label', 256, { specName: 'label' }),
  ] as const,
  { label: 'btrfs super block', spec: 'Linux fs/btrfs/ctree.h struct btrfs_super_block', size: 555 },
);
export type BtrfsSuperBlock = ValueOf<typeof btrfsSuperBlock>;

/** swap_header.info, at byte 1024 of the first page; the magic is in the page's last 10 bytes. */
export const SWAP_INFO_OFFSET = 1024;
export const swapHeader = new Struct(
  'swap.header',
  [
    u32('version', { specName: 'version' }),
    u32('lastPage', { specName: 'last_page' }),
    u32('nrBadpages', { specName: 'nr_badpages' }),
    rfcUuid('uuid', { specName: 'sws_uuid' }),
    ascii('volumeName', 16, { specName: 'sws_volume' }),
  ] as const,
  { label: 'swap header (info)', spec: 'Linux include/linux/swap.h union swap_header', size: 44 },
);
export type SwapHeader = ValueOf<typeof swapHeader>;

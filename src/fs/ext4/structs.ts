import { Struct, ascii, bytes, reserved, rfcUuid, u16, u32, u8, type ValueOf } from '../../core/schema/index.js';

/**
 * ext4's on-disk structures the extent reader needs (Linux fs/ext4/ext4.h, ext4_extents.h;
 * specs/ext4.md). All little-endian. Only what FIEMAP needs is read: the super block, the group
 * descriptors, an inode and its extent tree, directory entries.
 */
export const EXT4_SUPER_MAGIC = 0xef53;
/** The super block sits 1024 bytes into the file system whatever the block size. */
export const EXT4_SUPERBLOCK_OFFSET = 1024;
export const EXT4_ROOT_INO = 2;

export const INCOMPAT = {
  filetype: 0x2, recover: 0x4, journalDev: 0x8, metaBg: 0x10, extents: 0x40, bit64: 0x80, mmp: 0x100, flexBg: 0x200,
  eaInode: 0x400, dirdata: 0x1000, csumSeed: 0x2000, largedir: 0x4000, inlineData: 0x8000, encrypt: 0x10000, casefold: 0x20000,
} as const;
export const RO_COMPAT_BIGALLOC = 0x200;

/** Also what `inspect` decodes to recognise ext2/3/4. */
export const ext4SuperBlock = new Struct('ext4.super_block', [
  u32('inodesCount', { specName: 's_inodes_count' }),
  u32('blocksCountLo', { specName: 's_blocks_count_lo' }),
  u32('rBlocksCountLo', { specName: 's_r_blocks_count_lo' }),
  u32('freeBlocksCountLo', { specName: 's_free_blocks_count_lo' }),
  u32('freeInodesCount', { specName: 's_free_inodes_count' }),
  u32('firstDataBlock', { specName: 's_first_data_block' }),
  u32('logBlockSize', { specName: 's_log_block_size', describe: (v) => (v < 8 ? `${1024 << v}-byte blocks` : 'invalid') }),
  u32('logClusterSize', { specName: 's_log_cluster_size' }),
  u32('blocksPerGroup', { specName: 's_blocks_per_group' }),
  u32('clustersPerGroup', { specName: 's_clusters_per_group' }),
  u32('inodesPerGroup', { specName: 's_inodes_per_group' }),
  u32('mtime', { specName: 's_mtime' }),
  u32('wtime', { specName: 's_wtime' }),
  u16('mntCount', { specName: 's_mnt_count' }),
  u16('maxMntCount', { specName: 's_max_mnt_count' }),
  u16('magic', { specName: 's_magic', expect: EXT4_SUPER_MAGIC }),
  u16('state', { specName: 's_state', flags: { 0: 'cleanly unmounted', 1: 'errors detected', 2: 'orphans being recovered' } }),
  u16('errors', { specName: 's_errors' }),
  u16('minorRevLevel', { specName: 's_minor_rev_level' }),
  u32('lastcheck', { specName: 's_lastcheck' }),
  u32('checkinterval', { specName: 's_checkinterval' }),
  u32('creatorOs', { specName: 's_creator_os', names: { 0: 'Linux', 1: 'Hurd', 3: 'FreeBSD' } }),
  u32('revLevel', { specName: 's_rev_level' }),
  u16('defResuid', { specName: 's_def_resuid' }),
  u16('defResgid', { specName: 's_def_resgid' }),
  u32('firstIno', { specName: 's_first_ino' }),
  u16('inodeSize', { specName: 's_inode_size' }),
  u16('blockGroupNr', { specName: 's_block_group_nr' }),
  u32('featureCompat', { specName: 's_feature_compat', flags: { 2: 'has_journal', 4: 'ext_attr', 5: 'resize_inode', 6: 'dir_index', 9: 'sparse_super2' } }),
  u32('featureIncompat', { specName: 's_feature_incompat', flags: { 1: 'filetype', 2: 'needs_recovery', 3: 'journal_dev', 4: 'meta_bg', 6: 'extents', 7: '64bit', 8: 'mmp', 9: 'flex_bg', 10: 'ea_inode', 12: 'dirdata', 13: 'csum_seed', 14: 'largedir', 15: 'inline_data', 16: 'encrypt', 17: 'casefold' } }),
  u32('featureRoCompat', { specName: 's_feature_ro_compat', flags: { 0: 'sparse_super', 1: 'large_file', 3: 'huge_file', 4: 'gdt_csum', 5: 'dir_nlink', 6: 'extra_isize', 8: 'quota', 9: 'bigalloc', 10: 'metadata_csum' } }),
  rfcUuid('uuid', { specName: 's_uuid' }),
  ascii('volumeName', 16, { specName: 's_volume_name' }),
  ascii('lastMounted', 64, { specName: 's_last_mounted' }),
  u32('algorithmUsageBitmap', { specName: 's_algorithm_usage_bitmap' }),
  u8('preallocBlocks', { specName: 's_prealloc_blocks' }),
  u8('preallocDirBlocks', { specName: 's_prealloc_dir_blocks' }),
  u16('reservedGdtBlocks', { specName: 's_reserved_gdt_blocks' }),
  bytes('journalUuid', 16, { specName: 's_journal_uuid' }),
  u32('journalInum', { specName: 's_journal_inum' }),
  u32('journalDev', { specName: 's_journal_dev' }),
  u32('lastOrphan', { specName: 's_last_orphan' }),
  bytes('hashSeed', 16, { specName: 's_hash_seed' }),
  u8('defHashVersion', { specName: 's_def_hash_version' }),
  u8('jnlBackupType', { specName: 's_jnl_backup_type' }),
  u16('descSize', { specName: 's_desc_size', doc: 'group descriptor size when INCOMPAT_64BIT (else 32)' }),
  u32('defaultMountOpts', { specName: 's_default_mount_opts' }),
  u32('firstMetaBg', { specName: 's_first_meta_bg' }),
  u32('mkfsTime', { specName: 's_mkfs_time' }),
  bytes('jnlBlocks', 68, { specName: 's_jnl_blocks' }),
  u32('blocksCountHi', { specName: 's_blocks_count_hi', doc: 'only with the 64bit feature' }),
  u32('rBlocksCountHi', { specName: 's_r_blocks_count_hi' }),
  u32('freeBlocksCountHi', { specName: 's_free_blocks_count_hi' }),
  u16('minExtraIsize', { specName: 's_min_extra_isize' }),
  u16('wantExtraIsize', { specName: 's_want_extra_isize' }),
  u32('flags', { specName: 's_flags' }),
  reserved('rest', 0x3fc - 0x164, { label: 's_raid_stride .. s_reserved (not read)', reserved: false }),
  u32('checksum', { specName: 's_checksum', doc: 'crc32c (metadata_csum; not checked here)' }),
] as const, { label: 'struct ext4_super_block', spec: 'fs/ext4/ext4.h', size: 1024 });
export type Ext4SuperBlock = ValueOf<typeof ext4SuperBlock>;

/** The 32-byte group descriptor; with INCOMPAT_64BIT and s_desc_size >= 64 the `hi` half follows. */
export const ext4GroupDescLo = new Struct('ext4.group_desc', [
  u32('blockBitmapLo', { specName: 'bg_block_bitmap_lo' }),
  u32('inodeBitmapLo', { specName: 'bg_inode_bitmap_lo' }),
  u32('inodeTableLo', { specName: 'bg_inode_table_lo' }),
  u16('freeBlocksCountLo', { specName: 'bg_free_blocks_count_lo' }),
  u16('freeInodesCountLo', { specName: 'bg_free_inodes_count_lo' }),
  u16('usedDirsCountLo', { specName: 'bg_used_dirs_count_lo' }),
  u16('flags', { specName: 'bg_flags', flags: { 0: 'INODE_UNINIT', 1: 'BLOCK_UNINIT', 2: 'INODE_ZEROED' } }),
  u32('excludeBitmapLo', { specName: 'bg_exclude_bitmap_lo' }),
  u16('blockBitmapCsumLo', { specName: 'bg_block_bitmap_csum_lo' }),
  u16('inodeBitmapCsumLo', { specName: 'bg_inode_bitmap_csum_lo' }),
  u16('itableUnusedLo', { specName: 'bg_itable_unused_lo' }),
  u16('checksum', { specName: 'bg_checksum' }),
] as const, { label: 'struct ext4_group_desc (32-bit part)', spec: 'fs/ext4/ext4.h', size: 32 });

export const ext4GroupDescHi = new Struct('ext4.group_desc_hi', [
  u32('blockBitmapHi', { specName: 'bg_block_bitmap_hi' }),
  u32('inodeBitmapHi', { specName: 'bg_inode_bitmap_hi' }),
  u32('inodeTableHi', { specName: 'bg_inode_table_hi' }),
  u16('freeBlocksCountHi', { specName: 'bg_free_blocks_count_hi' }),
  u16('freeInodesCountHi', { specName: 'bg_free_inodes_count_hi' }),
  u16('usedDirsCountHi', { specName: 'bg_used_dirs_count_hi' }),
  u16('itableUnusedHi', { specName: 'bg_itable_unused_hi' }),
  u32('excludeBitmapHi', { specName: 'bg_exclude_bitmap_hi' }),
  u16('blockBitmapCsumHi', { specName: 'bg_block_bitmap_csum_hi' }),
  u16('inodeBitmapCsumHi', { specName: 'bg_inode_bitmap_csum_hi' }),
  u32('reserved', { specName: 'bg_reserved', reserved: true }),
] as const, { label: 'struct ext4_group_desc (64-bit part)', spec: 'fs/ext4/ext4.h', size: 32 });

export const EXT4_EXTENTS_FL = 0x80000;
export const EXT4_INLINE_DATA_FL = 0x10000000;
export const S_IFMT = 0xf000;
export const S_IFREG = 0x8000;
export const S_IFDIR = 0x4000;

/** The first 128 bytes of an inode (the good old part; extra fields after it are not read). */
export const ext4Inode = new Struct('ext4.inode', [
  u16('mode', { specName: 'i_mode' }),
  u16('uid', { specName: 'i_uid' }),
  u32('sizeLo', { specName: 'i_size_lo' }),
  u32('atime', { specName: 'i_atime' }),
  u32('ctime', { specName: 'i_ctime' }),
  u32('mtime', { specName: 'i_mtime' }),
  u32('dtime', { specName: 'i_dtime' }),
  u16('gid', { specName: 'i_gid' }),
  u16('linksCount', { specName: 'i_links_count' }),
  u32('blocksLo', { specName: 'i_blocks_lo' }),
  u32('flags', { specName: 'i_flags', flags: { 19: 'EXTENTS', 28: 'INLINE_DATA' } }),
  u32('osd1', { specName: 'osd1' }),
  bytes('block', 60, { specName: 'i_block', doc: 'with EXTENTS_FL: the root of the extent tree (header + 4 entries)' }),
  u32('generation', { specName: 'i_generation' }),
  u32('fileAclLo', { specName: 'i_file_acl_lo' }),
  u32('sizeHigh', { specName: 'i_size_high' }),
  u32('obsoFaddr', { specName: 'i_obso_faddr' }),
  bytes('osd2', 12, { specName: 'osd2' }),
] as const, { label: 'struct ext4_inode (first 128 bytes)', spec: 'fs/ext4/ext4.h', size: 128 });
export type Ext4Inode = ValueOf<typeof ext4Inode>;

export const EXT4_EXT_MAGIC = 0xf30a;
/** ee_len above this marks an unwritten extent of ee_len - this blocks (ext4_extents.h). */
export const EXT_INIT_MAX_LEN = 1 << 15;

export const ext4ExtentHeader = new Struct('ext4.extent_header', [
  u16('magic', { specName: 'eh_magic', expect: EXT4_EXT_MAGIC }),
  u16('entries', { specName: 'eh_entries' }),
  u16('max', { specName: 'eh_max' }),
  u16('depth', { specName: 'eh_depth', doc: '0: the entries are leaves (ext4_extent)' }),
  u32('generation', { specName: 'eh_generation' }),
] as const, { label: 'struct ext4_extent_header', spec: 'fs/ext4/ext4_extents.h', size: 12 });

export const ext4ExtentIdx = new Struct('ext4.extent_idx', [
  u32('block', { specName: 'ei_block' }),
  u32('leafLo', { specName: 'ei_leaf_lo' }),
  u16('leafHi', { specName: 'ei_leaf_hi' }),
  u16('unused', { specName: 'ei_unused', reserved: true }),
] as const, { label: 'struct ext4_extent_idx', spec: 'fs/ext4/ext4_extents.h', size: 12 });

export const ext4Extent = new Struct('ext4.extent', [
  u32('block', { specName: 'ee_block' }),
  u16('len', { specName: 'ee_len', describe: (v) => (v > EXT_INIT_MAX_LEN ? `unwritten, ${v - EXT_INIT_MAX_LEN} blocks` : undefined) }),
  u16('startHi', { specName: 'ee_start_hi' }),
  u32('startLo', { specName: 'ee_start_lo' }),
] as const, { label: 'struct ext4_extent', spec: 'fs/ext4/ext4_extents.h', size: 12 });

/** `struct ext4_dir_entry_2`'s fixed part; the name (name_len bytes) follows. */
export const ext4DirEntry = new Struct('ext4.dir_entry_2', [
  u32('inode'),
  u16('recLen', { specName: 'rec_len' }),
  u8('nameLen', { specName: 'name_len' }),
  u8('fileType', { specName: 'file_type' }),
] as const, { label: 'struct ext4_dir_entry_2', spec: 'fs/ext4/ext4.h', size: 8 });

/**
 * An offline ext4 reader (specs/ext4.md): the super block, group descriptors (32- or 64-bit), an
 * inode, its extent tree of any depth, and path lookup through directory blocks. Enough to answer
 * FIEMAP for a file the way Linux does, from the image alone. Reads through `BlockIO`, a block at a
 * time; every count and block number is checked against the file system before it is used.
 */
import type { BlockIO } from '../../core/blockio.js';
import { NvError } from '../../core/errors.js';
import { decodeStruct, type Struct, type ValueOf } from '../../core/schema/index.js';
import {
  EXT4_EXT_MAGIC, EXT4_EXTENTS_FL, EXT4_INLINE_DATA_FL, EXT4_ROOT_INO, EXT4_SUPERBLOCK_OFFSET, EXT4_SUPER_MAGIC, EXT_INIT_MAX_LEN, INCOMPAT,
  RO_COMPAT_BIGALLOC, S_IFDIR, S_IFMT, ext4DirEntry, ext4Extent, ext4ExtentHeader, ext4ExtentIdx, ext4GroupDescHi, ext4GroupDescLo, ext4Inode,
  ext4SuperBlock, type Ext4Inode, type Ext4SuperBlock,
} from './structs.js';

const FORMAT = 'ext4';
/** EXT4_MAX_EXTENT_DEPTH (ext4_extents.h). */
const MAX_DEPTH = 5;
/** Features whose on-disk layout this reader does not follow. */
const UNSUPPORTED = INCOMPAT.metaBg | INCOMPAT.journalDev | INCOMPAT.dirdata | INCOMPAT.encrypt | INCOMPAT.casefold;

/** One leaf extent: file blocks `[logical, logical + length)` at fs blocks from `physical`. */
export interface Ext4Extent {
  logical: number;
  physical: number;
  length: number;
  unwritten: boolean;
}

export interface Ext4File {
  ino: number;
  inode: Ext4Inode;
  size: bigint;
  mode: number;
}

export class Ext4 {
  readonly sb: Ext4SuperBlock;
  readonly blockSize: number;
  readonly blocksCount: bigint;
  readonly groupCount: number;
  readonly descSize: number;
  readonly inodeSize: number;

  /** `io` holds the file system from its byte 0 (a block device or partition view). */
  constructor(readonly io: BlockIO) {
    if (io.size < EXT4_SUPERBLOCK_OFFSET + ext4SuperBlock.size!) throw new NvError(FORMAT, '', 0, `${io.size} bytes is too small for an ext4 super block`);
    const sb = decodeStruct(ext4SuperBlock, io.read(EXT4_SUPERBLOCK_OFFSET, ext4SuperBlock.size!), { base: EXT4_SUPERBLOCK_OFFSET }).value;
    const at = (f: string) => EXT4_SUPERBLOCK_OFFSET + ext4SuperBlock.offsetOf(f as never);
    if (sb.magic !== EXT4_SUPER_MAGIC) throw new NvError(FORMAT, 'super_block.s_magic', at('magic'), `0x${sb.magic.toString(16)} is not 0xef53: no ext2/3/4 file system here`);
    if (sb.logBlockSize > 6) throw new NvError(FORMAT, 'super_block.s_log_block_size', at('logBlockSize'), `${sb.logBlockSize} gives a block size above 64 KiB`);
    const bad = sb.featureIncompat & UNSUPPORTED;
    if (bad) throw new NvError(FORMAT, 'super_block.s_feature_incompat', at('featureIncompat'), `feature bits 0x${bad.toString(16)} (meta_bg/journal_dev/dirdata/encrypt/casefold) are not read by nvtool`);
    if (sb.featureRoCompat & RO_COMPAT_BIGALLOC) throw new NvError(FORMAT, 'super_block.s_feature_ro_compat', at('featureRoCompat'), 'bigalloc (clusters) is not read by nvtool');
    this.sb = sb;
    this.blockSize = 1024 << sb.logBlockSize;
    const is64 = (sb.featureIncompat & INCOMPAT.bit64) !== 0;
    this.blocksCount = BigInt(sb.blocksCountLo) + (is64 ? BigInt(sb.blocksCountHi) << 32n : 0n);
    this.descSize = is64 ? sb.descSize : 32;
    if (is64 && (sb.descSize < 64 || sb.descSize > 1024 || sb.descSize & (sb.descSize - 1))) throw new NvError(FORMAT, 'super_block.s_desc_size', at('descSize'), `${sb.descSize} is not a power of two from 64 to 1024 (64bit feature)`);
    this.inodeSize = sb.revLevel === 0 ? 128 : sb.inodeSize;
    if (this.inodeSize < 128 || this.inodeSize > this.blockSize || this.inodeSize & (this.inodeSize - 1)) throw new NvError(FORMAT, 'super_block.s_inode_size', at('inodeSize'), `${sb.inodeSize} is not a power of two from 128 to the block size`);
    if (sb.blocksPerGroup === 0 || sb.inodesPerGroup === 0) throw new NvError(FORMAT, 'super_block.s_blocks_per_group', at('blocksPerGroup'), 'blocks or inodes per group is 0');
    if (BigInt(io.size) < this.blocksCount * BigInt(this.blockSize)) throw new NvError(FORMAT, 'super_block.s_blocks_count', at('blocksCountLo'), `${this.blocksCount} blocks of ${this.blockSize} bytes do not fit the ${io.size}-byte device`);
    const groups = (this.blocksCount - BigInt(sb.firstDataBlock) + BigInt(sb.blocksPerGroup) - 1n) / BigInt(sb.blocksPerGroup);
    this.groupCount = Number(groups);
    if (BigInt(sb.inodesCount) > groups * BigInt(sb.inodesPerGroup)) throw new NvError(FORMAT, 'super_block.s_inodes_count', at('inodesCount'), `${sb.inodesCount} inodes do not fit ${groups} groups of ${sb.inodesPerGroup}`);
  }

  /** `count` whole blocks from fs block `block`, checked against the file system. */
  readBlocks(block: number, count = 1, what = 'block'): Uint8Array {
    if (!Number.isSafeInteger(block) || block < 0 || BigInt(block + count) > this.blocksCount) throw new NvError(FORMAT, what, undefined, `block ${block} is outside the file system (${this.blocksCount} blocks)`);
    return this.io.read(block * this.blockSize, count * this.blockSize);
  }

  private decodeAt<S extends Struct<any>>(s: S, bytes: Uint8Array, off: number, base: number): ValueOf<S> {
    return decodeStruct(s, bytes.subarray(off, off + s.size!), { base: base + off }).value;
  }

  /** fs block of group `g`'s inode table (from its descriptor). */
  inodeTableBlock(g: number): number {
    if (!Number.isInteger(g) || g < 0 || g >= this.groupCount) throw new NvError(FORMAT, 'group_desc', undefined, `group ${g} does not exist (${this.groupCount} groups)`);
    const gdtBlock = this.sb.firstDataBlock + 1;
    const off = g * this.descSize;
    const block = gdtBlock + Math.floor(off / this.blockSize);
    const inBlock = off % this.blockSize;
    const b = this.readBlocks(block, 1, `group_desc[${g}]`);
    const base = block * this.blockSize;
    const lo = this.decodeAt(ext4GroupDescLo, b, inBlock, base);
    const hi = this.descSize >= 64 ? this.decodeAt(ext4GroupDescHi, b, inBlock + ext4GroupDescLo.size!, base).inodeTableHi : 0;
    return hi * 2 ** 32 + lo.inodeTableLo;
  }

  inode(ino: number): Ext4Inode {
    if (!Number.isInteger(ino) || ino < 1 || ino > this.sb.inodesCount) throw new NvError(FORMAT, 'inode', undefined, `inode ${ino} does not exist (1..${this.sb.inodesCount})`);
    const g = Math.floor((ino - 1) / this.sb.inodesPerGroup);
    const index = (ino - 1) % this.sb.inodesPerGroup;
    const byteOff = index * this.inodeSize;
    const block = this.inodeTableBlock(g) + Math.floor(byteOff / this.blockSize);
    const b = this.readBlocks(block, 1, `inode ${ino}`);
    return this.decodeAt(ext4Inode, b, byteOff % this.blockSize, block * this.blockSize);
  }

  file(ino: number): Ext4File {
    const inode = this.inode(ino);
    return { ino, inode, mode: inode.mode, size: BigInt(inode.sizeLo) + (BigInt(inode.sizeHigh) << 32n) };
  }

  /** Leaf extents of an inode, in logical order, from the extent tree rooted in i_block. */
  extents(ino: number): Ext4Extent[] {
    const inode = this.inode(ino);
    if (inode.flags & EXT4_INLINE_DATA_FL) throw new NvError(FORMAT, `inode ${ino}.i_flags`, undefined, 'the data is inline in the inode (no blocks, no extents)');
    if (!(inode.flags & EXT4_EXTENTS_FL)) throw new NvError(FORMAT, `inode ${ino}.i_flags`, undefined, 'the inode maps blocks with ext2/3 indirect blocks, not extents (EXTENTS_FL clear)');
    const out: Ext4Extent[] = [];
    const seen = new Set<number>();
    this.walk(inode.block, -1, `inode ${ino}.i_block`, MAX_DEPTH, out, seen);
    for (let i = 1; i < out.length; i++) {
      const p = out[i - 1]!;
      if (out[i]!.logical < p.logical + p.length) throw new NvError(FORMAT, `inode ${ino}.extents[${i}]`, undefined, `logical block ${out[i]!.logical} overlaps or precedes the previous extent (${p.logical}+${p.length})`);
    }
    return out;
  }

  private walk(node: Uint8Array, base: number, where: string, depthLeft: number, out: Ext4Extent[], seen: Set<number>): void {
    const h = decodeStruct(ext4ExtentHeader, node.subarray(0, ext4ExtentHeader.size!), { base: Math.max(base, 0) }).value;
    if (h.magic !== EXT4_EXT_MAGIC) throw new NvError(FORMAT, `${where}.eh_magic`, base < 0 ? undefined : base, `0x${h.magic.toString(16)} is not 0xf30a`);
    const room = Math.floor((node.length - ext4ExtentHeader.size!) / ext4Extent.size!);
    if (h.entries > h.max || h.max > room) throw new NvError(FORMAT, `${where}.eh_entries`, base < 0 ? undefined : base, `${h.entries} entries, max ${h.max}, room for ${room}`);
    if (h.depth >= depthLeft) throw new NvError(FORMAT, `${where}.eh_depth`, base < 0 ? undefined : base, `depth ${h.depth} exceeds what is left of the limit ${MAX_DEPTH}`);
    for (let i = 0; i < h.entries; i++) {
      const off = ext4ExtentHeader.size! + i * ext4Extent.size!;
      const b = base < 0 ? 0 : base;
      if (h.depth === 0) {
        const e = this.decodeAt(ext4Extent, node, off, b);
        const unwritten = e.len > EXT_INIT_MAX_LEN;
        const length = unwritten ? e.len - EXT_INIT_MAX_LEN : e.len;
        const physical = e.startHi * 2 ** 32 + e.startLo;
        if (length === 0 || BigInt(physical + length) > this.blocksCount) throw new NvError(FORMAT, `${where}.extent[${i}]`, b + off, `blocks ${physical}+${length} are empty or outside the file system`);
        out.push({ logical: e.block, physical, length, unwritten });
      } else {
        const x = this.decodeAt(ext4ExtentIdx, node, off, b);
        const leaf = x.leafHi * 2 ** 32 + x.leafLo;
        if (seen.has(leaf)) throw new NvError(FORMAT, `${where}.index[${i}]`, b + off, `tree block ${leaf} is reached twice`);
        seen.add(leaf);
        const child = this.readBlocks(leaf, 1, `${where}.index[${i}]`);
        const ch = decodeStruct(ext4ExtentHeader, child.subarray(0, ext4ExtentHeader.size!)).value;
        if (ch.depth !== h.depth - 1) throw new NvError(FORMAT, `${where}.index[${i}]`, leaf * this.blockSize, `child depth ${ch.depth} under depth ${h.depth}`);
        this.walk(child, leaf * this.blockSize, `block ${leaf}`, h.depth, out, seen);
      }
    }
  }

  /** Entries of a directory inode: name -> inode number (entries with inode 0 skipped). */
  readDir(ino: number): Map<string, number> {
    const f = this.file(ino);
    if ((f.mode & S_IFMT) !== S_IFDIR) throw new NvError(FORMAT, `inode ${ino}`, undefined, 'not a directory');
    const names = new Map<string, number>();
    for (const e of this.extents(ino)) {
      if (e.unwritten) continue;
      for (let k = 0; k < e.length; k++) {
        const block = e.physical + k;
        const b = this.readBlocks(block, 1, `directory ${ino}`);
        for (let off = 0; off + ext4DirEntry.size! <= b.length;) {
          const d = this.decodeAt(ext4DirEntry, b, off, block * this.blockSize);
          if (d.recLen < ext4DirEntry.size! || d.recLen % 4 || off + d.recLen > b.length || d.nameLen > d.recLen - ext4DirEntry.size!) throw new NvError(FORMAT, `directory ${ino}.rec_len`, block * this.blockSize + off, `${d.recLen} (name ${d.nameLen} bytes) does not fit the block`);
          if (d.inode) names.set(Buffer.from(b.subarray(off + ext4DirEntry.size!, off + ext4DirEntry.size! + d.nameLen)).toString('latin1'), d.inode);
          off += d.recLen;
        }
      }
    }
    return names;
  }

  /** Inode number of an absolute or root-relative path. */
  lookup(path: string): number {
    let ino = EXT4_ROOT_INO;
    for (const part of path.split('/').filter((p) => p && p !== '.')) {
      const next = this.readDir(ino).get(part);
      if (next === undefined) throw new NvError(FORMAT, path, undefined, `no entry "${part}"`);
      ino = next;
    }
    return ino;
  }
}

/**
 * FS_IOC_FIEMAP for an ext4 file, as Linux answers it (fs/ext4/extents.c `ext4_fiemap` ->
 * fs/iomap/fiemap.c `iomap_fiemap` with `ext4_iomap_report_ops`; specs/ext4.md): one extent per
 * mapping `ext4_map_blocks` returns, holes skipped, FIEMAP_EXTENT_UNWRITTEN on unwritten extents,
 * FIEMAP_EXTENT_LAST on the last one. With a cold extent-status cache `ext4_map_blocks` returns one
 * on-disk leaf extent per call, so that is what is reported; a warm cache may merge neighbours that
 * are contiguous on disk (the kernel's es tree), which this model does not do.
 */
import { Ext4, type Ext4Extent } from './reader.js';

/** linux/fiemap.h */
export const FIEMAP_EXTENT = {
  LAST: 0x1, UNKNOWN: 0x2, DELALLOC: 0x4, ENCODED: 0x8, DATA_ENCRYPTED: 0x80, NOT_ALIGNED: 0x100, DATA_INLINE: 0x200,
  DATA_TAIL: 0x400, UNWRITTEN: 0x800, MERGED: 0x1000, SHARED: 0x2000,
} as const;

export interface FiemapExtent {
  /** Bytes from the start of the file. */
  logical: bigint;
  /** Bytes from the start of the file system's block device. */
  physical: bigint;
  length: bigint;
  flags: number;
}

export function fiemapFlagNames(flags: number): string[] {
  return Object.entries(FIEMAP_EXTENT).filter(([, v]) => flags & v).map(([k]) => k);
}

export function fiemapOfExtents(extents: readonly Ext4Extent[], blockSize: number): FiemapExtent[] {
  const bs = BigInt(blockSize);
  return extents.map((e, i) => ({
    logical: BigInt(e.logical) * bs,
    physical: BigInt(e.physical) * bs,
    length: BigInt(e.length) * bs,
    flags: (e.unwritten ? FIEMAP_EXTENT.UNWRITTEN : 0) | (i === extents.length - 1 ? FIEMAP_EXTENT.LAST : 0),
  }));
}

/** FIEMAP of the file at `path` (whole file, as `filefrag -v` asks). */
export function fiemap(fs: Ext4, path: string): FiemapExtent[] {
  return fiemapOfExtents(fs.extents(fs.lookup(path)), fs.blockSize);
}

/**
 * File-system signatures at the start of a container (a partition, a namespace's block device, a
 * bare image): ext2/3/4, XFS, btrfs, swap, named the way blkid names them, with label, uuid and
 * the size the file system says it spans. Reads one 4 KiB block (and 0x48 bytes at 64 KiB).
 */
import { decodeStruct, type Struct } from '../core/schema/index.js';
import {
  BTRFS_MAGIC, BTRFS_SB_OFFSET, EXT_MAGIC, EXT_SB_OFFSET, SWAP_INFO_OFFSET, XFS_MAGIC, btrfsSuperBlock, extSuperBlock, swapHeader,
  xfsSuperBlock, type ExtSuperBlock,
} from './fsStructs.js';
import { addDump, hex, human, layer, note, num, type InspectContext, type Layer } from './layer.js';

// blkid (libblkid/src/superblocks/ext.c): features ext2/ext3 understand.
const EXT3_COMPAT_HAS_JOURNAL = 0x4;
const EXT_INCOMPAT_JOURNAL_DEV = 0x8;
const EXT2_INCOMPAT_SUPP = 0x2 | 0x10; // filetype, meta_bg
const EXT3_INCOMPAT_SUPP = 0x2 | 0x4 | 0x10; // + recover
const EXT2_RO_SUPP = 0x1 | 0x2 | 0x4; // sparse_super, large_file, btree_dir
const EXT_INCOMPAT_64BIT = 0x80;

/** ext2, ext3 or ext4 as blkid decides (journal and unsupported feature bits). */
export function extName(sb: ExtSuperBlock): 'ext2' | 'ext3' | 'ext4' | 'jbd' {
  if (sb.featureIncompat & EXT_INCOMPAT_JOURNAL_DEV) return 'jbd';
  const roExtra = (sb.featureRoCompat & ~EXT2_RO_SUPP) !== 0;
  if (sb.featureCompat & EXT3_COMPAT_HAS_JOURNAL) {
    return (sb.featureIncompat & ~EXT3_INCOMPAT_SUPP) !== 0 || roExtra ? 'ext4' : 'ext3';
  }
  return (sb.featureIncompat & ~EXT2_INCOMPAT_SUPP) !== 0 || roExtra ? 'ext4' : 'ext2';
}

const SWAP_PAGE_SIZES = [4096, 8192, 16384, 65536];

interface Probe {
  name: string;
  label: string;
  uuid: string;
  size: number;
  blockSize: number;
  extra: Record<string, string | number>;
  struct: Struct<any>;
  sbOffset: number;
  sbLength: number;
  findings: { severity: 'error' | 'warning' | 'info'; code: string; message: string; offset: number; path?: string }[];
}

const SWAP_MAGICS = ['SWAPSPACE2', 'SWAP-SPACE'] as const;

function probe(ctx: InspectContext, at: number, size: number): Probe | undefined {
  const head = ctx.tryRead(at, Math.min(size, 4096));
  if (!head) return undefined;
  const ascii = (o: number, n: number) => Buffer.from(head.subarray(o, o + n)).toString('latin1');
  const XFS_SB = xfsSuperBlock.requiredSize!;
  if (head.length >= XFS_SB && ascii(xfsSuperBlock.offsetOf('magic'), XFS_MAGIC.length) === XFS_MAGIC) {
    const d = decodeStruct(xfsSuperBlock, head.subarray(0, XFS_SB), { base: at });
    const v = d.value;
    const bs = v.blocksize;
    const findings: Probe['findings'] = [];
    if (bs < 512 || bs > 65536 || (bs & (bs - 1)) !== 0) findings.push({ severity: 'error', code: 'xfs-blocksize', message: `block size ${bs} is not a power of two in 512..65536`, offset: at + xfsSuperBlock.offsetOf('blocksize'), path: 'blocksize' });
    return {
      name: 'xfs', label: v.fname, uuid: v.uuid, size: Number(v.dblocks) * bs, blockSize: bs,
      extra: { agcount: v.agcount, agblocks: v.agblocks, sectorSize: v.sectsize, logBlocks: v.logblocks, version: v.versionnum & 0xf },
      struct: xfsSuperBlock, sbOffset: at, sbLength: XFS_SB, findings,
    };
  }
  const EXT_SB = extSuperBlock.size!;
  if (head.length >= EXT_SB_OFFSET + EXT_SB) {
    const magic = new DataView(head.buffer, head.byteOffset + EXT_SB_OFFSET, EXT_SB).getUint16(extSuperBlock.offsetOf('magic'), true);
    if (magic === EXT_MAGIC) {
      const v = decodeStruct(extSuperBlock, head.subarray(EXT_SB_OFFSET, EXT_SB_OFFSET + EXT_SB), { base: at + EXT_SB_OFFSET }).value;
      const findings: Probe['findings'] = [];
      const bs = v.logBlockSize < 7 ? 1024 << v.logBlockSize : 0;
      if (!bs) findings.push({ severity: 'error', code: 'ext-blocksize', message: `s_log_block_size ${v.logBlockSize} gives no valid block size`, offset: at + EXT_SB_OFFSET + extSuperBlock.offsetOf('logBlockSize'), path: 'logBlockSize' });
      const blocks = v.featureIncompat & EXT_INCOMPAT_64BIT ? v.blocksCountHi * 2 ** 32 + v.blocksCountLo : v.blocksCountLo;
      if (v.state & 2) findings.push({ severity: 'warning', code: 'ext-errors', message: 'the file system says errors were detected (s_state)', offset: at + EXT_SB_OFFSET + extSuperBlock.offsetOf('state'), path: 'state' });
      return {
        name: extName(v), label: v.volumeName, uuid: v.uuid, size: blocks * bs, blockSize: bs,
        extra: { blocks, inodes: v.inodesCount, revision: `${v.revLevel}.${v.minorRevLevel}`, lastMounted: v.lastMounted },
        struct: extSuperBlock, sbOffset: at + EXT_SB_OFFSET, sbLength: EXT_SB, findings,
      };
    }
  }
  const BTRFS_SB = btrfsSuperBlock.requiredSize!;
  if (size >= BTRFS_SB_OFFSET + BTRFS_SB) {
    const m = ctx.tryRead(at + BTRFS_SB_OFFSET + btrfsSuperBlock.offsetOf('magic'), BTRFS_MAGIC.length);
    if (m && Buffer.from(m).toString('latin1') === BTRFS_MAGIC) {
      const v = decodeStruct(btrfsSuperBlock, ctx.read(at + BTRFS_SB_OFFSET, BTRFS_SB), { base: at + BTRFS_SB_OFFSET }).value;
      const findings: Probe['findings'] = [];
      if (v.bytenr !== BigInt(BTRFS_SB_OFFSET)) findings.push({ severity: 'warning', code: 'btrfs-bytenr', message: `the primary super block says it is at ${v.bytenr}, not 65536`, offset: at + BTRFS_SB_OFFSET + btrfsSuperBlock.offsetOf('bytenr'), path: 'bytenr' });
      return {
        name: 'btrfs', label: v.label, uuid: v.fsid, size: Number(v.devTotalBytes), blockSize: v.sectorsize,
        extra: { uuidSub: v.devUuid, devices: num(v.numDevices), nodeSize: v.nodesize, generation: num(v.generation), fsTotalBytes: num(v.totalBytes) },
        struct: btrfsSuperBlock, sbOffset: at + BTRFS_SB_OFFSET, sbLength: BTRFS_SB, findings,
      };
    }
  }
  for (const ps of SWAP_PAGE_SIZES) {
    if (size < ps) break;
    const n = SWAP_MAGICS[0].length; // the magic fills the page's last bytes
    const tail = ps <= head.length ? head.subarray(ps - n, ps) : ctx.tryRead(at + ps - n, n);
    const sig = tail ? Buffer.from(tail).toString('latin1') : '';
    if (!(SWAP_MAGICS as readonly string[]).includes(sig)) continue;
    const v = decodeStruct(swapHeader, head.subarray(SWAP_INFO_OFFSET, SWAP_INFO_OFFSET + swapHeader.requiredSize!), { base: at + SWAP_INFO_OFFSET }).value;
    const findings: Probe['findings'] = [];
    if (sig === 'SWAPSPACE2' && v.version !== 1) findings.push({ severity: 'warning', code: 'swap-version', message: `swap header version ${v.version}, Linux knows 1`, offset: at + SWAP_INFO_OFFSET, path: 'version' });
    return {
      name: 'swap', label: sig === 'SWAPSPACE2' ? v.volumeName : '', uuid: sig === 'SWAPSPACE2' ? v.uuid : '', size: (v.lastPage + 1) * ps, blockSize: ps,
      extra: { version: sig === 'SWAPSPACE2' ? v.version : 0, pageSize: ps, badPages: v.nrBadpages },
      struct: swapHeader, sbOffset: at + SWAP_INFO_OFFSET, sbLength: swapHeader.requiredSize!, findings,
    };
  }
  return undefined;
}

/** A `filesystem` layer for what starts at `at` in a container of `size` bytes, or undefined. */
export function detectFilesystem(ctx: InspectContext, at: number, size: number): Layer | undefined {
  const p = probe(ctx, at, size);
  if (!p) return undefined;
  const shown = Math.max(0, Math.min(p.size, size));
  const l = layer('filesystem', at, shown || Math.min(size, 4096), `${p.name}${p.label ? ` "${p.label}"` : ''} ${human(p.size)}`, {
    type: p.name, label: p.label, uuid: p.uuid, size: p.size, blockSize: p.blockSize, superBlockOffset: p.sbOffset, ...p.extra,
  });
  for (const f of p.findings) note(ctx, l, f);
  if (p.size > size) {
    note(ctx, l, { severity: 'error', code: 'fs-larger-than-container', message: `the ${p.name} file system says it spans ${p.size} bytes but its container holds ${size} (${hex(at)}+${size}): truncated or the table is wrong`, offset: p.sbOffset });
  } else if (p.size === 0) {
    note(ctx, l, { severity: 'error', code: 'fs-size-zero', message: `the ${p.name} super block gives a size of 0`, offset: p.sbOffset });
  }
  addDump(ctx, l, { struct: p.struct, offset: p.sbOffset, length: p.sbLength, title: `${p.name} super block` });
  return l;
}

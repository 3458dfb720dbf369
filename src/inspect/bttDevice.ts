/**
 * The logical block device of a BTT (/dev/pmemNs), read-only, for looking inside it: byte reads
 * become map lookups and data-block reads (map entries of a range in one read, runs of consecutive
 * blocks in one read), and every device offset can be turned back into the file offset of the byte
 * that holds it. The flog is honoured the way Linux sees it after btt_freelist_init(): the BTT is
 * opened with recovery over an in-memory overlay, so completed map entries are read without a
 * single byte written to the image.
 */
import { NvError } from '../core/errors.js';
import type { Arena, Btt } from '../infoblocks/btt.js';
import { MAP_ENT_SIZE, mapLookup } from '../infoblocks/bttLog.js';


interface Where {
  arena: Arena;
  premap: number;
}

/** Bytes of a BTT's logical device, and where each lives in the file. */
export class BttDevice {
  readonly size: number;
  readonly sectorSize: number;
  /** Map entries read so far, by LBA (raw values, after the overlay). */
  private readonly maps = new Map<number, number>();

  /** `fileBase`: file offset of the namespace the BTT's store is a window of. */
  constructor(readonly btt: Btt, readonly fileBase: number) {
    this.size = btt.size;
    this.sectorSize = btt.sectorSize;
  }

  private where(lba: number): Where {
    let rest = lba;
    for (const arena of this.btt.arenas) {
      if (rest < arena.info.externalNlba) return { arena, premap: rest };
      rest -= arena.info.externalNlba;
    }
    throw new NvError('btt', '', undefined, `LBA ${lba} is beyond the ${this.btt.nlba} sectors of the BTT`);
  }

  private mapOff(w: Where): number {
    return w.arena.mapAt + w.premap * MAP_ENT_SIZE;
  }

  /** Raw map entries of LBAs [lba, lba + n), one store read per arena touched. */
  private mapEntries(lba: number, n: number): number[] {
    const out: number[] = [];
    let at = lba;
    while (at < lba + n) {
      const w = this.where(at);
      const k = Math.min(lba + n - at, w.arena.info.externalNlba - w.premap);
      if (k <= 0) break;
      let cached = 0;
      while (cached < k && this.maps.has(at + cached)) cached++;
      if (cached === k) {
        for (let i = 0; i < k; i++) out.push(this.maps.get(at + i)!);
      } else {
        const b = this.btt.store.read(this.mapOff(w), k * MAP_ENT_SIZE);
        const dv = new DataView(b.buffer, b.byteOffset, b.length);
        for (let i = 0; i < k; i++) {
          const raw = dv.getUint32(i * MAP_ENT_SIZE, true);
          this.maps.set(at + i, raw);
          out.push(raw);
        }
      }
      at += k;
    }
    return out;
  }

  /** Namespace offset of the data block behind a sector, or undefined (trimmed: reads as zeros). Throws NvError on -EIO. */
  private blockOf(lba: number, raw: number): number | undefined {
    const w = this.where(lba);
    const m = mapLookup(raw, w.premap);
    if (m.trim) return undefined;
    if (m.error) throw new NvError('btt', '', this.fileBase + this.mapOff(w), `sector ${lba} has its map error flag set: Linux returns -EIO`);
    if (m.postmap >= w.arena.info.internalNlba) throw new NvError('btt', '', this.fileBase + this.mapOff(w), `map entry of sector ${lba} points at block ${m.postmap}, beyond internal_nlba ${w.arena.info.internalNlba}`);
    return w.arena.dataAt + m.postmap * w.arena.info.internalLbasize;
  }

  read(offset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new NvError('btt', '', undefined, `read of ${length} bytes at ${offset} is outside the ${this.size}-byte BTT device`);
    }
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const ss = this.sectorSize;
    const first = Math.floor(offset / ss);
    const last = Math.floor((offset + length - 1) / ss);
    const raws = this.mapEntries(first, last - first + 1);
    const blocks = raws.map((raw, i) => this.blockOf(first + i, raw));
    // Runs of sectors whose blocks follow each other (same stride) are read at once.
    let i = 0;
    while (i < blocks.length) {
      const b0 = blocks[i];
      const stride = this.where(first + i).arena.info.internalLbasize;
      let j = i + 1;
      if (b0 !== undefined) while (j < blocks.length && blocks[j] === b0 + (j - i) * stride && this.where(first + j).arena === this.where(first + i).arena) j++;
      const data = b0 === undefined ? undefined : this.btt.store.read(b0, (j - i - 1) * stride + ss);
      for (let k = i; k < j; k++) {
        const secStart = (first + k) * ss;
        const s = Math.max(secStart, offset);
        const e = Math.min(secStart + ss, offset + length);
        if (data) out.set(data.subarray((k - i) * stride + (s - secStart), (k - i) * stride + (e - secStart)), s - offset);
      }
      i = j;
    }
    return out;
  }

  /** File offset of the byte at device offset `off`, or undefined (trimmed or unreadable sector). */
  fileOffset(off: number): number | undefined {
    if (!Number.isSafeInteger(off) || off < 0 || off >= this.size) return undefined;
    const lba = Math.floor(off / this.sectorSize);
    try {
      const [raw] = this.mapEntries(lba, 1);
      const block = this.blockOf(lba, raw!);
      return block === undefined ? undefined : this.fileBase + block + (off % this.sectorSize);
    } catch (e) {
      if (e instanceof NvError) return undefined;
      throw e;
    }
  }

  /** Index of the arena serving device offset `off`. */
  arenaIndex(off: number): number {
    const lba = Math.min(Math.max(0, Math.floor(off / this.sectorSize)), Math.max(0, this.btt.nlba - 1));
    return this.btt.arenas.indexOf(this.where(lba).arena);
  }
}

import type { XenRc } from '../../xen/hypercalls/errno.js';
import { allSet, anySet, appendRuns, clearBits, setBits } from './bits.js';
import type { DomId, HostPmem, MemoryUse, OperationCost, PageRange, PermissionStore } from './types.js';

const PAGE = 4096;

/**
 * The flat per-domain bitmap (seed 001, Haozhong Zhang): for a host with N pages of pmem every
 * domain has an N-bit bitmap; bit m set = the domain may access host pmem page m. Allocated
 * when the domain first gets a page, freed when it is destroyed. Never refuses; costs N/8 bytes
 * per domain whatever it holds ("more overhead as soon as there are enough such domains", Jan
 * Beulich).
 */
export class BitmapStore implements PermissionStore {
  readonly design = 'bitmap' as const;
  private readonly maps = new Map<DomId, Uint32Array>();
  private readonly pages: number;

  constructor(private readonly host: HostPmem) {
    this.pages = host.last - host.first + 1;
  }

  private bit(pfn: number): number {
    return pfn - this.host.first;
  }

  /** `[first, last]` clipped to the host span, as bit indices, or undefined if nothing is left. */
  private clip(first: number, last: number): [number, number] | undefined {
    const a = Math.max(first, this.host.first);
    const b = Math.min(last, this.host.last);
    return a <= b ? [this.bit(a), this.bit(b)] : undefined;
  }

  grant(dom: DomId, first: number, last: number): XenRc {
    let m = this.maps.get(dom);
    if (!m) this.maps.set(dom, (m = new Uint32Array(Math.ceil(this.pages / 32))));
    setBits(m, this.bit(first), this.bit(last));
    return 0;
  }

  revoke(dom: DomId, first: number, last: number): XenRc {
    const m = this.maps.get(dom);
    const c = this.clip(first, last);
    if (m && c) clearBits(m, c[0], c[1]);
    return 0;
  }

  check(dom: DomId, first: number, last: number): boolean {
    const m = this.maps.get(dom);
    if (!m || first < this.host.first || last > this.host.last) return false;
    return allSet(m, this.bit(first), this.bit(last));
  }

  heldByOther(dom: DomId, first: number, last: number): boolean {
    const c = this.clip(first, last);
    if (c) for (const [d, m] of this.maps) if (d !== dom && anySet(m, c[0], c[1])) return true;
    return false;
  }

  ranges(dom: DomId): PageRange[] {
    const m = this.maps.get(dom);
    const out: PageRange[] = [];
    if (m) appendRuns(m, this.pages, this.host.first, out);
    return out;
  }

  domains(): DomId[] {
    return [...this.maps.keys()];
  }

  destroy(dom: DomId): void {
    this.maps.delete(dom);
  }

  /** One bitmap of N bits per domain, rounded up to whole 4 KiB pages (a bitmap that large is page-allocated). */
  static bytesPerDomain(pages: number): number {
    return Math.ceil(pages / 8 / PAGE) * PAGE;
  }

  memory(dom?: DomId): MemoryUse {
    const n = dom === undefined ? this.maps.size : this.maps.has(dom) ? 1 : 0;
    return { xenBytes: n * BitmapStore.bytesPerDomain(this.pages), where: 'ram', formula: `N/8 B per domain (N = ${this.pages} host pmem pages), rounded up to 4 KiB pages` };
  }

  worstCase(pages: number): OperationCost[] {
    const words = Math.ceil(pages / 32) + 1;
    const unit = '32-bit words touched';
    return [
      { op: 'grant', steps: words, unit, bound: 'L/32 words for a range of L pages' },
      { op: 'revoke', steps: words, unit, bound: 'L/32 words' },
      { op: 'check', steps: words, unit, bound: 'L/32 words' },
      { op: 'heldByOther', steps: words * Math.max(0, this.maps.size - 1), unit, bound: 'L/32 words in each other domain' },
      { op: 'destroy', steps: 1, unit: 'bitmaps freed', bound: 'one free' },
    ];
  }
}

/**
 * What taking over a pmem range costs (xen.md §1A/§2 R-layout-2; seed 003 discussion II): the
 * frame table (32 bytes a page) and M2P (8 bytes a page) Xen keeps in pmem, what the size check
 * demands, what the code's 2 MiB-chunk layout really takes, and the page tables Dom0 — which has no
 * huge pages as a PV guest — needs in RAM to map the range and its frame table with 4 KiB pages,
 * against 2 MiB pages. Every number comes from geometry.ts, the constants the writer uses.
 */
import { COMPAT_M2P_CHUNK_FRAMES, COMPAT_M2P_LIMIT, HOTADD_CHUNK_PAGES, M2P_CHUNK_FRAMES, M2P_ENTRY_SIZE, PAGE_INFO_SIZE, PAGE_SHIFT, PDX_GROUP_COUNT, XEN_PAGE_SIZE, requiredMetadataPages } from './geometry.js';

const P = BigInt(XEN_PAGE_SIZE);
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

export interface Cost {
  bytes: bigint;
  pages: bigint;
}
const cost = (bytes: bigint): Cost => ({ bytes, pages: ceilDiv(bytes, P) });

export interface PageTableCost {
  /** Page-table pages per level (L1 absent with 2 MiB pages). */
  l1: bigint;
  l2: bigint;
  l3: bigint;
  bytes: bigint;
}

/** x86-64 4-level paging: one 4 KiB table maps 512 entries of the level below. */
export function pageTablesFor(bytes: bigint, leaf: '4K' | '2M'): PageTableCost {
  const l1 = leaf === '4K' ? ceilDiv(bytes, 2n << 20n) : 0n;
  const l2 = ceilDiv(bytes, 1n << 30n);
  const l3 = ceilDiv(bytes, 512n << 30n);
  return { l1, l2, l3, bytes: (l1 + l2 + l3) * P };
}

export interface MetadataReport {
  managed: Cost;
  frameTable: Cost;
  m2p: Cost;
  /** Frame table + M2P, each rounded up to pages (the formula layout). */
  total: Cost;
  /** `(32·N >> 12) + (8·N >> 12)`: what pmem_add_check / check_mgmt_size demand. */
  checkPages: bigint;
  /** The code layout for a range starting at `at` with nothing mapped before: 2 MiB chunks. */
  codeLayout: { frameTableChunks: bigint; m2pChunks: bigint; compatM2pChunks: bigint; pages: bigint; at: bigint };
  dom0: {
    mapRange: { '4K': PageTableCost; '2M': PageTableCost };
    mapFrameTable: { '4K': PageTableCost; '2M': PageTableCost };
  };
}

/** The report for `bytes` of pmem (whole pages) starting at machine address `at` (default 0x140000000: QEMU's first DIMM above 4 GiB RAM). */
export function metadataReport(bytes: bigint, at = 0x140000000n): MetadataReport {
  const pages = bytes / P;
  const ft = cost(pages * BigInt(PAGE_INFO_SIZE));
  const m2p = cost(pages * BigInt(M2P_ENTRY_SIZE));
  const s = at >> PAGE_SHIFT;
  const e = s + pages;
  const span = (unit: bigint) => (pages === 0n ? 0n : ceilDiv(e, unit) - s / unit);
  const compatEnd = e < COMPAT_M2P_LIMIT ? e : COMPAT_M2P_LIMIT;
  const compat = s >= COMPAT_M2P_LIMIT || pages === 0n ? 0n : ceilDiv(compatEnd, COMPAT_M2P_CHUNK_FRAMES) - s / COMPAT_M2P_CHUNK_FRAMES;
  const ftChunks = span(PDX_GROUP_COUNT);
  const m2pChunks = span(M2P_CHUNK_FRAMES);
  return {
    managed: { bytes: pages * P, pages },
    frameTable: ft,
    m2p,
    total: { bytes: (ft.pages + m2p.pages) * P, pages: ft.pages + m2p.pages },
    checkPages: requiredMetadataPages(pages),
    codeLayout: { frameTableChunks: ftChunks, m2pChunks, compatM2pChunks: compat, pages: (ftChunks + m2pChunks + compat) * HOTADD_CHUNK_PAGES, at },
    dom0: {
      mapRange: { '4K': pageTablesFor(pages * P, '4K'), '2M': pageTablesFor(pages * P, '2M') },
      mapFrameTable: { '4K': pageTablesFor(ft.pages * P, '4K'), '2M': pageTablesFor(ft.pages * P, '2M') },
    },
  };
}

const human = (b: bigint): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Number(b);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${units[i]}`;
};

export function formatMetadataReport(r: MetadataReport): string {
  const c = (x: Cost) => `${human(x.bytes)} (${x.pages} pages)`;
  const pt = (x: PageTableCost) => `${human(x.bytes)} (L1 ${x.l1}, L2 ${x.l2}, L3 ${x.l3} tables)`;
  const pct = (Number(r.total.bytes) / Number(r.managed.bytes || 1n)) * 100;
  return [
    `managed range:            ${c(r.managed)}`,
    `frame table (32 B/page):  ${c(r.frameTable)}`,
    `M2P (8 B/page):           ${c(r.m2p)}`,
    `metadata in pmem:         ${c(r.total)} = ${pct.toFixed(3)} % of the range`,
    `size check demands:       ${r.checkPages} pages ((32·N >> 12) + (8·N >> 12), xen.md §1A)`,
    `code layout at 0x${r.codeLayout.at.toString(16)}: ${r.codeLayout.frameTableChunks} frame-table + ${r.codeLayout.m2pChunks} M2P + ${r.codeLayout.compatM2pChunks} compat-M2P chunks of 2 MiB = ${r.codeLayout.pages} pages${r.codeLayout.pages > r.checkPages ? ` (${r.codeLayout.pages - r.checkPages} more than the check demands)` : ''}`,
    `Dom0 page tables (RAM) to map the range:       4 KiB pages ${pt(r.dom0.mapRange['4K'])}; 2 MiB pages ${pt(r.dom0.mapRange['2M'])}`,
    `Dom0 page tables (RAM) to map its frame table: 4 KiB pages ${pt(r.dom0.mapFrameTable['4K'])}; 2 MiB pages ${pt(r.dom0.mapFrameTable['2M'])}`,
  ].join('\n');
}

/**
 * The Xen pmem super block (src/xen, nvtool's own format), its reserved area, and a sample of the
 * frame table and M2P in it: only the super block and two page_info entries are read, never the
 * table itself (it is 0.8 % of the managed range: 8 GiB on a 1 TiB namespace).
 */
import { decodeStruct, encodeStruct } from '../core/schema/index.js';
// The modules themselves, not the barrel: it also exports the fuzz targets, which load fast-check.
import { INITIAL_PAGE_INFO, INVALID_M2P_ENTRY, M2P_ENTRY_SIZE, PAGE_INFO_SIZE, describeCountInfo, pageInfo } from '../xen/pageInfo.js';
import { PLACEMENT_NAMES, XEN_SB_FLAGS, XEN_SB_MAGIC, XEN_SB_SIZE, checkSuperBlock, xenSuperBlock } from '../xen/superblock.js';
import { SAMPLES, m2pState, pageInfoState, scanRuns, type RunScan } from './frameTable.js';
import { addDump, hex, human, layer, note, noteAll, num, type InspectContext, type Layer } from './layer.js';

export function hasXenMagic(ctx: InspectContext, at: number): boolean {
  const b = ctx.tryRead(at + xenSuperBlock.offsetOf('magic'), XEN_SB_MAGIC.length);
  return !!b && Buffer.from(b).toString('latin1') === XEN_SB_MAGIC;
}

/**
 * The layers of a super block found at `container + sbOff`: `xen-superblock`, and `xen-reserved`
 * when the area it names is inside the file. `foundAs` is the placement code of where it was found.
 */
export function xenLayers(ctx: InspectContext, container: number, containerSize: number, sbOff: number, foundAs: 1 | 2 | 3): Layer[] {
  const abs = container + sbOff;
  const raw = ctx.read(abs, Math.min(XEN_SB_SIZE, ctx.size - abs));
  const sbl = layer('xen-superblock', abs, raw.length, 'Xen pmem super block');
  if (raw.length < XEN_SB_SIZE) {
    note(ctx, sbl, { severity: 'error', code: 'xen-truncated', message: `the super block is cut off by the end of the file (${raw.length} of ${XEN_SB_SIZE} bytes)`, offset: abs });
    return [sbl];
  }
  const d = decodeStruct(xenSuperBlock, raw, { format: 'xen.superblock', base: abs });
  const sb = d.value;
  noteAll(ctx, sbl, d.findings);
  noteAll(ctx, sbl, checkSuperBlock(sb, sbOff, containerSize, abs));
  if (sb.placement !== foundAs) note(ctx, sbl, { severity: 'warning', code: 'placement', path: 'placement', offset: abs + xenSuperBlock.offsetOf('placement'), message: `says placement ${sb.placement} but was found as placement ${foundAs} (${PLACEMENT_NAMES[foundAs]})` });
  const flags = sb.flags;
  sbl.label = `Xen super block, placement ${PLACEMENT_NAMES[sb.placement]?.slice(0, 3) ?? sb.placement}`;
  sbl.fields = {
    uuid: sb.uuid, containerUuid: sb.containerUuid, version: `${sb.versionMajor}.${sb.versionMinor}`, placement: sb.placement,
    placementName: PLACEMENT_NAMES[sb.placement] ?? 'unknown', containerOffset: container, containerSize,
    frameTableInitialized: (flags & XEN_SB_FLAGS.frameTableInitialized) !== 0, m2pInitialized: (flags & XEN_SB_FLAGS.m2pInitialized) !== 0,
    managedOffset: container + Number(sb.managedOffset), managedPages: num(sb.managedPages),
    reservedOffset: container + Number(sb.reservedOffset), reservedSize: num(sb.reservedSize),
    dataOffset: container + Number(sb.dataOffset), dataSize: num(sb.dataSize),
  };
  addDump(ctx, sbl, { struct: xenSuperBlock, offset: abs, length: xenSuperBlock.offsetOf('reserved'), title: 'Xen pmem super block' });
  const out = [sbl];
  const rOff = container + Number(sb.reservedOffset);
  const rLen = Number(sb.reservedSize);
  if (!(Number.isSafeInteger(rOff) && Number.isSafeInteger(rLen) && rLen > 0 && rOff >= container && rOff + rLen <= Math.min(ctx.size, container + containerSize))) {
    note(ctx, sbl, { severity: 'error', code: 'reserved-outside', path: 'reservedOffset', offset: abs + xenSuperBlock.offsetOf('reservedOffset'), message: `the reserved area ${hex(rOff)}+${rLen} is not inside its container: not shown` });
    return out;
  }
  const rl = layer('xen-reserved', rOff, rLen, `reserved for Xen ${human(rLen)}`);
  const ft = container + Number(sb.frameTableOffset);
  const m2p = container + Number(sb.m2pOffset);
  rl.fields = {
    frameTable: { offset: ft, size: num(sb.frameTableSize), entries: num(sb.managedPages), entrySize: PAGE_INFO_SIZE },
    m2p: { offset: m2p, size: num(sb.m2pSize), entries: num(sb.managedPages), entrySize: 8 },
  };
  out.push(rl);
  const pages = Number(sb.managedPages);
  const want = encodeStruct(pageInfo, INITIAL_PAGE_INFO);
  const samples: { [k: string]: string } = {};
  const written = { frameTable: false };
  for (const [name, i] of [['first', 0], ['last', pages - 1]] as const) {
    if (pages <= 0) break;
    const at = ft + i * PAGE_INFO_SIZE;
    if (at < rOff || at + PAGE_INFO_SIZE > rOff + rLen) continue;
    const b = ctx.read(at, PAGE_INFO_SIZE);
    const v = decodeStruct(pageInfo, b, { base: at }).value;
    samples[name] = describeCountInfo(v.countInfo);
    const initial = b.every((x, k) => x === want[k]);
    if (!b.every((x) => x === 0)) written.frameTable = true;
    if (sbl.fields.frameTableInitialized && !initial) {
      note(ctx, rl, { severity: 'info', code: 'frame-table-used', path: `frameTable[${i}]`, offset: at, message: `page_info ${i} is no longer the initial free|pmem entry (${samples[name]}): Xen has used the table since, or it is damaged` });
    }
    if (!sbl.fields.frameTableInitialized && !b.every((x) => x === 0) && !initial) {
      note(ctx, rl, { severity: 'warning', code: 'frame-table-unflagged', path: `frameTable[${i}]`, offset: at, message: 'the super block says the frame table is not initialized, but its entries are not zero', confidence: 'likely' });
    }
    if (name === 'first') addDump(ctx, rl, { struct: pageInfo, offset: at, length: PAGE_INFO_SIZE, title: 'frame table entry 0 (struct page_info)' });
  }
  rl.fields.frameTableSample = samples;
  // The tables are summarised only where something says they were written: the super block's flags
  // (nvtool's writer) or a non-zero entry 0 / N-1 (Xen builds them without touching nvtool's flags).
  // A never-written table of a large namespace is otherwise 1025 sampled reads of zeros.
  const ftl = sbl.fields.frameTableInitialized || written.frameTable ? frameTableLayer(ctx, ft, pages, container + Number(sb.managedOffset), rOff, rLen) : undefined;
  const xenBuilt = ftl?.fields.builtBy === 'xen';
  if (xenBuilt) {
    rl.findings = rl.findings.filter((f) => f.code !== 'frame-table-unflagged' && f.code !== 'frame-table-used');
    note(ctx, rl, { severity: 'info', code: 'frame-table-built-by-xen', offset: ft, message: 'Xen has built the frame table over this range (page states as pmem_setup / pmem_arch_setup leave them); the super block\'s flags are nvtool\'s and Xen does not set them' });
  }
  let m2pWritten = false;
  if (pages > 0 && m2p >= rOff && m2p + M2P_ENTRY_SIZE <= rOff + rLen) {
    const b = ctx.read(m2p, M2P_ENTRY_SIZE);
    const e = new DataView(b.buffer, b.byteOffset, M2P_ENTRY_SIZE).getBigUint64(0, true);
    m2pWritten = e !== 0n;
    rl.fields.m2pFirst = e === INVALID_M2P_ENTRY ? 'INVALID_M2P_ENTRY' : hex(Number(e & 0xffffffffffffn));
    if (sbl.fields.m2pInitialized && e !== INVALID_M2P_ENTRY) note(ctx, rl, { severity: 'info', code: 'm2p-used', path: 'm2p[0]', offset: m2p, message: 'M2P entry 0 is no longer INVALID_M2P_ENTRY' });
  }
  const m2pl = sbl.fields.m2pInitialized || ftl || m2pWritten ? m2pLayer(ctx, m2p, pages) : undefined;
  rl.children.push(...[ftl, m2pl].filter((x): x is Layer => !!x));
  if (!sbl.fields.frameTableInitialized && !xenBuilt) note(ctx, rl, { severity: 'info', code: 'frame-table-not-initialized', path: 'flags', offset: abs + xenSuperBlock.offsetOf('flags'), message: 'the super block says the frame table has not been written yet (flags bit 0 clear)' });
  return out;
}

const MAX_SHOWN_RUNS = 32;

function runFields(scan: RunScan, base: number) {
  const totals: Record<string, number> = {};
  for (const r of scan.runs) totals[r.state] = (totals[r.state] ?? 0) + r.count;
  return {
    runCount: scan.runs.length,
    runs: scan.runs.slice(0, MAX_SHOWN_RUNS).map((r) => ({ pages: `${base + r.first}..${base + r.first + r.count - 1}`, count: r.count, state: r.state })),
    totals,
    sampled: scan.sampled,
  };
}

/**
 * A frame table (or one chunk of it) as a layer: runs of page states, frame numbers counted from
 * `base`, damage as findings; with `reserved` (v1: the reserved pages, counted from `base`), Xen
 * v1's rule that only reserved pages holding metadata are in use.
 */
export function frameTableRunsLayer(ctx: InspectContext, ft: number, pages: number, o: { base?: number; reserved?: [number, number]; label?: string } = {}): Layer | undefined {
  if (!(pages > 0 && ft >= 0 && ft + pages * PAGE_INFO_SIZE <= ctx.size)) return undefined;
  const base = o.base ?? 0;
  const scan = scanRuns((off, len) => ctx.read(off, len), ft, pages, PAGE_INFO_SIZE, pageInfoState, ctx.deep ?? false);
  // An all-zero page_info is Xen v1's in-use state, but a table of nothing else was never written.
  if (scan.runs.length === 1 && scan.runs[0]!.state.startsWith('in use (Xen v1')) scan.runs[0]!.state = 'zero (never written)';
  const l = layer('xen-frame-table', ft, pages * PAGE_INFO_SIZE, `${o.label ?? 'frame table'}: ${pages} page_info, ${scan.runs.length} run(s)${scan.sampled ? ' (sampled)' : ''}`);
  const xen = scan.runs.every((r) => /Xen|unused/.test(r.state));
  l.fields = { entries: pages, entrySize: PAGE_INFO_SIZE, builtBy: xen ? 'xen' : scan.runs.every((r) => r.state.includes('nvtool')) ? 'nvtool' : scan.runs.every((r) => r.state.startsWith('zero')) ? 'none' : 'mixed', ...runFields(scan, base) };
  for (const r of scan.runs) {
    if (r.state.startsWith('damaged')) {
      note(ctx, l, { severity: 'error', code: 'frame-table-damaged', path: `frameTable[${r.first}]`, offset: ft + r.first * PAGE_INFO_SIZE, message: `page_info ${base + r.first}..${base + r.first + r.count - 1} (${r.count}): ${r.state.slice(9)}; not a state Xen or nvtool leaves` });
    }
    if (o.reserved && r.state.startsWith('in use (Xen v1')) {
      const [firstRsv, endRsv] = o.reserved;
      if (r.first < firstRsv || r.first + r.count > endRsv) {
        note(ctx, l, { severity: 'error', code: 'frame-table-inuse-outside-reserved', path: `frameTable[${r.first}]`, offset: ft + r.first * PAGE_INFO_SIZE, message: `pages ${base + r.first}..${base + r.first + r.count - 1} are in use, but Xen v1 marks in use only reserved pages holding its metadata (pages ${base + firstRsv}..${base + endRsv - 1})` });
      }
    }
  }
  if (scan.stoppedAt !== undefined) note(ctx, l, { severity: 'warning', code: 'frame-table-unsummarised', offset: ft + scan.stoppedAt * PAGE_INFO_SIZE, message: `more than ${scan.runs.length} distinct runs: entries from ${scan.stoppedAt} on are not summarised` });
  if (scan.sampled) note(ctx, l, { severity: 'info', code: 'frame-table-sampled', offset: ft, confidence: 'likely', message: `runs from ${SAMPLES + 1} samples of this ${human(pages * PAGE_INFO_SIZE)} table and a bisection at each change; a run shorter than the sample spacing can be missed (inspect --deep reads it whole)` });
  return l;
}

function frameTableLayer(ctx: InspectContext, ft: number, pages: number, managedStart: number, rOff: number, rLen: number): Layer | undefined {
  if (!(ft >= rOff && ft + pages * PAGE_INFO_SIZE <= rOff + rLen)) return undefined;
  const firstRsv = (rOff - managedStart) / 4096;
  return frameTableRunsLayer(ctx, ft, pages, { reserved: [firstRsv, firstRsv + rLen / 4096] });
}

/** An M2P (or one chunk of it) as a layer of runs of 8-byte entries. */
export function m2pRunsLayer(ctx: InspectContext, m2p: number, entries: number, o: { base?: number; label?: string } = {}): Layer | undefined {
  if (!(entries > 0 && m2p >= 0 && m2p + entries * 8 <= ctx.size)) return undefined;
  const scan = scanRuns((off, len) => ctx.read(off, len), m2p, entries, 8, m2pState, ctx.deep ?? false);
  const l = layer('xen-m2p', m2p, entries * 8, `${o.label ?? 'M2P'}: ${entries} entries, ${scan.runs.length} run(s)${scan.sampled ? ' (sampled)' : ''}`);
  l.fields = { entries, entrySize: 8, ...runFields(scan, o.base ?? 0) };
  return l;
}

const m2pLayer = (ctx: InspectContext, m2p: number, pages: number) => m2pRunsLayer(ctx, m2p, pages);

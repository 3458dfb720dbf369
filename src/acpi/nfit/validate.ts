import type { Finding } from '../../core/schema/index.js';
import type { RawRecord } from '../../core/schema/records.js';
import { hexInt } from '../../core/hex.js';
import { VIRTUAL_RANGE_GUIDS } from './guids.js';
import { MEMDEV_FLAGS } from './memoryMap.js';
import { SPA_FLAGS } from './spaRange.js';
import type { ControlRegion, FlushHint, Interleave, MemoryMap, Nfit, NfitStructure, SpaRange, Capabilities, BlockDataWindow } from './table.js';

const isRaw = (s: NfitStructure): s is RawRecord => (s as RawRecord).$raw === true;

/** The decoded structures grouped by type, each with its index in the table (for paths); one pass. */
function byType(list: readonly NfitStructure[]): Map<number, { s: unknown; i: number }[]> {
  const out = new Map<number, { s: unknown; i: number }[]>();
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    if (isRaw(s)) continue;
    let g = out.get(s.type);
    if (!g) out.set(s.type, (g = []));
    g.push({ s, i });
  }
  return out;
}

/**
 * Semantic checks over a decoded NFIT (byte-level findings come from the decoder): lengths as
 * Linux's drivers/acpi/nfit/core.c checks them, dangling and duplicate indexes, overlapping SPA
 * ranges, health flags. `offsets[i]` is the absolute offset of structure i, when known.
 */
export function validateNfit(nfit: Pick<Nfit, 'structures'> & { revision?: number }, offsets: readonly number[] = []): Finding[] {
  const out: Finding[] = [];
  const list = nfit.structures;
  const at = (i: number, rel = 0) => (offsets[i] === undefined ? undefined : offsets[i]! + rel);
  const add = (severity: Finding['severity'], code: string, i: number, field: string, message: string, rel = 0) => {
    const off = at(i, rel);
    out.push({ severity, code, path: `structures[${i}]${field ? '.' + field : ''}`, ...(off === undefined ? {} : { offset: off }), message });
  };
  if (nfit.revision !== undefined && nfit.revision !== 1) {
    out.push({ severity: 'warning', code: 'revision', path: 'revision', offset: 8, message: `NFIT revision is ${nfit.revision}; ACPI 6.0-6.5 define revision 1` });
  }

  const groups = byType(list);
  const ofType = <T>(type: number) => (groups.get(type) ?? []) as { s: T; i: number }[];
  const spas = ofType<SpaRange>(0);
  const memdevs = ofType<MemoryMap>(1);
  const idts = ofType<Interleave>(2);
  const dcrs = ofType<ControlRegion>(4);
  const bdws = ofType<BlockDataWindow>(5);
  const flushes = ofType<FlushHint>(6);
  const caps = ofType<Capabilities>(7);

  // Lengths, as Linux's add_* functions demand them (a failure aborts the whole NFIT parse).
  for (const { s, i } of spas) {
    const cookie = (s.flags & SPA_FLAGS.locationCookieValid) !== 0;
    if (cookie && s.length !== 64) add('error', 'linux-length', i, 'length', `SPA with Location Cookie Valid must be 64 bytes, is ${s.length}: Linux rejects the NFIT`, 2);
    else if (!cookie && s.length === 64) add('error', 'linux-length', i, 'length', 'SPA is 64 bytes (ACPICA-style, with a location cookie) but Location Cookie Valid is clear: Linux rejects the NFIT', 2);
    else if (!cookie && s.length !== 56) add('error', 'linux-length', i, 'length', `SPA must be 56 bytes, is ${s.length}: Linux rejects the NFIT`, 2);
    if (s.rangeIndex === 0 && !VIRTUAL_RANGE_GUIDS.has(s.rangeGuid)) add('error', 'zero-index', i, 'rangeIndex', 'SPA range index 0 is reserved (means "not valid")', 4);
  }
  for (const { s, i } of memdevs) if (s.length !== 48) add('error', 'linux-length', i, 'length', `memory device map must be 48 bytes, is ${s.length}: Linux rejects the NFIT`, 2);
  for (const { s, i } of bdws) if (s.length !== 40) add('error', 'linux-length', i, 'length', `block data window must be 40 bytes, is ${s.length}: Linux rejects the NFIT`, 2);
  for (const { s, i } of dcrs) {
    if (s.windows !== 0 && s.length < 80) add('error', 'linux-length', i, 'length', `control region has ${s.windows} block windows but is ${s.length} bytes: the window fields need 80`, 2);
    else if (s.length !== 32 && s.length !== 80) add('warning', 'length', i, 'length', `control region is ${s.length} bytes; ACPI defines 80, Linux also accepts the 32-byte short form`, 2);
  }
  for (const { s, i } of idts) {
    if (s.lineCount === 0) add('warning', 'empty-interleave', i, 'lineCount', 'interleave with no lines; kernels before 6.5 compute its size with an underflow', 8);
    if (s.length < 20) add('warning', 'old-linux-length', i, 'length', `interleave of ${s.length} bytes is below the 20 bytes older Linux kernels require`, 2);
  }
  for (const { s, i } of flushes) if (s.length < 24) add('warning', 'old-linux-length', i, 'length', `flush hint of ${s.length} bytes is below the 24 bytes older Linux kernels require`, 2);

  // Duplicate indexes.
  const dup = <T>(items: { s: T; i: number }[], key: (s: T) => number, what: string, field: string, rel: number) => {
    const seen = new Map<number, number>();
    for (const { s, i } of items) {
      const k = key(s);
      if (seen.has(k)) add('error', 'duplicate-index', i, field, `${what} ${k} is also used by structures[${seen.get(k)}]`, rel);
      else seen.set(k, i);
    }
  };
  dup(spas.filter(({ s }) => s.rangeIndex !== 0), (s) => s.rangeIndex, 'SPA range index', 'rangeIndex', 4);
  dup(dcrs, (s) => s.regionIndex, 'control region index', 'regionIndex', 4);
  dup(idts, (s) => s.interleaveIndex, 'interleave index', 'interleaveIndex', 4);

  // Dangling references.
  const spaIdx = new Set(spas.map(({ s }) => s.rangeIndex));
  const dcrIdx = new Set(dcrs.map(({ s }) => s.regionIndex));
  const idtIdx = new Set(idts.map(({ s }) => s.interleaveIndex));
  const handles = new Set(memdevs.map(({ s }) => s.deviceHandle));
  for (const { s, i } of memdevs) {
    if (s.rangeIndex !== 0 && !spaIdx.has(s.rangeIndex)) add('error', 'dangling-spa-index', i, 'rangeIndex', `names SPA range ${s.rangeIndex}, which no SPA structure has`, 12);
    if (!dcrIdx.has(s.regionIndex)) add('error', 'dangling-dcr-index', i, 'regionIndex', `names control region ${s.regionIndex}, which no control region structure has`, 14);
    if (s.interleaveIndex !== 0 && !idtIdx.has(s.interleaveIndex)) add('error', 'dangling-interleave-index', i, 'interleaveIndex', `names interleave ${s.interleaveIndex}, which no interleave structure has`, 40);
    if (s.interleaveWays > 1 && s.interleaveIndex === 0) add('warning', 'interleave-missing', i, 'interleaveWays', `${s.interleaveWays}-way interleave without an interleave structure`, 42);
    const health = s.flags & 0x5f; // every MEMDEV flag but "health events enabled" reports a problem
    for (let bit = 0; bit < 7; bit++) {
      if (health & (1 << bit)) add('warning', 'health', i, 'flags', `health: ${MEMDEV_FLAGS[bit as keyof typeof MEMDEV_FLAGS]} (handle ${hexInt(s.deviceHandle)})`, 44);
    }
    if (s.flags & ~0x7f) add('warning', 'reserved-bits', i, 'flags', `reserved flag bits set: ${hexInt(s.flags & ~0x7f)}`, 44);
  }
  for (const { s, i } of bdws) if (!dcrIdx.has(s.regionIndex)) add('error', 'dangling-dcr-index', i, 'regionIndex', `names control region ${s.regionIndex}, which no control region structure has`, 4);
  for (const { s, i } of flushes) if (!handles.has(s.deviceHandle)) add('warning', 'dangling-handle', i, 'deviceHandle', `flush hints for device handle ${hexInt(s.deviceHandle)}, which no memory device map names`, 4);

  // Overlapping SPA ranges.
  const ranges = spas.filter(({ s }) => s.rangeLength > 0n).sort((a, b) => (a.s.address < b.s.address ? -1 : a.s.address > b.s.address ? 1 : 0));
  for (let k = 1; k < ranges.length; k++) {
    const prev = ranges[k - 1]!;
    const cur = ranges[k]!;
    if (cur.s.address < prev.s.address + prev.s.rangeLength) {
      add('error', 'overlapping-spa', cur.i, 'address', `SPA range ${cur.s.rangeIndex} [${hexInt(cur.s.address)}, +${hexInt(cur.s.rangeLength)}) overlaps SPA range ${prev.s.rangeIndex} (structures[${prev.i}])`, 32);
    }
  }

  for (const { s, i } of caps) {
    const mask = s.highestCapability >= 31 ? 0xffffffff : (1 << (s.highestCapability + 1)) - 1;
    if ((s.capabilities & ~mask) >>> 0) add('warning', 'ignored-capabilities', i, 'capabilities', `bits above the highest valid capability (${s.highestCapability}) are set; Linux ignores them`, 8);
  }
  if (caps.length > 1) add('warning', 'duplicate-capabilities', caps[1]!.i, '', 'more than one Platform Capabilities structure');
  return out;
}

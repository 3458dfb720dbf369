/**
 * `mem_hotadd_check` (xen/arch/x86/x86_64/mm.c): the memory hot-add sanity check both designs run
 * before extending the frame table, in its two versions. v1 (nvdimm-rfc-v1/-v2) checks only the
 * PDX groups from the first whole one (rounded up) to the last one (excluded) and refuses a range
 * holding no whole group before its last (`sidx >= eidx`): a single 256 MiB-aligned group is
 * refused. v3/v4 carry 9645c41a8f "x86_64/mm: fix the PDX group check": sidx rounds down and the
 * `sidx >= eidx` test is gone. In both, a run of already-valid groups at the start of the range
 * passes; only a valid group after an invalid one fails.
 */
import { COMPAT_M2P_CHUNK_FRAMES, COMPAT_M2P_LIMIT, FRAMETABLE_NR, HOTADD_CHUNK_PAGES, M2P_CHUNK_FRAMES, PAGE_INFO_SIZE, PAGE_SHIFT, PDX_GROUP_COUNT } from './geometry.js';
import type { VirtualMaps } from './metadataLayout.js';

const roundUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;
const roundDown = (v: bigint, a: bigint) => v - (v % a);

/** undefined when the check passes, else why it fails (the simulation's words; Xen just returns 0). */
export function memHotaddCheck(m: VirtualMaps, spfn: bigint, epfn: bigint, version: 'v1' | 'v3'): string | undefined {
  if (spfn >= epfn) return 'spfn >= epfn';
  if (epfn > FRAMETABLE_NR) return `epfn 0x${epfn.toString(16)} is beyond the frame table's reach (FRAMETABLE_NR 0x${FRAMETABLE_NR.toString(16)})`;
  if ((spfn | epfn) & (HOTADD_CHUNK_PAGES - 1n)) return 'spfn or epfn is not 2 MiB-aligned (a multiple of 512 frames)';
  const sidx = (version === 'v1' ? roundUp(spfn, PDX_GROUP_COUNT) : roundDown(spfn, PDX_GROUP_COUNT)) / PDX_GROUP_COUNT;
  const eidx = roundDown(epfn - 1n, PDX_GROUP_COUNT) / PDX_GROUP_COUNT;
  if (version === 'v1' && sidx >= eidx) return 'the range holds no whole PDX group (256 MiB) besides its last';
  let s = sidx;
  while (s < eidx && m.pdxGroupValid.has(s)) s++;
  for (let e = s; e < eidx; e++) if (m.pdxGroupValid.has(e)) return `PDX group 0x${e.toString(16)} (frames 0x${(e * PDX_GROUP_COUNT).toString(16)}+) is already present`;
  let length = (roundUp(epfn, M2P_CHUNK_FRAMES) - roundDown(spfn, M2P_CHUNK_FRAMES)) * 8n;
  const cs = roundDown(spfn, COMPAT_M2P_CHUNK_FRAMES);
  let ce = roundUp(epfn, COMPAT_M2P_CHUNK_FRAMES);
  if (ce > COMPAT_M2P_LIMIT) ce = COMPAT_M2P_LIMIT;
  if (ce > cs) length += (ce - cs) * 4n;
  length += (roundUp(epfn, PDX_GROUP_COUNT) - roundDown(spfn, PDX_GROUP_COUNT)) * BigInt(PAGE_INFO_SIZE);
  if (length >> PAGE_SHIFT > epfn - spfn) return 'the range is smaller than its own frame table and M2P';
  return undefined;
}

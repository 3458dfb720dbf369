/**
 * A namespace's personality found the way Linux's nd_pmem_probe() finds it, written once for the
 * block-device views (view.ts) and `inspect`: the BTT first (claim class none/btt → BTT 1.1 at
 * 4 KiB, btt2 → BTT 2.0 at 0; namespaces of 16 MiB and more), then the PFN, then the DAX info block
 * at 4 KiB, each only where the claim class allows it; otherwise raw. Opening a BTT runs Linux's
 * flog recovery (btt_freelist_init), either on the media or into an in-memory overlay.
 */
import { OverlayBlockIO, type BlockIO } from '../core/blockio.js';
import { isNvError, type NvError } from '../core/errors.js';
import type { Finding } from '../core/schema/index.js';
import { Btt } from '../infoblocks/btt.js';
import type { BttVersion } from '../infoblocks/bttLayout.js';
import { DAX_SIG, PFN_INFO_OFFSET, PFN_INFO_SIZE, PFN_SIG, decodePfnInfo, pfnDataRange, pfnSignatureOf, validatePfnInfo, type PfnInfo } from '../infoblocks/pfn.js';
import type { ClaimClass } from './labelsGlue.js';

/** The smallest namespace nd_pmem_probe tries a BTT on (nvtool's rule, as before: 16 MiB). */
export const BTT_MIN_NAMESPACE_SIZE = 16 * 1024 * 1024;

/** Claim class none lets Linux try every personality; any other class only its own. */
export const claimAllows = (c: ClaimClass, ...ok: ClaimClass[]): boolean => c === 'none' || ok.includes(c);

/** The BTT version a claim class asks for: btt2 → 2.0 at offset 0, otherwise 1.1 at 4 KiB. */
export function bttVersionFor(c: ClaimClass): BttVersion {
  return c === 'btt2' ? { major: 2, minor: 0 } : { major: 1, minor: 1 };
}

export interface ProbedNamespace {
  size: number;
  claimClass: ClaimClass;
  /** Where the namespace starts in the image (offsets of findings). */
  offset: number;
  /** Its SPA (nsio->res.start): the PFN block's alignment checks (labelsGlue namespacePhysStart). */
  physStart: number;
  /** The uuid info blocks must name as parent (nil for a label-less namespace). */
  uuid: string;
}

export type BttProbe = { btt: Btt } | { error: NvError };

/**
 * Step 1: open the BTT the claim class allows, or undefined when the class or the size rule it out.
 * `recover: 'memory'` keeps Linux's flog recovery in an overlay (the media is never written).
 * `checkParent`: compare the BTT's parent uuid with the namespace's (false: a label-less namespace).
 */
export function probeBtt(store: BlockIO, ns: ProbedNamespace, o: { recover: 'media' | 'memory'; checkParent: boolean }): BttProbe | undefined {
  if (!claimAllows(ns.claimClass, 'btt', 'btt2') || ns.size < BTT_MIN_NAMESPACE_SIZE) return undefined;
  try {
    const io = o.recover === 'memory' ? new OverlayBlockIO(store) : store;
    return { btt: Btt.open(io, { version: bttVersionFor(ns.claimClass), ...(o.checkParent ? { namespaceUuid: ns.uuid } : {}), recover: true }) };
  } catch (e) {
    if (!isNvError(e)) throw e;
    return { error: e };
  }
}

export interface InfoBlockProbe {
  mode: 'fsdax' | 'devdax';
  claimClass: 'pfn' | 'dax';
  pfn: PfnInfo;
  /** The block as read (4 KiB at namespace offset 4 KiB). */
  raw: Uint8Array;
  /** Linux's checks of the block (nd_pfn_validate); an error means the namespace comes up raw. */
  problems: Finding[];
  error?: Finding;
  /** The claim class lets Linux look for this block. */
  claimOk: boolean;
  /** Where the exposed bytes are (namespace offset and size). */
  range: { offset: number; size: number };
}

/** Steps 2 and 3: the PFN or DAX info block at 4 KiB (by its signature), checked; undefined if there is none. */
export function probeInfoBlock(store: BlockIO, ns: ProbedNamespace): InfoBlockProbe | undefined {
  if (ns.size < PFN_INFO_OFFSET + PFN_INFO_SIZE) return undefined;
  const raw = store.read(PFN_INFO_OFFSET, PFN_INFO_SIZE);
  const sig = pfnSignatureOf(raw);
  if (!sig) return undefined;
  const mode = sig === PFN_SIG ? 'fsdax' : 'devdax';
  const claimClass = sig === PFN_SIG ? 'pfn' : 'dax';
  const base = ns.offset + PFN_INFO_OFFSET;
  const { value } = decodePfnInfo(raw, base);
  const problems = validatePfnInfo(value, raw, { expectSignature: sig === DAX_SIG ? DAX_SIG : PFN_SIG, namespaceUuid: ns.uuid, size: ns.size, physStart: ns.physStart, base });
  const error = problems.find((f) => f.severity === 'error');
  return { mode, claimClass, pfn: value, raw, problems, ...(error ? { error } : {}), claimOk: claimAllows(ns.claimClass, claimClass), range: pfnDataRange(value, ns.size) };
}

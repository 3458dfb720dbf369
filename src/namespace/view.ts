/**
 * The block-device view: which bytes of a namespace Linux exposes as /dev/pmemN (or /dev/pmemNs,
 * /dev/daxN.M), found the way nd_pmem_probe() does: BTT first, then PFN, then DAX, each only when the
 * claim class allows it; otherwise the namespace is raw.
 */
import { NvError } from '../core/errors.js';
import type { Finding } from '../core/schema/index.js';
import { WindowBlockIO, type BlockIO, type SectorDevice } from '../core/blockio.js';
import { NoBttError, type Btt } from '../infoblocks/btt.js';
import { probeBtt, probeInfoBlock } from './personality.js';
import type { PfnInfo } from '../infoblocks/pfn.js';
import { namespacePhysStart, type ClaimClass, type NamespaceRef } from './labelsGlue.js';

export { NAMESPACE_MODES, type NamespaceMode } from '../labels/modes.js';
import type { NamespaceMode } from '../labels/modes.js';

export type { SectorDevice };

export interface NamespaceView {
  mode: NamespaceMode;
  ns: NamespaceRef;
  /** fsdax/devdax: the info block. */
  pfn?: PfnInfo;
  /** sector: the opened BTT. */
  btt?: Btt;
  /** Size in bytes of what Linux exposes. */
  size: number;
  /** Namespace offset where the exposed bytes start (raw, fsdax, devdax); undefined for sector. */
  dataOffset?: number;
  /** Byte-addressed view (raw, fsdax, devdax). */
  bytes?: BlockIO;
  /** Sector-addressed device: the BTT for sector mode, the byte view cut into 512-byte sectors otherwise. */
  device: SectorDevice;
  /** Why other modes were not taken (what Linux would log). */
  findings: Finding[];
}

function bytesDevice(store: BlockIO, sectorSize = 512): SectorDevice {
  return {
    sectorSize,
    nlba: Math.floor(store.size / sectorSize),
    read: (lba) => store.read(lba * sectorSize, sectorSize),
    write: (lba, data) => {
      if (data.length !== sectorSize) throw new NvError('namespace', '', undefined, `a sector write needs ${sectorSize} bytes`);
      store.write(lba * sectorSize, data);
    },
  };
}

/** Probe a namespace (a window of `image`) as Linux does (personality.ts) and return its block-device view. */
export function openNamespaceView(image: BlockIO, ns: NamespaceRef): NamespaceView {
  const store = new WindowBlockIO(image, ns.offset, ns.size);
  const findings: Finding[] = [];
  const probed = { size: ns.size, claimClass: ns.claimClass, offset: ns.offset, physStart: namespacePhysStart(ns), uuid: ns.uuid };
  // Linux completes torn map updates from the flog when it opens a BTT; so does this view, on the media.
  const b = probeBtt(store, probed, { recover: 'media', checkParent: true });
  if (b && 'btt' in b) return { mode: 'sector', ns, btt: b.btt, size: b.btt.size, device: b.btt, findings: [...findings, ...b.btt.findings] };
  if (b && 'error' in b) {
    if (!(b.error instanceof NoBttError)) throw b.error;
    findings.push({ severity: 'info', code: 'no-btt', path: 'btt', message: b.error.reason });
  }
  const info = probeInfoBlock(store, probed);
  if (info?.claimOk) {
    if (!info.error) {
      const bytes = new WindowBlockIO(store, info.range.offset, info.range.size);
      return { mode: info.mode, ns, pfn: info.pfn, size: info.range.size, dataOffset: info.range.offset, bytes, device: bytesDevice(bytes), findings: [...findings, ...info.problems] };
    }
    if (info.error.code !== 'signature') findings.push(info.error);
  }
  const unfulfilled = claimUnfulfilled(ns.claimClass, ns.uuid);
  if (unfulfilled) findings.push({ severity: 'error', code: 'claim-unfulfilled', path: 'label.abstractionGuid', offset: ns.labelArea?.offset ?? ns.offset, message: unfulfilled });
  return { mode: 'raw', ns, size: ns.size, dataOffset: 0, bytes: store, device: bytesDevice(store), findings };
}

/** What each claim class needs to find (nd_pmem_probe). */
const CLAIMED: Partial<Record<ClaimClass, string>> = { btt: 'BTT 1.1 (info block at 4 KiB)', btt2: 'BTT 2.0 (info block at offset 0)', pfn: 'PFN info block', dax: 'DAX info block' };

/**
 * A namespace that came up raw although its label claims it for a personality: formats write the
 * claim class first and the info block or BTT after it (ndctl create-namespace on Linux 6.1), so a
 * class without its structure is an interrupted format or damage. The message, or undefined.
 */
export function claimUnfulfilled(claimClass: ClaimClass, uuid: string): string | undefined {
  const wanted = CLAIMED[claimClass];
  return wanted && `the label claims namespace ${uuid} for ${claimClass} but it holds no valid ${wanted}: an interrupted format or damage; Linux exposes it as raw`;
}

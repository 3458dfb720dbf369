/**
 * The block-device view: which bytes of a namespace Linux exposes as /dev/pmemN (or /dev/pmemNs,
 * /dev/daxN.M), found the way nd_pmem_probe() does: BTT first, then PFN, then DAX, each only when the
 * claim class allows it; otherwise the namespace is raw.
 */
import { NvError } from '../core/errors.js';
import type { Finding } from '../core/schema/index.js';
import { WindowBlockIO, type BlockIO } from '../core/blockio.js';
import { Btt, NoBttError } from '../infoblocks/btt.js';
import { DAX_SIG, PFN_INFO_OFFSET, PFN_INFO_SIZE, PFN_SIG, decodePfnInfo, pfnDataRange, validatePfnInfo, type PfnInfo } from '../infoblocks/pfn.js';
import type { ClaimClass, NamespaceRef } from './labelsGlue.js';

export { NAMESPACE_MODES, type NamespaceMode } from '../labels/modes.js';
import type { NamespaceMode } from '../labels/modes.js';

export interface SectorDevice {
  readonly sectorSize: number;
  readonly nlba: number;
  read(lba: number): Uint8Array;
  write(lba: number, data: Uint8Array): void;
}

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

const allows = (c: ClaimClass, ...ok: ClaimClass[]) => c === 'none' || ok.includes(c);

/** Probe a namespace (a window of `image`) as Linux does and return its block-device view. */
export function openNamespaceView(image: BlockIO, ns: NamespaceRef): NamespaceView {
  const store = new WindowBlockIO(image, ns.offset, ns.size);
  const findings: Finding[] = [];
  if (allows(ns.claimClass, 'btt', 'btt2') && ns.size >= 16 * 1024 * 1024) {
    try {
      const version = ns.claimClass === 'btt2' ? ({ major: 2, minor: 0 } as const) : ({ major: 1, minor: 1 } as const);
      const btt = Btt.open(store, { version, namespaceUuid: ns.uuid });
      return { mode: 'sector', ns, btt, size: btt.size, device: btt, findings: [...findings, ...btt.findings] };
    } catch (e) {
      if (!(e instanceof NoBttError)) throw e;
      findings.push({ severity: 'info', code: 'no-btt', path: 'btt', message: e.reason });
    }
  }
  if (ns.size >= PFN_INFO_OFFSET + PFN_INFO_SIZE) {
    const raw = store.read(PFN_INFO_OFFSET, PFN_INFO_SIZE);
    for (const [sig, mode, cls] of [[PFN_SIG, 'fsdax', 'pfn'], [DAX_SIG, 'devdax', 'dax']] as const) {
      if (!allows(ns.claimClass, cls)) continue;
      const { value } = decodePfnInfo(raw, ns.offset + PFN_INFO_OFFSET);
      const problems = validatePfnInfo(value, raw, { expectSignature: sig, namespaceUuid: ns.uuid, size: ns.size, physStart: ns.offset, base: ns.offset + PFN_INFO_OFFSET });
      const err = problems.find((f) => f.severity === 'error');
      if (!err) {
        const r = pfnDataRange(value, ns.size);
        const bytes = new WindowBlockIO(store, r.offset, r.size);
        return { mode, ns, pfn: value, size: r.size, dataOffset: r.offset, bytes, device: bytesDevice(bytes), findings: [...findings, ...problems] };
      }
      if (err.code !== 'signature') findings.push(err);
    }
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

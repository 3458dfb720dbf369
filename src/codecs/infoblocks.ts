/** Info blocks at offset 0, or at 4 KiB as in a namespace image (PFN/DAX at 4 KiB, BTT 1.1 at 4 KiB). */
import { BTT_SIG, bttInfoBlock, decodeBttInfo, hasBttSignature } from '../infoblocks/bttInfo.js';
import { DAX_SIG, PFN_SIG, decodePfnInfo, pfnInfoBlock, pfnSignatureOf, validatePfnInfo } from '../infoblocks/pfn.js';
import type { DecodableFormat } from './registry.js';
import { structFormat } from './struct.js';

const INFO_SIZE = 4096;

function sigAt(b: Uint8Array, off: number): string | undefined {
  if (b.length < off + INFO_SIZE) return undefined;
  const s = b.subarray(off);
  return hasBttSignature(s) ? BTT_SIG : pfnSignatureOf(s);
}
const infoOffset = (b: Uint8Array, sigs: string[]) => [0, INFO_SIZE].find((o) => sigs.includes(sigAt(b, o) ?? ''));
const sigOf = (j: unknown) => (j && typeof j === 'object' ? (j as { signature?: unknown }).signature : undefined);

export const pfnFormat: DecodableFormat = {
  ...structFormat('pfn-info', pfnInfoBlock, { detect: (b) => infoOffset(b, [PFN_SIG, DAX_SIG]) !== undefined, detectJson: (j) => sigOf(j) === PFN_SIG || sigOf(j) === DAX_SIG }),
  decode(bytes, { spans }) {
    const off = infoOffset(bytes, [PFN_SIG, DAX_SIG]) ?? 0;
    const raw = bytes.subarray(off, off + INFO_SIZE);
    const d = decodePfnInfo(raw, off, spans);
    const findings = [...d.findings, ...validatePfnInfo(d.value, raw, { base: off }).filter((f) => f.code !== 'checksum')];
    return { format: d.value.signature === DAX_SIG ? 'DAX info block' : 'PFN info block', findings, ...(d.spans ? { spans: d.spans } : {}), json: pfnInfoBlock.toJson(d.value), valueOffset: off };
  },
};

export const bttFormat: DecodableFormat = {
  ...structFormat('btt-info', bttInfoBlock, { detect: (b) => infoOffset(b, [BTT_SIG]) !== undefined, detectJson: (j) => sigOf(j) === BTT_SIG }),
  decode(bytes, { spans }) {
    const off = infoOffset(bytes, [BTT_SIG]) ?? 0;
    const d = decodeBttInfo(bytes.subarray(off, off + INFO_SIZE), off, spans);
    return { format: `BTT ${d.value.versionMajor}.${d.value.versionMinor} arena info block`, findings: d.findings, ...(d.spans ? { spans: d.spans } : {}), json: bttInfoBlock.toJson(d.value), valueOffset: off };
  },
};

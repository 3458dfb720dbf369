/** One GPT header block ("EFI PART" at 0) and an MBR sector (detected by its 55AA signature, after every other format). */
import { GPT_SIGNATURE, gptHeader } from '../disk/gpt.js';
import { hasMbrSignature, mbr } from '../disk/mbr.js';
import type { DecodableFormat } from './registry.js';
import { structFormat } from './struct.js';

const has = (j: unknown, ...keys: string[]) => !!j && typeof j === 'object' && keys.every((k) => k in j);

export const gptHeaderFormat: DecodableFormat = structFormat('gpt-header', gptHeader, {
  detect: (b) => b.length >= (gptHeader.requiredSize ?? Infinity) && Buffer.from(b.subarray(gptHeader.offsetOf('signature'), gptHeader.offsetOf('signature') + gptHeader.sizeOf('signature'))).toString('latin1') === GPT_SIGNATURE,
  detectJson: (j) => (j as { signature?: unknown })?.signature === 'EFI PART',
  decodeAs: 'gpt.header',
});

export const mbrFormat: DecodableFormat = structFormat('mbr', mbr, {
  detect: (b) => b.length >= (mbr.size ?? Infinity) && hasMbrSignature(b),
  detectJson: (j) => has(j, 'partitions', 'signature') && !has(j, 'magic'),
});

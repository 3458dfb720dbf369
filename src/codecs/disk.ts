/** One GPT header block ("EFI PART" at 0) and an MBR sector (detected by its 55AA signature, after every other format). */
import { gptHeader } from '../disk/gpt.js';
import { mbr } from '../disk/mbr.js';
import type { DecodableFormat } from './registry.js';
import { structFormat } from './struct.js';

const has = (j: unknown, ...keys: string[]) => !!j && typeof j === 'object' && keys.every((k) => k in j);

export const gptHeaderFormat: DecodableFormat = structFormat('gpt-header', gptHeader, {
  detect: (b) => b.length >= (gptHeader.requiredSize ?? Infinity) && Buffer.from(b.subarray(0, 8)).toString('latin1') === 'EFI PART',
  detectJson: (j) => (j as { signature?: unknown })?.signature === 'EFI PART',
  decodeAs: 'gpt.header',
});

const SIG_OFFSET = mbr.offsetOf('signature');
export const mbrFormat: DecodableFormat = structFormat('mbr', mbr, {
  detect: (b) => b.length >= (mbr.size ?? Infinity) && b[SIG_OFFSET] === 0x55 && b[SIG_OFFSET + 1] === 0xaa,
  detectJson: (j) => has(j, 'partitions', 'signature') && !has(j, 'magic'),
});

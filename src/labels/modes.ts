import type { CLAIM_CLASS_GUIDS } from './label.js';

/** The personalities Linux gives a pmem namespace (`ndctl create-namespace --mode`, `ndctl list`). */
export const NAMESPACE_MODES = ['raw', 'fsdax', 'devdax', 'sector'] as const;
export type NamespaceMode = (typeof NAMESPACE_MODES)[number];

/**
 * The claim class a label records for a namespace of `mode`: under v1.2 labels Linux writes pfn
 * (fsdax), dax (devdax), BTT 2.0 (sector) or none (raw); v1.1 labels have no claim class field
 * (kernel fixtures fixtures/linux/{fsdax,devdax,sector,raw}-v1.2 and sector-v1.1).
 */
export function claimClassForMode(mode: NamespaceMode, labelVersion: string | undefined): keyof typeof CLAIM_CLASS_GUIDS {
  if (labelVersion !== '1.2' && labelVersion !== 'v1.2') return 'none';
  return mode === 'sector' ? 'btt2' : mode === 'fsdax' ? 'pfn' : mode === 'devdax' ? 'dax' : 'none';
}

/** The label lbasize `ndctl create-namespace -m mode` leaves: 4096 for sector (the BTT's default sector), else 512 (same fixtures). */
export function defaultLbasizeForMode(mode: NamespaceMode): bigint {
  return mode === 'sector' ? 4096n : 512n;
}

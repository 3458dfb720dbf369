import { NvError } from '../../core/errors.js';
import { NFIT_STRUCTURES, SPA_RANGE_GUIDS, nfitTable, nfitFromJson, type Nfit } from '../nfit/index.js';
import { fillDefaults } from './defaults.js';

/**
 * The `generic` profile of build-nfit: any NFIT, described as a list of structures in the JSON
 * shape `nvtool decode --json` prints. Fields left out default to zero (reserved ones too),
 * lengths/counts/checksum are computed, header fields default to nvtool's identity, and a SPA's
 * `rangeGuid` may be a name from SPA_RANGE_GUIDS (`"persistent"`).
 */
export function genericNfit(json: Record<string, unknown>): { table: Nfit; pins: Set<string> } {
  const structures = json.structures;
  if (!Array.isArray(structures)) throw new NvError('platform', 'structures', undefined, 'the generic profile needs a "structures" array');
  const header = (json.header ?? {}) as Record<string, unknown>;
  const named = structures.map((s) => {
    if (s && typeof s === 'object' && typeof (s as { rangeGuid?: unknown }).rangeGuid === 'string') {
      const g = (s as { rangeGuid: string }).rangeGuid;
      if (g in SPA_RANGE_GUIDS) return { ...s, rangeGuid: SPA_RANGE_GUIDS[g as keyof typeof SPA_RANGE_GUIDS] };
    }
    return s;
  });
  const doc = fillDefaults(nfitTable, {
    signature: 'NFIT', revision: 1, oemId: 'NVTOOL', oemTableId: 'GENERIC', oemRevision: 1, creatorId: 'NVTL', creatorRevision: 1,
    ...header,
    structures: named,
  }, NFIT_STRUCTURES);
  return nfitFromJson(doc);
}

import type { RawRecord } from '../../core/schema/records.js';
import type { BlockDataWindow, Capabilities, ControlRegion, FlushHint, Interleave, MemoryMap, Nfit, NfitStructure, Smbios, SpaRange } from './table.js';
import { NFIT_TYPE } from './types.js';

/** Decoded value of each NFIT structure type code. */
export interface NfitStructureOfType {
  [NFIT_TYPE.spaRange]: SpaRange;
  [NFIT_TYPE.memoryMap]: MemoryMap;
  [NFIT_TYPE.interleave]: Interleave;
  [NFIT_TYPE.smbios]: Smbios;
  [NFIT_TYPE.controlRegion]: ControlRegion;
  [NFIT_TYPE.blockDataWindow]: BlockDataWindow;
  [NFIT_TYPE.flushHint]: FlushHint;
  [NFIT_TYPE.capabilities]: Capabilities;
}

/** The decoded structures of one type, in table order (structures kept raw are left out). */
export function structuresOfType<T extends keyof NfitStructureOfType>(nfit: Pick<Nfit, 'structures'>, type: T): NfitStructureOfType[T][] {
  const isRaw = (s: NfitStructure): s is RawRecord => (s as RawRecord).$raw === true;
  return nfit.structures.filter((s) => !isRaw(s) && s.type === type) as NfitStructureOfType[T][];
}

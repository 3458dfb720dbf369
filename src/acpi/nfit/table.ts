import { Struct, records, reserved, tail, u16, type RecordRegistry, type ValueOf, type RecordValue } from '../../core/schema/index.js';
import { acpiHeader } from '../header.js';
import { blockDataWindow } from './blockDataWindow.js';
import { capabilities } from './capabilities.js';
import { controlRegion } from './controlRegion.js';
import { flushHint } from './flushHint.js';
import { interleave } from './interleave.js';
import { memoryMap } from './memoryMap.js';
import { smbios } from './smbios.js';
import { spaRange } from './spaRange.js';
import { NFIT_TYPE_NAMES, nfitTypeName } from './types.js';

/** A structure of a type nvtool does not know (or one that failed to decode), kept byte-exactly. */
export const rawStructure = new Struct(
  'nfit.raw',
  [u16('type', { label: 'Subtable Type', names: NFIT_TYPE_NAMES }), u16('length', { role: { kind: 'length' } }), tail('data')] as const,
  { label: 'NFIT structure (raw)', boundBy: 'length' },
);

const variants = {
  0: spaRange,
  1: memoryMap,
  2: interleave,
  3: smbios,
  4: controlRegion,
  5: blockDataWindow,
  6: flushHint,
  7: capabilities,
} as const;

/** Type code → layout: the one registry both directions use (style.md principle 7). */
export const NFIT_STRUCTURES: RecordRegistry<typeof variants> = {
  label: 'NFIT structure',
  variants,
  raw: rawStructure,
  typeName: (t) => `${nfitTypeName(t)} (type ${t})`,
  headerSize: 4,
};

/** NVDIMM Firmware Interface Table (ACPI 6.5 §5.2.26): header, 4 reserved bytes, structures. */
export const nfitTable = new Struct(
  'NFIT',
  [...acpiHeader('NFIT'), reserved('reserved', 4), records('structures', NFIT_STRUCTURES, { label: 'Structures' })] as const,
  { label: 'NVDIMM Firmware Interface Table', spec: 'ACPI 6.5 §5.2.26', boundBy: 'length' },
);

/** What `_FIT` returns: the structures without the table header (ACPI 6.5 §6.5.9). */
export const fitBuffer = new Struct('FIT', [records('structures', NFIT_STRUCTURES, { label: 'Structures' })] as const, {
  label: '_FIT buffer',
});

export type Nfit = ValueOf<typeof nfitTable>;
export type NfitStructure = RecordValue<typeof variants>;
export type SpaRange = ValueOf<typeof spaRange>;
export type MemoryMap = ValueOf<typeof memoryMap>;
export type Interleave = ValueOf<typeof interleave>;
export type Smbios = ValueOf<typeof smbios>;
export type ControlRegion = ValueOf<typeof controlRegion>;
export type BlockDataWindow = ValueOf<typeof blockDataWindow>;
export type FlushHint = ValueOf<typeof flushHint>;
export type Capabilities = ValueOf<typeof capabilities>;

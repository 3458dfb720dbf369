/**
 * schemas/inspect.schema.json, generated (`npm run schemas`, beside src/codecs/jsonSchemas.ts): the layer tree of `inspect --json`, each layer's
 * `fields` closed and chosen by its `kind` (the keys src/inspect/*.ts and the simulation's
 * src/sim/xen/inspectLayers.ts give that kind; specs/inspect.md). Every layer found inside a BTT's
 * logical device also carries `deviceOffset` and `deviceSpace` (src/inspect/bttContents.ts).
 */
import type { JsonSchema } from '../core/schema/index.js';
import { LAYER_KINDS, type LayerKind } from './layer.js';
import type { LabelFormat } from '../labels/area.js';
import { SECTOR_SIZES } from '../disk/table.js';
import type { MbrKind } from '../disk/mbr.js';
import { NAMESPACE_MODES } from '../labels/modes.js';
import type { ClaimClass } from '../namespace/labelsGlue.js';
import { BASE, closed, DRAFT, int, str, u64, UUID } from '../codecs/schemaParts.js';

const bool = { type: 'boolean' };
/** Every label format the locator reports (the compiler checks this against LabelFormat). */
const LABEL_FORMATS = { 'v1.1': 1, 'v1.2': 1, cxl: 1 } satisfies Record<LabelFormat, 1>;
const sectorSize = { enum: [...SECTOR_SIZES] };
const CLAIM_CLASSES = { none: 1, btt: 1, btt2: 1, pfn: 1, dax: 1, unknown: 1 } satisfies Record<ClaimClass, 1>;
const MBR_KINDS = { none: 1, protective: 1, hybrid: 1, mbr: 1 } satisfies Record<MbrKind, 1>;
const nullable = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });
const hexText = { type: 'string', pattern: '^0x[0-9a-f]+…?$' };
const checksumState = { enum: ['valid', 'invalid'] };
const confidence = { enum: ['certain', 'likely', 'possible'] };
const inBtt = { deviceOffset: int('offset on the BTT\'s logical device'), deviceSpace: { const: 'btt' } };

/** A closed fields object: `required` always there, the rest when the layer has them; BTT-device keys allowed everywhere. */
function fields(required: Record<string, JsonSchema>, optional: Record<string, JsonSchema> = {}): JsonSchema {
  return closed({ ...required, ...optional, ...inBtt }, Object.keys(required));
}

const acpiHeader = {
  signature: str, length: int(), revision: int(), checksum: hexText, oemId: str, oemTableId: str, oemRevision: int(), creatorId: str, creatorRevision: hexText,
};
const nfit = closed({
  structures: int(),
  byType: { type: 'object', description: 'structure count by NFIT structure type', additionalProperties: false, patternProperties: { '^[0-9]+$': int() } },
  spaRanges: { type: 'array', items: closed({ rangeIndex: int(), type: str, base: u64, length: u64, proximityDomain: int() }) },
  memoryDevices: { type: 'array', items: closed({ deviceHandle: hexText, rangeIndex: int(), regionSize: u64, regionOffset: u64, dpa: u64 }) },
});
const aml = closed({ objects: int(), terms: int('top-level terms'), devicesAndMethods: { type: 'array', maxItems: 64, items: str }, passes: int() });

/** The states frameTable.ts names a page_info (pageInfoState, frameTableRunsLayer) or an M2P entry (m2pState) by. */
const entryState = {
  type: 'string',
  pattern: '^(unused \\(0xff: .*\\)|free \\| pmem \\((nvtool format|Xen v3/v4).*\\)|free \\(Xen v1\\)|in use \\(Xen v1: .*\\)|zero \\(never written\\)|allocated to domain pdx [0-9]+( \\| pmem)?|damaged: .*|INVALID_M2P_ENTRY|mapped \\(a guest frame number\\))$',
};
const runs = {
  runCount: int(),
  runs: { type: 'array', maxItems: 32, items: closed({ pages: { type: 'string', pattern: '^[0-9]+\\.\\.-?[0-9]+$' }, count: int(), state: entryState }) },
  totals: { type: 'object', description: 'entries by state', propertyNames: entryState, additionalProperties: int() },
  sampled: bool,
};
const table = closed({ offset: int(), size: u64, entries: u64, entrySize: int() });

const blockDevice = closed({ dev: str, offset: int(), size: int(), confidence, space: { const: 'btt' } }, ['dev', 'offset', 'size', 'confidence']);
const fsCommon = { label: str, uuid: str, size: int(), blockSize: int(), superBlockOffset: int() };

/** Each kind's fields; a list is the kind's variants (one of them applies). */
const FIELDS: Record<LayerKind, JsonSchema | JsonSchema[]> = {
  'acpi-table': [
    fields({ ...acpiHeader }, { nfit, aml, via: str, checksumState }),
    fields({ signature: { const: 'FACS' } }, { via: str }),
    fields({}),
  ],
  'label-area': fields({
    how: str, size: int(), format: nullable({ enum: Object.keys(LABEL_FORMATS) }), labelSize: nullable({ enum: [128, 256] }), indexBlockSize: nullable(int()), nslot: nullable(int()),
    currentIndex: nullable({ enum: [0, 1] }), sequence: nullable({ enum: [0, 1, 2, 3] }), selection: str, version: nullable(str), liveLabels: int(),
    namespaces: {
      type: 'array',
      items: closed(
        { uuid: UUID, name: str, dpa: u64, rawSize: u64, lbasize: u64, slots: { type: 'array', items: int() }, claimClass: str, isetcookie: hexText, status: { enum: ['active', 'ignored'] }, why: str },
        ['uuid', 'name', 'dpa', 'rawSize', 'lbasize', 'slots', 'claimClass', 'isetcookie', 'status'],
      ),
    },
  }),
  namespace: fields(
    {
      dev: str, uuid: UUID, labelled: bool, name: str, claimClass: { enum: Object.keys(CLAIM_CLASSES) }, dpa: int(), rawSize: int(),
      mode: { enum: [...NAMESPACE_MODES] }, size: int(), blockdev: str, modeConfidence: confidence,
    },
    { labelVersion: str, deviceUuid: UUID, sectorSize: int(), align: int(), dataOffset: int(), blockDevice },
  ),
  ...(() => {
    const pfn = fields({
      signature: str, version: str, uuid: UUID, parentUuid: UUID, mode: str, dataoff: u64, dataOffset: int(), npfns: u64, align: int(), startPad: int(), endTrunc: int(),
      memmap: nullable(closed({ offset: int(), length: int(), note: str })), pageSize: int(), pageStructSize: int(), hexDataOffset: hexText,
    });
    return { 'pfn-info': pfn, 'dax-info': pfn };
  })(),
  btt: fields(
    {
      arena: int(), version: str, uuid: UUID, parentUuid: UUID, flags: int(), externalLbasize: int(), externalNlba: int(), internalLbasize: int(), internalNlba: int(), nfree: int(),
      dataOffset: int(), mapOffset: int(), logOffset: int(), info2Offset: int(), nextArena: nullable(int()),
    },
    { deviceStart: int('first byte of the logical device this arena serves'), deviceSize: int() },
  ),
  gpt: [
    fields({
      copy: { const: 'primary' }, sectorSize, diskGuid: str, headerLba: { const: 1 }, firstUsableLba: u64, lastUsableLba: u64, entries: int(), entrySize: int(),
      partitionEntryLba: u64, headerCrcOk: bool, arrayCrcOk: bool, valid: bool, tableFrom: nullable({ enum: ['primary', 'backup'] }),
    }),
    fields({ copy: { const: 'backup' }, sectorSize, headerLba: u64, partitionEntryLba: u64, headerCrcOk: bool, arrayCrcOk: bool, valid: bool }),
  ],
  mbr: [
    fields({ kind: { enum: Object.keys(MBR_KINDS) }, diskSignature: { type: 'string', pattern: '^0x[0-9a-f]{8}$' } }, { sectorSize: { const: 512 } }),
    fields({ kind: { const: 'ebr' }, sectorSize: { const: 512 }, lba: int() }),
  ],
  partition: [
    fields({
      table: { const: 'gpt' }, number: int(), device: str, name: str, typeGuid: str, typeName: str, uniqueGuid: str, startLba: u64, endLba: u64, sectors: u64, size: int(),
    }),
    fields(
      { table: { const: 'mbr' }, number: int(), device: str, osType: hexText, typeName: str, bootable: bool, startLba: int(), sectors: int(), size: int() },
      { logical: { const: true }, ebrLba: int() },
    ),
  ],
  'xen-superblock': [
    fields({
      uuid: UUID, containerUuid: UUID, version: str, placement: int(), placementName: str, containerOffset: int(), containerSize: int(),
      frameTableInitialized: bool, m2pInitialized: bool, managedOffset: int(), managedPages: u64, reservedOffset: int(), reservedSize: u64, dataOffset: int(), dataSize: u64,
    }),
    fields({}),
  ],
  'xen-reserved': [
    fields(
      { frameTable: table, m2p: table, frameTableSample: closed({ first: str, last: str }, []) },
      { m2pFirst: { anyOf: [{ const: 'INVALID_M2P_ENTRY' }, hexText] } },
    ),
    fields({ smfn: hexText, emfn: hexText, used: int(), source: { const: 'xen/state.json' } }),
  ],
  'xen-frame-table': fields({ entries: int(), entrySize: int(), builtBy: { enum: ['xen', 'nvtool', 'none', 'mixed'] }, ...runs }),
  'xen-m2p': fields({ entries: int(), entrySize: { const: 8 }, ...runs }),
  filesystem: [
    fields({ type: { const: 'xfs' }, ...fsCommon, agcount: int(), agblocks: int(), sectorSize: int(), logBlocks: int(), version: int() }),
    fields({ type: { enum: ['ext2', 'ext3', 'ext4', 'jbd'] }, ...fsCommon, blocks: int(), inodes: int(), revision: str, lastMounted: str }),
    fields({ type: { const: 'btrfs' }, ...fsCommon, uuidSub: str, devices: u64, nodeSize: int(), generation: u64, fsTotalBytes: u64 }),
    fields({ type: { const: 'swap' }, ...fsCommon, version: int(), pageSize: int(), badPages: int() }),
  ],
  'guest-memory': [
    fields({
      rsdp: int('guest physical address of the RSDP'), root: { ...str, description: 'the signature found where the RSDP points (XSDT, or RSDT before ACPI 2.0, when intact)' },
      tables: { type: 'array', items: closed({ signature: str, address: int(), length: int(), via: str, checksum: { enum: ['valid', 'invalid', 'none'] } }) },
    }),
    fields({}),
  ],
  rsdp: fields({ revision: int(), oemId: str, rsdtAddress: int(), xsdtAddress: u64 }, { checksum: checksumState, extendedChecksum: checksumState }),
};

function layerSchema(): JsonSchema {
  const finding = closed({
    severity: { enum: ['error', 'warning', 'info'] }, code: str, message: str, offset: int('absolute file offset'),
    path: { ...str, description: "field path inside the layer's structure ('' when none)" }, confidence,
  });
  return {
    ...closed({
      kind: { enum: [...LAYER_KINDS] }, offset: int(), length: int(), label: str,
      fields: { type: 'object', description: "what the layer says, by the layer kind's own keys (specs/inspect.md): chosen by kind below" },
      children: { type: 'array', items: { $ref: '#/definitions/layer' } },
      findings: { type: 'array', items: finding },
    }),
    allOf: LAYER_KINDS.map((k) => {
      const f = FIELDS[k];
      return { if: { properties: { kind: { const: k } } }, then: { properties: { fields: Array.isArray(f) ? { oneOf: f } : f } } };
    }),
  };
}

export function inspectSchema(): JsonSchema {
  return {
    $schema: DRAFT, $id: `${BASE}inspect.schema.json`, title: 'nvtool inspect --json',
    description: "nvtool's own document: the layers found in a file, outermost first, with their findings.",
    ...closed(
      {
        schemaVersion: { const: 1 }, file: str, size: int(), layers: { type: 'array', items: { $ref: '#/definitions/layer' } },
        stats: closed({ bytesRead: int(), reads: int(), ms: { type: 'number', minimum: 0 } }),
      },
      ['schemaVersion', 'file', 'size', 'layers'],
    ),
    definitions: { layer: layerSchema() },
  };
}

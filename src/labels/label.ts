import { Struct, ascii, bytes, efiGuid, reserved, rfcUuid, u16, u32, u64, u8, type ValueOf } from '../core/schema/index.js';

/** Label flags (Linux label.h NSLABEL_FLAG_*; UEFI 2.7 EFI_NVDIMM_LABEL_FLAGS_*). */
export const LABEL_FLAGS = { 0: 'ROLABEL', 1: 'LOCAL', 2: 'BTT', 3: 'UPDATING' } as const;
export const FLAG_UPDATING = 0x8;

/** Claim classes (abstraction GUIDs), string form; stored in EFI byte order in v1.2 labels. */
export const CLAIM_CLASS_GUIDS = {
  btt: '8aed63a2-29a2-4c66-8b12-f05d15d3922a',
  btt2: '18633bfc-1735-4217-8ac9-17239282d3f8',
  pfn: '266400ba-fb9f-4677-bcb0-968f11d0d225',
  dax: '97a86d9c-3cdd-4eda-986f-5068b4f80088',
  none: '00000000-0000-0000-0000-000000000000',
} as const;
export type ClaimClass = keyof typeof CLAIM_CLASS_GUIDS | 'unknown';

const CLAIM_NAMES: Record<string, string> = {
  [CLAIM_CLASS_GUIDS.btt]: 'BTT (v1.1 layout)',
  [CLAIM_CLASS_GUIDS.btt2]: 'BTT2 (UEFI 2.7 BTT)',
  [CLAIM_CLASS_GUIDS.pfn]: 'PFN (fsdax)',
  [CLAIM_CLASS_GUIDS.dax]: 'DAX (devdax)',
  [CLAIM_CLASS_GUIDS.none]: 'none (raw)',
};

export function claimClassOf(guid: string): ClaimClass {
  for (const [k, v] of Object.entries(CLAIM_CLASS_GUIDS)) if (v === guid) return k as ClaimClass;
  return 'unknown';
}

/** The NFIT SPA type GUID of persistent memory, which Linux writes into v1.2 labels' type_guid. */
export const PMEM_TYPE_GUID = '66f0d379-b4f3-4074-ac43-0d3318b78cdb';

/** Fields v1.1 and v1.2 labels share (offsets 0..119). */
const common = [
  rfcUuid('uuid', { label: 'Namespace UUID', doc: 'RFC byte order' }),
  ascii('name', 64, { label: 'Name', doc: 'NUL-terminated, optional' }),
  u32('flags', { label: 'Flags', flags: LABEL_FLAGS }),
  u16('nlabel', { label: 'Number of Labels', doc: 'labels in the set = DIMMs in the interleave set' }),
  u16('position', { label: 'Position', doc: "this DIMM's position in the interleave set" }),
  u64('isetcookie', { label: 'Interleave Set Cookie' }),
  u64('lbasize', { label: 'LBA Size', doc: 'sector size; 0 for a plain pmem namespace' }),
  u64('dpa', { label: 'DPA', doc: 'DIMM physical address of the range' }),
  u64('rawsize', { label: 'Raw Size', doc: 'bytes this DIMM contributes' }),
  u32('slot', { label: 'Slot', doc: "must equal the label's slot number" }),
] as const;

/** Namespace label v1.1: 128 bytes, no checksum (Linux's original struct nd_namespace_label). */
export const labelV11 = new Struct('label-v1.1', [...common, reserved('unused', 4, { label: 'Unused' })] as const, {
  label: 'Namespace Label v1.1',
  spec: 'Linux label.h (v1.1); ndctl struct namespace_label',
  size: 128,
});

/** Namespace label v1.2 (UEFI 2.7 EFI_NVDIMM_LABEL): 256 bytes with a Fletcher-64 checksum. */
export const labelV12 = new Struct(
  'label-v1.2',
  [
    ...common,
    u8('align', { label: 'Alignment', doc: 'Linux writes 0' }),
    reserved('reserved', 3),
    efiGuid('typeGuid', { label: 'Type GUID', specName: 'type_guid', doc: 'NFIT SPA range type GUID', names: { [PMEM_TYPE_GUID]: 'Persistent Memory' } }),
    efiGuid('abstractionGuid', { label: 'Abstraction GUID', specName: 'abstraction_guid', doc: 'claim class', names: CLAIM_NAMES }),
    reserved('reserved2', 88),
    u64('checksum', { label: 'Checksum', role: { kind: 'checksum', algo: 'fletcher64' } }),
  ] as const,
  { label: 'Namespace Label v1.2', spec: 'UEFI 2.7 §13.19 EFI_NVDIMM_LABEL; Linux struct nvdimm_efi_label', size: 256 },
);

export type LabelV11 = ValueOf<typeof labelV11>;
export type LabelV12 = ValueOf<typeof labelV12>;

// ---- CXL LSA 2.1 (CXL 2.0 §9.13.2; Linux label.h struct nvdimm_cxl_label, cxl_region_label) ----

export const CXL_NAMESPACE_TYPE = '68bb2c0a-5a77-4937-9f85-3caf41a0f93c';
export const CXL_REGION_TYPE = '529d7c61-da07-47c4-a93f-ecdf2c06f444';
const CXL_TYPES = { [CXL_NAMESPACE_TYPE]: 'namespace label', [CXL_REGION_TYPE]: 'region label' };

export const cxlNamespaceLabel = new Struct(
  'cxl-namespace-label',
  [
    rfcUuid('type', { label: 'Type', expect: CXL_NAMESPACE_TYPE, names: CXL_TYPES }),
    rfcUuid('uuid', { label: 'Namespace UUID' }),
    ascii('name', 64, { label: 'Name' }),
    u32('flags', { label: 'Flags', flags: LABEL_FLAGS }),
    u16('nrange', { label: 'Number of Ranges' }),
    u16('position', { label: 'Position' }),
    u64('dpa', { label: 'DPA' }),
    u64('rawsize', { label: 'Raw Size' }),
    u32('slot', { label: 'Slot' }),
    u32('align', { label: 'Alignment', doc: '256 MiB units' }),
    rfcUuid('regionUuid', { label: 'Region UUID', specName: 'region_uuid' }),
    rfcUuid('abstractionUuid', { label: 'Abstraction UUID', specName: 'abstraction_uuid', doc: 'claim class, RFC order', names: CLAIM_NAMES }),
    u16('lbasize', { label: 'LBA Size' }),
    reserved('reserved', 86),
    u64('checksum', { label: 'Checksum', role: { kind: 'checksum', algo: 'fletcher64' } }),
  ] as const,
  { label: 'CXL Namespace Label', spec: 'CXL 2.0 Table 212; Linux struct nvdimm_cxl_label', size: 256 },
);

export const cxlRegionLabel = new Struct(
  'cxl-region-label',
  [
    rfcUuid('type', { label: 'Type', expect: CXL_REGION_TYPE, names: CXL_TYPES }),
    rfcUuid('uuid', { label: 'Region UUID' }),
    u32('flags', { label: 'Flags', flags: LABEL_FLAGS }),
    u16('nlabel', { label: 'Number of Labels' }),
    u16('position', { label: 'Position' }),
    u64('dpa', { label: 'DPA' }),
    u64('rawsize', { label: 'Raw Size' }),
    u64('hpa', { label: 'HPA' }),
    u32('slot', { label: 'Slot' }),
    u32('ig', { label: 'Interleave Granularity', describe: (v) => (v < 23 ? `${256 * 2 ** v} bytes` : undefined) }),
    u32('align', { label: 'Alignment', doc: '256 MiB units' }),
    reserved('reserved', 172),
    u64('checksum', { label: 'Checksum', role: { kind: 'checksum', algo: 'fletcher64' } }),
  ] as const,
  { label: 'CXL Region Label', spec: 'CXL 2.0 Table 211; Linux struct cxl_region_label', size: 256 },
);

/** A CXL label of a type Linux does not interpret (vendor-specific), kept byte for byte. */
export const cxlOtherLabel = new Struct(
  'cxl-other-label',
  [rfcUuid('type', { label: 'Type' }), bytes('body', 240, { label: 'Body (kept as is)' })] as const,
  { label: 'CXL Label (other type)', spec: 'CXL 2.0 Table 213', size: 256 },
);

export type CxlNamespaceLabel = ValueOf<typeof cxlNamespaceLabel>;
export type CxlRegionLabel = ValueOf<typeof cxlRegionLabel>;
export type CxlOtherLabel = ValueOf<typeof cxlOtherLabel>;

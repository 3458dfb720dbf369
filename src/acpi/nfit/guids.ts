/**
 * Address Range Type GUIDs of the SPA Range structure (ACPI 6.5 Table 5.152; ACPICA acuuid.h;
 * Linux nfit_init / spa_type_name). Keys are the string form; on media they are EFI-ordered.
 */
export const SPA_RANGE_GUIDS = {
  volatile: '7305944f-fdda-44e3-b16c-3f22d252e5d0',
  persistent: '66f0d379-b4f3-4074-ac43-0d3318b78cdb',
  controlRegion: '92f701f6-13b4-405d-910b-299367e8234c',
  blockDataWindow: '91af0530-5d86-470e-a6b0-0a2db9408249',
  volatileVirtualDisk: '77ab535a-45fc-624b-5560-f7b281d1f96e',
  volatileVirtualCd: '3d5abd30-4175-87ce-6d64-d2ade523c4bb',
  persistentVirtualDisk: '5cea02c9-4d07-69d3-269f-4496fbe096f9',
  persistentVirtualCd: '08018188-42cd-bb48-100f-5387d53ded3d',
} as const;

export const SPA_RANGE_GUID_NAMES: Readonly<Record<string, string>> = {
  [SPA_RANGE_GUIDS.volatile]: 'Volatile Memory',
  [SPA_RANGE_GUIDS.persistent]: 'Persistent Memory',
  [SPA_RANGE_GUIDS.controlRegion]: 'NVDIMM Control Region',
  [SPA_RANGE_GUIDS.blockDataWindow]: 'NVDIMM Block Data Window',
  [SPA_RANGE_GUIDS.volatileVirtualDisk]: 'Volatile Virtual Disk',
  [SPA_RANGE_GUIDS.volatileVirtualCd]: 'Volatile Virtual CD',
  [SPA_RANGE_GUIDS.persistentVirtualDisk]: 'Persistent Virtual Disk',
  [SPA_RANGE_GUIDS.persistentVirtualCd]: 'Persistent Virtual CD',
};

/** Virtual disk/CD ranges are the ones allowed a zero range index (ACPI 6.5 §5.2.26.2). */
export const VIRTUAL_RANGE_GUIDS: ReadonlySet<string> = new Set([
  SPA_RANGE_GUIDS.volatileVirtualDisk,
  SPA_RANGE_GUIDS.volatileVirtualCd,
  SPA_RANGE_GUIDS.persistentVirtualDisk,
  SPA_RANGE_GUIDS.persistentVirtualCd,
]);

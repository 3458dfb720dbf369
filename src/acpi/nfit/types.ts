/** NFIT structure type codes (ACPI 6.5 Table 5.150; ACPICA enum AcpiNfitType). */
export const NFIT_TYPE = {
  spaRange: 0,
  memoryMap: 1,
  interleave: 2,
  smbios: 3,
  controlRegion: 4,
  blockDataWindow: 5,
  flushHint: 6,
  capabilities: 7,
} as const;

export const NFIT_TYPE_NAMES: Readonly<Record<string, string>> = {
  0: 'System Physical Address Range',
  1: 'Memory Device to SPA Range Map',
  2: 'Interleave',
  3: 'SMBIOS Management Information',
  4: 'NVDIMM Control Region',
  5: 'NVDIMM Block Data Window Region',
  6: 'Flush Hint Address',
  7: 'Platform Capabilities',
};

export function nfitTypeName(type: number): string {
  return NFIT_TYPE_NAMES[type] ?? `reserved type ${type}`;
}

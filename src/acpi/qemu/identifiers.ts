/**
 * The NFIT/SSDT numbers QEMU 7.2 derives from a dimm's `slot` (hw/acpi/nvdimm.c), never from its
 * position in the NFIT.
 */

/** NFIT device handle and `_ADR` of `NVxx`: slot + 1, because handle 0 is the root device NVDR. */
export function slotToHandle(slot: number): number {
  return slot + 1;
}

/** SPA range structure index: `(slot + 1) << 1`, so 0 is never used and each dimm owns two indices. */
export function slotToSpaIndex(slot: number): number {
  return (slot + 1) << 1;
}

/** Control region structure index: the odd index just after the dimm's SPA index. */
export function slotToDcrIndex(slot: number): number {
  return slotToSpaIndex(slot) + 1;
}

/** DCR serial number: QEMU's arbitrary base 0x123456 plus the slot, unique per slot. */
export function slotToSerial(slot: number): number {
  return 0x123456 + slot;
}

import { NvError } from '../../core/errors.js';
import { acpiTableHeader } from '../../acpi/header.js';
import { encodeTerms } from '../../aml/encode.js';
import { qemuNvdimmMema, qemuNvdimmRootTerms } from '../../aml/qemuNvdimmSsdt.js';
import type { GuestMemory } from '../hvmloader/memory.js';
import { XenStore } from '../xenstore.js';
import { DM_ACPI_ROOT } from '../hvmloader/dm.js';

/** The guest buffer libxc reserved for DM ACPI (v1: one page; v3: `dm_acpi_pages` pages). */
export interface DmAcpiArea {
  address: number;
  length: number;
}

/**
 * The NVDIMM root device body QEMU publishes as blob "NVDR" (hw/acpi/nvdimm.c
 * nvdimm_build_xen_ssdt): what goes inside Device(NVDR), then Name(MEMA, DWord 0). The v3 series
 * and later leave _FIT out on Xen (QEMU 6ba9054453); v1 keeps it.
 */
export function nvdrBody(slots: number, withFit: boolean): Uint8Array {
  return encodeTerms([...qemuNvdimmRootTerms({ slots, withFit }), qemuNvdimmMema({ dsmBuffer: 0 })]);
}

export interface DmAcpiBlob {
  name: string;
  type: 0 | 1;
  bytes: Uint8Array;
}

/**
 * libxl writes the buffer's address and length (hex, refused at or above 4 GiB: libxl_dom.c), then
 * QEMU's xen_acpi_copy_to_guest bump-allocates each blob in the buffer (no alignment; -ENOMEM when
 * it does not fit), copies it into guest memory and writes `<name>/{type,offset,length}` in
 * decimal (a blob that does not fit is left out: QEMU ignores the -ENOMEM). A complete table goes in with checksum 0: QEMU's build_header leaves the sum to the
 * BIOS linker, which Xen does not run.
 */
export function dmAcpiHandover(mem: GuestMemory, domid: number, area: DmAcpiArea, blobs: readonly DmAcpiBlob[], xs = new XenStore(), errors: string[] = []): XenStore {
  if (area.address >= 2 ** 32) throw new NvError('libxl', 'dm-acpi/address', undefined, `Guest address of DM ACPI is 0x${area.address.toString(16)}, but expected below 4G`);
  const root = DM_ACPI_ROOT(domid);
  xs.write(`${root}/address`, `0x${area.address.toString(16)}`);
  xs.write(`${root}/length`, `0x${area.length.toString(16)}`);
  let used = 0;
  for (const b of blobs) {
    // QEMU's callers ignore the -ENOMEM: the blob is simply not published.
    if (area.length - used < b.bytes.length) {
      errors.push(`qemu: DM ACPI blob ${b.name} (${b.bytes.length} bytes) does not fit the buffer (${area.length - used} of ${area.length} bytes left): -ENOMEM, not published`);
      continue;
    }
    const data = b.bytes.slice();
    if (b.type === 0 && data.length >= acpiTableHeader.size!) data[acpiTableHeader.offsetOf('checksum')] = 0;
    mem.write(area.address + used, data);
    xs.write(`${root}/${b.name}/type`, String(b.type));
    xs.write(`${root}/${b.name}/offset`, String(used));
    xs.write(`${root}/${b.name}/length`, String(data.length));
    used += data.length;
  }
  return xs;
}

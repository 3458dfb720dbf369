/** Shared set-up of the hvmloader tests: a guest's DM ACPI from nvtool's QEMU builders, through the hand-over, into hvmloader. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNfit } from '../../src/acpi/build/index.js';
import { buildQemuNvdimmSsdt } from '../../src/aml/qemuNvdimmSsdt.js';
import { dmAcpiHandover, fwCfgDevice, fwCfgHandover, nvdrBody, type DmAcpiBlob } from '../../src/sim/handover/index.js';
import { GuestMemory, runHvmloader, type HvmDesign, type HvmloaderResult } from '../../src/sim/hvmloader/index.js';
import type { FwCfgBlob } from '../../src/acpi/loader/index.js';
import type { XenStore } from '../../src/sim/xenstore.js';

export const SLOTS = 2;
export const DM_AREA = { address: 0xfc000000 - 0x10000, length: 0x10000 };

export function guestNfit(): Uint8Array {
  return buildNfit({ machine: { type: 'pc' }, memory: { size: '1G', slots: SLOTS, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '1G', labelSize: '128K' }] }).bytes;
}

export function standardBlobs(design: HvmDesign): DmAcpiBlob[] {
  return [
    { name: 'NFIT', type: 0, bytes: guestNfit() },
    { name: 'NVDR', type: 1, bytes: nvdrBody(SLOTS, design === 'v1') },
  ];
}

export function standardFiles(): FwCfgBlob[] {
  return fwCfgHandover(guestNfit(), buildQemuNvdimmSsdt({ slots: SLOTS }));
}

export interface Guest {
  mem: GuestMemory;
  res: HvmloaderResult;
  xs?: XenStore;
}

/** v1/v3 through xenstore (blobs, or the keys as `edit` leaves them), v4 through fw_cfg (files as given). */
export function bootXenstore(design: 'v1' | 'v3', blobs = standardBlobs(design), edit?: (xs: XenStore, mem: GuestMemory) => void): Guest {
  const mem = new GuestMemory();
  const xs = dmAcpiHandover(mem, 1, DM_AREA, blobs);
  edit?.(xs, mem);
  return { mem, xs, res: runHvmloader({ design, domid: 1, vcpus: 2, mem, xenstore: xs }) };
}

export function bootFwCfg(files = standardFiles(), edit?: (items: Map<number, Uint8Array>) => void): Guest {
  const mem = new GuestMemory();
  const dev = fwCfgDevice(files);
  edit?.(dev.items as Map<number, Uint8Array>);
  return { mem, res: runHvmloader({ design: 'v4', domid: 1, vcpus: 2, mem, fwCfg: dev }) };
}

export function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'nvtool-hvm-'));
}

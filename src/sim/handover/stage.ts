/**
 * QEMU's hand-over of the guest's NVDIMM ACPI (specs/sim.md §8), run by the `qemu` stage once a
 * guest's vNVDIMMs are mapped. v1/v3: the blobs in the DM ACPI buffer of guests/<name>/memory.img
 * and the keys in guests/<name>/xenstore.txt; v4: the fw_cfg files under guests/<name>/fw_cfg/
 * (`signature`, the directory `files` as item 0x19 holds it, each file at its name).
 */
import { cName, decodeFileDir, FW_CFG_FILE_DIR, FW_CFG_SIGNATURE } from '../../acpi/loader/index.js';
import type { Design } from '../scenario/scenario.js';
import type { SimDir } from '../runDir.js';
import { GuestMemory } from '../hvmloader/memory.js';
import type { FwCfgDevice } from '../hvmloader/dm.js';
import { XenStore } from '../xenstore.js';
import { dmAcpiHandover, nvdrBody, type DmAcpiArea } from './dmAcpi.js';
import { fwCfgDevice, fwCfgHandover } from './fwCfg.js';

export const MEMORY_IMG = 'memory.img';
export const XENSTORE_TXT = 'xenstore.txt';
export const FW_CFG_DIR = 'fw_cfg';
const PAGE = 4096;

/**
 * The DM ACPI buffer libxc reserves: v1 one page (alloc_magic_pages_hvm), v3 `dm_acpi_pages`
 * pages (4 here: xl.cfg's key is not read yet). Placed just below hvmloader's reserved area
 * at 0xFC000000 (libxc's real choice depends on the domain builder's allocation order).
 */
export function dmAcpiArea(design: Design): DmAcpiArea {
  const length = design === 'v1' ? PAGE : 4 * PAGE;
  return { address: 0xfc000000 - length, length };
}

const guestFile = (name: string, rel: string) => `guests/${name}/${rel}`;

/** QEMU's side for one guest; returns QEMU's messages (a blob that did not fit). */
export function qemuHandover(dir: SimDir, name: string, design: Design, domid: number, slots: number, nfit: Uint8Array, ssdt: Uint8Array): string[] {
  const errors: string[] = [];
  if (design === 'v4') {
    const files = fwCfgHandover(nfit, ssdt);
    const dev = fwCfgDevice(files);
    dir.writeBytes(guestFile(name, `${FW_CFG_DIR}/signature`), dev.items.get(FW_CFG_SIGNATURE)!);
    dir.writeBytes(guestFile(name, `${FW_CFG_DIR}/files`), dev.items.get(FW_CFG_FILE_DIR)!);
    for (const f of files) dir.writeBytes(guestFile(name, `${FW_CFG_DIR}/${f.name}`), f.data);
    return errors;
  }
  const mem = GuestMemory.open(dir.file(guestFile(name, MEMORY_IMG)));
  try {
    const xs = dmAcpiHandover(mem, domid, dmAcpiArea(design), [
      { name: 'NFIT', type: 0, bytes: nfit },
      { name: 'NVDR', type: 1, bytes: nvdrBody(slots, design === 'v1') },
    ], new XenStore(), errors);
    mem.flush();
    dir.writeText(guestFile(name, XENSTORE_TXT), xs.format());
  } finally {
    mem.close();
  }
  return errors;
}

/** fw_cfg as the files under guests/<name>/fw_cfg/ give it (a missing file is an item that reads 0). */
export function readFwCfg(dir: SimDir, name: string): FwCfgDevice | undefined {
  const at = (rel: string) => guestFile(name, `${FW_CFG_DIR}/${rel}`);
  if (!dir.exists(at('files'))) return undefined;
  const items = new Map<number, Uint8Array>();
  if (dir.exists(at('signature'))) items.set(FW_CFG_SIGNATURE, dir.readBytes(at('signature')));
  const dirBytes = dir.readBytes(at('files'));
  items.set(FW_CFG_FILE_DIR, dirBytes);
  let entries: ReturnType<typeof decodeFileDir> = [];
  try {
    entries = decodeFileDir(dirBytes);
  } catch {
    entries = [];
  }
  for (const e of entries) {
    const n = cName(e.name);
    // Only plain relative names map to files here; others read as zeros, as an unknown selector does.
    if (!n || n.includes('..') || n.startsWith('/') || !dir.exists(at(n))) continue;
    items.set(e.select, dir.readBytes(at(n)));
  }
  return { items };
}


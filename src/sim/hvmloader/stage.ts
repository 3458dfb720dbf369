/**
 * The `hvmloader` stage (specs/sim.md §8): for each guest the qemu stage left running, Xen's
 * firmware builds the guest's ACPI tables in guests/<name>/memory.img (base tables, then the
 * device model's: xenstore dm-acpi in v1/v3, fw_cfg in v4), then the tables are read back as a
 * guest OS finds them (RSDP scan, XSDT) into guests/<name>/acpi/<SIG>[N].aml.
 * Also writes guests/<name>/hvmloader.json: every DM table decision and the XSDT's entries.
 */
import { findTables, tableFileNames } from '../../acpi/tables/index.js';
import { FW_CFG_DIR, MEMORY_IMG, readFwCfg, XENSTORE_TXT } from '../handover/stage.js';
import type { SimDir } from '../runDir.js';
import { registerStage } from '../stages.js';
import { XenStore } from '../xenstore.js';
import { runHvmloader, type HvmDesign } from './build.js';
import { GuestMemory } from './memory.js';

export const HVMLOADER_JSON = 'hvmloader.json';
const guestFile = (name: string, rel: string) => `guests/${name}/${rel}`;
const hex = (v: number) => `0x${v.toString(16)}`;

interface GuestStatus {
  status: string;
  domid?: number;
  config?: { vcpus: number };
}

export function runHvmloaderStage(dir: SimDir): void {
  const sc = dir.scenario();
  for (const g of sc.guests) {
    const f = (rel: string) => guestFile(g.name, rel);
    if (!dir.exists(f('xl.json')) || !dir.exists(f('mappings.json'))) continue;
    const xl = dir.readJson<GuestStatus>(f('xl.json'));
    const mapped = dir.readJson<{ status: string }>(f('mappings.json'));
    if (xl.status !== 'created' || mapped.status !== 'running') continue;
    const design = sc.design as HvmDesign;
    const mem = GuestMemory.open(dir.file(f(MEMORY_IMG)));
    try {
      const res = runHvmloader({
        design,
        domid: xl.domid!,
        vcpus: xl.config?.vcpus ?? 1,
        mem,
        ...(design === 'v4'
          ? { fwCfg: readFwCfg(dir, g.name) }
          : dir.exists(f(XENSTORE_TXT)) ? { xenstore: XenStore.parse(Buffer.from(dir.readBytes(f(XENSTORE_TXT))).toString('utf8'), dir.path(f(XENSTORE_TXT))) } : {}),
      });
      mem.flush();
      const found = findTables((a, n) => mem.read(a, n));
      const names = tableFileNames([found.root, ...found.tables]);
      [found.root, ...found.tables].forEach((t, i) => dir.writeBytes(f(`acpi/${names[i]}`), t.bytes));
      dir.writeText(f(HVMLOADER_JSON), JSON.stringify({
        source: design === 'v4' ? `${FW_CFG_DIR}/` : XENSTORE_TXT,
        rsdp: hex(res.rsdp), rsdt: hex(res.rsdt), xsdt: hex(res.xsdt),
        xsdtEntries: res.entries.map((e) => ({ signature: e.signature, addr: hex(e.addr), origin: e.origin })),
        dmDecisions: res.dm.decisions.map((d) => ({ ...d, ...(d.addr !== undefined ? { addr: hex(d.addr) } : {}) })),
        log: res.dm.log,
        files: names.map((n) => `acpi/${n}`),
      }, null, 2) + '\n');
    } finally {
      mem.close();
    }
  }
}

registerStage({ name: 'hvmloader', describe: "Xen's hvmloader: the guest's base ACPI tables and the device model's, checked as the series' libacpi does, into guests/<name>/memory.img", run: (dir) => runHvmloaderStage(dir) });

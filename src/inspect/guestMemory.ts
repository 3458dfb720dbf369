/**
 * A guest's physical memory below 4 GiB (the simulation's guests/<name>/memory.img: file offset =
 * guest physical address): the ACPI tables as the guest finds them. RSDP found on a 16-byte
 * boundary of the BIOS area, then the XSDT (RSDT before ACPI 2.0) and each entry, then the FADT's
 * FACS and DSDT (src/acpi/tables/find.ts, the one home of that walk). Each table is the same layer
 * as a table file's, placed at its address, with how the guest reached it and its checksum state.
 */
import { isNvError } from '../core/errors.js';
import { decodeStruct } from '../core/schema/index.js';
import { BIOS_AREA_END, facs, findTables, rsdp, scanRsdp } from '../acpi/tables/index.js';
import { acpiTable } from './acpi.js';
import { addDump, hex, layer, note, num, type InspectContext, type Layer } from './layer.js';

/** memory.img is always this long; other files are not scanned (one 128 KiB read saved). */
export const GUEST_MEMORY_SIZE = 2 ** 32;

export function detectGuestMemory(ctx: InspectContext): Layer | undefined {
  if (ctx.size !== GUEST_MEMORY_SIZE || ctx.size < BIOS_AREA_END) return undefined;
  const read = (a: number, n: number) => ctx.read(a, n);
  const at = scanRsdp(read);
  if (at === undefined) return undefined;
  const top = layer('guest-memory', 0, ctx.size, `guest memory: RSDP at ${hex(at)}`);
  const r = decodeStruct(rsdp, ctx.read(at, rsdp.size!));
  const rl = layer('rsdp', at, r.value.revision >= 2 ? r.value.length : rsdp.offsetOf('length'), `RSDP rev ${r.value.revision}, OEM ${r.value.oemId}`, {
    revision: r.value.revision, oemId: r.value.oemId, rsdtAddress: r.value.rsdtAddress, xsdtAddress: num(r.value.xsdtAddress),
  });
  addDump(ctx, rl, { struct: rsdp, offset: at, length: rsdp.size!, title: 'RSDP' });
  top.children.push(rl);
  try {
    const found = findTables(read);
    rl.fields.checksum = found.rsdpChecksumOk ? 'valid' : 'invalid';
    rl.fields.extendedChecksum = found.rsdpExtendedChecksumOk ? 'valid' : 'invalid';
    if (!found.rsdpExtendedChecksumOk) note(ctx, rl, { severity: 'error', code: 'checksum', message: 'the RSDP extended checksum does not sum to 0', offset: at });
    const entries = [found.root, ...found.tables];
    for (const t of entries) {
      const l = t.signature === 'FACS' ? facsLayer(ctx, t.addr) : acpiTable(ctx, t.addr, t.bytes.length, t.signature);
      l.fields.via = t.via;
      if (t.signature !== 'FACS') l.fields.checksumState = t.checksumOk ? 'valid' : 'invalid';
      l.label = `${l.label} at ${hex(t.addr)} (${t.via})`;
      top.children.push(l);
    }
    top.fields = {
      rsdp: at, root: found.root.signature,
      tables: entries.map((t) => ({ signature: t.signature, address: t.addr, length: t.bytes.length, via: t.via, checksum: t.signature === 'FACS' ? 'none' : t.checksumOk ? 'valid' : 'invalid' })),
    };
    top.label = `guest memory: RSDP at ${hex(at)}, ${found.root.signature} with ${entries.length - 1} table(s)`;
  } catch (e) {
    if (!isNvError(e)) throw e;
    note(ctx, top, { severity: 'error', code: 'guest-acpi', message: e.message, offset: Math.min(e.offset ?? at, ctx.size - 1), confidence: 'certain' });
  }
  return top;
}

function facsLayer(ctx: InspectContext, at: number): Layer {
  const l = layer('acpi-table', at, facs.size!, 'FACS, 64 bytes', { signature: 'FACS' });
  addDump(ctx, l, { struct: facs, offset: at, length: facs.size!, title: 'FACS' });
  return l;
}

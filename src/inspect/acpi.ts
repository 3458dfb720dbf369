/**
 * ACPI tables (any signature) at the start of a file, back to back: the header of each, the NFIT
 * decoded (src/acpi/nfit) and DSDT/SSDT AML decoded (src/aml). A table's own problems are findings.
 */
import { acpiSignature, genericTable, headerLength, headerText } from '../acpi/genericTable.js';
import { SPA_RANGE_GUID_NAMES } from '../acpi/nfit/guids.js';
import { decodeNfit } from '../acpi/nfit/index.js';
import { AML_SIGNATURES, decodeAmlTable } from '../aml/table.js';
import { isNvError } from '../core/errors.js';
import { Struct, decodeStruct } from '../core/schema/index.js';
import { ACPI_HEADER_SIZE, acpiHeader } from '../acpi/header.js';
import { addDump, hex, layer, note, noteAll, num, type FieldValue, type InspectContext, type Layer } from './layer.js';

/** Larger than any real ACPI table; a longer Length is taken as "not ACPI". */
const MAX_TABLE = 64 * 1024 * 1024;

/** The 36-byte header alone, for the hex dump. */
const headerOnly = new Struct('ACPI header', [...acpiHeader()] as const, { label: 'ACPI table header' });

const OBJECT_TYPES: Record<number, string> = { 6: 'Device', 8: 'Method', 14: 'BufferField', 5: 'FieldUnit', 1: 'Integer', 2: 'String', 3: 'Buffer', 4: 'Package', 10: 'OperationRegion' };

export function detectAcpiTables(ctx: InspectContext): Layer[] {
  const out: Layer[] = [];
  let off = 0;
  while (off + ACPI_HEADER_SIZE <= ctx.size) {
    const head = ctx.read(off, ACPI_HEADER_SIZE);
    const sig = acpiSignature(head);
    const len = headerLength(head);
    if (!sig || len < ACPI_HEADER_SIZE || len > MAX_TABLE || off + len > ctx.size) break;
    if (!plausible(ctx, off, head, sig, len)) break;
    out.push(acpiTable(ctx, off, len, sig));
    off += len;
  }
  if (out.length && off < ctx.size && out[out.length - 1]) {
    note(ctx, out[out.length - 1]!, { severity: 'warning', code: 'trailing-bytes', message: `${ctx.size - off} bytes after the last table are not an ACPI table`, offset: off, confidence: 'likely' });
  }
  return out;
}

/** Signatures of the ACPI spec and of tables in common use (ACPICA actbl*.h). */
const KNOWN = new Set(('APIC BERT BGRT BOOT CCEL CDIT CEDT CPEP CRAT CSRT DBG2 DBGP DMAR DRTM DSDT ECDT EINJ ERST FACP FACS FPDT GTDT HEST HMAT HPET ' +
  'IBFT IORT IVRS LPIT MADT MCFG MCHI MPST MSCT MSDM NFIT NHLT PCCT PDTT PHAT PMTT PPTT PRMT PSDT RASF RGRT RSDT S3PT SBST SDEI SDEV SLIC SLIT ' +
  'SPCR SPMI SRAT SSDT STAO SVKL TCPA TDEL TPM2 UEFI VIOT WAET WDAT WDDT WDRT WPBT WSMT XENV XSDT').split(' '));

/**
 * A known signature with a printable OEM ID, or any signature whose checksum holds: other formats'
 * magics (an XFS super block starts with "XFSB") are not taken for tables.
 */
function plausible(ctx: InspectContext, off: number, head: Uint8Array, sig: string, len: number): boolean {
  const oemOk = [...headerText(head, 'oemId')].map((ch) => ch.charCodeAt(0)).every((c) => c === 0 || (c >= 0x20 && c < 0x7f));
  if (!oemOk) return false;
  if (KNOWN.has(sig)) return true;
  if (len > 1024 * 1024) return false;
  let sum = 0;
  for (const b of ctx.read(off, len)) sum = (sum + b) & 0xff;
  return sum === 0;
}

export function acpiTable(ctx: InspectContext, off: number, len: number, sig: string): Layer {
  const bytes = ctx.read(off, len);
  const l = layer('acpi-table', off, len, `${sig} table, ${len} bytes`);
  try {
    const h = decodeStruct(genericTable, bytes, { format: sig, base: off });
    const { body: _body, ...hdr } = h.value;
    l.fields = { signature: sig, length: len, revision: hdr.revision, checksum: hex(hdr.checksum), oemId: hdr.oemId, oemTableId: hdr.oemTableId, oemRevision: hdr.oemRevision, creatorId: hdr.creatorId, creatorRevision: hex(hdr.creatorRevision) };
    if (sig !== 'NFIT') noteAll(ctx, l, h.findings);
  } catch (e) {
    if (!isNvError(e)) throw e;
    note(ctx, l, { severity: 'error', code: 'acpi-header', message: e.message, offset: e.offset ?? off });
    return l;
  }
  if (sig === 'NFIT') {
    try {
      const d = decodeNfit(bytes, { base: off });
      noteAll(ctx, l, d.findings);
      const st = d.table.structures as unknown as Record<string, any>[];
      const byType: Record<string, number> = {};
      for (const s of st) byType[String(s.type)] = (byType[String(s.type)] ?? 0) + 1;
      const spas: FieldValue[] = st.filter((s) => s.type === 0).map((s) => ({ rangeIndex: s.rangeIndex, type: SPA_RANGE_GUID_NAMES[s.rangeGuid] ?? s.rangeGuid, base: num(s.address), length: num(s.rangeLength), proximityDomain: s.proximityDomain }));
      const memdevs: FieldValue[] = st.filter((s) => s.type === 1).map((s) => ({ deviceHandle: hex(s.deviceHandle), rangeIndex: s.rangeIndex, regionSize: num(s.regionSize), regionOffset: num(s.regionOffset), dpa: num(s.address) }));
      l.fields.nfit = { structures: st.length, byType, spaRanges: spas, memoryDevices: memdevs };
      l.label = `NFIT: ${spas.length} SPA range(s), ${memdevs.length} memory device(s)`;
    } catch (e) {
      if (!isNvError(e)) throw e;
      note(ctx, l, { severity: 'error', code: 'nfit-decode', message: e.message, offset: e.offset ?? off });
    }
  } else if ((AML_SIGNATURES as readonly string[]).includes(sig)) {
    try {
      const d = decodeAmlTable(bytes);
      const defined = [...d.namespace.objects.entries()].filter(([, o]) => o.from === 'table');
      const named = defined.filter(([, o]) => o.type === 6 || o.type === 8).map(([p, o]) => `${p} (${OBJECT_TYPES[o.type] ?? o.type}${o.type === 8 ? `, ${o.argc ?? 0} args` : ''})`);
      l.fields.aml = { objects: defined.length, terms: d.code.siblings(d.code.top), devicesAndMethods: named.slice(0, 64), passes: d.passes };
      l.label = `${sig} AML: ${defined.length} objects`;
    } catch (e) {
      if (!isNvError(e)) throw e;
      note(ctx, l, { severity: 'error', code: 'aml-decode', message: e.message, offset: e.offset !== undefined ? e.offset + off : off });
    }
  }
  addDump(ctx, l, { struct: headerOnly, offset: off, length: 36, title: `${sig} header` });
  return l;
}

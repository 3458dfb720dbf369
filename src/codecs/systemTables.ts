/**
 * The system tables a guest's firmware builds (src/acpi/tables: RSDP, RSDT, XSDT, FADT, FACS,
 * MADT) and QEMU's table-loader entries and fw_cfg directory (src/acpi/loader), each decoded
 * field by field from its one declaration. RSDP and FACS have no ACPI header; the others are
 * recognised by signature before the generic ACPI fallback.
 */
import { acpiSignature } from '../acpi/genericTable.js';
import { facs, fadt, madt, rsdp, RSDP_SIGNATURE, rsdt, xsdt } from '../acpi/tables/index.js';
import { loaderEntry } from '../acpi/loader/index.js';
import type { DecodableFormat } from './registry.js';
import { structFormat } from './struct.js';

const sig = (b: Uint8Array, n: number) => String.fromCharCode(...b.subarray(0, n));
const signatureOf = (j: unknown) => (j && typeof j === 'object' ? (j as { signature?: unknown }).signature : undefined);
const bySig = (name: string, s: Parameters<typeof structFormat>[1], signature: string) =>
  structFormat(name, s, { detect: (b) => acpiSignature(b) === signature, detectJson: (j) => signatureOf(j) === signature });

export const systemTableFormats: DecodableFormat[] = [
  structFormat('RSDP', rsdp, { detect: (b) => b.length >= rsdp.size! && sig(b, 8) === RSDP_SIGNATURE, detectJson: (j) => signatureOf(j) === RSDP_SIGNATURE }),
  structFormat('FACS', facs, { detect: (b) => b.length === facs.size! && sig(b, 4) === 'FACS', detectJson: (j) => signatureOf(j) === 'FACS' }),
  bySig('RSDT', rsdt, 'RSDT'),
  bySig('XSDT', xsdt, 'XSDT'),
  // Only the 244-byte (revision 3/4) layout the declaration has; other FADT revisions stay generic.
  structFormat('FADT', fadt, { detect: (b) => acpiSignature(b) === 'FACP' && b.length === fadt.size! && b[4] === (fadt.size! & 0xff) && b[5] === 0, detectJson: (j) => signatureOf(j) === 'FACP' && (j as { xDsdt?: unknown }).xDsdt !== undefined }),
  bySig('MADT', madt, 'APIC'),
  // One etc/table-loader entry; only by name (a whole loader file is 128-byte entries back to back).
  structFormat('table-loader-entry', loaderEntry, { detect: () => false }),
];

/**
 * An independent, minimal reader of the ACPI tables in guest memory: RSDP search, RSDT/XSDT walk,
 * FADT -> DSDT/FACS, checksums. Deliberately does not use nvtool's own decoders (it is their oracle).
 */

/** Reads `length` bytes of guest physical memory at `address`. */
export type ReadGuest = (address: number, length: number) => Promise<Uint8Array>;

export interface AcpiTable {
  signature: string;
  /** '' for FACS, which has no OEM fields. */
  oemId: string;
  oemTableId: string;
  /** Guest physical address the firmware put it at. */
  address: number;
  bytes: Uint8Array;
}

export interface Rsdp {
  address: number;
  revision: number;
  oemId: string;
  rsdtAddress: number;
  xsdtAddress: number;
  bytes: Uint8Array;
}

/** The guest's tables are not (yet) consistent: the caller may let the firmware run and retry. */
export class AcpiWalkError extends Error {
  override readonly name = 'AcpiWalkError';
}

const RSDP_SIGNATURE = 'RSD PTR ';
const HEADER_LENGTH = 36;
const MAX_TABLE_LENGTH = 1 << 20;

export function sum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + bytes[i]!) & 0xff;
  return sum;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

function u64(bytes: Uint8Array, offset: number): number {
  const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new AcpiWalkError(`address 0x${value.toString(16)} too large`);
  return Number(value);
}

/** Looks for a checksum-valid RSDP on the 16-byte boundaries of `region` (which starts at `base`). */
export function findRsdp(region: Uint8Array, base: number): Rsdp | undefined {
  for (let off = 0; off + 20 <= region.length; off += 16) {
    if (ascii(region, off, 8) !== RSDP_SIGNATURE || sum8(region, off, off + 20) !== 0) continue;
    const revision = region[off + 15]!;
    const length = revision >= 2 ? 36 : 20;
    if (off + length > region.length) continue;
    if (revision >= 2 && sum8(region, off, off + 36) !== 0) continue;
    const bytes = region.slice(off, off + length);
    return {
      address: base + off,
      revision,
      oemId: ascii(bytes, 9, 6),
      rsdtAddress: u32(bytes, 16),
      xsdtAddress: revision >= 2 ? u64(bytes, 24) : 0,
      bytes,
    };
  }
  return undefined;
}

async function readTable(read: ReadGuest, address: number, expected?: string): Promise<AcpiTable> {
  if (address === 0) throw new AcpiWalkError(`null pointer to ${expected ?? 'a table'}`);
  const header = await read(address, 8);
  const signature = ascii(header, 0, 4);
  const length = u32(header, 4);
  if (expected !== undefined && signature !== expected) {
    throw new AcpiWalkError(`expected ${expected} at 0x${address.toString(16)}, found ${JSON.stringify(signature)}`);
  }
  const minimum = signature === 'FACS' ? 64 : HEADER_LENGTH;
  if (length < minimum || length > MAX_TABLE_LENGTH) {
    throw new AcpiWalkError(`${JSON.stringify(signature)} at 0x${address.toString(16)} has length ${length}`);
  }
  const bytes = await read(address, length);
  if (signature === 'FACS') return { signature, oemId: '', oemTableId: '', address, bytes };
  if (sum8(bytes) !== 0) {
    throw new AcpiWalkError(`${signature} at 0x${address.toString(16)}: checksum does not sum to 0`);
  }
  return { signature, oemId: ascii(bytes, 10, 6), oemTableId: ascii(bytes, 16, 8), address, bytes };
}

/**
 * Every table reachable from the RSDP, in walk order: the RSDT or XSDT, then its entries, each
 * FADT followed by its DSDT and FACS. Throws AcpiWalkError on a bad signature, length or checksum.
 */
export async function walkAcpiTables(read: ReadGuest, rsdp: Rsdp): Promise<AcpiTable[]> {
  const useXsdt = rsdp.revision >= 2 && rsdp.xsdtAddress !== 0;
  const root = await readTable(read, useXsdt ? rsdp.xsdtAddress : rsdp.rsdtAddress, useXsdt ? 'XSDT' : 'RSDT');
  const entrySize = useXsdt ? 8 : 4;
  const tables: AcpiTable[] = [root];
  for (let off = HEADER_LENGTH; off + entrySize <= root.bytes.length; off += entrySize) {
    const table = await readTable(read, useXsdt ? u64(root.bytes, off) : u32(root.bytes, off));
    tables.push(table);
    if (table.signature === 'FACP') tables.push(...(await fadtChildren(read, table.bytes)));
  }
  return tables;
}

/** DSDT then FACS, preferring the 64-bit X_ pointers when the FADT is long enough to hold them. */
async function fadtChildren(read: ReadGuest, fadt: Uint8Array): Promise<AcpiTable[]> {
  const pick = (legacyOffset: number, extendedOffset: number): number => {
    const extended = fadt.length >= extendedOffset + 8 ? u64(fadt, extendedOffset) : 0;
    return extended !== 0 ? extended : u32(fadt, legacyOffset);
  };
  const children: AcpiTable[] = [await readTable(read, pick(40, 140), 'DSDT')];
  const facs = pick(36, 132);
  if (facs !== 0) children.push(await readTable(read, facs, 'FACS'));
  return children;
}

/** QEMU's NVDIMM SSDT: the SSDT whose OEM table id is `NVDIMM`. */
export function findNvdimmSsdt(tables: readonly AcpiTable[]): AcpiTable | undefined {
  return tables.find((t) => t.signature === 'SSDT' && t.oemTableId.replace(/[\0 ]+$/, '') === 'NVDIMM');
}

/**
 * The DSM buffer address the firmware patched into `Name(MEMA, DWordConst)`, the SSDT's last
 * 10 bytes: NameOp 0x08, 'MEMA', DWordPrefix 0x0C, value.
 */
export function memaOf(ssdt: Uint8Array): number {
  const at = ssdt.length - 10;
  if (at < HEADER_LENGTH || ssdt[at] !== 0x08 || ascii(ssdt, at + 1, 4) !== 'MEMA' || ssdt[at + 5] !== 0x0c) {
    throw new Error('NVDIMM SSDT does not end in Name(MEMA, DWordConst)');
  }
  return u32(ssdt, at + 6);
}

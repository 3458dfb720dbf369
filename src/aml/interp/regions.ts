/**
 * Operation region access for field units (ACPICA `exfldio.c`, `exprep.c`): a field is read and
 * written in datums of its access width at its aligned base byte, partial datums merged by the
 * field's update rule; every access is checked against the region's length first. The bytes
 * themselves come from a handler the caller passes per address space, so the interpreter knows
 * nothing of what is behind a region.
 */
import { amlFail } from './errors.js';

/** Address space ids (ACPI 6.5 §19.6.100). */
export const SPACE = { SystemMemory: 0, SystemIO: 1, PCI_Config: 2, EmbeddedControl: 3, SMBus: 4, SystemCMOS: 5, PciBarTarget: 6 } as const;

export const SPACE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SPACE).map(([k, v]) => [v, k]));

/** One region access as ACPICA's handler sees it: absolute address, width in bits. */
export interface RegionAccess {
  space: number;
  write: boolean;
  address: bigint;
  bits: number;
  value: bigint;
}

/** Reads or writes `bits` (8/16/32/64) at an absolute address of the space. */
export interface RegionHandler {
  read(address: bigint, bits: number): bigint;
  write(address: bigint, bits: number, value: bigint): void;
}

/** One region's geometry as the field code needs it. */
export interface RegionView {
  space: number;
  offset: bigint;
  length: bigint;
}

/**
 * Access width in bytes for an AccessType (`AcpiExDecodeFieldAccess`). AnyAcc is byte access:
 * ACPICA's search for a wider one (`AcpiExGenerateAccess`) is compiled out (ACPI_UNDER_DEVELOPMENT).
 */
export function accessWidth(access: number): number {
  switch (access) {
    case 2:
      return 2;
    case 3:
      return 4;
    case 4:
      return 8;
    default:
      return 1; // ByteAcc, BufferAcc
  }
}

/** How one field unit reaches its datums: `datum(i)` reads/writes the i-th access-width unit. */
export interface DatumIo {
  width: number;
  read(byteOffset: number): bigint;
  write(byteOffset: number, value: bigint): void;
}

/** Datum I/O straight on a region (Field, BankField after the bank register is set). */
export function regionDatumIo(region: RegionView, handler: RegionHandler, baseByte: number, width: number, trace?: (a: RegionAccess) => void): DatumIo {
  const check = (byteOffset: number): bigint => {
    const end = BigInt(baseByte + byteOffset + width);
    if (region.length < end) amlFail('AE_AML_REGION_LIMIT', `field access of ${width} bytes at region offset ${baseByte + byteOffset} beyond the region's ${region.length} bytes`);
    return region.offset + BigInt(baseByte + byteOffset);
  };
  return {
    width,
    read(byteOffset) {
      const address = check(byteOffset);
      const value = handler.read(address, width * 8) & ((1n << BigInt(width * 8)) - 1n);
      trace?.({ space: region.space, write: false, address, bits: width * 8, value });
      return value;
    },
    write(byteOffset, value) {
      const address = check(byteOffset);
      trace?.({ space: region.space, write: true, address, bits: width * 8, value });
      handler.write(address, width * 8, value);
    },
  };
}

/** The field's bits, LSB first in a byte array of ceil(bitLength/8) (`AcpiExExtractFromField`). */
export function extractField(io: DatumIo, startBit: number, bitLength: number): Uint8Array {
  const wBits = io.width * 8;
  const datums = Math.ceil((startBit + bitLength) / wBits);
  let all = 0n;
  for (let i = 0; i < datums; i++) all |= io.read(i * io.width) << BigInt(i * wBits);
  const v = (all >> BigInt(startBit)) & ((1n << BigInt(bitLength)) - 1n);
  const out = new Uint8Array(Math.ceil(bitLength / 8));
  for (let i = 0; i < out.length; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/**
 * Writes the field's bits from `data` (zero-extended or truncated to the field), datum by datum;
 * a datum the field covers only partly is merged by the update rule (`AcpiExWriteWithUpdateRule`:
 * Preserve reads it first, WriteAsOnes/WriteAsZeros fill the bits outside the field).
 */
export function insertField(io: DatumIo, startBit: number, bitLength: number, data: Uint8Array, update: number): void {
  const wBits = io.width * 8;
  const datumMask = (1n << BigInt(wBits)) - 1n;
  let v = 0n;
  for (let i = Math.min(data.length, Math.ceil(bitLength / 8)) - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[i]!);
  v &= (1n << BigInt(bitLength)) - 1n;
  const shifted = v << BigInt(startBit);
  const fieldMask = ((1n << BigInt(bitLength)) - 1n) << BigInt(startBit);
  const datums = Math.ceil((startBit + bitLength) / wBits);
  for (let i = 0; i < datums; i++) {
    const sh = BigInt(i * wBits);
    const mask = (fieldMask >> sh) & datumMask;
    let value = (shifted >> sh) & datumMask;
    if (mask !== datumMask) {
      if (update === 0) value |= io.read(i * io.width) & ~mask & datumMask;
      else if (update === 1) value |= ~mask & datumMask;
    }
    io.write(i * io.width, value);
  }
}

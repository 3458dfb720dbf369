import { fletcher64 } from '../core/checksum/fletcher64.js';
import { Struct, encodeStruct, reserved, u16, u32, u64, u8 } from '../core/schema/index.js';

/**
 * The interleave-set cookie, as Linux computes it from the NFIT (drivers/acpi/nfit/core.c
 * acpi_nfit_init_interleave_set): one element per DIMM of the set, sorted, then fletcher64.
 * These byte layouts are never stored; they exist only to be checksummed.
 */
export const cookieV11Element = new Struct(
  'iset-info-v1.1',
  [u64('regionOffset', { specName: 'region_offset' }), u32('serial', { specName: 'serial_number' }), reserved('pad', 4)] as const,
  { label: 'nfit_set_info_map (v1.1 cookie element)', size: 16 },
);

export const cookieV12Element = new Struct(
  'iset-info-v1.2',
  [
    u64('regionOffset', { specName: 'region_offset' }),
    u32('serial', { specName: 'serial_number' }),
    u16('vendorId', { specName: 'vendor_id' }),
    u16('manufacturingDate', { specName: 'manufacturing_date' }),
    u8('manufacturingLocation', { specName: 'manufacturing_location' }),
    reserved('reserved', 31),
  ] as const,
  { label: 'nfit_set_info_map2 (v1.2 cookie element)', size: 48 },
);

/** One DIMM of an interleave set: its memdev Region Offset and DCR identity. */
export interface SetMember {
  regionOffset: bigint;
  serial: number;
  vendorId: number;
  manufacturingDate: number;
  manufacturingLocation: number;
}

export interface SetCookies {
  /** v1.1 labels (index minor 1). */
  cookie1: bigint;
  /** v1.2 labels. */
  cookie2: bigint;
  /** v1.1 cookie of the old, wrong sort order (memcmp of the LE region offsets), still accepted. */
  altcookie: bigint;
  /** Position of each member (input order) = its index in the v1.2 sort. */
  positions: number[];
}

function leBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

function memcmp(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Members are given in NFIT memdev order (memdev_from_spa). */
export function interleaveSetCookies(members: readonly SetMember[]): SetCookies {
  const v11 = (m: SetMember) => encodeStruct(cookieV11Element, { regionOffset: m.regionOffset, serial: m.serial, pad: new Uint8Array(4) });
  const v12 = (m: SetMember) =>
    encodeStruct(cookieV12Element, {
      regionOffset: m.regionOffset, serial: m.serial, vendorId: m.vendorId, manufacturingDate: m.manufacturingDate,
      manufacturingLocation: m.manufacturingLocation, reserved: new Uint8Array(31),
    });
  const numeric = (a: SetMember, b: SetMember) => (a.regionOffset < b.regionOffset ? -1 : a.regionOffset > b.regionOffset ? 1 : 0);
  const sorted = [...members].sort(numeric);
  const cookie1 = fletcher64(concat(sorted.map(v11)));
  const cookie2 = fletcher64(concat(sorted.map(v12)));
  const compat = [...members].sort((a, b) => memcmp(leBytes(a.regionOffset), leBytes(b.regionOffset)));
  const altcookie = fletcher64(concat(compat.map(v11)));
  const positions = members.map((m) =>
    sorted.findIndex((s) => s.serial === m.serial && s.vendorId === m.vendorId && s.manufacturingDate === m.manufacturingDate && s.manufacturingLocation === m.manufacturingLocation),
  );
  return { cookie1, cookie2, altcookie, positions };
}

/** QEMU's NFIT for the DIMM in `slot` (hw/acpi/nvdimm.c): serial 0x123456 + slot, vendor 0x8086, region offset 0. */
export function qemuSetMember(slot: number): SetMember {
  return { regionOffset: 0n, serial: 0x123456 + slot, vendorId: 0x8086, manufacturingDate: 0, manufacturingLocation: 0 };
}

/**
 * AML run-time objects and ACPICA's conversions between them (`exconvrt.c`, `utstrtoul64.c`,
 * `exmisc.c` comparison rules). Integers are BigInts masked to the table's width (32 bits for a
 * DSDT of revision < 2, ACPICA `AcpiUtSetIntegerWidth`).
 */
import { amlFail } from './errors.js';

export interface IntegerObj { type: 'Integer'; value: bigint }
export interface StringObj { type: 'String'; value: string }
/** Mutable in place: buffer fields and Index references write into `value`. */
export interface BufferObj { type: 'Buffer'; value: Uint8Array }
export interface PackageObj { type: 'Package'; elements: (AmlObject | undefined)[] }

export type DataObj = IntegerObj | StringObj | BufferObj | PackageObj;

/** What a reference points at: a namespace node, a method local/arg, or an element (`Index`). */
export type RefTarget =
  | { kind: 'node'; path: string }
  | { kind: 'local' | 'arg'; slots: (AmlObject | undefined)[]; index: number }
  | { kind: 'index'; of: BufferObj | StringObj | PackageObj; index: number };

/** `name`: a package element naming an object (ACPICA's NAME class), the one kind a caller outside AML receives. */
export interface ReferenceObj { type: 'Reference'; to: RefTarget; name?: boolean }

export interface FieldUnitObj {
  type: 'FieldUnit';
  /** Region (Field/BankField) or index/data registers (IndexField), resolved at access. */
  kind: 'region' | 'index' | 'bank';
  region: string;
  /** IndexField: the index and data field paths; BankField: the bank field path and value. */
  indexPath?: string;
  dataPath?: string;
  bankPath?: string;
  bankValue?: bigint;
  bitOffset: number;
  bitLength: number;
  /** AccessType (0 Any, 1 Byte, 2 Word, 3 DWord, 4 QWord, 5 Buffer), resolved to a width at access. */
  access: number;
  /** UpdateRule: 0 Preserve, 1 WriteAsOnes, 2 WriteAsZeros. */
  update: number;
}

export interface BufferFieldObj { type: 'BufferField'; buffer: BufferObj; bitOffset: number; bitLength: number; createField: boolean }

export interface RegionObj { type: 'OperationRegion'; space: number; offset: bigint; length: bigint }
export interface MethodObj {
  type: 'Method';
  path: string;
  argc: number;
  serialized: boolean;
  syncLevel: number;
  /** The body (TermList), executed with the method's own scope. */
  body: unknown;
  /** Set while running: ACPICA's per-method thread count (`AE_AML_METHOD_LIMIT` at 255). */
  active: number;
  /** Serialized methods' implicit mutex. */
  mutex?: MutexObj;
}
export interface MutexObj { type: 'Mutex'; syncLevel: number; depth: number; savedLevel: number }
/** An Event is a counting semaphore (ACPICA `AcpiExSystemSignalEvent`/`WaitEvent`/`ResetEvent`). */
export interface EventObj { type: 'Event'; count: number }

export type AmlObject =
  | DataObj
  | ReferenceObj
  | FieldUnitObj
  | BufferFieldObj
  | RegionObj
  | MethodObj
  | MutexObj
  | EventObj
  | { type: 'Device' | 'Processor' | 'PowerResource' | 'ThermalZone' | 'Debug' }
  | { type: 'Uninitialized' };

/** ObjectType codes (ACPI 6.5 §19.6.96, ACPICA `ACPI_TYPE_*`). */
export const OBJECT_TYPE_CODE: Record<AmlObject['type'], number> = {
  Uninitialized: 0,
  Integer: 1,
  String: 2,
  Buffer: 3,
  Package: 4,
  FieldUnit: 5,
  Device: 6,
  Event: 7,
  Method: 8,
  Mutex: 9,
  OperationRegion: 10,
  PowerResource: 11,
  Processor: 12,
  ThermalZone: 13,
  BufferField: 14,
  Debug: 16,
  Reference: 20,
};

/** Integer width in bits and its mask. */
export interface Width {
  bits: 32 | 64;
  mask: bigint;
}

export const widthOf = (bits: 32 | 64): Width => ({ bits, mask: (1n << BigInt(bits)) - 1n });

export const int = (value: bigint): IntegerObj => ({ type: 'Integer', value });
export const str = (value: string): StringObj => ({ type: 'String', value });
export const buf = (value: Uint8Array): BufferObj => ({ type: 'Buffer', value });

export function isData(o: AmlObject): o is DataObj {
  return o.type === 'Integer' || o.type === 'String' || o.type === 'Buffer' || o.type === 'Package';
}

/**
 * A deep copy of a data object (ACPICA `AcpiUtCopyIobjectToIobject`): stores never alias. Integers
 * and Strings are copied too: a Store into a named one changes that object in place, which a
 * package built with its name shares (`AcpiDsResolvePackageElement`).
 */
export function copyObject<T extends AmlObject>(o: T): T {
  switch (o.type) {
    case 'Integer':
      return int(o.value) as T;
    case 'String':
      return str(o.value) as T;
    case 'Buffer':
      return buf(o.value.slice()) as T;
    case 'Package':
      return { type: 'Package', elements: o.elements.map((e) => (e ? copyObject(e) : e)) } as T;
    default:
      return o;
  }
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Digits accumulated until a non-digit or until the next digit would overflow the width (value so far kept). */
function accumulate(s: string, at: number, base: 10 | 16, w: Width): bigint {
  let v = 0n;
  for (let i = at; i < s.length; i++) {
    const d = base === 16 ? hexDigit(s.charCodeAt(i)) : s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39 ? s.charCodeAt(i) - 0x30 : -1;
    if (d < 0) break;
    const next = v * BigInt(base) + BigInt(d);
    if (next > w.mask) break;
    v = next;
  }
  return v;
}

const skipSpace = (s: string): number => {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
};

/** Implicit string → integer: hexadecimal (an optional `0x`), stops at the first non-hex character (`AcpiUtImplicitStrtoul64`). */
export function implicitStrToInt(s: string, w: Width): bigint {
  const i = skipSpace(s);
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) return accumulate(s, i + 2, 16, w);
  return accumulate(s, i, 16, w);
}

/** ToInteger's string rule: `0x` prefix → hex, else decimal (`AcpiUtExplicitStrtoul64`). */
export function explicitStrToInt(s: string, w: Width): bigint {
  const i = skipSpace(s);
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) return accumulate(s, i + 2, 16, w);
  return accumulate(s, i, 10, w);
}

export function bufToInt(b: Uint8Array, w: Width): bigint {
  let v = 0n;
  const n = Math.min(b.length, w.bits / 8);
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export function intToBuf(v: bigint, w: Width): Uint8Array {
  const out = new Uint8Array(w.bits / 8);
  for (let i = 0; i < out.length; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

/**
 * Operand conversion to Integer (`AcpiExConvertToInteger`, implicit or ToInteger). An Integer is
 * taken as it is: the only one wider than a 32-bit table's integers is `_OSI`'s all-ones
 * (`AcpiUtOsiImplementation` returns ACPI_UINT64_MAX), which operators compute with before their
 * result is truncated (`AcpiDsExecEndOp`).
 */
export function toInteger(o: AmlObject, w: Width, explicit = false): bigint {
  switch (o.type) {
    case 'Integer':
      return o.value;
    case 'String':
      return explicit ? explicitStrToInt(o.value, w) : implicitStrToInt(o.value, w);
    case 'Buffer':
      if (o.value.length === 0) amlFail('AE_AML_BUFFER_LIMIT', 'zero-length buffer converted to an integer');
      return bufToInt(o.value, w);
    default:
      return amlFail('AE_AML_OPERAND_TYPE', `needed [Integer/String/Buffer], found [${o.type}]`);
  }
}

/** Operand conversion to Buffer (`AcpiExConvertToBuffer`): a string keeps its terminating NUL. */
export function toBuffer(o: AmlObject, w: Width): Uint8Array {
  switch (o.type) {
    case 'Integer':
      return intToBuf(o.value, w);
    case 'String': {
      const out = new Uint8Array(o.value.length + 1);
      for (let i = 0; i < o.value.length; i++) out[i] = o.value.charCodeAt(i) & 0xff;
      return out;
    }
    case 'Buffer':
      return o.value;
    default:
      return amlFail('AE_AML_OPERAND_TYPE', `needed [Integer/String/Buffer], found [${o.type}]`);
  }
}

export type StringMode = 'implicit' | 'hex' | 'decimal';

/**
 * Operand conversion to String (`AcpiExConvertToString`): implicit → integers as fixed-width hex,
 * buffers as `0x01 0x02`; ToHexString → buffers as `0x01,0x02`; ToDecimalString → decimal.
 */
export function toStringValue(o: AmlObject, w: Width, mode: StringMode = 'implicit'): string {
  switch (o.type) {
    case 'Integer':
      // As many digits as the table's integers have (`AcpiExConvertToAscii`): the low ones of a wider value.
      return mode === 'decimal' ? (w.bits === 32 ? o.value % 10_000_000_000n : o.value).toString(10) : (o.value & w.mask).toString(16).toUpperCase().padStart(w.bits / 4, '0');
    case 'String':
      return o.value;
    case 'Buffer': {
      const parts = Array.from(o.value, (b) => (mode === 'decimal' ? String(b) : `0x${hex2(b)}`));
      return parts.join(mode === 'implicit' ? ' ' : ',');
    }
    default:
      return amlFail('AE_AML_OPERAND_TYPE', `needed [Integer/String/Buffer], found [${o.type}]`);
  }
}

export function bytesOfString(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * LEqual/LGreater/LLess (`AcpiExDoLogicalOp`): the second operand is converted to the type of the
 * first; strings and buffers compare bytewise, then by length. Returns <0, 0, >0.
 */
export function compareObjects(a: AmlObject, b: AmlObject, w: Width): number {
  switch (a.type) {
    case 'Integer': {
      const y = toInteger(b, w);
      return a.value === y ? 0 : a.value < y ? -1 : 1;
    }
    case 'String':
      return compareBytes(bytesOfString(a.value), bytesOfString(toStringValue(b, w)));
    case 'Buffer':
      return compareBytes(a.value, toBuffer(b, w));
    default:
      return amlFail('AE_AML_OPERAND_TYPE', `needed [Integer/String/Buffer], found [${a.type}]`);
  }
}

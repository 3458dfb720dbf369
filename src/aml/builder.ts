/**
 * The AML builder: one function per ASL operator, returning model terms (no bytes, no lengths:
 * the encoder computes every PkgLength and buffer size). Integer and buffer-size choices are
 * QEMU's (`hw/acpi/aml-build.c`): `int` picks ZeroOp, OneOp or the shortest prefixed constant
 * exactly as `build_append_int` does, so a table built here matches QEMU's byte for byte.
 *
 *     aml.scope('\\_SB', [aml.device('NVDR', [aml.name('_HID', aml.str('ACPI0012'))])])
 */
import type { FieldElement, IntTerm, NameString, NameTerm, OpTerm, Term } from './model.js';
import { parseNameString } from './nameString.js';
import { opByName } from './opcodes.js';

type NameLike = string | NameString;
const ns = (n: NameLike): NameString => (typeof n === 'string' ? parseNameString(n) : n);
const nameArg = (n: NameLike): NameTerm => ({ t: 'name', name: ns(n) });
/** A value position accepts a term or a name (`'Local0'` is not special: use aml.local(0)). */
type Val = Term | string;
const val = (v: Val): Term => (typeof v === 'string' ? nameArg(v) : v);
const target = (v: Val | undefined): Term => (v === undefined ? { t: 'none' } : val(v));

function op(name: string, args: OpTerm['args']): OpTerm {
  const info = opByName(name);
  if (info.args.length !== args.length) throw new Error(`${name} takes ${info.args.length} arguments`);
  return { t: 'op', op: name, args };
}

const u8 = (value: number) => ({ t: 'u8' as const, value });
const list = (terms: Term[]) => ({ t: 'list' as const, terms });

/** QEMU build_append_int: 0 → ZeroOp, 1 → OneOp, else the shortest Byte/Word/DWord/QWord constant. */
export function int(v: number | bigint): IntTerm {
  const value = BigInt(v);
  if (value < 0n || value > 0xffffffffffffffffn) throw new Error(`integer ${value} out of range`);
  if (value === 0n) return { t: 'int', value, enc: 'zero' };
  if (value === 1n) return { t: 'int', value, enc: 'one' };
  if (value <= 0xffn) return { t: 'int', value, enc: 'byte' };
  if (value <= 0xffffn) return { t: 'int', value, enc: 'word' };
  if (value <= 0xffffffffn) return { t: 'int', value, enc: 'dword' };
  return { t: 'int', value, enc: 'qword' };
}

/** A constant of a fixed width (QEMU build_append_named_dword writes a DWordConst even for 0). */
export function intOf(enc: 'byte' | 'word' | 'dword' | 'qword', v: number | bigint): IntTerm {
  return { t: 'int', value: BigInt(v), enc };
}

export const AccessType = { Any: 0, Byte: 1, Word: 2, DWord: 3, QWord: 4, Buffer: 5 } as const;
export const LockRule = { NoLock: 0, Lock: 1 } as const;
export const UpdateRule = { Preserve: 0, WriteAsOnes: 1, WriteAsZeros: 2 } as const;
export const RegionSpace = { SystemMemory: 0, SystemIO: 1, PCI_Config: 2, EmbeddedControl: 3, SMBus: 4, SystemCMOS: 5 } as const;

/** ToUUID: the 16-byte buffer of a GUID string in ACPI (EFI) byte order (QEMU aml_touuid). */
export function touuid(uuid: string): OpTerm {
  const h = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new Error(`bad UUID ${uuid}`);
  const b = (i: number) => parseInt(h.slice(2 * i, 2 * i + 2), 16);
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return buffer(Uint8Array.from(order, b));
}

/** Buffer (n) {bytes}: the size is the byte count, encoded like QEMU's build_buffer. */
export function buffer(bytes: Uint8Array | number[]): OpTerm {
  const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  return op('Buffer', [int(b.length), { t: 'bytes', bytes: b }]);
}

/** Buffer with an explicit (possibly computed) size and initializer. */
export function bufferSized(size: Val, bytes: Uint8Array = new Uint8Array()): OpTerm {
  return op('Buffer', [val(size), { t: 'bytes', bytes }]);
}

export const aml = {
  int,
  intOf,
  touuid,
  buffer,
  bufferSized,
  str: (s: string): Term => ({ t: 'str', value: s }),
  /** A name used as a value or target. */
  ref: (n: NameLike): NameTerm => nameArg(n),
  call: (n: NameLike, args: Val[]): Term => ({ t: 'call', name: ns(n), args: args.map(val) }),
  local: (i: number): OpTerm => op(`Local${i}`, []),
  arg: (i: number): OpTerm => op(`Arg${i}`, []),
  debug: (): OpTerm => op('Debug', []),
  none: (): Term => ({ t: 'none' }),

  // Namespace and named objects
  scope: (n: NameLike, terms: Term[]) => op('Scope', [nameArg(n), list(terms)]),
  device: (n: NameLike, terms: Term[]) => op('Device', [nameArg(n), list(terms)]),
  thermalZone: (n: NameLike, terms: Term[]) => op('ThermalZone', [nameArg(n), list(terms)]),
  processor: (n: NameLike, id: number, pblk: number, pblkLen: number, terms: Term[]) =>
    op('Processor', [nameArg(n), u8(id), { t: 'u32', value: pblk }, u8(pblkLen), list(terms)]),
  powerResource: (n: NameLike, level: number, order: number, terms: Term[]) =>
    op('PowerResource', [nameArg(n), u8(level), { t: 'u16', value: order }, list(terms)]),
  method: (n: NameLike, argc: number, serialized: boolean, terms: Term[], syncLevel = 0) =>
    op('Method', [nameArg(n), u8((argc & 7) | (serialized ? 8 : 0) | ((syncLevel & 15) << 4)), list(terms)]),
  /** Name (NAME, value) — QEMU aml_name_decl. */
  name: (n: NameLike, value: Val) => op('Name', [nameArg(n), val(value)]),
  alias: (from: NameLike, to: NameLike) => op('Alias', [nameArg(from), nameArg(to)]),
  external: (n: NameLike, objectType: number, argc = 0) => op('External', [nameArg(n), u8(objectType), u8(argc)]),
  mutex: (n: NameLike, sync = 0) => op('Mutex', [nameArg(n), u8(sync)]),
  event: (n: NameLike) => op('Event', [nameArg(n)]),
  operationRegion: (n: NameLike, space: number, offset: Val, length: Val) =>
    op('OperationRegion', [nameArg(n), u8(space), val(offset), val(length)]),
  dataTableRegion: (n: NameLike, sig: Val, oem: Val, table: Val) => op('DataTableRegion', [nameArg(n), val(sig), val(oem), val(table)]),
  field: (region: NameLike, access: number, lock: number, update: number, elems: FieldElement[]) =>
    op('Field', [nameArg(region), u8(access | (lock << 4) | (update << 5)), { t: 'fields', elems }]),
  indexField: (index: NameLike, data: NameLike, access: number, lock: number, update: number, elems: FieldElement[]) =>
    op('IndexField', [nameArg(index), nameArg(data), u8(access | (lock << 4) | (update << 5)), { t: 'fields', elems }]),
  bankField: (region: NameLike, bank: NameLike, value: Val, access: number, lock: number, update: number, elems: FieldElement[]) =>
    op('BankField', [nameArg(region), nameArg(bank), val(value), u8(access | (lock << 4) | (update << 5)), { t: 'fields', elems }]),
  namedField: (n: string, bits: number): FieldElement => ({ k: 'named', name: n.padEnd(4, '_'), bits }),
  reservedField: (bits: number): FieldElement => ({ k: 'reserved', bits }),
  accessAs: (type: number, attrib = 0): FieldElement => ({ k: 'access', type, attrib }),
  createField: (src: Val, bitIndex: Val, numBits: Val, n: NameLike) => op('CreateField', [val(src), val(bitIndex), val(numBits), nameArg(n)]),
  createDWordField: (src: Val, byteIndex: Val, n: NameLike) => op('CreateDWordField', [val(src), val(byteIndex), nameArg(n)]),
  createWordField: (src: Val, byteIndex: Val, n: NameLike) => op('CreateWordField', [val(src), val(byteIndex), nameArg(n)]),
  createByteField: (src: Val, byteIndex: Val, n: NameLike) => op('CreateByteField', [val(src), val(byteIndex), nameArg(n)]),
  createQWordField: (src: Val, byteIndex: Val, n: NameLike) => op('CreateQWordField', [val(src), val(byteIndex), nameArg(n)]),
  createBitField: (src: Val, bitIndex: Val, n: NameLike) => op('CreateBitField', [val(src), val(bitIndex), nameArg(n)]),

  // Statements
  if_: (pred: Val, terms: Term[]) => op('If', [val(pred), list(terms)]),
  else_: (terms: Term[]) => op('Else', [list(terms)]),
  while_: (pred: Val, terms: Term[]) => op('While', [val(pred), list(terms)]),
  return_: (v: Val) => op('Return', [val(v)]),
  break_: () => op('Break', []),
  continue_: () => op('Continue', []),
  notify: (obj: Val, value: Val) => op('Notify', [val(obj), val(value)]),
  sleep: (ms: Val) => op('Sleep', [val(ms)]),
  stall: (us: Val) => op('Stall', [val(us)]),

  // Expressions
  store: (src: Val, dst: Val) => op('Store', [val(src), val(dst)]),
  add: (a: Val, b: Val, dst?: Val) => op('Add', [val(a), val(b), target(dst)]),
  subtract: (a: Val, b: Val, dst?: Val) => op('Subtract', [val(a), val(b), target(dst)]),
  multiply: (a: Val, b: Val, dst?: Val) => op('Multiply', [val(a), val(b), target(dst)]),
  and: (a: Val, b: Val, dst?: Val) => op('And', [val(a), val(b), target(dst)]),
  or: (a: Val, b: Val, dst?: Val) => op('Or', [val(a), val(b), target(dst)]),
  shiftLeft: (a: Val, b: Val, dst?: Val) => op('ShiftLeft', [val(a), val(b), target(dst)]),
  shiftRight: (a: Val, b: Val, dst?: Val) => op('ShiftRight', [val(a), val(b), target(dst)]),
  concatenate: (a: Val, b: Val, dst?: Val) => op('Concatenate', [val(a), val(b), target(dst)]),
  index: (src: Val, i: Val, dst?: Val) => op('Index', [val(src), val(i), target(dst)]),
  toBuffer: (src: Val, dst?: Val) => op('ToBuffer', [val(src), target(dst)]),
  increment: (v: Val) => op('Increment', [val(v)]),
  decrement: (v: Val) => op('Decrement', [val(v)]),
  derefOf: (v: Val) => op('DerefOf', [val(v)]),
  refOf: (v: Val) => op('RefOf', [val(v)]),
  sizeOf: (v: Val) => op('SizeOf', [val(v)]),
  objectType: (v: Val) => op('ObjectType', [val(v)]),
  land: (a: Val, b: Val) => op('LAnd', [val(a), val(b)]),
  lor: (a: Val, b: Val) => op('LOr', [val(a), val(b)]),
  lnot: (a: Val) => op('LNot', [val(a)]),
  lequal: (a: Val, b: Val) => op('LEqual', [val(a), val(b)]),
  lless: (a: Val, b: Val) => op('LLess', [val(a), val(b)]),
  lgreater: (a: Val, b: Val) => op('LGreater', [val(a), val(b)]),
  /** LNotEqual is LNot (LEqual (a, b)) in AML (QEMU aml_lnot(aml_equal(...))). */
  lnotEqual: (a: Val, b: Val) => op('LNot', [op('LEqual', [val(a), val(b)])]),
  package: (elems: Val[]) => op('Package', [u8(elems.length), list(elems.map(val))]),
  varPackage: (count: Val, elems: Val[]) => op('VarPackage', [val(count), list(elems.map(val))]),
  /** Any operator by its table name, arguments in byte order. */
  op,
};

export type Aml = typeof aml;

/**
 * The AML opcode table (ACPI 6.5 §20.2.5 / §20.3), as data: one row per operator, giving its
 * encoding and the kinds of its arguments in byte order. The encoder, the decoder and the
 * disassembler all walk these rows; nothing else knows an operator's shape.
 * Cross-checked with ACPICA's `source/components/parser/psopinfo.c`/`psopcode.c` argument lists.
 *
 * Literals (ZeroOp, OneOp, OnesOp, Byte/Word/DWord/QWord/String prefixes), NameStrings and method
 * invocations are not rows: they are their own term kinds (`model.ts`).
 */

/** What one argument of an operator is, in the grammar's words. */
export type ArgKind =
  /** NameString (the name an object is created under, or a referenced name). */
  | 'name'
  /** TermArg: any expression, data, local/arg, name or method invocation. */
  | 'term'
  /** SuperName: a name (never invoked), Local/Arg, Debug, or a reference operator. */
  | 'super'
  /** Target: SuperName or NullName (0x00 = discard). */
  | 'target'
  /** ByteData / WordData / DWordData raw values (flags, counts, ids). */
  | 'u8'
  | 'u16'
  | 'u32'
  /** TermList up to the end of the PkgLength. */
  | 'terms'
  /** PackageElementList up to the end of the PkgLength. */
  | 'elems'
  /** ByteList up to the end of the PkgLength. */
  | 'bytes'
  /** FieldList up to the end of the PkgLength. */
  | 'fields';

export interface OpInfo {
  /** ASL operator name (legacy, non-ASL+ spelling). */
  name: string;
  /** 0x00-0xFF, or 0x5Bxx for ExtOpPrefix opcodes. */
  code: number;
  /** Encoded with a PkgLength right after the opcode. */
  pkg: boolean;
  args: readonly ArgKind[];
  /** Grammar class, for the disassembler and the docs. */
  cls: 'namespace' | 'named' | 'type1' | 'type2' | 'data' | 'local' | 'arg' | 'debug';
  /** Which argument is the NameString the operator creates (named objects). */
  creates?: number;
  /** Which argument, for Scope-like operators, opens a new scope (its NameString). */
  opensScope?: number;
}

const row = (
  name: string,
  code: number,
  cls: OpInfo['cls'],
  args: readonly ArgKind[] = [],
  extra: Partial<Pick<OpInfo, 'pkg' | 'creates' | 'opensScope'>> = {},
): OpInfo => ({ name, code, cls, args, pkg: extra.pkg ?? false, ...(extra.creates !== undefined ? { creates: extra.creates } : {}), ...(extra.opensScope !== undefined ? { opensScope: extra.opensScope } : {}) });

const T = 'term', S = 'super', G = 'target', N = 'name';

export const OPCODES: readonly OpInfo[] = [
  // §20.2.5.1 Namespace modifier objects
  row('Alias', 0x06, 'namespace', [N, N], { creates: 1 }),
  row('Name', 0x08, 'namespace', [N, T], { creates: 0 }),
  row('Scope', 0x10, 'namespace', [N, 'terms'], { pkg: true, opensScope: 0 }),
  // §20.2.5.2 Named objects
  row('External', 0x15, 'named', [N, 'u8', 'u8']),
  row('Method', 0x14, 'named', [N, 'u8', 'terms'], { pkg: true, creates: 0, opensScope: 0 }),
  row('CreateDWordField', 0x8a, 'named', [T, T, N], { creates: 2 }),
  row('CreateWordField', 0x8b, 'named', [T, T, N], { creates: 2 }),
  row('CreateByteField', 0x8c, 'named', [T, T, N], { creates: 2 }),
  row('CreateBitField', 0x8d, 'named', [T, T, N], { creates: 2 }),
  row('CreateQWordField', 0x8f, 'named', [T, T, N], { creates: 2 }),
  row('CreateField', 0x5b13, 'named', [T, T, T, N], { creates: 3 }),
  row('Mutex', 0x5b01, 'named', [N, 'u8'], { creates: 0 }),
  row('Event', 0x5b02, 'named', [N], { creates: 0 }),
  row('OperationRegion', 0x5b80, 'named', [N, 'u8', T, T], { creates: 0 }),
  row('Field', 0x5b81, 'named', [N, 'u8', 'fields'], { pkg: true }),
  row('Device', 0x5b82, 'named', [N, 'terms'], { pkg: true, creates: 0, opensScope: 0 }),
  row('Processor', 0x5b83, 'named', [N, 'u8', 'u32', 'u8', 'terms'], { pkg: true, creates: 0, opensScope: 0 }),
  row('PowerResource', 0x5b84, 'named', [N, 'u8', 'u16', 'terms'], { pkg: true, creates: 0, opensScope: 0 }),
  row('ThermalZone', 0x5b85, 'named', [N, 'terms'], { pkg: true, creates: 0, opensScope: 0 }),
  row('IndexField', 0x5b86, 'named', [N, N, 'u8', 'fields'], { pkg: true }),
  row('BankField', 0x5b87, 'named', [N, N, T, 'u8', 'fields'], { pkg: true }),
  row('DataTableRegion', 0x5b88, 'named', [N, T, T, T], { creates: 0 }),
  // §20.2.5.3 Type 1 opcodes (statements)
  row('Break', 0xa5, 'type1'),
  row('BreakPoint', 0xcc, 'type1'),
  row('Continue', 0x9f, 'type1'),
  row('Else', 0xa1, 'type1', ['terms'], { pkg: true }),
  row('Fatal', 0x5b32, 'type1', ['u8', 'u32', T]),
  row('If', 0xa0, 'type1', [T, 'terms'], { pkg: true }),
  row('Load', 0x5b20, 'type1', [N, G]),
  row('Noop', 0xa3, 'type1'),
  row('Notify', 0x86, 'type1', [S, T]),
  row('Release', 0x5b27, 'type1', [S]),
  row('Reset', 0x5b26, 'type1', [S]),
  row('Return', 0xa4, 'type1', [T]),
  row('Signal', 0x5b24, 'type1', [S]),
  row('Sleep', 0x5b22, 'type1', [T]),
  row('Stall', 0x5b21, 'type1', [T]),
  row('Unload', 0x5b2a, 'type1', [S]),
  row('While', 0xa2, 'type1', [T, 'terms'], { pkg: true }),
  // §20.2.5.4 Type 2 opcodes (expressions)
  row('Acquire', 0x5b23, 'type2', [S, 'u16']),
  row('Add', 0x72, 'type2', [T, T, G]),
  row('And', 0x7b, 'type2', [T, T, G]),
  row('Buffer', 0x11, 'type2', [T, 'bytes'], { pkg: true }),
  row('Concatenate', 0x73, 'type2', [T, T, G]),
  row('ConcatenateResTemplate', 0x84, 'type2', [T, T, G]),
  row('CondRefOf', 0x5b12, 'type2', [S, G]),
  row('CopyObject', 0x9d, 'type2', [T, S]),
  row('Decrement', 0x76, 'type2', [S]),
  row('DerefOf', 0x83, 'type2', [T]),
  row('Divide', 0x78, 'type2', [T, T, G, G]),
  row('FindSetLeftBit', 0x81, 'type2', [T, G]),
  row('FindSetRightBit', 0x82, 'type2', [T, G]),
  row('FromBCD', 0x5b28, 'type2', [T, G]),
  row('Increment', 0x75, 'type2', [S]),
  row('Index', 0x88, 'type2', [T, T, G]),
  row('LAnd', 0x90, 'type2', [T, T]),
  row('LEqual', 0x93, 'type2', [T, T]),
  row('LGreater', 0x94, 'type2', [T, T]),
  row('LLess', 0x95, 'type2', [T, T]),
  row('LNot', 0x92, 'type2', [T]),
  row('LOr', 0x91, 'type2', [T, T]),
  row('LoadTable', 0x5b1f, 'type2', [T, T, T, T, T, T]),
  row('Match', 0x89, 'type2', [T, 'u8', T, 'u8', T, T]),
  row('Mid', 0x9e, 'type2', [T, T, T, G]),
  row('Mod', 0x85, 'type2', [T, T, G]),
  row('Multiply', 0x77, 'type2', [T, T, G]),
  row('NAnd', 0x7c, 'type2', [T, T, G]),
  row('NOr', 0x7e, 'type2', [T, T, G]),
  row('Not', 0x80, 'type2', [T, G]),
  row('ObjectType', 0x8e, 'type2', [S]),
  row('Or', 0x7d, 'type2', [T, T, G]),
  row('Package', 0x12, 'type2', ['u8', 'elems'], { pkg: true }),
  row('VarPackage', 0x13, 'type2', [T, 'elems'], { pkg: true }),
  row('RefOf', 0x71, 'type2', [S]),
  row('ShiftLeft', 0x79, 'type2', [T, T, G]),
  row('ShiftRight', 0x7a, 'type2', [T, T, G]),
  row('SizeOf', 0x87, 'type2', [S]),
  row('Store', 0x70, 'type2', [T, S]),
  row('Subtract', 0x74, 'type2', [T, T, G]),
  row('Timer', 0x5b33, 'type2'),
  row('ToBCD', 0x5b29, 'type2', [T, G]),
  row('ToBuffer', 0x96, 'type2', [T, G]),
  row('ToDecimalString', 0x97, 'type2', [T, G]),
  row('ToHexString', 0x98, 'type2', [T, G]),
  row('ToInteger', 0x99, 'type2', [T, G]),
  row('ToString', 0x9c, 'type2', [T, T, G]),
  row('Wait', 0x5b25, 'type2', [S, T]),
  row('XOr', 0x7f, 'type2', [T, T, G]),
  // §20.2.3 Data objects that are opcodes
  row('Revision', 0x5b30, 'data'),
  // §20.2.6 Local, Arg, Debug objects
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => row(`Local${i}`, 0x60 + i, 'local')),
  ...[0, 1, 2, 3, 4, 5, 6].map((i) => row(`Arg${i}`, 0x68 + i, 'arg')),
  row('Debug', 0x5b31, 'debug'),
];

export const EXT_OP_PREFIX = 0x5b;

/** Literal prefixes and constants (§20.2.3), handled as their own term kinds. */
export const LIT = {
  zero: 0x00,
  one: 0x01,
  ones: 0xff,
  byte: 0x0a,
  word: 0x0b,
  dword: 0x0c,
  string: 0x0d,
  qword: 0x0e,
} as const;

/** NameString lead bytes (§20.2.2). */
export const NAME = { root: 0x5c, parent: 0x5e, dual: 0x2e, multi: 0x2f, nullName: 0x00 } as const;

const byName = new Map<string, OpInfo>(OPCODES.map((o) => [o.name, o]));
/** Index by one-byte code (0..255) and by the second byte of 0x5B-prefixed codes. */
const oneByte: (OpInfo | undefined)[] = new Array(256).fill(undefined);
const extByte: (OpInfo | undefined)[] = new Array(256).fill(undefined);
for (const o of OPCODES) {
  if (o.code > 0xff) extByte[o.code & 0xff] = o;
  else oneByte[o.code] = o;
}

export function opByName(name: string): OpInfo {
  const o = byName.get(name);
  if (!o) throw new Error(`unknown AML operator ${name}`);
  return o;
}

/** The row for an operator name, or undefined (for callers that report their own error). */
export function opByNameOrUndefined(name: string): OpInfo | undefined {
  return byName.get(name);
}

export function opByCode(code: number): OpInfo | undefined {
  return oneByte[code];
}

export function extOpByCode(code: number): OpInfo | undefined {
  return extByte[code];
}

/** True for a byte that starts a NameString in a TermArg (LeadNameChar, `\`, `^`, dual, multi). */
export function isNameLead(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || b === 0x5f || b === NAME.root || b === NAME.parent || b === NAME.dual || b === NAME.multi;
}

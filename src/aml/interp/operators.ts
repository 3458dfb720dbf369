/**
 * Expression operators with operands and an optional Target (ACPICA `exoparg1.c`, `exoparg2.c`,
 * `exoparg3.c`, `exoparg6.c`, `exmisc.c`, `exconcat.c`): integer arithmetic and logic masked to
 * the table's width, the conversion operators, Concatenate, Mid and Match.
 */
import type { OpTerm, Term } from '../model.js';
import { OPCODES, type ArgKind } from '../opcodes.js';
import { amlFail } from './errors.js';
import { noReturnValue, type AmlInterpreter, type Frame, type StoreTarget } from './interpreter.js';
import { buf, compareObjects, int, intToBuf, toBuffer, toInteger, toStringValue, type AmlObject, type Width } from './values.js';

type Binary = (a: bigint, b: bigint, w: Width) => bigint;

const BINARY: Record<string, Binary> = {
  Add: (a, b, w) => (a + b) & w.mask,
  Subtract: (a, b, w) => (a - b) & w.mask,
  Multiply: (a, b, w) => (a * b) & w.mask,
  And: (a, b) => a & b,
  Or: (a, b) => a | b,
  XOr: (a, b) => a ^ b,
  NAnd: (a, b, w) => ~(a & b) & w.mask,
  NOr: (a, b, w) => ~(a | b) & w.mask,
  // A shift by the integer width or more gives 0 (ACPICA `AcpiExDoMathOp`).
  ShiftLeft: (a, b, w) => (b >= BigInt(w.bits) ? 0n : (a << b) & w.mask),
  ShiftRight: (a, b, w) => (b >= BigInt(w.bits) ? 0n : a >> b),
  Mod: (a, b) => {
    if (b === 0n) amlFail('AE_AML_DIVIDE_BY_ZERO', 'Mod by zero');
    return a % b;
  },
};

function fromBcd(v: bigint, w: Width): bigint {
  let out = 0n;
  let scale = 1n;
  for (let i = 0; i < w.bits / 4; i++) {
    const d = (v >> BigInt(4 * i)) & 0xfn;
    if (d > 9n) amlFail('AE_AML_NUMERIC_OVERFLOW', `BCD digit 0x${d.toString(16)} is not decimal`);
    out += d * scale;
    scale *= 10n;
  }
  return out;
}

function toBcd(v: bigint, w: Width): bigint {
  const digits = v.toString(10);
  if (digits.length > w.bits / 4) amlFail('AE_AML_NUMERIC_OVERFLOW', `${v} has more than ${w.bits / 4} decimal digits`);
  let out = 0n;
  for (const c of digits) out = (out << 4n) | BigInt(c.charCodeAt(0) - 0x30);
  return out;
}

/**
 * Match's test "P[i] op M" (ACPICA `AcpiExDoMatch`): evaluated as the logical operator with M
 * first, so the package element is converted to M's type; a failed conversion is no match.
 */
function matches(op: number, p: AmlObject, m: AmlObject, w: Width): boolean {
  if (op === 0) return true;
  let c: number;
  try {
    c = compareObjects(m, p, w);
  } catch {
    return false;
  }
  switch (op) {
    case 1: return c === 0;
    case 2: return !(c < 0);
    case 3: return c > 0;
    case 4: return !(c > 0);
    default: return c < 0;
  }
}

const SLOTS = new Set(OPCODES.filter((o) => o.cls === 'local' || o.cls === 'arg').map((o) => o.name));

/** LocalX or ArgX (asked for every operand and operator result: a set lookup, not a regex). */
export function isSlotTerm(t: Term): t is OpTerm {
  return t.t === 'op' && SLOTS.has(t.op);
}

/**
 * Which arguments of each operator are operands (TermArgs) and which are Targets, from its
 * signature in the opcode table (the rest are opcode bytes such as Match's).
 */
const ROLES = new Map(OPCODES.map((o) => [o.name, { operands: argsOfKind(o.args, 'term'), targets: argsOfKind(o.args, 'target') }]));

function argsOfKind(args: readonly ArgKind[], kind: ArgKind): number[] {
  return args.flatMap((k, i) => (k === kind ? [i] : []));
}

export function execOperator(it: AmlInterpreter, t: OpTerm, f: Frame): AmlObject | undefined {
  const a = t.args;
  const w = it.w;
  // Operands other than LocalX/ArgX are evaluated first, in order; a LocalX/ArgX is read when the
  // operator uses it, after all of them (ACPICA resolves Local/Arg references in
  // `AcpiExResolveOperands`, once every operand has been evaluated).
  const early: (AmlObject | undefined)[] = [];
  const roles = ROLES.get(t.op);
  const operandIdx = roles?.operands ?? [];
  for (const i of operandIdx) if (!isSlotTerm(a[i] as Term)) early[i] = it.evalOperand(a[i] as Term, f);
  // Then the Targets (an Index or DerefOf target runs now, so its error comes before the
  // operator's own: ACPICA evaluates every argument before executing the operator).
  const targets: StoreTarget[] = [];
  for (const i of roles?.targets ?? []) targets[i] = it.targetOf(a[i] as Term, f);
  if (operandIdx.some((i) => !isSlotTerm(a[i] as Term) && early[i] === undefined)) noReturnValue();
  const val = (i: number): AmlObject => (early[i] !== undefined ? it.resolved(early[i]!) : it.operand(a[i] as Term, f));
  /**
   * Integer operands are resolved and converted from the last to the first (ACPICA
   * `AcpiExResolveOperands` walks the operand stack from its top), so which error wins is ACPICA's.
   */
  const ints = (...idx: number[]): bigint[] => {
    const out: bigint[] = new Array(idx.length);
    for (let i = idx.length - 1; i >= 0; i--) out[i] = toInteger(val(idx[i]!), w);
    return out;
  };
  const num = (i: number): bigint => ints(i)[0]!;
  // An Integer result is truncated to the table's width (`AcpiDsExecEndOp`) before it is stored.
  const result = (v: AmlObject, target: number): AmlObject => {
    if (v.type === 'Integer') v = int(v.value & w.mask);
    it.storeTo(targets[target]!, v, f);
    return v;
  };
  const bin = BINARY[t.op];
  if (bin) {
    const [x, y] = ints(0, 1) as [bigint, bigint];
    return result(int(bin(x, y, w)), 2);
  }
  switch (t.op) {
    case 'Divide': {
      const [x, y] = ints(0, 1) as [bigint, bigint];
      if (y === 0n) amlFail('AE_AML_DIVIDE_BY_ZERO', 'Divide by zero');
      it.storeTo(targets[2]!, int((x % y) & w.mask), f);
      return result(int(x / y), 3);
    }
    case 'Not':
      return result(int(~num(0) & w.mask), 1);
    case 'FindSetLeftBit': {
      const x = num(0);
      return result(int(BigInt(x === 0n ? 0 : x.toString(2).length)), 1);
    }
    case 'FindSetRightBit': {
      const x = num(0);
      let n = 0;
      if (x !== 0n) for (n = 1; ((x >> BigInt(n - 1)) & 1n) === 0n; n++);
      return result(int(BigInt(n)), 1);
    }
    case 'FromBCD':
      return result(int(fromBcd(num(0), w)), 1);
    case 'ToBCD':
      return result(int(toBcd(num(0), w)), 1);
    case 'LNot':
      return int(num(0) === 0n ? w.mask : 0n);
    case 'LAnd': {
      const [x, y] = ints(0, 1) as [bigint, bigint];
      return int(x !== 0n && y !== 0n ? w.mask : 0n);
    }
    case 'LOr': {
      const [x, y] = ints(0, 1) as [bigint, bigint];
      return int(x !== 0n || y !== 0n ? w.mask : 0n);
    }
    case 'LEqual':
    case 'LGreater':
    case 'LLess': {
      const x = val(0);
      const y = val(1);
      const c = compareObjects(x, y, w);
      const r = t.op === 'LEqual' ? c === 0 : t.op === 'LGreater' ? c > 0 : c < 0;
      return int(r ? w.mask : 0n);
    }
    case 'ToInteger':
      return result(int(toInteger(val(0), w, true)), 1);
    case 'ToBuffer': {
      const v = val(0);
      return result(buf(v.type === 'Buffer' ? v.value.slice() : toBuffer(v, w)), 1);
    }
    case 'ToHexString':
    case 'ToDecimalString': {
      const v = val(0);
      return result({ type: 'String', value: toStringValue(v, w, t.op === 'ToHexString' ? 'hex' : 'decimal') }, 1);
    }
    case 'ToString': {
      const v = val(0);
      const max = num(1);
      const bytes = v.type === 'Buffer' ? v.value : toBuffer(v, w);
      let n = bytes.indexOf(0);
      if (n < 0) n = bytes.length;
      if (max !== w.mask && max < BigInt(n)) n = Number(max);
      return result({ type: 'String', value: String.fromCharCode(...bytes.subarray(0, n)) }, 2);
    }
    case 'Concatenate': {
      // Operands of other types become "[<type> Object]" strings (ACPICA `AcpiExDoConcatenate`,
      // `AcpiExConvertToObjectTypeString`: an extension beyond ACPI 6.1).
      const x = typeStringUnlessData(val(0));
      const y = typeStringUnlessData(val(1));
      let r: AmlObject;
      if (x.type === 'Integer') r = buf(concat(intToBuf(x.value, w), intToBuf(toInteger(y, w), w)));
      else if (x.type === 'String') r = { type: 'String', value: x.value + toStringValue(y, w) };
      else if (x.type === 'Buffer') r = buf(concat(x.value, toBuffer(y, w)));
      else return amlFail('AE_AML_OPERAND_TYPE', `Concatenate needs an Integer, String or Buffer, found [${x.type}]`);
      return result(r, 2);
    }
    case 'ConcatenateResTemplate':
      return amlFail('AE_NOT_IMPLEMENTED', 'ConcatenateResTemplate');
    case 'Mid': {
      const v = val(0);
      const [at, len] = ints(1, 2) as [bigint, bigint];
      if (v.type !== 'String' && v.type !== 'Buffer' && v.type !== 'Integer') amlFail('AE_AML_OPERAND_TYPE', `Mid needs a Buffer or String, found [${v.type}]`);
      if (v.type === 'String') {
        const s = at >= BigInt(v.value.length) ? '' : v.value.slice(Number(at), Number(at + len > BigInt(v.value.length) ? BigInt(v.value.length) : at + len));
        return result({ type: 'String', value: s }, 3);
      }
      const b = v.type === 'Buffer' ? v.value : toBuffer(v, w);
      const out = at >= BigInt(b.length) ? new Uint8Array(0) : b.slice(Number(at), Number(at + len > BigInt(b.length) ? BigInt(b.length) : at + len));
      return result(buf(out), 3);
    }
    case 'Match': {
      const pkg = val(0);
      const op1 = (a[1] as { value: number }).value;
      const m1 = val(2);
      const op2 = (a[3] as { value: number }).value;
      const m2 = val(4);
      const start = num(5);
      for (const m of [m2, m1]) if (m.type !== 'Integer' && m.type !== 'String' && m.type !== 'Buffer') amlFail('AE_AML_OPERAND_TYPE', `Match object must be an Integer, String or Buffer, found [${m.type}]`);
      if (pkg.type !== 'Package') return amlFail('AE_AML_OPERAND_TYPE', `Match needs a Package, found [${pkg.type}]`);
      if (op1 > 5 || op2 > 5) amlFail('AE_AML_OPERAND_VALUE', 'Match opcode is not 0..5');
      if (start >= BigInt(pkg.elements.length)) amlFail('AE_AML_PACKAGE_LIMIT', `Match start index ${start} is beyond the package's ${pkg.elements.length} elements`);
      for (let i = Number(start); i < pkg.elements.length; i++) {
        const e = pkg.elements[i];
        // An empty element never matches; any other one does for MTR, and fails the other tests
        // unless it converts (`AcpiExDoMatch`: a Device's named reference matches MTR).
        if (!e) continue;
        if (matches(op1, e, m1, w) && matches(op2, e, m2, w)) return int(BigInt(i));
      }
      return int(w.mask);
    }
    default:
      return amlFail('AE_AML_BAD_OPCODE', `${t.op} cannot be evaluated here`);
  }
}

/** ACPICA's type names (`AcpiUtGetTypeName`, `utdecode.c`). */
const ACPICA_TYPE_NAME: Record<AmlObject['type'], string> = {
  Uninitialized: 'Untyped', Integer: 'Integer', String: 'String', Buffer: 'Buffer', Package: 'Package', FieldUnit: 'FieldUnit',
  Device: 'Device', Event: 'Event', Method: 'Method', Mutex: 'Mutex', OperationRegion: 'Region', PowerResource: 'Power',
  Processor: 'Processor', ThermalZone: 'Thermal', BufferField: 'BufferField', Debug: 'DebugObject', Reference: 'Reference',
};

function typeStringUnlessData(o: AmlObject): AmlObject {
  return o.type === 'Integer' || o.type === 'String' || o.type === 'Buffer' ? o : { type: 'String', value: `[${ACPICA_TYPE_NAME[o.type]} Object]` };
}

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.length + y.length);
  out.set(x);
  out.set(y, x.length);
  return out;
}


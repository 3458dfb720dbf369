/**
 * The AML model as JSON, the way `nvtool decode --json` prints it (`toJsonText`: bigints as `0x`
 * hex strings, byte arrays as plain hex strings), and back: `amlTableFromJson` is strict. Every
 * object's keys are checked, every operator's arguments are checked against its opcode-table row
 * (count and kind), every number against its encoding, and anything wrong is an
 * `NvError('json', path, …)` whose path is the JSON path (`terms[0].args[1].terms[3].value`).
 *
 * Derived values: the header's `length` and `checksum` are recomputed on encode unless written
 * `{"$pin": v}` (or the whole header kept with `--preserve`). PkgLengths and field widths are not
 * in the model (only a non-minimal width, `pkgLenBytes`/`lenBytes`, which the decoder keeps so the
 * bytes come back identical): they are always computed from the encoded body. An `int` without
 * `enc` takes QEMU's `build_append_int` choice (ZeroOp, OneOp, else the shortest prefix).
 */
import { acpiHeader } from '../acpi/header.js';
import { NvError } from '../core/errors.js';
import { hexToBytes } from '../core/hex.js';
import { genericTable } from '../acpi/genericTable.js';
import { int } from './builder.js';
import type { AmlTable, AmlTableHeader, Arg, FieldElement, IntEncoding, IntTerm, NameString, NameTerm, OpTerm, Term } from './model.js';
import { isSegByte } from './nameString.js';
import { opByNameOrUndefined, type ArgKind } from './opcodes.js';
import { PKG_LENGTH_MAX, pkgLengthSize } from './pkgLength.js';

type Obj = Record<string, unknown>;

/** Deepest term nesting read (the decoder's default is 256): deeper JSON is an error, not a stack overflow. */
export const MAX_JSON_DEPTH = 1024;

function fail(path: string, reason: string): never {
  throw new NvError('json', path, undefined, reason);
}

const at = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** An object with exactly the `required` keys and any of the `optional` ones. */
function object(j: unknown, path: string, what: string, required: readonly string[], optional: readonly string[] = []): Obj {
  if (j === null || typeof j !== 'object' || Array.isArray(j)) fail(path, `expected an object (${what}), got ${describe(j)}`);
  const o = j as Obj;
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) fail(at(path, k), `${what} has no key "${k}" (keys: ${[...required, ...optional].join(', ')})`);
  for (const k of required) if (o[k] === undefined) fail(at(path, k), `missing key "${k}" of ${what}`);
  return o;
}

/** An object whose `t` must be `tag` (checked first: the most telling error), then its keys. */
function tagged(j: unknown, path: string, tag: string, what: string, required: readonly string[]): Obj {
  const t = j !== null && typeof j === 'object' && !Array.isArray(j) ? (j as Obj).t : undefined;
  if (t !== tag) fail(t === undefined ? path : at(path, 't'), `expected ${what} ({"t": "${tag}"}), got ${describe(t ?? j)}`);
  return object(j, path, what, ['t', ...required]);
}

function array(j: unknown, path: string): unknown[] {
  if (!Array.isArray(j)) fail(path, `expected an array, got ${describe(j)}`);
  return j;
}

function describe(j: unknown): string {
  if (j === undefined) return 'nothing';
  if (Array.isArray(j)) return 'an array';
  if (j === null) return 'null';
  return typeof j === 'object' ? 'an object' : JSON.stringify(j);
}

/** A whole number in [min, max]: a JSON number, or a decimal / `0x` hex string. */
function integer(j: unknown, path: string, max: bigint, min = 0n): bigint {
  let v: bigint;
  if (typeof j === 'number' && Number.isSafeInteger(j)) v = BigInt(j);
  else if (typeof j === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(j)) v = BigInt(j);
  else if (typeof j === 'bigint') v = j;
  else fail(path, `expected an unsigned integer (number or "0x…" string), got ${describe(j)}`);
  if (v < min || v > max) fail(path, `${j} is out of range ${min}..0x${max.toString(16)}`);
  return v;
}

const small = (j: unknown, path: string, max: number, min = 0) => Number(integer(j, path, BigInt(max), BigInt(min)));

function bool(j: unknown, path: string): boolean {
  if (typeof j !== 'boolean') fail(path, `expected true or false, got ${describe(j)}`);
  return j;
}

function seg(j: unknown, path: string): string {
  if (typeof j !== 'string' || j.length !== 4) fail(path, `expected a 4-character NameSeg, got ${describe(j)}`);
  for (let i = 0; i < 4; i++) if (!isSegByte(j.charCodeAt(i), i === 0)) fail(path, `"${j}" is not a NameSeg (A-Z or _, then A-Z, 0-9 or _)`);
  return j;
}

export function nameStringFromJson(j: unknown, path: string): NameString {
  const o = object(j, path, 'NameString', ['root', 'parents', 'segs'], ['multi']);
  const root = bool(o.root, at(path, 'root'));
  const parents = small(o.parents, at(path, 'parents'), 255);
  if (root && parents) fail(at(path, 'parents'), 'a rooted name (\\) has no ^ prefixes');
  const segs = array(o.segs, at(path, 'segs')).map((s, i) => seg(s, at(at(path, 'segs'), i)));
  if (segs.length > 255) fail(at(path, 'segs'), `${segs.length} segments: a NameString holds at most 255`);
  const multi = o.multi === undefined ? false : bool(o.multi, at(path, 'multi'));
  return multi ? { root, parents, segs, multi } : { root, parents, segs };
}

const INT_MAX: Record<IntEncoding, bigint> = {
  zero: 0n, one: 1n, ones: 0xffffffffffffffffn, byte: 0xffn, word: 0xffffn, dword: 0xffffffffn, qword: 0xffffffffffffffffn,
};

function intFromJson(o: Obj, path: string): IntTerm {
  const value = integer(o.value, at(path, 'value'), 0xffffffffffffffffn);
  if (o.enc === undefined) return int(value);
  const enc = o.enc;
  if (typeof enc !== 'string' || !Object.hasOwn(INT_MAX, enc)) fail(at(path, 'enc'), `expected one of ${Object.keys(INT_MAX).join(', ')}, got ${describe(enc)}`);
  const e = enc as IntEncoding;
  if (e === 'zero' || e === 'one' || e === 'ones') {
    if (value !== INT_MAX[e]) fail(at(path, 'value'), `${e === 'zero' ? 'ZeroOp' : e === 'one' ? 'OneOp' : 'OnesOp'} stands for 0x${INT_MAX[e].toString(16)}, not ${o.value as string}`);
  } else if (value > INT_MAX[e]) fail(at(path, 'value'), `${o.value as string} does not fit a ${e} constant (max 0x${INT_MAX[e].toString(16)}); change "enc" or leave it out`);
  return { t: 'int', value, enc: e };
}

function stringFromJson(j: unknown, path: string): string {
  if (typeof j !== 'string') fail(path, `expected a string, got ${describe(j)}`);
  for (let i = 0; i < j.length; i++) {
    const c = j.charCodeAt(i);
    if (c < 1 || c > 0x7f) fail(path, `character ${i} (0x${c.toString(16)}) is not ASCII 0x01-0x7F`);
  }
  return j;
}

/** A term (TermArg, SuperName, Target, package element, statement); `none` only where allowed. */
export function termFromJson(j: unknown, path: string, allowNone = false, depth = 0): Term {
  if (depth >= MAX_JSON_DEPTH) fail(path, `terms nested deeper than ${MAX_JSON_DEPTH}`);
  const tag = (j !== null && typeof j === 'object' && !Array.isArray(j) ? (j as Obj).t : undefined) as unknown;
  switch (tag) {
    case 'int':
      return intFromJson(object(j, path, 'int term', ['t', 'value'], ['enc']), path);
    case 'str': {
      const o = object(j, path, 'str term', ['t', 'value']);
      return { t: 'str', value: stringFromJson(o.value, at(path, 'value')) };
    }
    case 'name': {
      const o = object(j, path, 'name term', ['t', 'name']);
      return { t: 'name', name: nameStringFromJson(o.name, at(path, 'name')) };
    }
    case 'call': {
      const o = object(j, path, 'call term', ['t', 'name', 'args']);
      const name = nameStringFromJson(o.name, at(path, 'name'));
      if (name.segs.length === 0) fail(at(path, 'name'), 'a method invocation needs a name');
      const args = array(o.args, at(path, 'args'));
      if (args.length > 7) fail(at(path, 'args'), `${args.length} arguments: a method takes at most 7`);
      return { t: 'call', name, args: args.map((a, i) => termFromJson(a, at(at(path, 'args'), i), false, depth + 1)) };
    }
    case 'none':
      object(j, path, 'none (NullName target)', ['t']);
      if (!allowNone) fail(path, '"none" (NullName) is only valid as a Target');
      return { t: 'none' };
    case 'op':
      return opFromJson(j, path, depth);
    default:
      if (tag === 'u8' || tag === 'u16' || tag === 'u32' || tag === 'u64' || tag === 'list' || tag === 'bytes' || tag === 'fields') fail(at(path, 't'), `expected a term here, got "${tag}"`);
      fail(tag === undefined ? path : at(path, 't'), `expected a term (t: int, str, name, call, none or op), got ${describe(tag ?? j)}`);
  }
}

function opFromJson(j: unknown, path: string, depth: number): OpTerm {
  const o = object(j, path, 'op term', ['t', 'op', 'args'], ['pkgLenBytes']);
  if (typeof o.op !== 'string') fail(at(path, 'op'), `expected an operator name, got ${describe(o.op)}`);
  const info = opByNameOrUndefined(o.op);
  if (!info) fail(at(path, 'op'), `unknown AML operator "${o.op}"`);
  const args = array(o.args, at(path, 'args'));
  if (args.length !== info.args.length) fail(at(path, 'args'), `${info.name} takes ${info.args.length} arguments (${info.args.join(', ') || 'none'}), got ${args.length}`);
  const term: OpTerm = { t: 'op', op: info.name, args: info.args.map((k, i) => argFromJson(k, args[i], at(at(path, 'args'), i), depth + 1)) };
  if (o.pkgLenBytes !== undefined) {
    if (!info.pkg) fail(at(path, 'pkgLenBytes'), `${info.name} has no PkgLength`);
    term.pkgLenBytes = small(o.pkgLenBytes, at(path, 'pkgLenBytes'), 4, 1);
  }
  return term;
}

const RAW_MAX = { u8: 0xff, u16: 0xffff, u32: 0xffffffff } as const;

function argFromJson(kind: ArgKind, j: unknown, path: string, depth: number): Arg {
  switch (kind) {
    case 'name': {
      const o = tagged(j, path, 'name', 'a NameString argument', ['name']);
      return { t: 'name', name: nameStringFromJson(o.name, at(path, 'name')) };
    }
    case 'term':
    case 'super':
      return termFromJson(j, path, false, depth);
    case 'target':
      return termFromJson(j, path, true, depth);
    case 'u8':
    case 'u16':
    case 'u32': {
      const o = tagged(j, path, kind, `${kind} data`, ['value']);
      return { t: kind, value: small(o.value, at(path, 'value'), RAW_MAX[kind]) };
    }
    case 'terms':
    case 'elems': {
      const o = tagged(j, path, 'list', kind === 'terms' ? 'a TermList' : 'a PackageElementList', ['terms']);
      return { t: 'list', terms: array(o.terms, at(path, 'terms')).map((x, i) => termFromJson(x, at(at(path, 'terms'), i), false, depth)) };
    }
    case 'bytes': {
      const o = tagged(j, path, 'bytes', 'a ByteList', ['bytes']);
      const b = typeof o.bytes === 'string' ? hexToBytes(o.bytes) : o.bytes instanceof Uint8Array ? o.bytes : undefined;
      if (!b) fail(at(path, 'bytes'), `expected a hex byte string, got ${describe(o.bytes)}`);
      return { t: 'bytes', bytes: b };
    }
    case 'fields': {
      const o = tagged(j, path, 'fields', 'a FieldList', ['elems']);
      return { t: 'fields', elems: array(o.elems, at(path, 'elems')).map((e, i) => fieldFromJson(e, at(at(path, 'elems'), i), depth)) };
    }
  }
}

function fieldWidth(o: Obj, path: string): { bits: number; lenBytes?: number } {
  const bits = small(o.bits, at(path, 'bits'), PKG_LENGTH_MAX);
  if (o.lenBytes === undefined) return { bits };
  const lenBytes = small(o.lenBytes, at(path, 'lenBytes'), 4, 1);
  if (pkgLengthSize(bits) > lenBytes) fail(at(path, 'lenBytes'), `${bits} bits need a ${pkgLengthSize(bits)}-byte PkgLength`);
  return { bits, lenBytes };
}

function fieldFromJson(j: unknown, path: string, depth: number): FieldElement {
  const k = j !== null && typeof j === 'object' && !Array.isArray(j) ? (j as Obj).k : undefined;
  switch (k) {
    case 'named': {
      const o = object(j, path, 'NamedField', ['k', 'name', 'bits'], ['lenBytes']);
      return { k: 'named', name: seg(o.name, at(path, 'name')), ...fieldWidth(o, path) };
    }
    case 'reserved': {
      const o = object(j, path, 'ReservedField', ['k', 'bits'], ['lenBytes']);
      return { k: 'reserved', ...fieldWidth(o, path) };
    }
    case 'access': {
      const o = object(j, path, 'AccessField', ['k', 'type', 'attrib']);
      return { k: 'access', type: small(o.type, at(path, 'type'), 0xff), attrib: small(o.attrib, at(path, 'attrib'), 0xff) };
    }
    case 'extaccess': {
      const o = object(j, path, 'ExtendedAccessField', ['k', 'type', 'attrib', 'length']);
      return { k: 'extaccess', type: small(o.type, at(path, 'type'), 0xff), attrib: small(o.attrib, at(path, 'attrib'), 0xff), length: small(o.length, at(path, 'length'), 0xff) };
    }
    case 'connection': {
      const o = object(j, path, 'ConnectField', ['k', 'target']);
      const t = termFromJson(o.target, at(path, 'target'), false, depth);
      if (t.t === 'name') return { k: 'connection', target: t as NameTerm };
      if (t.t === 'op' && t.op === 'Buffer') return { k: 'connection', target: t };
      return fail(at(path, 'target'), 'a Connection is a NameString or a Buffer');
    }
    default:
      return fail(k === undefined ? path : at(path, 'k'), `expected a field element (k: named, reserved, access, extaccess, connection), got ${describe(k ?? j)}`);
  }
}

const HEADER_KEYS = acpiHeader().map((f) => f.name);

/**
 * `{header, terms}` as `nvtool decode --json` prints an AML table's value → the table, plus the
 * header fields pinned with `{"$pin": v}` (paths relative to the table: `length`, `checksum`).
 */
export function amlTableFromJson(json: unknown): { table: AmlTable; pins: Set<string> } {
  const o = object(json, '', 'AML table', ['header', 'terms']);
  const h = object(o.header, 'header', 'table header', [], HEADER_KEYS);
  const pins = new Set<string>();
  const { body: _body, ...header } = genericTable.fromJson({ ...h, body: '' }, 'header', pins) as Obj;
  void _body;
  const sig = header.signature;
  if (sig !== 'DSDT' && sig !== 'SSDT' && sig !== 'PSDT') fail('header.signature', `${describe(sig)} is not an AML table (DSDT, SSDT, PSDT)`);
  const terms = array(o.terms, 'terms').map((t, i) => termFromJson(t, `terms[${i}]`));
  return { table: { header: header as unknown as AmlTableHeader, terms }, pins: new Set([...pins].map((p) => p.replace(/^header\./, ''))) };
}

/** Whether a JSON value looks like an AML table's (`{header: {signature: DSDT|SSDT|PSDT}, terms: []}`). */
export function isAmlTableJson(j: unknown): boolean {
  if (j === null || typeof j !== 'object') return false;
  const o = j as Obj;
  const h = o.header as Obj | undefined;
  return Array.isArray(o.terms) && !!h && typeof h === 'object' && ['DSDT', 'SSDT', 'PSDT'].includes(h.signature as string);
}

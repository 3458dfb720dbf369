/**
 * AML decoder: bytes → model, driven by the opcode table, namespace-aware.
 *
 * Method invocations can only be told from name references through the namespace, so a table is
 * parsed in up to two passes: the first learns every object and method (argument counts from the
 * Method flags, from External declarations and from `refs` tables) while parsing with what it knows
 * so far; a second pass runs only when a name the first pass could not resolve turned out to be a
 * method defined later (a forward reference).
 *
 * Hostile input: every length is compared with the bytes really left before it is used (never as
 * a pointer sum), nothing is allocated from a claimed length, nesting is capped at `maxDepth`, and
 * every loop consumes at least one byte. Anything malformed is an NvError with its offset.
 */
import { NvError } from '../core/errors.js';
import type { Arg, FieldElement, IntTerm, NameString, OpTerm, Term } from './model.js';
import { formatNameString, isSegByte } from './nameString.js';
import { Namespace, type NsNode } from './namespace.js';
import { EXT_OP_PREFIX, LIT, NAME, extOpByCode, isNameLead, opByCode, type ArgKind, type OpInfo } from './opcodes.js';
import { pkgLengthSize, pkgLengthSizeFor, readPkgLength } from './pkgLength.js';

export interface DecodeAmlOptions {
  /** Absolute offset of `bytes[0]` in the file (for error offsets), e.g. 36 after the header. */
  base?: number;
  /** Objects known from elsewhere (other tables, `--ref`). */
  known?: Namespace;
  /** Deepest term nesting accepted (default 256). */
  maxDepth?: number;
}

export interface DecodedAml {
  terms: Term[];
  /** Everything the table defines, plus what `known` and Externals added. */
  namespace: Namespace;
  /** Names used as values that resolve to nothing known (candidates for External). */
  unresolved: Map<string, NameString>;
  /** 1 or 2 (a second pass was needed for forward method references). */
  passes: number;
}

export const DEFAULT_MAX_DEPTH = 256;

/** 0n..255n: ByteConst values share these (bigints are immutable) instead of allocating one each. */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));

type Mode = 'call' | 'plain';

/** A method body as pass 1 parsed it: where it is, in which scope and depth, and whether to re-parse it. */
interface MethodUnit {
  term: OpTerm;
  start: number;
  end: number;
  scope: NsNode;
  depth: number;
  again: boolean;
}

class Parser {
  pos = 0;
  depth = 0;
  /** Names that resolved to nothing while parsing, keyed by scope + name. */
  readonly unresolved = new Map<string, { scope: NsNode; name: NameString; call: boolean }>();
  /** Pass 1 swallowed a malformed method body (possibly a misparsed forward call). */
  skipped = false;
  /** Pass 1: every method body parsed (pre-order), the unit a second pass can re-parse alone. */
  readonly units: MethodUnit[] = [];
  /** Unit being parsed (-1: outside any method). */
  unit = -1;
  /**
   * Pass 1: every name looked up in a call position, with what it resolved to then (argument
   * count, -1 not a method) and the unit it was in; parallel arrays (no object per lookup).
   */
  readonly log = { scope: [] as NsNode[], name: [] as NameString[], argc: [] as number[], unit: [] as number[] };
  /** NameSeg strings by their 4 bytes (one string per distinct segment, shared by both passes). */
  readonly segs: Map<number, string>;

  constructor(
    readonly bytes: Uint8Array,
    readonly base: number,
    readonly ns: Namespace,
    readonly pass: 1 | 2,
    readonly maxDepth: number,
    segs?: Map<number, string>,
  ) {
    this.segs = segs ?? new Map();
  }

  fail(reason: string, at = this.pos): never {
    throw new NvError('AML', '', this.base + at, reason);
  }

  u8(end: number, what: string): number {
    if (this.pos >= end) this.fail(`${what} missing: term runs past the end of its package or table`);
    return this.bytes[this.pos++]!;
  }

  le(end: number, size: number, what: string): bigint {
    return BigInt(size <= 4 ? this.leNum(end, size, what) : this.leBig(end, size, what));
  }

  leNum(end: number, size: number, what: string): number {
    if (end - this.pos < size) this.fail(`${what} needs ${size} bytes, ${end - this.pos} left`);
    const b = this.bytes;
    const p = this.pos;
    this.pos += size;
    if (size === 1) return b[p]!;
    if (size === 2) return b[p]! | (b[p + 1]! << 8);
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  leBig(end: number, size: number, what: string): bigint {
    if (end - this.pos < size) this.fail(`${what} needs ${size} bytes, ${end - this.pos} left`);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[this.pos + i]!);
    this.pos += size;
    return v;
  }

  nameString(end: number): NameString {
    const start = this.pos;
    let root = false;
    let parents = 0;
    let b = this.u8(end, 'NameString');
    if (b === NAME.root) {
      root = true;
      b = this.u8(end, 'NameString');
    } else {
      while (b === NAME.parent) {
        parents++;
        b = this.u8(end, 'NameString');
      }
    }
    let count: number;
    let multi = false;
    if (b === NAME.nullName) return { root, parents, segs: [] };
    if (b === NAME.dual) count = 2;
    else if (b === NAME.multi) {
      count = this.u8(end, 'MultiNamePath SegCount');
      multi = count < 3;
    } else {
      this.pos--;
      count = 1;
    }
    if (end - this.pos < 4 * count) this.fail(`NameString of ${count} segments runs past the end`, start);
    const segs: string[] = [];
    for (let i = 0; i < count; i++) segs.push(this.seg());
    return multi ? { root, parents, segs, multi } : { root, parents, segs };
  }

  /** One NameSeg at `pos` (the caller checked 4 bytes are left). */
  seg(): string {
    const b = this.bytes;
    const p = this.pos;
    const c0 = b[p]!, c1 = b[p + 1]!, c2 = b[p + 2]!, c3 = b[p + 3]!;
    if (!isSegByte(c0, true)) this.fail(`byte 0x${c0.toString(16)} is not a NameSeg character`, p);
    if (!isSegByte(c1, false)) this.fail(`byte 0x${c1.toString(16)} is not a NameSeg character`, p + 1);
    if (!isSegByte(c2, false)) this.fail(`byte 0x${c2.toString(16)} is not a NameSeg character`, p + 2);
    if (!isSegByte(c3, false)) this.fail(`byte 0x${c3.toString(16)} is not a NameSeg character`, p + 3);
    this.pos = p + 4;
    // Segment bytes are 0x30..0x5F: 6 bits each after subtracting 0x30, a 24-bit (small integer) key.
    const key = ((c0 - 0x30) << 18) | ((c1 - 0x30) << 12) | ((c2 - 0x30) << 6) | (c3 - 0x30);
    let s = this.segs.get(key);
    if (s === undefined) {
      s = String.fromCharCode(c0, c1, c2, c3);
      this.segs.set(key, s);
    }
    return s;
  }

  termList(end: number, scope: NsNode): Term[] {
    const out: Term[] = [];
    while (this.pos < end) out.push(this.term(end, scope, 'call'));
    return out;
  }

  term(end: number, scope: NsNode, mode: Mode): Term {
    if (++this.depth > this.maxDepth) this.fail(`terms nested deeper than ${this.maxDepth}`);
    try {
      return this.termInner(end, scope, mode);
    } finally {
      this.depth--;
    }
  }

  termInner(end: number, scope: NsNode, mode: Mode): Term {
    const at = this.pos;
    const b = this.u8(end, 'term');
    switch (b) {
      case LIT.zero:
        return { t: 'int', value: 0n, enc: 'zero' };
      case LIT.one:
        return { t: 'int', value: 1n, enc: 'one' };
      case LIT.ones:
        return { t: 'int', value: 0xffffffffffffffffn, enc: 'ones' } satisfies IntTerm;
      case LIT.byte:
        return { t: 'int', value: SMALL_BIGINTS[this.leNum(end, 1, 'ByteConst')]!, enc: 'byte' };
      case LIT.word:
        return { t: 'int', value: this.le(end, 2, 'WordConst'), enc: 'word' };
      case LIT.dword:
        return { t: 'int', value: this.le(end, 4, 'DWordConst'), enc: 'dword' };
      case LIT.qword:
        return { t: 'int', value: this.le(end, 8, 'QWordConst'), enc: 'qword' };
      case LIT.string: {
        const from = this.pos;
        let s = '';
        for (;;) {
          if (this.pos >= end) this.fail('String has no terminating NUL before the end of its package', at);
          const c = this.bytes[this.pos++]!;
          if (c === 0) break;
          if (c > 0x7f) this.fail(`String byte 0x${c.toString(16)} is not ASCII`, this.pos - 1);
          s += String.fromCharCode(c);
          if (s.length > 0x100000) this.fail('String longer than 1 MiB', from);
        }
        return { t: 'str', value: s };
      }
    }
    if (isNameLead(b)) {
      this.pos = at;
      const name = this.nameString(end);
      if (mode === 'plain') {
        if (this.pass === 1 && !this.ns.lookup(scope, name)) this.unresolved.set(`${scope.key}|${formatNameString(name)}`, { scope, name, call: false });
        return { t: 'name', name };
      }
      const argc = this.ns.methodArgsAt(scope, name);
      if (this.pass === 1) {
        const log = this.log;
        log.scope.push(scope);
        log.name.push(name);
        log.argc.push(argc ?? -1);
        log.unit.push(this.unit);
      }
      if (argc === undefined) {
        if (this.pass === 1 && !this.ns.lookup(scope, name)) this.unresolved.set(`${scope.key}|${formatNameString(name)}`, { scope, name, call: true });
        return { t: 'name', name };
      }
      const args: Term[] = [];
      for (let i = 0; i < argc; i++) args.push(this.term(end, scope, 'call'));
      return { t: 'call', name, args };
    }
    let info: OpInfo | undefined;
    if (b === EXT_OP_PREFIX) {
      const b2 = this.u8(end, 'extended opcode');
      info = extOpByCode(b2);
      if (!info) this.fail(`unknown extended opcode 0x5B 0x${b2.toString(16).padStart(2, '0')}`, at);
    } else {
      info = opByCode(b);
      if (!info) this.fail(`unknown opcode 0x${b.toString(16).padStart(2, '0')}`, at);
    }
    return this.op(info, end, scope, at);
  }

  op(info: OpInfo, end: number, scope: NsNode, at: number): OpTerm {
    const n = info.args.length;
    // Sized once (an empty array grows to a 17-slot store on its first push).
    const term: OpTerm = { t: 'op', op: info.name, args: new Array<Arg>(n) };
    let limit = end;
    if (info.pkg) {
      const lenAt = this.pos;
      const pl = readPkgLength(this.bytes, lenAt, end);
      if (typeof pl === 'string') this.fail(`${info.name}: ${pl}`, lenAt);
      if (pl.value < pl.width) this.fail(`${info.name}: PkgLength ${pl.value} is shorter than itself`, lenAt);
      if (pl.value > end - lenAt) this.fail(`${info.name}: PkgLength ${pl.value} runs past the end (${end - lenAt} bytes left)`, lenAt);
      limit = lenAt + pl.value;
      this.pos = lenAt + pl.width;
      if (pl.width !== pkgLengthSizeFor(pl.value - pl.width)) term.pkgLenBytes = pl.width;
    }
    let inner = scope;
    const firstList = firstListArg(info);
    const registerAt = firstList < 0 ? info.args.length : firstList;
    for (let i = 0; i < info.args.length; i++) {
      if (i === registerAt) inner = this.register(info, term, scope);
      term.args[i] = this.arg(info.args[i]!, limit, i === registerAt || firstList >= 0 && i > registerAt ? inner : scope, info, term);
    }
    if (registerAt === info.args.length) this.register(info, term, scope);
    if (info.pkg && this.pos !== limit) this.fail(`${info.name}: package has ${limit - this.pos} bytes after its last element`);
    void at;
    return term;
  }

  /** Records what the operator creates; returns the scope its lists are parsed in. */
  register(info: OpInfo, term: OpTerm, scope: NsNode): NsNode {
    if (this.pass === 2) {
      // The namespace is complete after pass 1: only the scope is needed.
      const n = info.opensScope !== undefined ? nameArgOf(term, info.opensScope) : undefined;
      return n ? this.ns.nodeFor(scope, n) : scope;
    }
    if (info.name === 'External') {
      const n = nameArgOf(term, 0);
      const type = term.args[1]?.t === 'u8' ? (term.args[1] as { value: number }).value : 0;
      const argc = term.args[2]?.t === 'u8' ? (term.args[2] as { value: number }).value : 0;
      if (n) this.ns.defineAt(this.ns.nodeFor(scope, n), { type, ...(type === 8 ? { argc: argc & 7 } : {}), from: 'external' });
      return scope;
    }
    if (info.creates !== undefined) {
      const n = nameArgOf(term, info.creates);
      if (n) {
        const node = this.ns.nodeFor(scope, n);
        if (info.name === 'Method') {
          const flags = term.args[1]?.t === 'u8' ? (term.args[1] as { value: number }).value : 0;
          this.ns.defineAt(node, { type: 8, argc: flags & 7, from: 'table' });
        } else this.ns.defineAt(node, { type: OBJECT_TYPE[info.name] ?? 0, from: 'table' });
      }
    }
    if (info.opensScope !== undefined) {
      const n = nameArgOf(term, info.opensScope);
      if (n) return this.ns.nodeFor(scope, n);
    }
    return scope;
  }

  arg(kind: ArgKind, end: number, scope: NsNode, info: OpInfo, term: OpTerm): Arg {
    switch (kind) {
      case 'name':
        return { t: 'name', name: this.nameString(end) };
      case 'term':
        return this.term(end, scope, 'call');
      case 'super':
        return this.term(end, scope, 'plain');
      case 'target':
        if (this.pos < end && this.bytes[this.pos] === 0) {
          this.pos++;
          return { t: 'none' };
        }
        return this.term(end, scope, 'plain');
      case 'u8':
        return { t: 'u8', value: this.leNum(end, 1, 'byte data') };
      case 'u16':
        return { t: 'u16', value: this.leNum(end, 2, 'word data') };
      case 'u32':
        return { t: 'u32', value: this.leNum(end, 4, 'dword data') };
      case 'bytes': {
        const b = this.bytes.slice(this.pos, end);
        this.pos = end;
        return { t: 'bytes', bytes: b };
      }
      case 'elems': {
        const terms: Term[] = [];
        while (this.pos < end) terms.push(this.term(end, scope, 'plain'));
        return { t: 'list', terms };
      }
      case 'terms': {
        if (this.pass === 1 && info.name === 'Method') {
          const outer = this.unit;
          const unit: MethodUnit = { term, start: this.pos, end, scope, depth: this.depth, again: false };
          this.unit = this.units.push(unit) - 1;
          try {
            return { t: 'list', terms: this.termList(end, scope) };
          } catch (e) {
            if (!(e instanceof NvError)) throw e;
            // Possibly a call to a method defined further on; pass 2 decides.
            this.skipped = true;
            unit.again = true;
            this.pos = end;
            return { t: 'list', terms: [] };
          } finally {
            this.unit = outer;
          }
        }
        return { t: 'list', terms: this.termList(end, scope) };
      }
      case 'fields':
        return { t: 'fields', elems: this.fields(end, scope) };
    }
  }

  fields(end: number, scope: NsNode): FieldElement[] {
    const out: FieldElement[] = [];
    while (this.pos < end) {
      const at = this.pos;
      const b = this.bytes[this.pos]!;
      if (b === 0x00 || isSegByte(b, true)) {
        let name: string | undefined;
        if (b === 0x00) this.pos++;
        else {
          if (end - this.pos < 4) this.fail('NamedField name runs past the end', at);
          name = this.seg();
        }
        const pl = readPkgLength(this.bytes, this.pos, end);
        if (typeof pl === 'string') this.fail(`field width: ${pl}`, this.pos);
        this.pos += pl.width;
        const extra = pl.width !== pkgLengthSize(pl.value) ? { lenBytes: pl.width } : {};
        if (name !== undefined) {
          if (this.pass === 1) this.ns.defineAt(scope.child(name), { type: 5, from: 'table' });
          out.push({ k: 'named', name, bits: pl.value, ...extra });
        } else out.push({ k: 'reserved', bits: pl.value, ...extra });
      } else if (b === 0x01) {
        this.pos++;
        const type = this.u8(end, 'AccessType');
        out.push({ k: 'access', type, attrib: this.u8(end, 'AccessAttrib') });
      } else if (b === 0x03) {
        this.pos++;
        const type = this.u8(end, 'AccessType');
        const attrib = this.u8(end, 'ExtendedAccessAttrib');
        out.push({ k: 'extaccess', type, attrib, length: this.u8(end, 'AccessLength') });
      } else if (b === 0x02) {
        this.pos++;
        if (this.pos < end && this.bytes[this.pos] === 0x11) {
          const t = this.term(end, scope, 'plain');
          out.push({ k: 'connection', target: t as OpTerm });
        } else out.push({ k: 'connection', target: { t: 'name', name: this.nameString(end) } });
      } else this.fail(`byte 0x${b.toString(16)} does not start a field element`, at);
    }
    return out;
  }
}

function nameArgOf(term: OpTerm, i: number): NameString | undefined {
  const a = term.args[i];
  return a && a.t === 'name' ? a.name : undefined;
}

const firstListCache = new Map<OpInfo, number>();
/** Index of the operator's first list argument (TermList, FieldList...), -1 without one. */
function firstListArg(info: OpInfo): number {
  let i = firstListCache.get(info);
  if (i === undefined) {
    i = info.args.findIndex((k) => k === 'terms' || k === 'elems' || k === 'bytes' || k === 'fields');
    firstListCache.set(info, i);
  }
  return i;
}

/** ObjectType codes (External, §19.6.44) of what each named-object operator creates. */
const OBJECT_TYPE: Record<string, number> = {
  Name: 0, Alias: 0, Device: 6, Event: 7, Method: 8, Mutex: 9, OperationRegion: 10, PowerResource: 11,
  Processor: 12, ThermalZone: 13, CreateBitField: 14, CreateByteField: 14, CreateWordField: 14,
  CreateDWordField: 14, CreateQWordField: 14, CreateField: 14, DataTableRegion: 10,
};

/**
 * Decodes a TermList (a table body) with namespace-aware method invocation parsing.
 *
 * Pass 1 parses with the namespace known so far and logs every name it looked up in a call
 * position. Once the namespace is complete, each logged lookup is asked again: a body parses
 * differently in a second pass exactly when one of its lookups now answers differently (a method
 * defined further on, a nearer definition shadowing an outer one) or it failed to parse. Only
 * those method bodies are parsed again (in their scope, at their depth) and put in place, in byte
 * order, so a body that fails again throws the error a whole second pass would meet first; a lookup
 * outside any method body that changed makes pass 2 re-parse the whole table. Everything else
 * would parse to the same terms in a second pass (same bytes, same answers), so pass 1's are kept.
 */
export function decodeAml(bytes: Uint8Array, o: DecodeAmlOptions = {}): DecodedAml {
  const base = o.base ?? 0;
  const maxDepth = o.maxDepth ?? DEFAULT_MAX_DEPTH;
  const ns1 = new Namespace();
  if (o.known) for (const [k, v] of o.known.objects) ns1.set(k, v);
  const p1 = new Parser(bytes, base, ns1, 1, maxDepth);
  const terms1 = p1.termList(bytes.length, ns1.root);
  const unresolvedOf = (p: Parser, ns: Namespace) => {
    const m = new Map<string, NameString>();
    for (const u of p.unresolved.values()) if (!ns.lookup(u.scope, u.name)) m.set(formatNameString(u.name), u.name);
    return m;
  };
  let whole = false;
  let again = p1.skipped;
  const { scope, name, argc, unit } = p1.log;
  for (let i = 0; i < argc.length; i++) {
    if ((ns1.methodArgsAt(scope[i]!, name[i]!) ?? -1) === argc[i]) continue;
    again = true;
    const u = unit[i]!;
    if (u < 0) {
      whole = true;
      break;
    }
    p1.units[u]!.again = true;
  }
  if (!again) return { terms: terms1, namespace: ns1, unresolved: unresolvedOf(p1, ns1), passes: 1 };
  const p2 = new Parser(bytes, base, ns1, 2, maxDepth, p1.segs);
  if (whole) return { terms: p2.termList(bytes.length, ns1.root), namespace: ns1, unresolved: unresolvedOf(p1, ns1), passes: 2 };
  // Units are in pre-order: one inside a unit already re-parsed is covered by it.
  let covered = 0;
  for (const u of p1.units) {
    if (!u.again || u.start < covered) continue;
    p2.pos = u.start;
    p2.depth = u.depth;
    u.term.args[2] = { t: 'list', terms: p2.termList(u.end, u.scope) };
    covered = u.end;
  }
  return { terms: terms1, namespace: ns1, unresolved: unresolvedOf(p1, ns1), passes: 2 };
}

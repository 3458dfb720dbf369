/**
 * AML decoder: bytes → the compact node table of `code.ts`, driven by the opcode table,
 * namespace-aware. `toTerms` (`terms.ts`) turns the table into the object model on demand.
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
import { AmlCode, K, KIDS, OP, opKind, opKindOf } from './code.js';
import type { NameString, Term } from './model.js';
import { formatNameString, isSegByte } from './nameString.js';
import { FROM_ORDER, Namespace, type NsNode } from './namespace.js';
import { EXT_OP_PREFIX, LIT, NAME, OPCODES, isNameLead, opByName, type ArgKind } from './opcodes.js';
import { pkgLengthWidth, readPkgLength } from './pkgLength.js';
import { toTerms } from './terms.js';

export interface DecodeAmlOptions {
  /** Absolute offset of `bytes[0]` in the file (for error offsets), e.g. 36 after the header. */
  base?: number;
  /** Objects known from elsewhere (other tables, `--ref`). */
  known?: Namespace;
  /** Deepest term nesting accepted (default 256). */
  maxDepth?: number;
}

export interface DecodedAml {
  /** The decoded model: a node table over the bytes. */
  code: AmlCode;
  /** The same terms as objects (`model.ts`), built on first access. */
  readonly terms: Term[];
  /** Everything the table defines, plus what `known` and Externals added. */
  namespace: Namespace;
  /** Names used as values that resolve to nothing known (candidates for External). */
  unresolved: Map<string, NameString>;
  /** 1 or 2 (a second pass was needed for forward method references). */
  passes: number;
}

export const DEFAULT_MAX_DEPTH = 256;

type Mode = 'call' | 'plain';

/** Pass 1's call log (an Int32Array): per name in a call position, its scope, position, argument count when met and method unit. */
const CALL_LOG = { scope: 0, at: 1, argc: 2, unit: 3, size: 4 } as const;

const FROM_TABLE = FROM_ORDER.indexOf('table');
const FROM_EXTERNAL = FROM_ORDER.indexOf('external');

/** A method body as pass 1 parsed it: its list node, bytes, scope and depth, and whether to re-parse it. */
interface MethodUnit {
  list: number;
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
  readonly unresolved = new Map<string | number, { scope: NsNode; at: number }>();
  /** Pass 1 swallowed a malformed method body (possibly a misparsed forward call). */
  skipped = false;
  /** Pass 1: every method body parsed (pre-order), the unit a second pass can re-parse alone. */
  readonly units: MethodUnit[] = [];
  /** Unit being parsed (-1: outside any method). */
  unit = -1;
  /**
   * Pass 1: every name looked up in a call position (its byte offset), with what it resolved to
   * then (argument count, -1 not a method) and the unit it was in: four numbers an entry.
   */
  log = new Int32Array(1024);
  logged = 0;
  readonly bytes: Uint8Array;

  constructor(
    readonly code: AmlCode,
    readonly ns: Namespace,
    readonly pass: 1 | 2,
    readonly maxDepth: number,
  ) {
    this.bytes = code.bytes;
  }

  fail(reason: string, at = this.pos): never {
    throw new NvError('AML', '', this.code.base + at, reason);
  }

  u8(end: number, what: string): number {
    if (this.pos >= end) this.fail(`${what} missing: term runs past the end of its package or table`);
    return this.bytes[this.pos++]!;
  }

  /** Checks `size` bytes of data are left and steps over them. */
  skip(end: number, size: number, what: string): void {
    if (end - this.pos < size) this.fail(`${what} needs ${size} bytes, ${end - this.pos} left`);
    this.pos += size;
  }

  /** Checks the NameString at `pos` and steps over it; returns where it starts. */
  nameString(end: number): number {
    const start = this.pos;
    let b = this.u8(end, 'NameString');
    if (b === NAME.root) b = this.u8(end, 'NameString');
    else while (b === NAME.parent) b = this.u8(end, 'NameString');
    let count: number;
    if (b === NAME.nullName) return start;
    if (b === NAME.dual) count = 2;
    else if (b === NAME.multi) count = this.u8(end, 'MultiNamePath SegCount');
    else {
      this.pos--;
      count = 1;
    }
    if (end - this.pos < 4 * count) this.fail(`NameString of ${count} segments runs past the end`, start);
    for (let i = 0; i < count; i++) this.seg();
    return start;
  }

  /**
   * Checks one NameSeg at `pos` (the caller checked 4 bytes are left) and steps over it. No string
   * is made: the model reads segments from the bytes when asked.
   */
  seg(): void {
    const b = this.bytes;
    const p = this.pos;
    // Fast check of the four bytes first (a table lookup each); the loop only finds which one failed.
    if (!(SEG_CHAR[b[p]!]! & 1) || !(SEG_CHAR[b[p + 1]!]! & 2) || !(SEG_CHAR[b[p + 2]!]! & 2) || !(SEG_CHAR[b[p + 3]!]! & 2)) {
      for (let i = 0; i < 4; i++) {
        const c = b[p + i]!;
        if (!isSegByte(c, i === 0)) this.fail(`byte 0x${c.toString(16)} is not a NameSeg character`, p + i);
      }
    }
    this.pos = p + 4;
  }

  /** Parses terms up to `end` as children appended after the current last node; returns the first (-1 none). */
  termList(end: number, scope: NsNode, mode: Mode): number {
    let first = -1;
    let prev = -1;
    while (this.pos < end) {
      const n = this.term(end, scope, mode);
      if (prev >= 0) this.code.next[prev] = n;
      else first = n;
      prev = n;
    }
    return first;
  }

  term(end: number, scope: NsNode, mode: Mode): number {
    if (++this.depth > this.maxDepth) this.fail(`terms nested deeper than ${this.maxDepth}`);
    const n = this.termInner(end, scope, mode);
    this.depth--;
    return n;
  }

  termInner(end: number, scope: NsNode, mode: Mode): number {
    const at = this.pos;
    if (at >= end) this.fail('term missing: term runs past the end of its package or table');
    const b = this.bytes[this.pos++]!;
    const code = this.code;
    switch (b) {
      case LIT.zero:
        return code.add(K.zero, at);
      case LIT.one:
        return code.add(K.one, at);
      case LIT.ones:
        return code.add(K.ones, at);
      case LIT.byte:
        this.skip(end, 1, 'ByteConst');
        return code.add(K.byte, at);
      case LIT.word:
        this.skip(end, 2, 'WordConst');
        return code.add(K.word, at);
      case LIT.dword:
        this.skip(end, 4, 'DWordConst');
        return code.add(K.dword, at);
      case LIT.qword:
        this.skip(end, 8, 'QWordConst');
        return code.add(K.qword, at);
      case LIT.string: {
        const from = this.pos;
        const bytes = this.bytes;
        for (;;) {
          if (this.pos >= end) this.fail('String has no terminating NUL before the end of its package', at);
          const c = bytes[this.pos++]!;
          if (c === 0) break;
          if (c > 0x7f) this.fail(`String byte 0x${c.toString(16)} is not ASCII`, this.pos - 1);
          if (this.pos - from > 0x100000) this.fail('String longer than 1 MiB', from);
        }
        return code.add(K.str, at);
      }
    }
    if (NAME_LEAD[b] === 1) {
      this.pos = at;
      this.nameString(end);
      if (mode === 'plain') {
        if (this.pass === 1 && !this.ns.hasAt(scope, this.bytes, at)) {
          this.noteUnresolved(scope, at);
        }
        return code.add(K.name, at);
      }
      // One lookup: the node answers both "a method?" and "anything at all?".
      const found = this.ns.foundAt(scope, this.bytes, at);
      const argc = this.ns.methodArgsOf(found);
      if (this.pass === 1) {
        let log = this.log;
        const i = this.logged;
        if (i + CALL_LOG.size > log.length) {
          log = new Int32Array(log.length * 2);
          log.set(this.log);
          this.log = log;
        }
        log[i + CALL_LOG.scope] = scope;
        log[i + CALL_LOG.at] = at;
        log[i + CALL_LOG.argc] = argc;
        log[i + CALL_LOG.unit] = this.unit;
        this.logged = i + CALL_LOG.size;
      }
      if (argc < 0) {
        if (this.pass === 1 && found < 0) {
          this.noteUnresolved(scope, at);
        }
        return code.add(K.name, at);
      }
      const n = code.add(K.call, at);
      let prev = -1;
      for (let i = 0; i < argc; i++) {
        const c = this.term(end, scope, 'call');
        if (prev >= 0) code.next[prev] = c;
        prev = c;
      }
      if (argc > 0) code.setKids(n);
      return n;
    }
    let kind: number;
    if (b === EXT_OP_PREFIX) {
      const b2 = this.u8(end, 'extended opcode');
      kind = opKindOf(0x5b00 | b2);
      if (kind < 0) this.fail(`unknown extended opcode 0x5B 0x${b2.toString(16).padStart(2, '0')}`, at);
    } else {
      kind = opKindOf(b);
      if (kind < 0) this.fail(`unknown opcode 0x${b.toString(16).padStart(2, '0')}`, at);
    }
    return this.op(kind, end, scope, at);
  }

  /** An operator of node kind `kind` (its opcode already read), from the per-kind tables below (not the row objects: one shape to read). */
  op(kind: number, end: number, scope: NsNode, at: number): number {
    const code = this.code;
    const r = kind - OP;
    const args = ARG_CODES[r]!;
    // Flagged at once: `register` reads the arguments parsed so far.
    const n = code.add(args.length > 0 ? kind | KIDS : kind, at);
    let limit = end;
    const pkg = PKG[r] === 1;
    if (pkg) {
      const lenAt = this.pos;
      const b = this.bytes;
      // readPkgLength's work for the common well-formed case without its result object per operator.
      const width = pkgLengthWidth(b, lenAt, end);
      if (width === 0) {
        const pl = readPkgLength(b, lenAt, end);
        this.fail(`${OPCODES[r]!.name}: ${typeof pl === 'string' ? pl : 'bad PkgLength'}`, lenAt);
      }
      let value = width === 1 ? b[lenAt]! & 0x3f : b[lenAt]! & 0x0f;
      for (let i = 1; i < width; i++) value |= b[lenAt + i]! << (4 + 8 * (i - 1));
      value >>>= 0;
      if (value < width) this.fail(`${OPCODES[r]!.name}: PkgLength ${value} is shorter than itself`, lenAt);
      if (value > end - lenAt) this.fail(`${OPCODES[r]!.name}: PkgLength ${value} runs past the end (${end - lenAt} bytes left)`, lenAt);
      limit = lenAt + value;
      this.pos = lenAt + width;
    }
    let inner = scope;
    const firstList = FIRST_LIST[r]!;
    const registerAt = firstList < 0 ? args.length : firstList;
    const registers = REGISTERS[r] === 1;
    let prev = -1;
    for (let i = 0; i < args.length; i++) {
      if (i === registerAt && registers) inner = this.register(r, n, scope);
      const c = this.arg(args[i]!, limit, i === registerAt || (firstList >= 0 && i > registerAt) ? inner : scope, kind);
      if (prev >= 0) code.next[prev] = c;
      prev = c;
    }
    if (registerAt === args.length && registers) this.register(r, n, scope);
    if (pkg && this.pos !== limit) this.fail(`${OPCODES[r]!.name}: package has ${limit - this.pos} bytes after its last element`);
    return n;
  }

  /**
   * Records a name that resolved to nothing, once per scope node and name text (the last
   * occurrence's bytes kept). The key of a one-segment name without prefix (NameSeg, or
   * MultiNamePrefix with one segment: the same text) is a number, the scope node then the
   * segment's 24 bits; of any other name a string. No string is made for the common case.
   */
  noteUnresolved(scope: NsNode, at: number): void {
    const b = this.bytes;
    const q = isSegByte(b[at]!, true) ? at : b[at] === NAME.multi && b[at + 1] === 1 ? at + 2 : -1;
    const key = q >= 0 ? scope * 0x1000000 + (((b[q]! - 0x30) << 18) | ((b[q + 1]! - 0x30) << 12) | ((b[q + 2]! - 0x30) << 6) | (b[q + 3]! - 0x30)) : `${scope}|${this.code.nameTextAt(at)}`;
    const u = this.unresolved.get(key);
    if (u) u.at = at;
    else this.unresolved.set(key, { scope, at });
  }

  /** The namespace node named by operator node `n`'s i-th argument (created when missing), when it is a name. */
  nameArg(n: number, i: number, scope: NsNode): NsNode | undefined {
    const c = this.code.arg(n, i);
    return c >= 0 && this.code.kindOf(c) === K.name ? this.ns.nodeForAt(scope, this.bytes, this.code.pos[c]!) : undefined;
  }

  /** Operator node `n`'s i-th argument when it is ByteData, else 0. */
  u8Arg(n: number, i: number): number {
    const c = this.code.arg(n, i);
    return c >= 0 && this.code.kindOf(c) === K.u8 ? this.bytes[this.code.pos[c]!]! : 0;
  }

  /** Records what the operator creates; returns the scope its lists are parsed in. */
  register(r: number, n: number, scope: NsNode): NsNode {
    const creates = CREATES[r]!, opens = OPENS[r]!;
    if (this.pass === 2) {
      // The namespace is complete after pass 1: only the scope is needed.
      return (opens >= 0 ? this.nameArg(n, opens, scope) : undefined) ?? scope;
    }
    if (r === EXTERNAL_ROW) {
      const node = this.nameArg(n, 0, scope);
      const type = this.u8Arg(n, 1);
      const argc = this.u8Arg(n, 2);
      if (node !== undefined) this.ns.defineCode(node, type, type === 8 ? argc & 7 : -1, FROM_EXTERNAL);
      return scope;
    }
    let created: NsNode | undefined;
    if (creates >= 0) {
      created = this.nameArg(n, creates, scope);
      if (created !== undefined) {
        if (r === METHOD_KIND - OP) this.ns.defineCode(created, 8, this.u8Arg(n, 1) & 7, FROM_TABLE);
        else this.ns.defineCode(created, OBJ_TYPE[r]!, -1, FROM_TABLE);
      }
    }
    if (opens >= 0) return (opens === creates ? created : this.nameArg(n, opens, scope)) ?? scope;
    return scope;
  }


  /** One argument of an operator node of kind `opKind`; `kind` is its `ArgCode`. */
  arg(kind: number, end: number, scope: NsNode, opKind: number): number {
    const code = this.code;
    const at = this.pos;
    switch (kind) {
      case A.name:
        this.nameString(end);
        return code.add(K.name, at);
      case A.term:
        return this.term(end, scope, 'call');
      case A.super:
        return this.term(end, scope, 'plain');
      case A.target:
        if (this.pos < end && this.bytes[this.pos] === 0) {
          this.pos++;
          return code.add(K.none, at);
        }
        return this.term(end, scope, 'plain');
      case A.u8:
        this.skip(end, 1, 'byte data');
        return code.add(K.u8, at);
      case A.u16:
        this.skip(end, 2, 'word data');
        return code.add(K.u16, at);
      case A.u32:
        this.skip(end, 4, 'dword data');
        return code.add(K.u32, at);
      case A.bytes:
        this.pos = end;
        return code.add(K.bytes, at);
      case A.elems:
        return this.list(end, scope, 'plain');
      case A.terms: {
        if (this.pass === 1 && opKind === METHOD_KIND) {
          const list = code.add(K.list, at);
          const outer = this.unit;
          const unit: MethodUnit = { list, start: at, end, scope, depth: this.depth, again: false };
          this.unit = this.units.push(unit) - 1;
          try {
            if (this.termList(end, scope, 'call') >= 0) code.setKids(list);
          } catch (e) {
            if (!(e instanceof NvError)) throw e;
            // Possibly a call to a method defined further on; pass 2 decides.
            this.skipped = true;
            unit.again = true;
            this.pos = end;
            this.depth = unit.depth;
            code.count = list + 1;
          } finally {
            this.unit = outer;
          }
          return list;
        }
        return this.list(end, scope, 'call');
      }
      case A.fields: {
        const list = code.add(K.fields, at);
        if (this.fields(end, scope) >= 0) code.setKids(list);
        return list;
      }
    }
    return this.fail(`argument code ${kind} (the opcode table's signature)`);
  }

  list(end: number, scope: NsNode, mode: Mode): number {
    const list = this.code.add(K.list, this.pos);
    if (this.termList(end, scope, mode) >= 0) this.code.setKids(list);
    return list;
  }

  /** Field elements up to `end`, appended as siblings; returns the first (-1 none). */
  fields(end: number, scope: NsNode): number {
    const code = this.code;
    let first = -1;
    let prev = -1;
    while (this.pos < end) {
      const at = this.pos;
      const b = this.bytes[this.pos]!;
      let n: number;
      if (b === 0x00 || isSegByte(b, true)) {
        const named = b !== 0x00;
        if (!named) this.pos++;
        else {
          if (end - this.pos < 4) this.fail('NamedField name runs past the end', at);
          this.seg();
        }
        const width = pkgLengthWidth(this.bytes, this.pos, end);
        if (width === 0) {
          const pl = readPkgLength(this.bytes, this.pos, end);
          this.fail(`field width: ${typeof pl === 'string' ? pl : 'bad PkgLength'}`, this.pos);
        }
        this.pos += width;
        if (named) {
          // The NameSeg at `at` read as a one-segment NameString: the child of `scope` it names.
          if (this.pass === 1) this.ns.defineCode(this.ns.nodeForAt(scope, this.bytes, at), 5, -1, FROM_TABLE);
          n = code.add(K.fnamed, at);
        } else n = code.add(K.freserved, at);
      } else if (b === 0x01) {
        this.pos++;
        this.u8(end, 'AccessType');
        this.u8(end, 'AccessAttrib');
        n = code.add(K.faccess, at);
      } else if (b === 0x03) {
        this.pos++;
        this.u8(end, 'AccessType');
        this.u8(end, 'ExtendedAccessAttrib');
        this.u8(end, 'AccessLength');
        n = code.add(K.fextaccess, at);
      } else if (b === 0x02) {
        this.pos++;
        n = code.add(K.fconn, at);
        if (this.pos < end && this.bytes[this.pos] === 0x11) this.term(end, scope, 'plain');
        else {
          const p = this.pos;
          this.nameString(end);
          code.add(K.name, p);
        }
        code.setKids(n);
      } else this.fail(`byte 0x${b.toString(16)} does not start a field element`, at);
      if (prev >= 0) code.next[prev] = n;
      else first = n;
      prev = n;
    }
    return first;
  }
}

/** Per byte: 1 when it starts a NameString in a TermArg (`isNameLead`). */
const NAME_LEAD = Uint8Array.from({ length: 256 }, (_, c) => (isNameLead(c) ? 1 : 0));
/** Per byte: 1 when it may lead a NameSeg, 2 when it may follow (`isSegByte`). */
const SEG_CHAR = Uint8Array.from({ length: 256 }, (_, c) => (isSegByte(c, true) ? 1 : 0) | (isSegByte(c, false) ? 2 : 0));

/** Argument kinds as small integers (the decoder's switch): `ArgKind` order. */
const A = { name: 0, term: 1, super: 2, target: 3, u8: 4, u16: 5, u32: 6, terms: 7, elems: 8, bytes: 9, fields: 10 } as const satisfies Record<ArgKind, number>;
/** Each operator's argument kinds as `A` codes, by node kind - OP. */
const ARG_CODES: readonly Uint8Array[] = OPCODES.map((info) => Uint8Array.from(info.args, (a) => A[a]));
const METHOD_KIND = opKind(opByName('Method'));
/** ObjectType codes (External, §19.6.44) of what each named-object operator creates. */
const OBJECT_TYPE: Record<string, number> = {
  Name: 0, Alias: 0, Device: 6, Event: 7, Method: 8, Mutex: 9, OperationRegion: 10, PowerResource: 11,
  Processor: 12, ThermalZone: 13, CreateBitField: 14, CreateByteField: 14, CreateWordField: 14,
  CreateDWordField: 14, CreateQWordField: 14, CreateField: 14, DataTableRegion: 10,
};

/** Per row (node kind - OP): the argument it creates a name with, the one opening a scope (-1 none), the ObjectType it creates. */
const CREATES = Int8Array.from(OPCODES, (o) => o.creates ?? -1);
const OPENS = Int8Array.from(OPCODES, (o) => o.opensScope ?? -1);
const OBJ_TYPE = Uint8Array.from(OPCODES, (o) => OBJECT_TYPE[o.name] ?? 0);
const EXTERNAL_ROW = opKind(opByName('External')) - OP;
/** 1 for the operators `register` has something to do for (they create a name or open a scope). */
const REGISTERS = Uint8Array.from(OPCODES, (o) => (o.creates !== undefined || o.opensScope !== undefined || o.name === 'External' ? 1 : 0));

/** Index of each operator's first list argument (TermList, FieldList...), -1 without one; by node kind - OP. */
const FIRST_LIST = Int8Array.from(OPCODES, (info) => info.args.findIndex((k) => k === 'terms' || k === 'elems' || k === 'bytes' || k === 'fields'));
/** 1 for the operators encoded with a PkgLength; by node kind - OP. */
const PKG = Uint8Array.from(OPCODES, (o) => (o.pkg ? 1 : 0));


function decoded(code: AmlCode, namespace: Namespace, unresolved: Map<string, NameString>, passes: number): DecodedAml {
  code.trim();
  namespace.trim();
  let terms: Term[] | undefined;
  return {
    code,
    get terms() {
      return (terms ??= toTerms(code));
    },
    namespace,
    unresolved,
    passes,
  };
}

/**
 * Decodes a TermList (a table body) with namespace-aware method invocation parsing.
 *
 * Pass 1 parses with the namespace known so far and logs every name it looked up in a call
 * position. Once the namespace is complete, each logged lookup is asked again: a body parses
 * differently in a second pass exactly when one of its lookups now answers differently (a method
 * defined further on, a nearer definition shadowing an outer one) or it failed to parse. Only
 * those method bodies are parsed again (in their scope, at their depth) and their new nodes linked
 * in place of the old, in byte order, so a body that fails again throws the error a whole second
 * pass would meet first; a lookup outside any method body that changed makes pass 2 re-parse the
 * whole table. Everything else would parse to the same nodes in a second pass (same bytes, same
 * answers), so pass 1's are kept.
 */
export function decodeAml(bytes: Uint8Array, o: DecodeAmlOptions = {}): DecodedAml {
  const base = o.base ?? 0;
  const maxDepth = o.maxDepth ?? DEFAULT_MAX_DEPTH;
  // About one namespace path per 19.5 bytes in the bench's method-heavy tables: sized once, no
  // growing or rehashing while decoding them (`trim` gives back what a sparser table leaves).
  const ns1 = new Namespace(Math.min(Math.ceil(bytes.length / 18), 1 << 24));
  if (o.known) for (const [k, v] of o.known.objects) ns1.set(k, v);
  const code = new AmlCode(bytes, base);
  const p1 = new Parser(code, ns1, 1, maxDepth);
  p1.termList(bytes.length, ns1.root, 'call');
  const unresolvedOf = (p: Parser, ns: Namespace) => {
    const m = new Map<string, NameString>();
    for (const u of p.unresolved.values()) {
      const name = p.code.nameAt(u.at);
      if (!ns.has(u.scope, name)) m.set(formatNameString(name), name);
    }
    return m;
  };
  let whole = false;
  let again = p1.skipped;
  const log = p1.log;
  for (let i = 0; i < p1.logged; i += CALL_LOG.size) {
    if (ns1.methodArgsOf(ns1.foundAt(log[i + CALL_LOG.scope]!, bytes, log[i + CALL_LOG.at]!)) === log[i + CALL_LOG.argc]) continue;
    again = true;
    const u = log[i + CALL_LOG.unit]!;
    if (u < 0) {
      whole = true;
      break;
    }
    p1.units[u]!.again = true;
  }
  if (!again) return decoded(code, ns1, unresolvedOf(p1, ns1), 1);
  if (whole) {
    const code2 = new AmlCode(bytes, base, code.segs);
    new Parser(code2, ns1, 2, maxDepth).termList(bytes.length, ns1.root, 'call');
    return decoded(code2, ns1, unresolvedOf(p1, ns1), 2);
  }
  const p2 = new Parser(code, ns1, 2, maxDepth);
  // Units are in pre-order: one inside a unit already re-parsed is covered by it.
  let covered = 0;
  for (const u of p1.units) {
    if (!u.again || u.start < covered) continue;
    p2.pos = u.start;
    p2.depth = u.depth;
    code.moved.set(u.list, p2.termList(u.end, u.scope, 'call'));
    code.setKids(u.list);
    covered = u.end;
  }
  return decoded(code, ns1, unresolvedOf(p1, ns1), 2);
}

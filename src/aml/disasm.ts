/**
 * AML → ASL disassembler. The output uses the legacy (non-ASL+) operator forms, one ASL operator
 * per AML opcode, so that `iasl -oa` compiles it back to the same body bytes: `Store (Index (Arg3,
 * Zero), Local2)` stays a StoreOp around an IndexOp (ASL+ `Local2 = Arg3 [Zero]` would not), every
 * integer keeps its width (`0x0A` for a BytePrefix), every buffer its explicit size and bytes, every
 * name its exact path. What ASL cannot express (a PkgLength or integer wider than needed, a
 * non-canonical name path) is listed in `notes` and marked in the text.
 *
 * It walks the decoded node table (`code.ts`) and writes the text as bytes into one buffer (`Out`),
 * in output order, reading values from the table's bytes as it prints them: NameSegs are copied,
 * hex digits come from a table, and no string or object is made per term (a string per term was
 * most of the disassembler's time and garbage, see specs/aml.md "Speed"). Strings are made only
 * for the header comment and for notes.
 */
import { ACCESS_ATTRIBS, ACCESS_TYPES, EXT_ACCESS_ATTRIBS, LOCK_RULES, MATCH_OPS, OBJECT_TYPES, REGION_SPACES, UPDATE_RULES } from './aslNames.js';
import { K, OP, type AmlCode } from './code.js';
import type { AmlTableHeader } from './model.js';
import { OPCODES } from './opcodes.js';
import { pkgLengthSize, pkgLengthSizeFor } from './pkgLength.js';

export interface DisasmOptions {
  /** Names the table uses but does not define: listed as External in a comment. */
  unresolved?: Iterable<string>;
  /** Banner comment lines (file name, tool). */
  banner?: string[];
}

export interface Disassembly {
  /** The ASL (made from `bytes` on first access). */
  readonly text: string;
  /** The ASL as UTF-8 (what a file gets: no string is made for it). */
  readonly bytes: Uint8Array;
  /** Encodings ASL cannot reproduce (the recompiled bytes will differ there). */
  notes: string[];
}

/** `0x00`..`0xFF`, made once. */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => '0x' + i.toString(16).toUpperCase().padStart(2, '0'));

const hex = (v: number | bigint, digits: number) =>
  digits === 2 && typeof v === 'number' && v >= 0 && v < 256 ? BYTE_HEX[v]! : '0x' + v.toString(16).toUpperCase().padStart(digits, '0');

function aslString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += s[i];
  }
  return out + '"';
}

/** Character codes of `0123456789ABCDEF`. */
const HEX_DIGIT = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const SPACE = 0x20, NL = 0x0a, COMMA = 0x2c, DOT = 0x2e, LPAREN = 0x28, RPAREN = 0x29, QUOTE = 0x22, BACKSLASH = 0x5c, CARET = 0x5e;

/**
 * The output: bytes appended to one growing buffer (legacy ASL is about 8 bytes per AML byte, so
 * it is sized for that up front and rarely grows). Everything written through `ascii` is ASCII;
 * `utf8` is for text that may not be (file names in the banner, header fields).
 */
class Out {
  buf: Buffer;
  len = 0;

  constructor(expect: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1 << 16, expect));
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.len + n > this.buf.length) {
      const b = Buffer.allocUnsafe(Math.max(this.len + n, this.buf.length * 2));
      this.buf.copy(b, 0, 0, this.len);
      this.buf = b;
    }
  }

  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let l = this.len;
    for (let i = 0; i < n; i++) b[l++] = s.charCodeAt(i);
    this.len = l;
  }

  utf8(s: string): void {
    this.room(3 * s.length);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.len++] = c;
  }

  /** `level` indentation steps of 4 spaces. */
  indent(level: number): void {
    const n = 4 * level;
    this.room(n);
    const b = this.buf;
    let l = this.len;
    for (let i = 0; i < n; i++) b[l++] = SPACE;
    this.len = l;
  }

  /** `0x` and `digits` upper-case hex digits of `v` (a 32-bit number that fits them). */
  hex(v: number, digits: number): void {
    this.room(digits + 2);
    const b = this.buf;
    const l = this.len;
    b[l] = 0x30;
    b[l + 1] = 0x78;
    for (let i = digits - 1, x = v; i >= 0; i--, x >>>= 4) b[l + 2 + i] = HEX_DIGIT[x & 15]!;
    this.len = l + 2 + digits;
  }

  /** Upper-case hex digits of `v` without `0x` (8 of them: the halves of a QWordConst). */
  hex8(v: number): void {
    this.room(8);
    const b = this.buf;
    const l = this.len;
    for (let i = 7, x = v; i >= 0; i--, x >>>= 4) b[l + i] = HEX_DIGIT[x & 15]!;
    this.len = l + 8;
  }

  /** A NameSeg (4 checked ASCII bytes) copied from the table. */
  seg(src: Uint8Array, p: number): void {
    this.room(4);
    const b = this.buf;
    const l = this.len;
    for (let i = 0; i < 4; i++) b[l + i] = src[p + i]!;
    this.len = l + 4;
  }

  /** The end of a head line and an opening brace on its own line. */
  open(level: number): void {
    this.byte(NL);
    this.indent(level);
    this.byte(0x7b);
    this.byte(NL);
  }

  /** A closing brace (the caller ends the line). */
  close(level: number): void {
    this.indent(level);
    this.byte(0x7d);
  }

  /** `,` and a new line between the elements of a package or field list. */
  sep(): void {
    this.byte(COMMA);
    this.byte(NL);
  }

  /** A whole number in decimal. */
  dec(v: number): void {
    if (v >= 0 && v < 10) this.byte(0x30 + v);
    else this.ascii(String(v));
  }
}

/** What the printer does with each operator (by node kind - OP), instead of comparing names. */
const F = {
  plain: 0, buffer: 1, pkg: 2, varpkg: 3, match: 4, bare: 5, timer: 6,
  scope: 7, method: 8, processor: 9, power: 10, cond: 11, else: 12,
  field: 13, indexField: 14, bankField: 15, region: 16, external: 17,
} as const;
const FORM_BY_NAME: Record<string, number> = {
  Buffer: F.buffer, Package: F.pkg, VarPackage: F.varpkg, Match: F.match, Timer: F.timer,
  Scope: F.scope, Device: F.scope, ThermalZone: F.scope, Method: F.method, Processor: F.processor,
  PowerResource: F.power, If: F.cond, While: F.cond, Else: F.else, Field: F.field, IndexField: F.indexField,
  BankField: F.bankField, OperationRegion: F.region, External: F.external,
};
const FORM = Uint8Array.from(OPCODES, (o) => FORM_BY_NAME[o.name] ?? (o.args.length === 0 ? F.bare : F.plain));
const IF_KIND = OP + OPCODES.findIndex((o) => o.name === 'If');
const EXTERNAL_KIND = OP + OPCODES.findIndex((o) => o.name === 'External');

class Printer {
  readonly notes: string[] = [];
  private readonly b: Uint8Array;
  private readonly next: Int32Array;

  constructor(
    readonly code: AmlCode,
    readonly o: Out,
  ) {
    this.b = code.bytes;
    this.next = code.next;
  }

  note(what: string): void {
    this.notes.push(what);
    this.o.ascii(` /* nvtool: ${what} */`);
  }

  /** A NameString node (or the name of a call), its segments copied from the table. */
  name(n: number): void {
    const o = this.o;
    const b = this.b;
    const start = this.code.pos[n]!;
    let p = start;
    if (b[p] === 0x5c) {
      o.byte(BACKSLASH);
      p++;
    } else while (b[p] === 0x5e) {
      o.byte(CARET);
      p++;
    }
    const lead = b[p]!;
    if (lead === 0x00) return;
    if (lead === 0x2e) {
      o.seg(b, p + 1);
      o.byte(DOT);
      o.seg(b, p + 5);
      return;
    }
    if (lead !== 0x2f) {
      o.seg(b, p);
      return;
    }
    const count = b[p + 1]!;
    for (let i = 0; i < count; i++) {
      if (i) o.byte(DOT);
      o.seg(b, p + 2 + 4 * i);
    }
    if (count < 3) {
      const s = this.code.nameTextAt(start);
      this.note(`name ${s} uses a non-canonical MultiNamePath`);
    }
  }

  int(n: number, k: number): void {
    const c = this.code;
    const o = this.o;
    switch (k) {
      case K.zero:
        return o.ascii('Zero');
      case K.one:
        return o.ascii('One');
      case K.ones:
        return o.ascii('Ones');
      case K.byte:
        return o.hex(c.num(n), 2);
      case K.word: {
        const v = c.num(n);
        o.hex(v, 4);
        if (v <= 0xff) this.note(`${hex(v, 4)} encoded as a wider word constant`);
        return;
      }
      case K.dword: {
        const v = c.num(n);
        o.hex(v, 8);
        if (v <= 0xffff) this.note(`${hex(v, 8)} encoded as a wider dword constant`);
        return;
      }
    }
    const [lo, hi] = c.qwordHalves(n);
    o.byte(0x30);
    o.byte(0x78);
    o.hex8(hi);
    o.hex8(lo);
    if (hi === 0) this.note(`${hex(lo, 16)} encoded as a wider qword constant`);
  }

  /** A StringPrefix node as an ASL string literal (the decoder checked it is ASCII). */
  str(n: number): void {
    const o = this.o;
    const b = this.b;
    o.byte(QUOTE);
    for (let i = this.code.pos[n]! + 1; ; i++) {
      const ch = b[i]!;
      if (ch === 0) break;
      if (ch === 0x22) o.ascii('\\"');
      else if (ch === 0x5c) o.ascii('\\\\');
      else if (ch < 0x20 || ch === 0x7f) {
        o.byte(BACKSLASH);
        o.byte(0x78);
        o.byte(HEX_DIGIT[ch >> 4]!);
        o.byte(HEX_DIGIT[ch & 15]!);
      } else if (ch < 0x80) o.byte(ch);
      else o.utf8(String.fromCharCode(ch));
    }
    o.byte(QUOTE);
  }

  /** ByteData/WordData/DWordData as hex; anything else as an argument. */
  raw(n: number): void {
    const k = this.code.kindOf(n);
    if (k === K.u8) this.o.hex(this.code.num(n), 2);
    else if (k === K.u16) this.o.hex(this.code.num(n), 4);
    else if (k === K.u32) this.o.hex(this.code.num(n), 8);
    else this.arg(n, 0);
  }

  arg(n: number, level: number): void {
    const k = this.code.kindOf(n);
    if (k === K.u8 || k === K.u16 || k === K.u32) this.raw(n);
    else if (k !== K.list && k !== K.bytes && k !== K.fields) this.expr(n, level);
  }

  /** `, ` between arguments. */
  comma(): void {
    this.o.byte(COMMA);
    this.o.byte(SPACE);
  }

  /** One term as an expression (may span lines for buffers and packages). */
  expr(n: number, level: number): void {
    const c = this.code;
    const k = c.kindOf(n);
    if (k <= K.qword) return this.int(n, k);
    switch (k) {
      case K.str:
        return this.str(n);
      case K.name:
        return this.name(n);
      case K.none:
        return;
      case K.call: {
        this.name(n);
        this.o.byte(SPACE);
        this.o.byte(LPAREN);
        for (let a = c.child(n), first = true; a >= 0; a = this.next[a]!, first = false) {
          if (!first) this.comma();
          this.expr(a, level);
        }
        this.o.byte(RPAREN);
        return;
      }
    }
    this.opExpr(n, level);
  }

  /** The note for an operator whose PkgLength is wider than needed. */
  pkgNote(n: number): void {
    const b = this.b;
    const p = this.code.pos[n]!;
    const at = p + (b[p] === 0x5b ? 2 : 1);
    const lead = b[at]!;
    const follow = lead >> 6;
    if (follow === 0) return; // one byte is always the narrowest
    let value = lead & 0x0f;
    for (let i = 1; i <= follow; i++) value |= b[at + i]! << (4 + 8 * (i - 1));
    const width = follow + 1;
    if (width !== pkgLengthSizeFor((value >>> 0) - width)) this.note(`${this.code.opOf(n)!.name} PkgLength encoded in ${width} bytes, more than needed`);
  }

  /** `Name (` */
  head(n: number): void {
    this.o.ascii(OPCODES[this.code.kindOf(n) - OP]!.name);
    this.o.byte(SPACE);
    this.o.byte(LPAREN);
  }

  opExpr(n: number, level: number): void {
    const c = this.code;
    const o = this.o;
    const kind = c.kindOf(n);
    const a0 = c.child(n);
    switch (FORM[kind - OP]) {
      case F.buffer: {
        o.ascii('Buffer (');
        this.arg(a0, level);
        o.byte(RPAREN);
        const from = c.pos[this.next[a0]!]!;
        const to = c.pkgEnd(n);
        const b = this.b;
        if (to === from) {
          o.ascii(' {}');
          this.pkgNote(n);
          return;
        }
        this.pkgNote(n);
        o.open(level);
        for (let i = from; i < to; i += 8) {
          if (i !== from) o.sep();
          o.indent(level + 1);
          o.hex(b[i]!, 2);
          for (let k = i + 1; k < i + 8 && k < to; k++) {
            this.comma();
            o.hex(b[k]!, 2);
          }
        }
        o.byte(NL);
        o.close(level);
        return;
      }
      case F.pkg:
      case F.varpkg: {
        const list = this.next[a0]!;
        // ASL has no VarPackage keyword: iasl emits VarPackageOp for a size that is not a
        // constant (or is over 255), PackageOp otherwise.
        o.ascii('Package (');
        if (FORM[kind - OP] === F.pkg) {
          this.raw(a0);
          o.byte(RPAREN);
        } else {
          this.arg(a0, level);
          o.byte(RPAREN);
          if (this.smallInt(a0)) this.note('VarPackage with a constant size under 256');
        }
        const first = c.child(list);
        if (first < 0) {
          o.ascii(' {}');
          this.pkgNote(n);
          return;
        }
        this.pkgNote(n);
        o.open(level);
        for (let e = first; e >= 0; e = this.next[e]!) {
          if (e !== first) o.sep();
          o.indent(level + 1);
          this.expr(e, level + 1);
        }
        o.byte(NL);
        o.close(level);
        return;
      }
      case F.match: {
        const a1 = this.next[a0]!, a2 = this.next[a1]!, a3 = this.next[a2]!, a4 = this.next[a3]!, a5 = this.next[a4]!;
        o.ascii('Match (');
        this.arg(a0, level);
        this.comma();
        o.ascii(matchOp(c, a1));
        this.comma();
        this.arg(a2, level);
        this.comma();
        o.ascii(matchOp(c, a3));
        this.comma();
        this.arg(a4, level);
        this.comma();
        this.arg(a5, level);
        o.byte(RPAREN);
        return;
      }
      case F.timer:
        return o.ascii('Timer ()');
      case F.bare:
        return o.ascii(OPCODES[kind - OP]!.name);
    }
    // Trailing omitted targets are left out; inner ones stay as empty arguments.
    let keep = 0;
    let i = 0;
    for (let a = a0; a >= 0; a = this.next[a]!) {
      i++;
      if (c.kindOf(a) !== K.none) keep = i;
    }
    this.head(n);
    i = 0;
    for (let a = a0; i < keep; a = this.next[a]!, i++) {
      if (i) this.comma();
      this.arg(a, level);
    }
    o.byte(RPAREN);
  }

  /** An integer node holding a value under 256. */
  smallInt(n: number): boolean {
    const k = this.code.kindOf(n);
    if (k === K.zero || k === K.one || k === K.byte) return true;
    if (k === K.word || k === K.dword) return this.code.num(n) <= 0xff;
    if (k === K.qword) return this.code.int(n) <= 0xffn;
    return false;
  }

  /** The `, AccessType, LockRule, UpdateRule` of a Field-like operator, from its flags node. */
  fieldFlags(n: number): void {
    const c = this.code;
    const f = c.kindOf(n) === K.u8 ? c.num(n) : 0;
    const o = this.o;
    o.ascii(ACCESS_TYPES[f & 0x0f] ?? hex(f & 0x0f, 2));
    this.comma();
    o.ascii(LOCK_RULES[(f >> 4) & 1]!);
    this.comma();
    o.ascii(UPDATE_RULES[(f >> 5) & 3] ?? hex((f >> 5) & 3, 2));
    o.byte(RPAREN);
  }

  /** Appends one term as a statement (blocks get braces and their bodies). */
  stmt(n: number, level: number): void {
    const c = this.code;
    const o = this.o;
    const kind = c.kindOf(n);
    o.indent(level);
    if (kind < OP) {
      this.expr(n, level);
      o.byte(NL);
      return;
    }
    const a0 = c.child(n);
    switch (FORM[kind - OP]) {
      case F.scope:
      case F.cond:
        this.head(n);
        this.arg(a0, level);
        o.byte(RPAREN);
        return this.block(n, this.next[a0]!, level);
      case F.method: {
        const a1 = this.next[a0]!;
        const flags = c.kindOf(a1) === K.u8 ? c.num(a1) : 0;
        const sync = flags >> 4;
        o.ascii('Method (');
        this.arg(a0, level);
        this.comma();
        o.dec(flags & 7);
        o.ascii(flags & 8 ? ', Serialized' : ', NotSerialized');
        if (sync) {
          this.comma();
          o.dec(sync);
        }
        o.byte(RPAREN);
        return this.block(n, this.next[a1]!, level);
      }
      case F.processor:
      case F.power: {
        // Processor (Name, ProcID, PblkAddr, PblkLen), PowerResource (Name, SystemLevel, ResourceOrder)
        this.head(n);
        this.arg(a0, level);
        let a = a0;
        for (let i = FORM[kind - OP] === F.processor ? 3 : 2; i > 0; i--) {
          a = this.next[a]!;
          this.comma();
          this.raw(a);
        }
        o.byte(RPAREN);
        return this.block(n, this.next[a]!, level);
      }
      case F.else:
        o.ascii('Else');
        return this.block(n, a0, level);
      case F.field:
      case F.indexField:
      case F.bankField: {
        // Field (Region, flags), IndexField (Index, Data, flags), BankField (Region, Bank, Value, flags)
        const names = FORM[kind - OP] === F.field ? 1 : FORM[kind - OP] === F.indexField ? 2 : 3;
        this.head(n);
        let a = a0;
        this.arg(a, level);
        for (let i = 1; i < names; i++) {
          a = this.next[a]!;
          this.comma();
          this.arg(a, level);
        }
        a = this.next[a]!;
        this.comma();
        this.fieldFlags(a);
        return this.field(n, this.next[a]!, level);
      }
      case F.region: {
        const a1 = this.next[a0]!, a2 = this.next[a1]!, a3 = this.next[a2]!;
        const sp = c.kindOf(a1) === K.u8 ? c.num(a1) : 0;
        o.ascii('OperationRegion (');
        this.arg(a0, level);
        this.comma();
        o.ascii(REGION_SPACES[sp] ?? hex(sp, 2));
        this.comma();
        this.arg(a2, level);
        this.comma();
        this.arg(a3, level);
        o.byte(RPAREN);
        o.byte(NL);
        return;
      }
      case F.external: {
        const a1 = this.next[a0]!, a2 = this.next[a1]!;
        const ty = c.kindOf(a1) === K.u8 ? c.num(a1) : 0;
        const argc = c.kindOf(a2) === K.u8 ? c.num(a2) : 0;
        o.ascii('External (');
        this.arg(a0, level);
        this.comma();
        o.ascii(OBJECT_TYPES[ty] ?? hex(ty, 2));
        o.byte(RPAREN);
        if (ty === 8) o.ascii(`    // ${argc} Arguments`);
        o.byte(NL);
        return;
      }
    }
    this.opExpr(n, level);
    o.byte(NL);
  }

  /** The rest of a block statement's head line (after its head), then its TermList in braces. */
  block(n: number, list: number, level: number): void {
    const o = this.o;
    this.pkgNote(n);
    o.open(level);
    this.stmts(list >= 0 ? this.code.child(list) : -1, level + 1);
    o.close(level);
    o.byte(NL);
  }

  field(n: number, list: number, level: number): void {
    const c = this.code;
    const o = this.o;
    this.pkgNote(n);
    o.open(level);
    const first = c.child(list);
    for (let e = first; e >= 0; e = this.next[e]!) {
      if (e !== first) o.sep();
      o.indent(level + 1);
      this.fieldElem(e, level + 1);
    }
    o.byte(NL);
    o.close(level);
    o.byte(NL);
  }

  /** A field element's width in bits (a PkgLength after `at`), with a note when wider than needed. */
  width(at: number): void {
    const b = this.b;
    const lead = b[at]!;
    const follow = lead >> 6;
    let bits = follow === 0 ? lead & 0x3f : lead & 0x0f;
    for (let i = 1; i <= follow; i++) bits |= b[at + i]! << (4 + 8 * (i - 1));
    bits >>>= 0;
    this.o.dec(bits);
    if (follow + 1 !== pkgLengthSize(bits)) this.note(`field width ${bits} encoded in ${follow + 1} bytes`);
  }

  fieldElem(n: number, level: number): void {
    const c = this.code;
    const o = this.o;
    const b = this.b;
    const p = c.pos[n]!;
    switch (c.kindOf(n)) {
      case K.fnamed:
        o.seg(b, p);
        this.comma();
        return this.width(p + 4);
      case K.freserved:
        this.comma();
        return this.width(p + 1);
      case K.faccess: {
        const type = b[p + 1]!, attrib = b[p + 2]!;
        const ty = ACCESS_TYPES[type & 0x0f] ?? hex(type & 0x0f, 2);
        const kind = type >> 6;
        if (kind === 1) return o.ascii(`AccessAs (${ty}, AttribBytes (${attrib}))`);
        if (kind === 2) return o.ascii(`AccessAs (${ty}, AttribRawBytes (${attrib}))`);
        if (kind === 3) return o.ascii(`AccessAs (${ty}, AttribRawProcessBytes (${attrib}))`);
        return o.ascii(`AccessAs (${ty}, ${ACCESS_ATTRIBS[attrib] ?? hex(attrib, 2)})`);
      }
      case K.fextaccess: {
        const type = b[p + 1]!, attrib = b[p + 2]!, length = b[p + 3]!;
        const ty = ACCESS_TYPES[type & 0x0f] ?? hex(type & 0x0f, 2);
        return o.ascii(`AccessAs (${ty}, ${EXT_ACCESS_ATTRIBS[attrib] ?? hex(attrib, 2)} (${length}))`);
      }
      case K.fconn:
        o.ascii('Connection (');
        this.expr(c.child(n), level);
        o.byte(RPAREN);
        return;
    }
  }

  /** The statements from node `first` on (its siblings). */
  stmts(first: number, level: number): void {
    const c = this.code;
    for (let n = first; n >= 0; n = this.next[n]!) {
      // iasl wraps the External declarations it emits in `If (Zero) {...}`: print the
      // declarations alone, the compiler adds the wrapper back.
      if (c.kindOf(n) === IF_KIND && isIfZeroExternals(c, n)) {
        this.stmts(c.child(c.arg(n, 1)), level);
        continue;
      }
      this.stmt(n, level);
    }
  }
}

function isIfZeroExternals(c: AmlCode, n: number): boolean {
  const p = c.arg(n, 0);
  const body = c.arg(n, 1);
  if (p < 0 || c.kindOf(p) !== K.zero || body < 0 || c.kindOf(body) !== K.list) return false;
  const first = c.child(body);
  if (first < 0) return false;
  for (let x = first; x >= 0; x = c.next[x]!) if (c.kindOf(x) !== EXTERNAL_KIND) return false;
  return true;
}

function matchOp(c: AmlCode, n: number): string {
  const v = c.kindOf(n) === K.u8 ? c.num(n) : 0;
  return MATCH_OPS[v] ?? hex(v, 2);
}

const trimNul = (s: string) => s.replace(/\0+$/, '');

/** What the disassembler needs of a decoded table (`decodeAmlTable`'s result). */
export interface DisasmInput {
  table: { header: AmlTableHeader };
  code: AmlCode;
}

/** ASL for a whole definition block. */
export function disassembleTable(d: DisasmInput, o: DisasmOptions = {}): Disassembly {
  const h = d.table.header;
  const out = new Out(9 * d.code.bytes.length);
  const p = new Printer(d.code, out);
  const head: string[] = ['/*', ...(o.banner ?? []).map((l) => ` * ${l}`)];
  head.push(` * Original header: ${h.signature}, length ${h.length}, revision ${h.revision}, checksum ${hex(h.checksum, 2)}, creator ${aslString(trimNul(h.creatorId))} ${hex(h.creatorRevision, 8)}`);
  head.push(' * Legacy (non-ASL+) operators: compiles back to the same AML body with `iasl -oa`.');
  const ext = [...(o.unresolved ?? [])];
  if (ext.length) {
    head.push(' *', ' * Names defined in other tables (declaring them as External would add AML; compile with `iasl -oa -f`):');
    for (const n of ext) head.push(` *     External (${n})`);
  }
  head.push(' */');
  head.push(`DefinitionBlock ("", ${aslString(h.signature)}, ${h.revision}, ${aslString(trimNul(h.oemId))}, ${aslString(trimNul(h.oemTableId))}, ${hex(h.oemRevision, 8)})`);
  head.push('{', '');
  out.utf8(head.join('\n'));
  p.stmts(d.code.top, 1);
  out.ascii('}\n');
  const bytes = out.buf.subarray(0, out.len);
  let text: string | undefined;
  return {
    get text() {
      return (text ??= bytes.toString('utf8'));
    },
    bytes,
    notes: p.notes,
  };
}

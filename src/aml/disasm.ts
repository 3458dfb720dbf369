/**
 * AML → ASL disassembler. The output uses the legacy (non-ASL+) operator forms, one ASL operator
 * per AML opcode, so that `iasl -oa` compiles it back to the same body bytes: `Store (Index (Arg3,
 * Zero), Local2)` stays a StoreOp around an IndexOp (ASL+ `Local2 = Arg3 [Zero]` would not), every
 * integer keeps its width (`0x0A` for a BytePrefix), every buffer its explicit size and bytes, every
 * name its exact path. What ASL cannot express (a PkgLength or integer wider than needed, a
 * non-canonical name path) is listed in `notes` and marked in the text.
 *
 * It walks the decoded node table (`code.ts`), reading values from the table's bytes as it
 * prints them: no object per term is made.
 */
import { ACCESS_ATTRIBS, ACCESS_TYPES, EXT_ACCESS_ATTRIBS, LOCK_RULES, MATCH_OPS, OBJECT_TYPES, REGION_SPACES, UPDATE_RULES } from './aslNames.js';
import { K, type AmlCode } from './code.js';
import type { AmlTableHeader } from './model.js';

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

const IND = '    ';

/** `0x00`..`0xFF`, made once: buffers print every byte with it. */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => '0x' + i.toString(16).toUpperCase().padStart(2, '0'));

const hex = (v: number | bigint, digits: number) =>
  digits === 2 && typeof v === 'number' && v >= 0 && v < 256 ? BYTE_HEX[v]! : '0x' + v.toString(16).toUpperCase().padStart(digits, '0');

/** `00`..`FF`: hex digits of a byte. */
const HEX2: readonly string[] = BYTE_HEX.map((h) => h.slice(2));

/** Hex of a 32-bit number with at least `digits` digits (from the byte table when it fits). */
function hexNum(v: number, digits: number): string {
  if (digits === 2 && v < 0x100) return BYTE_HEX[v]!;
  if (digits === 4 && v < 0x10000) return '0x' + HEX2[v >>> 8]! + HEX2[v & 0xff]!;
  if (digits === 8 && v <= 0xffffffff) return '0x' + HEX2[v >>> 24]! + HEX2[(v >>> 16) & 0xff]! + HEX2[(v >>> 8) & 0xff]! + HEX2[v & 0xff]!;
  return '0x' + v.toString(16).toUpperCase().padStart(digits, '0');
}

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

/**
 * The output, a line at a time. Lines are joined into a chunk string that is written as UTF-8 into
 * one growing buffer every 64 Ki characters: a line's string dies young instead of waiting in an
 * array for a final join (100 000 retained line strings were most of the disassembler's garbage
 * collection and of its peak memory), and the buffer is written to ~50 times, not once per line.
 */
class Lines {
  private buf: Buffer;
  private len = 0;
  private chunk = '';

  /** `expect`: the likely size in bytes (legacy ASL is about 8 bytes per AML byte). */
  constructor(expect: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1 << 16, expect));
  }

  push(...lines: string[]): void {
    for (const l of lines) this.chunk += l + '\n';
    if (this.chunk.length > 1 << 16) this.flush();
  }

  private flush(): void {
    const need = this.len + 3 * this.chunk.length;
    if (need > this.buf.length) {
      const b = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(b, 0, 0, this.len);
      this.buf = b;
    }
    this.len += this.buf.write(this.chunk, this.len, 'utf8');
    this.chunk = '';
  }

  /** Everything pushed, as UTF-8 (a view of the buffer). */
  bytes(): Uint8Array {
    this.flush();
    return this.buf.subarray(0, this.len);
  }
}

class Printer {
  readonly notes: string[] = [];

  constructor(readonly code: AmlCode) {}

  note(what: string): string {
    this.notes.push(what);
    return ` /* nvtool: ${what} */`;
  }

  /** A NameString node (or the name of a call). */
  name(n: number): string {
    const p = this.code.pos[n]!;
    const s = this.code.nameTextAt(p);
    return this.code.nameIsMulti(p) ? s + this.note(`name ${s} uses a non-canonical MultiNamePath`) : s;
  }

  int(n: number, k: number): string {
    const c = this.code;
    switch (k) {
      case K.zero:
        return 'Zero';
      case K.one:
        return 'One';
      case K.ones:
        return 'Ones';
      case K.byte:
        return BYTE_HEX[c.num(n)]!;
      case K.word: {
        const v = c.num(n);
        const s = hexNum(v, 4);
        return v > 0xff ? s : s + this.note(`${s} encoded as a wider word constant`);
      }
      case K.dword: {
        const v = c.num(n);
        const s = hexNum(v, 8);
        return v > 0xffff ? s : s + this.note(`${s} encoded as a wider dword constant`);
      }
    }
    const v = c.int(n);
    const s = hex(v, 16);
    return v > 0xffffffffn ? s : s + this.note(`${s} encoded as a wider qword constant`);
  }

  /** ByteData/WordData/DWordData as hex; anything else as an argument. */
  raw(n: number): string {
    const k = this.code.kindOf(n);
    if (k === K.u8) return hexNum(this.code.num(n), 2);
    if (k === K.u16) return hexNum(this.code.num(n), 4);
    if (k === K.u32) return hexNum(this.code.num(n), 8);
    return this.arg(n, '');
  }

  arg(n: number, ind: string): string {
    const k = this.code.kindOf(n);
    if (k === K.u8 || k === K.u16 || k === K.u32) return this.raw(n);
    if (k === K.list || k === K.bytes || k === K.fields) return '';
    return this.expr(n, ind);
  }

  /** One term as an expression (may span lines for buffers and packages). */
  expr(n: number, ind: string): string {
    const c = this.code;
    const k = c.kindOf(n);
    if (k <= K.qword) return this.int(n, k);
    switch (k) {
      case K.str:
        return aslString(c.str(n));
      case K.name:
        return this.name(n);
      case K.none:
        return '';
      case K.call: {
        let s = this.name(n) + ' (';
        for (let a = c.child(n), first = true; a >= 0; a = c.next[a]!, first = false) s += (first ? '' : ', ') + this.expr(a, ind);
        return s + ')';
      }
    }
    return this.opExpr(n, ind);
  }

  pkgNote(n: number): string {
    const w = this.code.pkgLenBytes(n);
    return w ? this.note(`${this.code.opOf(n)!.name} PkgLength encoded in ${w} bytes, more than needed`) : '';
  }

  opExpr(n: number, ind: string): string {
    const c = this.code;
    const info = c.opOf(n)!;
    const a0 = c.child(n);
    switch (info.name) {
      case 'Buffer': {
        const size = this.arg(a0, ind);
        const bn = c.next[a0]!;
        const from = c.pos[bn]!;
        const to = c.pkgEnd(n);
        const b = c.bytes;
        if (to === from) return `Buffer (${size}) {}${this.pkgNote(n)}`;
        let lines = '';
        for (let i = from; i < to; i += 8) {
          let line = (i === from ? '' : ',\n') + ind + IND + BYTE_HEX[b[i]!]!;
          for (let k = i + 1; k < i + 8 && k < to; k++) line += ', ' + BYTE_HEX[b[k]!]!;
          lines += line;
        }
        return `Buffer (${size})${this.pkgNote(n)}\n${ind}{\n${lines}\n${ind}}`;
      }
      case 'Package':
      case 'VarPackage': {
        const list = c.next[a0]!;
        // ASL has no VarPackage keyword: iasl emits VarPackageOp for a size that is not a
        // constant (or is over 255), PackageOp otherwise.
        const head =
          info.name === 'Package'
            ? `Package (${this.raw(a0)})`
            : `Package (${this.arg(a0, ind)})` + (this.smallInt(a0) ? this.note('VarPackage with a constant size under 256') : '');
        const first = c.child(list);
        if (first < 0) return `${head} {}${this.pkgNote(n)}`;
        const inner = ind + IND;
        let s = `${head}${this.pkgNote(n)}\n${ind}{\n`;
        for (let e = first; e >= 0; e = c.next[e]!) s += (e === first ? '' : ',\n') + inner + this.expr(e, inner);
        return s + `\n${ind}}`;
      }
      case 'Match': {
        const a1 = c.next[a0]!, a2 = c.next[a1]!, a3 = c.next[a2]!, a4 = c.next[a3]!, a5 = c.next[a4]!;
        return `Match (${this.arg(a0, ind)}, ${matchOp(c, a1)}, ${this.arg(a2, ind)}, ${matchOp(c, a3)}, ${this.arg(a4, ind)}, ${this.arg(a5, ind)})`;
      }
    }
    if (info.args.length === 0) {
      if (info.name === 'Timer') return 'Timer ()';
      return info.name;
    }
    const parts: string[] = [];
    let last = -1;
    for (let a = a0; a >= 0; a = c.next[a]!) {
      parts.push(this.arg(a, ind));
      last = a;
    }
    // Trailing omitted targets are left out; inner ones stay as empty arguments.
    if (c.kindOf(last) === K.none) {
      const kinds: number[] = [];
      for (let a = a0; a >= 0; a = c.next[a]!) kinds.push(c.kindOf(a));
      while (parts.length > 0 && parts[parts.length - 1] === '' && kinds[parts.length - 1] === K.none) parts.pop();
    }
    return `${info.name} (${parts.join(', ')})`;
  }

  /** An integer node holding a value under 256. */
  smallInt(n: number): boolean {
    const k = this.code.kindOf(n);
    if (k === K.zero || k === K.one || k === K.byte) return true;
    if (k === K.word || k === K.dword) return this.code.num(n) <= 0xff;
    if (k === K.qword) return this.code.int(n) <= 0xffn;
    return false;
  }

  /** Appends one term as a statement (blocks get braces and their bodies). */
  stmt(n: number, ind: string, out: Lines): void {
    const c = this.code;
    const info = c.opOf(n);
    if (!info) {
      out.push(ind + this.expr(n, ind));
      return;
    }
    const a0 = c.child(n);
    const at = (i: number) => c.arg(n, i);
    const block = (head: string, list: number) => this.block(n, head, list, ind, out);
    switch (info.name) {
      case 'Scope':
      case 'Device':
      case 'ThermalZone':
        return block(`${info.name} (${this.arg(a0, ind)})`, at(1));
      case 'Method': {
        const flags = c.kindOf(at(1)) === K.u8 ? c.num(at(1)) : 0;
        const sync = flags >> 4;
        return block(`Method (${this.arg(a0, ind)}, ${flags & 7}, ${flags & 8 ? 'Serialized' : 'NotSerialized'}${sync ? `, ${sync}` : ''})`, at(2));
      }
      case 'Processor':
        return block(`Processor (${this.arg(a0, ind)}, ${this.raw(at(1))}, ${this.raw(at(2))}, ${this.raw(at(3))})`, at(4));
      case 'PowerResource':
        return block(`PowerResource (${this.arg(a0, ind)}, ${this.raw(at(1))}, ${this.raw(at(2))})`, at(3));
      case 'If':
      case 'While':
        return block(`${info.name} (${this.arg(a0, ind)})`, at(1));
      case 'Else':
        return block('Else', a0);
      case 'Field':
        return this.field(n, `Field (${this.arg(a0, ind)}, ${fieldFlags(c, at(1))})`, at(2), ind, out);
      case 'IndexField':
        return this.field(n, `IndexField (${this.arg(a0, ind)}, ${this.arg(at(1), ind)}, ${fieldFlags(c, at(2))})`, at(3), ind, out);
      case 'BankField':
        return this.field(n, `BankField (${this.arg(a0, ind)}, ${this.arg(at(1), ind)}, ${this.arg(at(2), ind)}, ${fieldFlags(c, at(3))})`, at(4), ind, out);
      case 'OperationRegion': {
        const sp = c.kindOf(at(1)) === K.u8 ? c.num(at(1)) : 0;
        out.push(`${ind}OperationRegion (${this.arg(a0, ind)}, ${REGION_SPACES[sp] ?? hexNum(sp, 2)}, ${this.arg(at(2), ind)}, ${this.arg(at(3), ind)})`);
        return;
      }
      case 'External': {
        const ty = c.kindOf(at(1)) === K.u8 ? c.num(at(1)) : 0;
        const argc = c.kindOf(at(2)) === K.u8 ? c.num(at(2)) : 0;
        out.push(`${ind}External (${this.arg(a0, ind)}, ${OBJECT_TYPES[ty] ?? hexNum(ty, 2)})${ty === 8 ? `    // ${argc} Arguments` : ''}`);
        return;
      }
    }
    out.push(ind + this.opExpr(n, ind));
  }

  /** A block statement: its head line, then its TermList in braces. */
  block(n: number, head: string, list: number, ind: string, out: Lines): void {
    out.push(ind + head + this.pkgNote(n));
    out.push(ind + '{');
    this.stmts(list >= 0 ? this.code.child(list) : -1, ind + IND, out);
    out.push(ind + '}');
  }

  field(n: number, head: string, list: number, ind: string, out: Lines): void {
    const c = this.code;
    out.push(ind + head + this.pkgNote(n));
    out.push(ind + '{');
    const inner = ind + IND;
    let s = '';
    const first = c.child(list);
    for (let e = first; e >= 0; e = c.next[e]!) s += (e === first ? '' : ',\n') + inner + this.fieldElem(e, inner);
    out.push(s);
    out.push(ind + '}');
  }

  fieldElem(n: number, ind: string): string {
    const c = this.code;
    const b = c.bytes;
    const p = c.pos[n]!;
    const width = () => {
      const w = c.fieldWidth(n);
      return w.lenBytes ? `${w.bits}` + this.note(`field width ${w.bits} encoded in ${w.lenBytes} bytes`) : `${w.bits}`;
    };
    switch (c.kindOf(n)) {
      case K.fnamed:
        return `${c.segAt(p)}, ${width()}`;
      case K.freserved:
        return `, ${width()}`;
      case K.faccess: {
        const type = b[p + 1]!, attrib = b[p + 2]!;
        const ty = ACCESS_TYPES[type & 0x0f] ?? hexNum(type & 0x0f, 2);
        const kind = type >> 6;
        if (kind === 1) return `AccessAs (${ty}, AttribBytes (${attrib}))`;
        if (kind === 2) return `AccessAs (${ty}, AttribRawBytes (${attrib}))`;
        if (kind === 3) return `AccessAs (${ty}, AttribRawProcessBytes (${attrib}))`;
        return `AccessAs (${ty}, ${ACCESS_ATTRIBS[attrib] ?? hexNum(attrib, 2)})`;
      }
      case K.fextaccess: {
        const type = b[p + 1]!, attrib = b[p + 2]!, length = b[p + 3]!;
        const ty = ACCESS_TYPES[type & 0x0f] ?? hexNum(type & 0x0f, 2);
        return `AccessAs (${ty}, ${EXT_ACCESS_ATTRIBS[attrib] ?? hexNum(attrib, 2)} (${length}))`;
      }
      case K.fconn:
        return `Connection (${this.expr(c.child(n), ind)})`;
    }
    return '';
  }

  /** The statements from node `first` on (its siblings). */
  stmts(first: number, ind: string, out: Lines): void {
    const c = this.code;
    for (let n = first; n >= 0; n = c.next[n]!) {
      // iasl wraps the External declarations it emits in `If (Zero) {...}`: print the
      // declarations alone, the compiler adds the wrapper back.
      if (c.opOf(n)?.name === 'If' && isIfZeroExternals(c, n)) {
        this.stmts(c.child(c.arg(n, 1)), ind, out);
        continue;
      }
      this.stmt(n, ind, out);
    }
  }
}

function isIfZeroExternals(c: AmlCode, n: number): boolean {
  const p = c.arg(n, 0);
  const body = c.arg(n, 1);
  if (p < 0 || c.kindOf(p) !== K.zero || body < 0 || c.kindOf(body) !== K.list) return false;
  const first = c.child(body);
  if (first < 0) return false;
  for (let x = first; x >= 0; x = c.next[x]!) if (c.opOf(x)?.name !== 'External') return false;
  return true;
}

function matchOp(c: AmlCode, n: number): string {
  const v = c.kindOf(n) === K.u8 ? c.num(n) : 0;
  return MATCH_OPS[v] ?? hexNum(v, 2);
}

function fieldFlags(c: AmlCode, n: number): string {
  const f = c.kindOf(n) === K.u8 ? c.num(n) : 0;
  return `${ACCESS_TYPES[f & 0x0f] ?? hexNum(f & 0x0f, 2)}, ${LOCK_RULES[(f >> 4) & 1]}, ${UPDATE_RULES[(f >> 5) & 3] ?? hexNum((f >> 5) & 3, 2)}`;
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
  const p = new Printer(d.code);
  const out = new Lines(9 * d.code.bytes.length);
  const banner = o.banner ?? [];
  out.push('/*', ...banner.map((l) => ` * ${l}`));
  out.push(` * Original header: ${h.signature}, length ${h.length}, revision ${h.revision}, checksum ${hex(h.checksum, 2)}, creator ${aslString(trimNul(h.creatorId))} ${hex(h.creatorRevision, 8)}`);
  out.push(' * Legacy (non-ASL+) operators: compiles back to the same AML body with `iasl -oa`.');
  const ext = [...(o.unresolved ?? [])];
  if (ext.length) {
    out.push(' *', ' * Names defined in other tables (declaring them as External would add AML; compile with `iasl -oa -f`):');
    for (const n of ext) out.push(` *     External (${n})`);
  }
  out.push(' */');
  out.push(`DefinitionBlock ("", ${aslString(h.signature)}, ${h.revision}, ${aslString(trimNul(h.oemId))}, ${aslString(trimNul(h.oemTableId))}, ${hex(h.oemRevision, 8)})`);
  out.push('{');
  p.stmts(d.code.top, IND, out);
  out.push('}');
  const bytes = out.bytes();
  let text: string | undefined;
  return {
    get text() {
      return (text ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    },
    bytes,
    notes: p.notes,
  };
}

/**
 * AML → ASL disassembler. The output uses the legacy (non-ASL+) operator forms, one ASL operator
 * per AML opcode, so that `iasl -oa` compiles it back to the same body bytes: `Store (Index (Arg3,
 * Zero), Local2)` stays a StoreOp around an IndexOp (ASL+ `Local2 = Arg3 [Zero]` would not), every
 * integer keeps its width (`0x0A` for a BytePrefix), every buffer its explicit size and bytes, every
 * name its exact path. What ASL cannot express (a PkgLength or integer wider than needed, a
 * non-canonical name path) is listed in `notes` and marked in the text.
 */
import type { Arg, FieldElement, IntTerm, NameString, OpTerm, Term } from './model.js';
import { ACCESS_ATTRIBS, ACCESS_TYPES, EXT_ACCESS_ATTRIBS, LOCK_RULES, MATCH_OPS, OBJECT_TYPES, REGION_SPACES, UPDATE_RULES } from './aslNames.js';
import { formatNameString } from './nameString.js';
import { opByName } from './opcodes.js';
import type { AmlTable } from './model.js';

export interface DisasmOptions {
  /** Names the table uses but does not define: listed as External in a comment. */
  unresolved?: Iterable<string>;
  /** Banner comment lines (file name, tool). */
  banner?: string[];
}

export interface Disassembly {
  text: string;
  /** Encodings ASL cannot reproduce (the recompiled bytes will differ there). */
  notes: string[];
}

const IND = '    ';

/** `0x00`..`0xFF`, made once: buffers print every byte with it. */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => '0x' + i.toString(16).toUpperCase().padStart(2, '0'));

const hex = (v: number | bigint, digits: number) =>
  digits === 2 && typeof v === 'number' && v >= 0 && v < 256 ? BYTE_HEX[v]! : '0x' + v.toString(16).toUpperCase().padStart(digits, '0');

function minimalEnc(v: bigint): IntTerm['enc'] {
  if (v <= 0xffn) return 'byte';
  if (v <= 0xffffn) return 'word';
  if (v <= 0xffffffffn) return 'dword';
  return 'qword';
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

class Printer {
  readonly notes: string[] = [];

  note(what: string): string {
    this.notes.push(what);
    return ` /* nvtool: ${what} */`;
  }

  name(n: NameString): string {
    return formatNameString(n) + (n.multi ? this.note(`name ${formatNameString(n)} uses a non-canonical MultiNamePath`) : '');
  }

  int(t: IntTerm): string {
    if (t.enc === 'zero') return 'Zero';
    if (t.enc === 'one') return 'One';
    if (t.enc === 'ones') return 'Ones';
    const digits = { byte: 2, word: 4, dword: 8, qword: 16 }[t.enc];
    const s = hex(t.value, digits);
    return minimalEnc(t.value) === t.enc ? s : s + this.note(`${s} encoded as a wider ${t.enc} constant`);
  }

  raw(a: Arg): string {
    if (a.t === 'u8') return hex(a.value, 2);
    if (a.t === 'u16') return hex(a.value, 4);
    if (a.t === 'u32') return hex(a.value, 8);
    if (a.t === 'u64') return hex(a.value, 16);
    return this.arg(a as Exclude<Arg, { t: 'u8' | 'u16' | 'u32' | 'u64' }>, '');
  }

  arg(a: Arg, ind: string): string {
    if (a.t === 'u8' || a.t === 'u16' || a.t === 'u32' || a.t === 'u64') return this.raw(a);
    if (a.t === 'list' || a.t === 'bytes' || a.t === 'fields') return '';
    return this.expr(a as Term, ind);
  }

  /** One term as an expression (may span lines for buffers and packages). */
  expr(t: Term, ind: string): string {
    switch (t.t) {
      case 'int':
        return this.int(t);
      case 'str':
        return aslString(t.value);
      case 'name':
        return this.name(t.name);
      case 'none':
        return '';
      case 'call':
        return `${this.name(t.name)} (${t.args.map((a) => this.expr(a, ind)).join(', ')})`;
      case 'op':
        return this.opExpr(t, ind);
    }
  }

  pkgNote(t: OpTerm): string {
    return t.pkgLenBytes ? this.note(`${t.op} PkgLength encoded in ${t.pkgLenBytes} bytes, more than needed`) : '';
  }

  opExpr(t: OpTerm, ind: string): string {
    const info = opByName(t.op);
    const a = t.args;
    switch (t.op) {
      case 'Buffer': {
        const bytes = a[1]!.t === 'bytes' ? a[1]!.bytes : new Uint8Array();
        const size = this.arg(a[0]!, ind);
        if (bytes.length === 0) return `Buffer (${size}) {}${this.pkgNote(t)}`;
        const lines: string[] = [];
        for (let i = 0; i < bytes.length; i += 8) {
          let line = ind + IND + BYTE_HEX[bytes[i]!]!;
          for (let k = i + 1; k < i + 8 && k < bytes.length; k++) line += ', ' + BYTE_HEX[bytes[k]!]!;
          lines.push(line);
        }
        return `Buffer (${size})${this.pkgNote(t)}\n${ind}{\n${lines.join(',\n')}\n${ind}}`;
      }
      case 'Package':
      case 'VarPackage': {
        const elems = a[1]!.t === 'list' ? a[1]!.terms : [];
        // ASL has no VarPackage keyword: iasl emits VarPackageOp for a size that is not a
        // constant (or is over 255), PackageOp otherwise.
        const n = a[0]!;
        const head =
          t.op === 'Package'
            ? `Package (${this.raw(n)})`
            : `Package (${this.arg(n, ind)})` + (n.t === 'int' && n.value <= 0xffn ? this.note('VarPackage with a constant size under 256') : '');
        if (elems.length === 0) return `${head} {}${this.pkgNote(t)}`;
        const inner = ind + IND;
        return `${head}${this.pkgNote(t)}\n${ind}{\n${elems.map((e) => inner + this.expr(e, inner)).join(',\n')}\n${ind}}`;
      }
      case 'Match':
        return `Match (${this.arg(a[0]!, ind)}, ${matchOp(a[1]!)}, ${this.arg(a[2]!, ind)}, ${matchOp(a[3]!)}, ${this.arg(a[4]!, ind)}, ${this.arg(a[5]!, ind)})`;
    }
    if (info.args.length === 0) {
      if (t.op === 'Timer') return 'Timer ()';
      return t.op;
    }
    const parts = a.map((x) => this.arg(x, ind));
    // Trailing omitted targets are left out; inner ones stay as empty arguments.
    while (parts.length > 0 && parts[parts.length - 1] === '' && a[parts.length - 1]!.t === 'none') parts.pop();
    return `${t.op} (${parts.join(', ')})`;
  }

  /** Appends one term as a statement (blocks get braces and their bodies). */
  stmt(t: Term, ind: string, out: string[]): void {
    if (t.t !== 'op') {
      out.push(ind + this.expr(t, ind));
      return;
    }
    const a = t.args;
    const list = (i: number) => {
      const x = a[i];
      return x && x.t === 'list' ? x.terms : [];
    };
    const block = (head: string, body: Term[]) => {
      out.push(ind + head + this.pkgNote(t));
      out.push(ind + '{');
      this.stmts(body, ind + IND, out);
      out.push(ind + '}');
    };
    switch (t.op) {
      case 'Scope':
      case 'Device':
      case 'ThermalZone':
        return block(`${t.op} (${this.arg(a[0]!, ind)})`, list(1));
      case 'Method': {
        const flags = a[1]!.t === 'u8' ? a[1]!.value : 0;
        const sync = flags >> 4;
        return block(`Method (${this.arg(a[0]!, ind)}, ${flags & 7}, ${flags & 8 ? 'Serialized' : 'NotSerialized'}${sync ? `, ${sync}` : ''})`, list(2));
      }
      case 'Processor':
        return block(`Processor (${this.arg(a[0]!, ind)}, ${this.raw(a[1]!)}, ${this.raw(a[2]!)}, ${this.raw(a[3]!)})`, list(4));
      case 'PowerResource':
        return block(`PowerResource (${this.arg(a[0]!, ind)}, ${this.raw(a[1]!)}, ${this.raw(a[2]!)})`, list(3));
      case 'If':
      case 'While':
        return block(`${t.op} (${this.arg(a[0]!, ind)})`, list(1));
      case 'Else':
        return block('Else', list(0));
      case 'Field':
        return this.field(t, `Field (${this.arg(a[0]!, ind)}, ${fieldFlags(a[1]!)})`, a[2]!, ind, out);
      case 'IndexField':
        return this.field(t, `IndexField (${this.arg(a[0]!, ind)}, ${this.arg(a[1]!, ind)}, ${fieldFlags(a[2]!)})`, a[3]!, ind, out);
      case 'BankField':
        return this.field(t, `BankField (${this.arg(a[0]!, ind)}, ${this.arg(a[1]!, ind)}, ${this.arg(a[2]!, ind)}, ${fieldFlags(a[3]!)})`, a[4]!, ind, out);
      case 'OperationRegion': {
        const sp = a[1]!.t === 'u8' ? a[1]!.value : 0;
        out.push(`${ind}OperationRegion (${this.arg(a[0]!, ind)}, ${REGION_SPACES[sp] ?? hex(sp, 2)}, ${this.arg(a[2]!, ind)}, ${this.arg(a[3]!, ind)})`);
        return;
      }
      case 'External': {
        const ty = a[1]!.t === 'u8' ? a[1]!.value : 0;
        const argc = a[2]!.t === 'u8' ? a[2]!.value : 0;
        out.push(`${ind}External (${this.arg(a[0]!, ind)}, ${OBJECT_TYPES[ty] ?? hex(ty, 2)})${ty === 8 ? `    // ${argc} Arguments` : ''}`);
        return;
      }
    }
    out.push(ind + this.opExpr(t, ind));
  }

  field(t: OpTerm, head: string, list: Arg, ind: string, out: string[]): void {
    out.push(ind + head + this.pkgNote(t));
    out.push(ind + '{');
    const elems = list.t === 'fields' ? list.elems : [];
    const inner = ind + IND;
    out.push(elems.map((e) => inner + this.fieldElem(e, inner)).join(',\n'));
    out.push(ind + '}');
  }

  fieldElem(e: FieldElement, ind: string): string {
    const lenNote = (x: { bits: number; lenBytes?: number }) => (x.lenBytes ? this.note(`field width ${x.bits} encoded in ${x.lenBytes} bytes`) : '');
    switch (e.k) {
      case 'named':
        return `${e.name}, ${e.bits}${lenNote(e)}`;
      case 'reserved':
        return `, ${e.bits}${lenNote(e)}`;
      case 'access': {
        const ty = ACCESS_TYPES[e.type & 0x0f] ?? hex(e.type & 0x0f, 2);
        const kind = e.type >> 6;
        if (kind === 1) return `AccessAs (${ty}, AttribBytes (${e.attrib}))`;
        if (kind === 2) return `AccessAs (${ty}, AttribRawBytes (${e.attrib}))`;
        if (kind === 3) return `AccessAs (${ty}, AttribRawProcessBytes (${e.attrib}))`;
        return `AccessAs (${ty}, ${ACCESS_ATTRIBS[e.attrib] ?? hex(e.attrib, 2)})`;
      }
      case 'extaccess': {
        const ty = ACCESS_TYPES[e.type & 0x0f] ?? hex(e.type & 0x0f, 2);
        return `AccessAs (${ty}, ${EXT_ACCESS_ATTRIBS[e.attrib] ?? hex(e.attrib, 2)} (${e.length}))`;
      }
      case 'connection':
        return `Connection (${this.expr(e.target, ind)})`;
    }
  }

  stmts(terms: readonly Term[], ind: string, out: string[]): void {
    for (const t of terms) {
      // iasl wraps the External declarations it emits in `If (Zero) {...}`: print the
      // declarations alone, the compiler adds the wrapper back.
      if (t.t === 'op' && t.op === 'If' && isIfZeroExternals(t)) {
        const body = t.args[1]!.t === 'list' ? t.args[1]!.terms : [];
        for (const x of body) this.stmt(x, ind, out);
        continue;
      }
      this.stmt(t, ind, out);
    }
  }
}

function isIfZeroExternals(t: OpTerm): boolean {
  const p = t.args[0];
  const body = t.args[1];
  return !!p && p.t === 'int' && p.enc === 'zero' && !!body && body.t === 'list' && body.terms.length > 0 && body.terms.every((x) => x.t === 'op' && x.op === 'External');
}

function matchOp(a: Arg): string {
  const v = a.t === 'u8' ? a.value : 0;
  return MATCH_OPS[v] ?? hex(v, 2);
}

function fieldFlags(a: Arg): string {
  const f = a.t === 'u8' ? a.value : 0;
  return `${ACCESS_TYPES[f & 0x0f] ?? hex(f & 0x0f, 2)}, ${LOCK_RULES[(f >> 4) & 1]}, ${UPDATE_RULES[(f >> 5) & 3] ?? hex((f >> 5) & 3, 2)}`;
}

/** ASL for a TermList (no DefinitionBlock around it). */
export function disassembleTerms(terms: readonly Term[], indent = ''): Disassembly {
  const p = new Printer();
  const out: string[] = [];
  p.stmts(terms, indent, out);
  return { text: out.join('\n') + '\n', notes: p.notes };
}

const trimNul = (s: string) => s.replace(/\0+$/, '');

/** ASL for a whole definition block. */
export function disassembleTable(table: AmlTable, o: DisasmOptions = {}): Disassembly {
  const h = table.header;
  const p = new Printer();
  const out: string[] = [];
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
  p.stmts(table.terms, IND, out);
  out.push('}');
  return { text: out.join('\n') + '\n', notes: p.notes };
}

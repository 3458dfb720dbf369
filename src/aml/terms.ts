/**
 * The node table of `code.ts` as the object model of `model.ts` (for JSON, the encoder and
 * library callers that want plain objects). Built only when asked: the disassembler and the
 * inspector walk the node table itself.
 */
import { AmlCode, K } from './code.js';
import type { Arg, FieldElement, OpTerm, Term } from './model.js';

export function toTerms(code: AmlCode): Term[] {
  return list(code, code.top);
}

function list(code: AmlCode, first: number): Term[] {
  const out: Term[] = [];
  for (let c = first; c >= 0; c = code.next[c]!) out.push(term(code, c));
  return out;
}

function term(code: AmlCode, n: number): Term {
  const k = code.kindOf(n);
  const p = code.pos[n]!;
  switch (k) {
    case K.zero:
      return { t: 'int', value: 0n, enc: 'zero' };
    case K.one:
      return { t: 'int', value: 1n, enc: 'one' };
    case K.ones:
      return { t: 'int', value: 0xffffffffffffffffn, enc: 'ones' };
    case K.byte:
      return { t: 'int', value: code.int(n), enc: 'byte' };
    case K.word:
      return { t: 'int', value: code.int(n), enc: 'word' };
    case K.dword:
      return { t: 'int', value: code.int(n), enc: 'dword' };
    case K.qword:
      return { t: 'int', value: code.int(n), enc: 'qword' };
    case K.str:
      return { t: 'str', value: code.str(n) };
    case K.name:
      return { t: 'name', name: code.nameAt(p) };
    case K.none:
      return { t: 'none' };
    case K.call:
      return { t: 'call', name: code.nameAt(p), args: list(code, code.child(n)) };
  }
  const info = code.opOf(n);
  if (!info) throw new Error(`AML node ${n} of kind ${k} is not a term`);
  const t: OpTerm = { t: 'op', op: info.name, args: new Array<Arg>(info.args.length) };
  if (info.pkg) {
    const w = code.pkgLenBytes(n);
    if (w !== undefined) t.pkgLenBytes = w;
  }
  let i = 0;
  for (let c = code.child(n); c >= 0; c = code.next[c]!) t.args[i++] = arg(code, c, n);
  return t;
}

function arg(code: AmlCode, n: number, op: number): Arg {
  const p = code.pos[n]!;
  switch (code.kindOf(n)) {
    case K.u8:
      return { t: 'u8', value: code.num(n) };
    case K.u16:
      return { t: 'u16', value: code.num(n) };
    case K.u32:
      return { t: 'u32', value: code.num(n) };
    case K.list:
      return { t: 'list', terms: list(code, code.child(n)) };
    case K.bytes:
      return { t: 'bytes', bytes: code.bytes.slice(p, code.pkgEnd(op)) };
    case K.fields: {
      const elems: FieldElement[] = [];
      for (let c = code.child(n); c >= 0; c = code.next[c]!) elems.push(field(code, c));
      return { t: 'fields', elems };
    }
  }
  return term(code, n);
}

function field(code: AmlCode, n: number): FieldElement {
  const p = code.pos[n]!;
  const b = code.bytes;
  switch (code.kindOf(n)) {
    case K.fnamed:
      return { k: 'named', name: code.segAt(p), ...code.fieldWidth(n) };
    case K.freserved:
      return { k: 'reserved', ...code.fieldWidth(n) };
    case K.faccess:
      return { k: 'access', type: b[p + 1]!, attrib: b[p + 2]! };
    case K.fextaccess:
      return { k: 'extaccess', type: b[p + 1]!, attrib: b[p + 2]!, length: b[p + 3]! };
    case K.fconn:
      return { k: 'connection', target: term(code, code.child(n)) as Extract<Term, { t: 'name' | 'op' }> };
  }
  throw new Error(`AML node ${n} is not a field element`);
}

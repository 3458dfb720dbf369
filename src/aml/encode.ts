/**
 * AML encoder: model → bytes, driven by the opcode table. PkgLengths are always computed here
 * (minimal width, like QEMU's aml-build and iasl), unless a decoded term remembers a wider one.
 */
import { NvError } from '../core/errors.js';
import type { Arg, FieldElement, IntTerm, NameString, RawData, Term } from './model.js';
import { nameStringSize, putNameString } from './nameString.js';
import { EXT_OP_PREFIX, LIT, opByName, type ArgKind } from './opcodes.js';
import { PKG_LENGTH_MAX, pkgLengthSize, pkgLengthSizeFor, putPkgLength } from './pkgLength.js';

/** A growable byte buffer with the one operation PkgLength needs: moving a body left. */
class Sink {
  buf = new Uint8Array(1024);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  le(v: number | bigint, size: number): void {
    this.ensure(size);
    let x = BigInt(v);
    for (let i = 0; i < size; i++) {
      this.buf[this.pos++] = Number(x & 0xffn);
      x >>= 8n;
    }
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  name(n: NameString): void {
    this.ensure(nameStringSize(n));
    this.pos = putNameString(this.buf, this.pos, n);
  }
}

const fail = (path: string, reason: string): never => {
  throw new NvError('AML', path, undefined, reason);
};

const INT_SIZE = { byte: 1, word: 2, dword: 4, qword: 8 } as const;
const INT_PREFIX = { byte: LIT.byte, word: LIT.word, dword: LIT.dword, qword: LIT.qword } as const;

function encodeInt(s: Sink, t: IntTerm, path: string): void {
  switch (t.enc) {
    case 'zero':
      if (t.value !== 0n) fail(path, `ZeroOp with value ${t.value}`);
      return s.u8(LIT.zero);
    case 'one':
      if (t.value !== 1n) fail(path, `OneOp with value ${t.value}`);
      return s.u8(LIT.one);
    case 'ones':
      return s.u8(LIT.ones);
    default: {
      const size = INT_SIZE[t.enc];
      if (t.value < 0n || t.value >= 1n << BigInt(8 * size)) fail(path, `${t.value} does not fit a ${t.enc} constant`);
      s.u8(INT_PREFIX[t.enc]);
      s.le(t.value, size);
    }
  }
}

function encodeTerm(s: Sink, t: Term, path: string): void {
  switch (t.t) {
    case 'int':
      return encodeInt(s, t, path);
    case 'str': {
      s.u8(LIT.string);
      for (let i = 0; i < t.value.length; i++) {
        const c = t.value.charCodeAt(i);
        if (c < 1 || c > 0x7f) fail(path, `string character 0x${c.toString(16)} is not ASCII 0x01-0x7F`);
        s.u8(c);
      }
      return s.u8(0);
    }
    case 'name':
      return s.name(t.name);
    case 'call':
      s.name(t.name);
      t.args.forEach((a, i) => encodeTerm(s, a, `${path}.args[${i}]`));
      return;
    case 'none':
      return s.u8(0);
    case 'op': {
      const info = opByName(t.op);
      if (info.code > 0xff) {
        s.u8(EXT_OP_PREFIX);
        s.u8(info.code & 0xff);
      } else s.u8(info.code);
      if (info.args.length !== t.args.length) fail(path, `${t.op} takes ${info.args.length} arguments, has ${t.args.length}`);
      if (!info.pkg) {
        info.args.forEach((k, i) => encodeArg(s, k, t.args[i]!, `${path}.${t.op}[${i}]`));
        return;
      }
      // Reserve 4 bytes for the PkgLength, write the body, then move it left if fewer suffice.
      s.ensure(4);
      const at = s.pos;
      s.pos += 4;
      info.args.forEach((k, i) => encodeArg(s, k, t.args[i]!, `${path}.${t.op}[${i}]`));
      const body = s.pos - at - 4;
      const width = t.pkgLenBytes ?? pkgLengthSizeFor(body);
      if (width > 4 || body + width > PKG_LENGTH_MAX) fail(path, `${t.op} body of ${body} bytes is too long for a PkgLength`);
      if (pkgLengthSize(body + width) > width) fail(path, `${t.op}: PkgLength of ${width} bytes cannot hold ${body + width}`);
      if (width < 4) s.buf.copyWithin(at + width, at + 4, s.pos);
      s.pos -= 4 - width;
      putPkgLength(s.buf, at, body + width, width);
      return;
    }
  }
}

function expect<K extends Arg['t']>(a: Arg, kinds: readonly K[], path: string): Extract<Arg, { t: K }> {
  if (!(kinds as readonly string[]).includes(a.t)) fail(path, `expected ${kinds.join('/')}, got ${a.t}`);
  return a as Extract<Arg, { t: K }>;
}

function encodeArg(s: Sink, kind: ArgKind, a: Arg, path: string): void {
  switch (kind) {
    case 'name':
      return s.name(expect(a, ['name'], path).name);
    case 'term':
    case 'super':
    case 'target':
      if (a.t === 'u8' || a.t === 'u16' || a.t === 'u32' || a.t === 'u64' || a.t === 'list' || a.t === 'bytes' || a.t === 'fields') fail(path, `expected a term, got ${a.t}`);
      return encodeTerm(s, a as Term, path);
    case 'u8':
      return s.le((expect(a, ['u8'], path) as RawData).value & 0xff, 1);
    case 'u16':
      return s.le((expect(a, ['u16'], path) as RawData).value & 0xffff, 2);
    case 'u32':
      return s.le((expect(a, ['u32'], path) as RawData).value >>> 0, 4);
    case 'terms':
    case 'elems':
      expect(a, ['list'], path).terms.forEach((x, i) => encodeTerm(s, x, `${path}[${i}]`));
      return;
    case 'bytes':
      return s.bytes(expect(a, ['bytes'], path).bytes);
    case 'fields':
      expect(a, ['fields'], path).elems.forEach((e, i) => encodeField(s, e, `${path}[${i}]`));
      return;
  }
}

function fieldLength(s: Sink, bits: number, lenBytes: number | undefined, path: string): void {
  if (bits < 0 || bits > PKG_LENGTH_MAX) fail(path, `field width ${bits} out of range`);
  const w = lenBytes ?? pkgLengthSize(bits);
  if (pkgLengthSize(bits) > w) fail(path, `field width ${bits} does not fit ${w} PkgLength bytes`);
  s.ensure(w);
  putPkgLength(s.buf, s.pos, bits, w);
  s.pos += w;
}

function encodeField(s: Sink, e: FieldElement, path: string): void {
  switch (e.k) {
    case 'named':
      if (e.name.length !== 4) fail(path, `field name "${e.name}" is not 4 characters`);
      for (let j = 0; j < 4; j++) s.u8(e.name.charCodeAt(j));
      return fieldLength(s, e.bits, e.lenBytes, path);
    case 'reserved':
      s.u8(0);
      return fieldLength(s, e.bits, e.lenBytes, path);
    case 'access':
      s.u8(1);
      s.u8(e.type);
      return s.u8(e.attrib);
    case 'extaccess':
      s.u8(3);
      s.u8(e.type);
      s.u8(e.attrib);
      return s.u8(e.length);
    case 'connection':
      s.u8(2);
      return encodeTerm(s, e.target, path);
  }
}

/** Encodes a TermList (a table body, or any list of terms). */
export function encodeTerms(terms: readonly Term[]): Uint8Array {
  const s = new Sink();
  terms.forEach((t, i) => encodeTerm(s, t, `terms[${i}]`));
  return s.buf.slice(0, s.pos);
}

export function encodeTerm1(t: Term): Uint8Array {
  return encodeTerms([t]);
}

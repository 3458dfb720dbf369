/**
 * The AML term model (ACPI 6.5 chapter 20): one typed tree for the encoder, the decoder, the
 * builder and the disassembler. Every operator is an `OpTerm` whose argument shapes come from
 * the opcode table (`opcodes.ts`); literals, name references and method invocations have their
 * own node kinds because their encoding is not an opcode followed by arguments.
 *
 * Lengths (PkgLength, buffer byte counts are data) are never stored: the encoder computes them.
 * The only encoding choices kept are those a decoder must remember to give the same bytes back:
 * the integer form (`enc`), a non-minimal PkgLength width (`pkgLenBytes`) and a non-canonical
 * name path form (`multi`). The builder never sets the last two.
 */

/** A NameString (ACPI 6.5 §20.2.2): `\` root or `^` parent prefixes, then 0..255 NameSegs. */
export interface NameString {
  root: boolean;
  /** Number of `^` (ParentPrefixChar) before the path; 0 when `root`. */
  parents: number;
  /** 4-character segments, padded with `_` as encoded (`_SB_`). Empty: NullName. */
  segs: string[];
  /** Encoded with MultiNamePrefix although 1 or 2 segments (or 0) would have used a shorter form. */
  multi?: boolean;
}

/** ZeroOp, OneOp, OnesOp, BytePrefix, WordPrefix, DWordPrefix, QWordPrefix. */
export type IntEncoding = 'zero' | 'one' | 'ones' | 'byte' | 'word' | 'dword' | 'qword';

export interface IntTerm {
  t: 'int';
  value: bigint;
  enc: IntEncoding;
}

/** StringPrefix AsciiCharList NullChar. */
export interface StringTerm {
  t: 'str';
  value: string;
}

/** A NameString used as a value or target (not invoked). */
export interface NameTerm {
  t: 'name';
  name: NameString;
}

/** MethodInvocation: a NameString naming a method, followed by its arguments. */
export interface CallTerm {
  t: 'call';
  name: NameString;
  args: Term[];
}

/** NullName (0x00) in a Target position: the result is discarded. */
export interface NoTarget {
  t: 'none';
}

/** Raw fixed-size data inside an operator (MethodFlags, SyncFlags, ProcID, NumElements...). */
export interface RawData {
  t: 'u8' | 'u16' | 'u32';
  value: number;
}

export interface RawQWord {
  t: 'u64';
  value: bigint;
}

/** TermList / PackageElementList held by an operator. */
export interface TermListArg {
  t: 'list';
  terms: Term[];
}

/** ByteList (the initializer of a Buffer, to the end of its PkgLength). */
export interface ByteListArg {
  t: 'bytes';
  bytes: Uint8Array;
}

/** FieldList of Field, IndexField and BankField. */
export interface FieldListArg {
  t: 'fields';
  elems: FieldElement[];
}

/** Field elements (ACPI 6.5 §20.2.5.2). `bits`: the PkgLength-encoded width. */
export type FieldElement =
  | { k: 'named'; name: string; bits: number; lenBytes?: number }
  | { k: 'reserved'; bits: number; lenBytes?: number }
  /** AccessField: AccessType byte (bits 0-3 type, 6-7 attribute kind), AccessAttrib byte. */
  | { k: 'access'; type: number; attrib: number }
  /** ExtendedAccessField: AccessType, ExtendedAccessAttrib, AccessLength. */
  | { k: 'extaccess'; type: number; attrib: number; length: number }
  /** ConnectField: a NameString or a BufferData term. */
  | { k: 'connection'; target: NameTerm | OpTerm };

export interface OpTerm {
  t: 'op';
  /** Opcode name as in the opcode table (`Store`, `Device`, `Local0`...). */
  op: string;
  args: Arg[];
  /** Only when the bytes used a wider PkgLength than needed. */
  pkgLenBytes?: number;
}

export type Term = IntTerm | StringTerm | NameTerm | CallTerm | NoTarget | OpTerm;

export type Arg = Term | RawData | RawQWord | TermListArg | ByteListArg | FieldListArg;

/** A whole definition block: the ACPI header (from `acpi/header.ts`) and the top-level TermList. */
export interface AmlTableHeader {
  signature: string;
  length: number;
  revision: number;
  checksum: number;
  oemId: string;
  oemTableId: string;
  oemRevision: number;
  creatorId: string;
  creatorRevision: number;
}

export interface AmlTable {
  header: AmlTableHeader;
  terms: Term[];
}

/**
 * Definition blocks (DSDT, SSDT): the ACPI header of `acpi/header.ts` (through the generic
 * table declaration, so length and checksum are computed and checked in one place) around an
 * AML TermList.
 */
import { genericTable, headerText } from '../acpi/genericTable.js';
import { ACPI_HEADER_SIZE } from '../acpi/header.js';
import { NvError } from '../core/errors.js';
import { decodeStruct, encodeStruct, type Finding } from '../core/schema/index.js';
import { decodeAml, type DecodeAmlOptions, type DecodedAml } from './decode.js';
import { encodeTerms } from './encode.js';
import type { AmlTable, AmlTableHeader, Term } from './model.js';
import { Namespace } from './namespace.js';

/** Signatures whose body is AML (ACPI 6.5 §5.2.11). */
export const AML_SIGNATURES = ['DSDT', 'SSDT', 'PSDT'] as const;

export const HEADER_SIZE = ACPI_HEADER_SIZE;

export interface DecodedAmlTable extends DecodedAml {
  table: AmlTable;
  findings: Finding[];
}

export interface DecodeTableOptions {
  /** Other definition blocks whose objects (method argument counts) resolve names (`--ref`). */
  refs?: Uint8Array[];
  maxDepth?: number;
}

/** The namespace a set of tables defines (for `--ref`): each decoded on its own, merged. */
export function namespaceOf(tables: readonly Uint8Array[]): Namespace {
  const ns = new Namespace();
  for (const t of tables) {
    const d = decodeAmlTable(t, { refs: [] });
    ns.importFrom(d.namespace);
  }
  return ns;
}

/**
 * Decodes a DSDT/SSDT. The model (`code`, and `terms` when first read) reads its values from
 * `bytes`: keep them unchanged while using the result.
 */
export function decodeAmlTable(bytes: Uint8Array, o: DecodeTableOptions = {}): DecodedAmlTable {
  const sig = bytes.length >= HEADER_SIZE ? headerText(bytes, 'signature') : '';
  if (bytes.length < HEADER_SIZE) throw new NvError('AML', 'header', 0, `${bytes.length} bytes: shorter than the ${HEADER_SIZE}-byte table header`);
  // The signature names the format in messages only when it is one (not garbage bytes).
  const h = decodeStruct(genericTable, bytes, { format: /^[A-Z0-9_]{4}$/.test(sig) ? sig : 'AML' });
  const { body, ...header } = h.value;
  const known = o.refs && o.refs.length ? namespaceOf(o.refs) : undefined;
  const dopts: DecodeAmlOptions = { base: HEADER_SIZE, ...(known ? { known } : {}), ...(o.maxDepth ? { maxDepth: o.maxDepth } : {}) };
  // The model reads its values from the body: a view of the caller's bytes, not the decoder's copy.
  const d = decodeAml(bytes.subarray(HEADER_SIZE, HEADER_SIZE + body.length), dopts);
  // `terms` stays lazy: the object model is built only when a caller reads it.
  return {
    code: d.code,
    get terms() {
      return d.terms;
    },
    namespace: d.namespace,
    unresolved: d.unresolved,
    passes: d.passes,
    table: {
      header: header as AmlTableHeader,
      get terms() {
        return d.terms;
      },
    },
    findings: h.findings,
  };
}

export interface EncodeTableOptions {
  /** Write length and checksum as the header holds them (a decoded table re-encoded as it was). */
  preserveHeader?: boolean;
  /** Header fields written as given although derived (`length`, `checksum`: `{"$pin": v}` in JSON). */
  pins?: ReadonlySet<string>;
}

export function encodeAmlTable(t: AmlTable, o: EncodeTableOptions = {}): Uint8Array {
  return encodeStruct(genericTable, { ...t.header, body: encodeTerms(t.terms) }, { pins: o.preserveHeader ? 'all' : (o.pins ?? new Set()) });
}

/** A table header with QEMU's defaults (`BOCHS `, `BXPC`, revision 1); length/checksum computed. */
export function amlHeader(signature: string, oemTableId: string, o: Partial<AmlTableHeader> = {}): AmlTableHeader {
  return {
    signature,
    length: 0,
    revision: 1,
    checksum: 0,
    oemId: 'BOCHS ',
    oemTableId: oemTableId.padEnd(8, '\0').slice(0, 8),
    oemRevision: 1,
    creatorId: 'BXPC',
    creatorRevision: 1,
    ...o,
  };
}

export function amlTable(header: AmlTableHeader, terms: Term[]): AmlTable {
  return { header, terms };
}

/**
 * An acpidump hex listing as one JSON document: each table's decode document with the signature
 * and address acpidump printed beside it, under `"format": "acpidump"`. Encoding it encodes each
 * table and prints the listing again in acpidump's own layout (src/acpi/acpidump.ts), so a listing
 * acpidump wrote comes back byte for byte and any listing comes back as the same tables.
 */
import { formatAcpidump, type DumpedTable } from '../acpi/acpidump.js';
import { NvError } from '../core/errors.js';
import { jsonInteger } from '../core/hex.js';
import { parseIntegerJson } from '../core/schema/codecs.js';
import { DOCUMENT_SCHEMA_VERSION, encodeDocument, type FormatDocument } from './document.js';

export const LISTING_FORMAT = 'acpidump';

export interface ListedTable extends FormatDocument {
  signature: string;
  address: number | string;
}

export interface ListingDocument {
  schemaVersion: number;
  format: typeof LISTING_FORMAT;
  tables: ListedTable[];
}

/** The document of a listing's tables, each already decoded. */
export function listingDocument(tables: readonly { table: Pick<DumpedTable, 'signature' | 'address'>; doc: FormatDocument }[]): ListingDocument {
  return {
    schemaVersion: DOCUMENT_SCHEMA_VERSION,
    format: LISTING_FORMAT,
    tables: tables.map(({ table, doc }) => ({ ...doc, signature: table.signature, address: jsonInteger(table.address) })),
  };
}

/** Whether a JSON value is a listing document (what `decode` prints for acpidump text). */
export function isListingJson(json: unknown): json is { tables: unknown[] } {
  return !!json && typeof json === 'object' && Array.isArray((json as { tables?: unknown }).tables);
}

/** A listing document back to acpidump's text, each table encoded from its own document. */
export function encodeListing(json: { tables: unknown[] }, opts: { format?: string; preserve?: boolean } = {}): Uint8Array {
  if (json.tables.length === 0) throw new NvError('json', 'tables', undefined, 'a listing needs at least one table');
  const tables = json.tables.map((t, i) => {
    const path = `tables[${i}]`;
    if (!t || typeof t !== 'object') throw new NvError('json', path, undefined, 'expected a table document');
    const { signature, address } = t as Partial<ListedTable>;
    if (typeof signature !== 'string') throw new NvError('json', `${path}.signature`, undefined, 'expected the table signature acpidump printed (e.g. "NFIT")');
    const { bytes } = encodeDocument(t, opts);
    return { signature, address: parseIntegerJson(address, `${path}.address`, (1n << 64n) - 1n), bytes };
  });
  return new Uint8Array(Buffer.from(formatAcpidump(tables), 'latin1'));
}

/** What `encode` reads: a listing document, a decode document or a bare value; returns the format written. */
export function encodeJson(json: unknown, opts: { format?: string; preserve?: boolean } = {}): { format: string; bytes: Uint8Array } {
  if (isListingJson(json)) return { format: LISTING_FORMAT, bytes: encodeListing(json, opts) };
  const { fmt, bytes } = encodeDocument(json, opts);
  return { format: fmt.name, bytes };
}

import { NvError } from '../core/errors.js';

/** One table from an acpidump hex listing. */
export interface DumpedTable {
  signature: string;
  /** Physical address acpidump printed (0 for tables dumped from files). */
  address: bigint;
  bytes: Uint8Array;
  /** Line the table starts on (1-based), for messages. */
  line: number;
}

const HEADER = /^\s*([A-Za-z0-9_!]{4}) @ 0x([0-9A-Fa-f]+)\s*$/;
const ROW = /^\s*([0-9A-Fa-f]{4,8}): ((?:[0-9A-Fa-f]{2} ){1,16})/;

/** Whether text looks like `acpidump` output (first non-blank line `SIG @ 0x...`). */
export function isAcpidumpText(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
  const first = head.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && HEADER.test(first);
}

/**
 * Parse acpidump's hex listing (`SIG @ 0xADDR` then `OFFS: XX XX ... ascii` rows, as acpidump,
 * fwts and mailing lists carry tables) into binary tables. Rows must be contiguous; a table's
 * bytes are exactly the rows given (the table's own length is checked by its decoder).
 */
export function parseAcpidump(text: string, limitBytes = 64 << 20): DumpedTable[] {
  const out: DumpedTable[] = [];
  let cur: { signature: string; address: bigint; line: number; chunks: number[] } | undefined;
  let total = 0;
  const flush = () => {
    if (cur) out.push({ signature: cur.signature, address: cur.address, line: cur.line, bytes: Uint8Array.from(cur.chunks) });
    cur = undefined;
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const h = HEADER.exec(line);
    if (h) {
      flush();
      cur = { signature: h[1]!, address: BigInt('0x' + h[2]!), line: i + 1, chunks: [] };
      return;
    }
    const r = ROW.exec(line);
    if (!r) return;
    if (!cur) throw new NvError('acpidump', '', undefined, `line ${i + 1}: hex row before any "SIG @ 0x..." header`);
    const offset = parseInt(r[1]!, 16);
    if (offset !== cur.chunks.length) throw new NvError('acpidump', cur.signature, offset, `line ${i + 1}: row offset 0x${offset.toString(16)} but 0x${cur.chunks.length.toString(16)} bytes read so far`);
    const bytes = r[2]!.trim().split(' ');
    total += bytes.length;
    if (total > limitBytes) throw new NvError('acpidump', '', undefined, `more than ${limitBytes} bytes of tables`);
    for (const b of bytes) cur.chunks.push(parseInt(b, 16));
  });
  flush();
  if (out.length === 0) throw new NvError('acpidump', '', undefined, 'no "SIG @ 0x..." table found');
  return out;
}

/** acpidump's row: an offset of at least 4 hex digits right-aligned in 8 columns (ACPICA AcpiUtDumpBufferToFile, "%8.4X: "). */
const BYTES_PER_ROW = 16;
const rowOffset = (o: number) => o.toString(16).toUpperCase().padStart(4, '0').padStart(8, ' ');
/** Bytes 0x20..0x7e as themselves, the rest as "." (isprint in the C locale). */
const printable = (b: number) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.');

/**
 * Tables as acpidump prints them (ACPICA tools/acpidump/apdump.c ApDumpTableBuffer): `SIG @ 0x`
 * and the address in 16 hex digits, rows of 16 bytes ("XX " each, a short last row padded with
 * spaces) followed by one space and their characters, a blank line after each table.
 */
export function formatAcpidump(tables: readonly Pick<DumpedTable, 'signature' | 'address' | 'bytes'>[]): string {
  const out: string[] = [];
  for (const t of tables) {
    if (!/^[A-Za-z0-9_!]{4}$/.test(t.signature)) throw new NvError('acpidump', 'signature', undefined, `"${t.signature}" is not a table signature acpidump prints`);
    if (t.address < 0n || t.address >= 1n << 64n) throw new NvError('acpidump', 'address', undefined, `${t.address} does not fit 64 bits`);
    out.push(`${t.signature} @ 0x${t.address.toString(16).toUpperCase().padStart(16, '0')}\n`);
    for (let o = 0; o < t.bytes.length; o += BYTES_PER_ROW) {
      const row = t.bytes.subarray(o, o + BYTES_PER_ROW);
      let hex = '';
      let text = '';
      for (let i = 0; i < BYTES_PER_ROW; i++) hex += i < row.length ? row[i]!.toString(16).toUpperCase().padStart(2, '0') + ' ' : '   ';
      for (const b of row) text += printable(b);
      out.push(`${rowOffset(o)}: ${hex} ${text}\n`);
    }
    out.push('\n');
  }
  return out.join('');
}

/**
 * Every on-media offset and size comes from its one declaration (CONTRIBUTING.md "One declaration
 * per on-media structure"): outside src/core/, no byte-access call may take a typed number as an
 * offset. The scan looks at DataView get/set calls and `new DataView(buf, offset)`, Buffer
 * readUInt… / writeUInt…, `subarray(...)` and indexing `b[x + N]` / `b[N]`, and fails listing every
 * place with a numeric literal (0 and 1, and indexing below 2, are not offsets). A place that is
 * not a structure layout (a byte-stream grammar, bit packing inside a field, text) is allowed
 * below with its reason, never silently.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** Allowed places: file (relative to src/), a pattern the line matches, and why it is not a typed layout offset. */
const ALLOWED: Array<{ file: string; line: RegExp; reason: string }> = [
  { file: 'aml/code.ts', line: /b\[p \+ [2-7]\]|i \+ 4096/, reason: 'AML is a byte-stream grammar (ACPI 6.5 §20.2): integers and NameSegs are read at the cursor, not at structure offsets; 4096 is a string-building chunk' },
  { file: 'aml/decode.ts', line: /SEG_CHAR\[b\[p \+ [123]\]|\(b\[q \+ [123]\]! - 0x30\)/, reason: 'AML byte stream: a NameSeg is 4 characters at the cursor (§20.2.2), checked or packed into a key' },
  { file: 'aml/namespace.ts', line: /b\[q \+ [23]\]/, reason: 'AML NameSeg characters packed into a 32-bit key' },
  { file: 'aml/terms.ts', line: /b\[p \+ [23]\]/, reason: 'AML AccessField / ExtendedAccessField operands follow the opcode byte (§20.2.5.2)' },
  { file: 'aml/disasm.ts', line: /b\[p \+ [23]\]/, reason: 'AML AccessField / ExtendedAccessField operands follow the opcode byte (§20.2.5.2)' },
  { file: 'disk/fuzz.ts', line: /subarray\(0, 512\)|subarray\(512\)/, reason: 'fuzz input framing: one 512-byte LBA (the GPT header block), then the entry array' },
  { file: 'inspect/render/hexdump.ts', line: /Math\.min\(s\.size, 16\)/, reason: 'display: at most 16 bytes per dump line' },
  { file: 'acpi/acpidump.ts', line: /subarray\(0, 256\)/, reason: 'sniffing the first 256 characters of acpidump text output, not a binary structure' },
  { file: 'sim/dom0/e2fs.ts', line: /subarray\(0, Math\.min\(32/, reason: 'deterministic file contents generated 32 bytes (one seed digest) at a time' },
  { file: 'sim/handover/fwCfg.ts', line: /meMa - 5, meMa - 1/, reason: 'AML byte stream: the NameSeg MEMA and the DWordPrefix before the patched value (QEMU nvdimm_build_ssdt)' },
  { file: 'sim/hvmloader/cnum.ts', line: /s\[i \+ 2\]/, reason: 'strtoll text parsing: a "0x" prefix then a hex digit' },
  { file: 'sim/xl/cfg.ts', line: /s\[i \+ 2\]/, reason: 'xl.cfg text: a "0x" prefix then a hex digit' },
  { file: 'sim/xen/xlPmemSetup.ts', line: /s\[i \+ 2\]/, reason: 'parsing a "0x…" number in xl config text' },
];

interface Hit {
  file: string;
  line: number;
  text: string;
  rule: string;
}

const LIT = /(?<![\w.$])(0x[0-9a-fA-F]+|\d+)(?![\w.])/g;
const hasLiteral = (expr: string, min: number) => [...expr.matchAll(LIT)].some((m) => Number(m[1]) >= min);

const RULES: Array<{ name: string; re: RegExp; min: number }> = [
  { name: 'DataView get/set at a typed offset', re: /\.(?:get|set)(?:Uint|Int|BigUint|BigInt|Float)(?:8|16|32|64)\(([^,)]*)/g, min: 1 },
  { name: 'DataView over a typed offset', re: /new DataView\([^,()]+,\s*([^,()]+)/g, min: 1 },
  { name: 'Buffer read/write at a typed offset', re: /\.(?:read|write)(?:U?Int|BigU?Int)\w*\(([^,)]*)/g, min: 1 },
  { name: 'subarray at a typed offset', re: /\.subarray\(([^)]*)\)/g, min: 2 },
  { name: 'byte indexed past a position', re: /\b\w+\[\s*([\w.]+\s*\+\s*(?:0x[0-9a-fA-F]+|\d+))\s*\]/g, min: 2 },
  // Bare small indexes are regex groups and tuple members; a byte at offset 10 or more is a layout.
  { name: 'byte indexed at a typed offset', re: /\b\w+\[\s*(0x[0-9a-fA-F]+|\d+)\s*\]/g, min: 10 },
];

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (p !== join(SRC, 'core')) yield* sources(p);
    } else if (name.endsWith('.ts')) yield p;
  }
}

function scan(): Hit[] {
  const hits: Hit[] = [];
  for (const path of sources(SRC)) {
    const file = relative(SRC, path);
    readFileSync(path, 'utf8').split('\n').forEach((raw, i) => {
      // Code only: drop comments and string contents.
      const code = raw.replace(/\/\/.*$/, '').replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
      for (const r of RULES) {
        for (const m of code.matchAll(r.re)) {
          if (!hasLiteral(m[1]!, r.min)) continue;
          if (ALLOWED.some((a) => a.file === file && a.line.test(raw))) continue;
          hits.push({ file, line: i + 1, text: raw.trim(), rule: r.name });
        }
      }
    });
  }
  return hits;
}

describe('no typed on-media offsets outside src/core', () => {
  it('every byte access takes its offset from a declaration (offsetOf, sizeOf, decoded values)', () => {
    const hits = scan();
    expect(hits.map((h) => `src/${h.file}:${h.line}: ${h.rule}: ${h.text}`)).toEqual([]);
  });

  it('the scan finds what it is meant to find', () => {
    const code = ['dv.getUint16(off + 60, true)', 'new DataView(b.buffer, b.byteOffset + 248, 8)', 'buf.readUInt32LE(4)', 'area.subarray(off + 16, off + 79)', 'b[510]', 'head[EXT + 56]'];
    for (const line of code) expect(RULES.some((r) => [...line.matchAll(r.re)].some((m) => hasLiteral(m[1]!, r.min))), line).toBe(true);
    const fine = ['dv.getUint16(at, true)', 'b.subarray(i * S, (i + 1) * S)', 'b[p + 1]', 'x[code & 0xff]', 'new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true)'];
    for (const line of fine) expect(RULES.some((r) => [...line.matchAll(r.re)].some((m) => hasLiteral(m[1]!, r.min))), line).toBe(false);
  });

  it('every allowance still matches a line (no stale entries)', () => {
    for (const a of ALLOWED) expect(readFileSync(join(SRC, a.file), 'utf8').split('\n').some((l) => a.line.test(l)), `${a.file} ${a.line}`).toBe(true);
  });
});

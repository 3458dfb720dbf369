/**
 * The AML output snapshot a decoder change is checked against (specs/aml.md "Warm decode"): for
 * every DSDT/SSDT under fixtures/, every *.aml in the folders given, 1,500 fast-check tables
 * (`amlTableArb`, seed 42) and two byte-mutated copies of each, one line per table with the
 * SHA-256 of its disassembly (bytes and notes), its JSON, passes, unresolved names, namespace and
 * node count, or of the error message. Run it before and after a change and `cmp` the files.
 *
 *   node --import tsx scripts/aml-corpus-snapshot.ts before.txt [folder-of-aml ...]
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { disassembleTable } from '../src/aml/disasm.js';
import { amlTableArb } from '../src/aml/fuzz.js';
import { decodeAmlTable, encodeAmlTable } from '../src/aml/table.js';
import { toJsonText } from '../src/cli/io.js';

const [out, ...folders] = process.argv.slice(2);
if (!out) throw new Error('usage: aml-corpus-snapshot.ts <out.txt> [folder-of-aml ...]');
const tables: [string, Uint8Array][] = [];
const walk = (d: string) => {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/^(DSDT|SSDT).*\.aml$/.test(f)) tables.push([p, new Uint8Array(readFileSync(p))]);
  }
};
walk(fileURLToPath(new URL('../fixtures', import.meta.url)));
for (const d of folders) for (const f of readdirSync(d).sort()) if (f.endsWith('.aml')) tables.push([f, new Uint8Array(readFileSync(join(d, f)))]);
fc.sample(amlTableArb, { numRuns: 1500, seed: 42 }).forEach((t, i) => {
  const b = encodeAmlTable(t);
  tables.push([`arb${i}`, b]);
  for (let k = 0; k < 2; k++) {
    const m = b.slice();
    const at = 36 + ((i * 7919 + k * 104729) % Math.max(1, m.length - 36));
    if (at < m.length) m[at] = (m[at]! + 1 + i + k * 31) & 0xff;
    tables.push([`arb${i}m${k}`, m]);
  }
});
const lines: string[] = [];
let errors = 0;
for (const [name, b] of tables) {
  const h = createHash('sha256');
  try {
    const d = decodeAmlTable(b);
    const dis = disassembleTable(d, { unresolved: d.unresolved.keys() });
    h.update(dis.bytes);
    h.update(JSON.stringify(dis.notes));
    h.update(toJsonText(d.table));
    h.update(String(d.passes));
    h.update(JSON.stringify([...d.unresolved.keys()]));
    h.update(JSON.stringify([...d.namespace.objects]));
    h.update(String(d.code.count));
  } catch (e) {
    errors++;
    h.update('ERR ' + String((e as Error).message));
  }
  lines.push(`${name.replace(/^.*\/fixtures\//, 'fixtures/')} ${h.digest('hex')}`);
}
writeFileSync(out, lines.join('\n') + '\n');
console.log(`${tables.length} tables (${errors} decode errors) -> ${out}`);

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAmlTable, encodeAmlTable } from '../../src/aml/table.js';
import { disassembleTable } from '../../src/aml/disasm.js';
import { OPCODES } from '../../src/aml/opcodes.js';
import type { Term } from '../../src/aml/model.js';
import { iaslCompile, sameBytes } from './helpers.js';

const dir = join(import.meta.dirname, 'corpus');
const sources = readdirSync(dir).filter((f) => f.endsWith('.asl')).sort();
const tmp = mkdtempSync(join(tmpdir(), 'nvtool-aml-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every operator name used anywhere in a term tree. */
function opsIn(terms: readonly Term[], into: Set<string>): Set<string> {
  const visit = (t: Term) => {
    if (t.t === 'call') t.args.forEach(visit);
    if (t.t !== 'op') return;
    into.add(t.op);
    for (const a of t.args) {
      if (a.t === 'list') a.terms.forEach(visit);
      else if (a.t === 'op' || a.t === 'call') visit(a);
      else if (a.t === 'fields') for (const e of a.elems) if (e.k === 'connection') visit(e.target);
    }
  };
  terms.forEach(visit);
  return into;
}

const used = new Set<string>();

describe('ASL corpus compiled by iasl', () => {
  it.each(sources)('%s: iasl → decode → encode identical; disassemble → iasl identical', (src) => {
    const base = join(tmp, src.replace(/\.asl$/, ''));
    const c = iaslCompile(join(dir, src), base);
    expect(c.aml, c.log).toBeDefined();
    const bytes = c.aml!;
    const d = decodeAmlTable(bytes);
    opsIn(d.table.terms, used);
    expect(sameBytes(encodeAmlTable(d.table, { preserveHeader: true }), bytes)).toBe(true);
    const dis = disassembleTable(d, { unresolved: d.unresolved.keys() });
    expect(dis.notes).toEqual([]);
    writeFileSync(`${base}-dis.dsl`, dis.text);
    const r = iaslCompile(`${base}-dis.dsl`, `${base}-re`, d.unresolved.size ? ['-f'] : []);
    expect(r.aml, r.log).toBeDefined();
    expect(sameBytes(r.aml!.subarray(36), bytes.subarray(36)), dis.text).toBe(true);
  });

  it('forward.asl needs the second pass (calls before their method is defined)', () => {
    const c = iaslCompile(join(dir, 'forward.asl'), join(tmp, 'fwd2'));
    const d = decodeAmlTable(c.aml!);
    expect(d.passes).toBe(2);
    expect(d.unresolved.size).toBe(0);
  });

  it('shadow.asl needs the second pass although every name resolved in the first (a nearer method defined later)', () => {
    const c = iaslCompile(join(dir, 'shadow.asl'), join(tmp, 'shadow2'));
    const d = decodeAmlTable(c.aml!);
    expect(d.passes).toBe(2);
    expect(d.unresolved.size).toBe(0);
  });

  it('the corpus uses every operator of the opcode table', () => {
    // runs after the round trips above filled `used`
    const missing = OPCODES.map((o) => o.name).filter((n) => !used.has(n));
    expect(missing).toEqual([]);
  });
});

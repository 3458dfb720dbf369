/**
 * `nvtool decode --json` → (edit) → `nvtool encode` for AML tables. Expected bytes come from the
 * QEMU fixtures (unedited) and from iasl compiling the correspondingly edited disassembly.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NvError } from '../../src/core/errors.js';
import { amlTableArb } from '../../src/aml/fuzz.js';
import { amlTableFromJson } from '../../src/aml/json.js';
import { decodeAmlTable, encodeAmlTable } from '../../src/aml/table.js';
import { disassembleTable } from '../../src/aml/disasm.js';
import { formatFor, formatForJson } from '../../src/codecs/index.js';
import { toJsonText } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { FIXTURES, iaslCompile, qemuAmlFixtures, sameBytes } from './helpers.js';
import { validateCliJson } from '../support/schemas.js';

const fixtures = qemuAmlFixtures();
const tmp = mkdtempSync(join(tmpdir(), 'nvtool-aml-json-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What `nvtool decode --json` prints, parsed back (the CLI's own path: format entry + toJsonText). */
function decodeJson(bytes: Uint8Array): { format: string; value: unknown } {
  const doc = formatFor(bytes).decode(bytes, { spans: false });
  return JSON.parse(toJsonText({ format: doc.format, value: doc.json, findings: doc.findings })) as { format: string; value: unknown };
}

function encodeJson(value: unknown, preserve = false): Uint8Array {
  return formatForJson(value).encode!(value, { preserve });
}

type J = Record<string, any>;

/** Every JSON object in the tree satisfying `pred`. */
function findAll(j: unknown, pred: (o: J) => boolean, out: J[] = []): J[] {
  if (Array.isArray(j)) for (const x of j) findAll(x, pred, out);
  else if (j && typeof j === 'object') {
    if (pred(j as J)) out.push(j as J);
    for (const v of Object.values(j)) findAll(v, pred, out);
  }
  return out;
}

/** An int term of value `v` (the JSON gives it as a number, or a decimal string past 2^53). */
const isInt = (a: J | undefined, v: string) => a?.t === 'int' && BigInt(a.value) === BigInt(v);
const isLocal = (a: J | undefined, n: number) => a?.t === 'op' && a.op === `Local${n}`;
const isName = (a: J | undefined, seg: string) => a?.t === 'name' && a.name.segs.length === 1 && a.name.segs[0] === seg && !a.name.root && a.name.parents === 0;

function disassembly(bytes: Uint8Array): { text: string; unresolved: number } {
  const d = decodeAmlTable(bytes);
  return { text: disassembleTable(d, { unresolved: d.unresolved.keys() }).text, unresolved: d.unresolved.size };
}

function replaceOnce(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  expect(i, `"${from}" in the disassembly`).toBeGreaterThanOrEqual(0);
  expect(text.indexOf(from, i + 1), `"${from}" only once`).toBe(-1);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

function creatorOf(aml: Uint8Array): { creatorId: string; creatorRevision: number } {
  return { creatorId: String.fromCharCode(...aml.subarray(28, 32)), creatorRevision: Buffer.from(aml).readUInt32LE(32) };
}

describe('AML JSON (decode --json → encode)', () => {
  it.each(fixtures.map((f) => [`${f.config}/${f.file}`, f] as const))('%s: JSON text → parse → encode is byte-identical', (_n, f) => {
    const j = decodeJson(f.bytes);
    expect(j.format).toBe(f.file === 'DSDT.aml' ? 'DSDT' : 'SSDT');
    expect(sameBytes(encodeJson(j.value), f.bytes)).toBe(true);
    expect(sameBytes(encodeJson(j.value, true), f.bytes)).toBe(true);
    // The parsed model is the decoded one.
    expect(amlTableFromJson(j.value).table).toEqual(decodeAmlTable(f.bytes).table);
  });

  const edits = [
    {
      // NCAL: `Subtract (RLEN, 0x04, Local1)` → a WordConst: 2 bytes longer, every enclosing PkgLength grows.
      fixture: 'pc-1dimm/SSDT-NVDIMM.aml',
      find: (o: J) => o.t === 'op' && o.op === 'Subtract' && isName(o.args[0], 'RLEN') && isInt(o.args[1], '0x4') && isLocal(o.args[2], 1),
      edit: (o: J) => (o.args[1] = { t: 'int', value: '0x1234' }), // no "enc": shortest form (WordPrefix)
      asl: ['Subtract (RLEN, 0x04, Local1)', 'Subtract (RLEN, 0x1234, Local1)'],
    },
    {
      // 12 slots: 3-byte PkgLength on NVDR; same width, value only.
      fixture: 'pc-12dimm/SSDT-NVDIMM.aml',
      find: (o: J) => o.t === 'op' && o.op === 'OperationRegion' && isInt(o.args[2], '0xa18'),
      edit: (o: J) => (o.args[2].value = 0xb00),
      asl: ['OperationRegion (NPIO, SystemIO, 0x0A18, 0x04)', 'OperationRegion (NPIO, SystemIO, 0x0B00, 0x04)'],
    },
    {
      // q35 DSDT (\_SB.NVDR is another table's): `And (Local0, 0x1E, Local0)` → a DWordConst.
      fixture: 'q35-1dimm/DSDT.aml',
      find: (o: J) => o.t === 'op' && o.op === 'And' && isLocal(o.args[0], 0) && isInt(o.args[1], '0x1e') && isLocal(o.args[2], 0),
      edit: (o: J) => (o.args[1] = { t: 'int', value: '0x12345678', enc: 'dword' }),
      asl: ['And (Local0, 0x1E, Local0)', 'And (Local0, 0x12345678, Local0)'],
    },
  ];

  it.each(edits.map((e) => [e.fixture, e] as const))('%s: an edited integer encodes to what iasl compiles from the same edit of the ASL', (name, e) => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, name)));
    const base = join(tmp, name.replace(/[/.]/g, '-'));
    const dis = disassembly(bytes);
    writeFileSync(`${base}.dsl`, replaceOnce(dis.text, e.asl[0]!, e.asl[1]!));
    const c = iaslCompile(`${base}.dsl`, `${base}-iasl`, dis.unresolved ? ['-f'] : []);
    expect(c.aml, c.log).toBeDefined();

    const j = decodeJson(bytes).value as J;
    const hits = findAll(j.terms, e.find);
    expect(hits).toHaveLength(1);
    e.edit(hits[0]!);
    // Stale length and checksum stay in the JSON: recomputed. Creator is iasl's own (read from its output).
    Object.assign(j.header, creatorOf(c.aml!));
    const ours = encodeJson(j);
    expect(ours.length).toBe(c.aml!.length);
    expect(sameBytes(ours, c.aml!)).toBe(true);
  });

  it('{"$pin": v} keeps a derived header field as written; --preserve keeps them all', () => {
    const f = fixtures.find((x) => x.config === 'pc-1dimm' && x.file === 'SSDT-NVDIMM.aml')!;
    const j = decodeJson(f.bytes).value as J;
    j.header.checksum = { $pin: 0 };
    const pinned = encodeJson(j);
    expect(pinned[9]).toBe(0);
    expect(sameBytes(pinned.subarray(10), f.bytes.subarray(10))).toBe(true);
    j.header.checksum = 0x77;
    j.header.length = { $pin: 4000 };
    const long = encodeJson(j);
    expect(Buffer.from(long).readUInt32LE(4)).toBe(4000);
    expect(long.length).toBe(f.bytes.length);
    j.header.length = 1;
    j.header.checksum = 5;
    const kept = encodeJson(j, true);
    expect([Buffer.from(kept).readUInt32LE(4), kept[9]]).toEqual([1, 5]);
  });

  it('the JSON of random tables parses back to the same model (fast-check)', () => {
    fc.assert(
      fc.property(amlTableArb, (t) => {
        const j = JSON.parse(toJsonText(t)) as unknown;
        const back = amlTableFromJson(j).table;
        expect(back.terms).toEqual(t.terms);
        expect(sameBytes(encodeAmlTable(back), encodeAmlTable(t))).toBe(true);
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  describe('strict: unknown keys and bad values are NvErrors naming the JSON path', () => {
    const f = fixtures.find((x) => x.config === 'pc-1dimm' && x.file === 'SSDT-NVDIMM.aml')!;
    const fresh = () => decodeJson(f.bytes).value as J;
    const ncal = (j: J) => j.terms[0].args[1].terms[0].args[1].terms[1] as J; // Scope(\_SB) { Device(NVDR) { _HID, Method(NCAL) } }
    const cases: [string, (j: J) => void, string, RegExp][] = [
      ['unknown top-level key', (j) => (j.extra = 1), 'extra', /has no key "extra"/],
      ['unknown header key', (j) => (j.header.body = ''), 'header.body', /has no key "body"/],
      ['signature not AML', (j) => (j.header.signature = 'NFIT'), 'header.signature', /not an AML table/],
      ['revision too large', (j) => (j.header.revision = 256), 'header.revision', /./],
      ['unknown key in a term', (j) => (ncal(j).colour = 'red'), 'terms[0].args[1].terms[0].args[1].terms[1].colour', /has no key "colour"/],
      ['unknown operator', (j) => (ncal(j).op = 'Frobnicate'), 'terms[0].args[1].terms[0].args[1].terms[1].op', /unknown AML operator "Frobnicate"/],
      ['wrong argument count', (j) => ncal(j).args.pop(), 'terms[0].args[1].terms[0].args[1].terms[1].args', /Method takes 3 arguments/],
      ['method flags out of range', (j) => (ncal(j).args[1].value = 256), 'terms[0].args[1].terms[0].args[1].terms[1].args[1].value', /out of range/],
      ['a list where a NameString belongs', (j) => (ncal(j).args[0] = { t: 'list', terms: [] }), 'terms[0].args[1].terms[0].args[1].terms[1].args[0].t', /expected a NameString argument \(\{"t": "name"\}\), got "list"/],
      ['bad NameSeg', (j) => (ncal(j).args[0].name.segs[0] = 'ncal'), 'terms[0].args[1].terms[0].args[1].terms[1].args[0].name.segs[0]', /not a NameSeg/],
      ['int too wide for its encoding', (j) => (ncal(j).args[2].terms[1].args[2] = { t: 'int', value: '0x100', enc: 'byte' }), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[1].args[2].value', /does not fit a byte constant/],
      ['OneOp that is not 1', (j) => (ncal(j).args[2].terms[1].args[2] = { t: 'int', value: 2, enc: 'one' }), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[1].args[2].value', /OneOp stands for 0x1/],
      ['unknown int encoding', (j) => (ncal(j).args[2].terms[1].args[2] = { t: 'int', value: 2, enc: 'short' }), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[1].args[2].enc', /expected one of/],
      ['negative int', (j) => (ncal(j).args[2].terms[1].args[2] = { t: 'int', value: -1 }), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[1].args[2].value', /out of range/],
      ['NullName outside a Target', (j) => (ncal(j).args[2].terms[0].args[0] = { t: 'none' }), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[0].args[0]', /only valid as a Target/],
      ['non-ASCII string', (j) => (j.terms[0].args[1].terms[0].args[1].terms[0].args[1].value = 'ACPI\u00e9'), 'terms[0].args[1].terms[0].args[1].terms[0].args[1].value', /not ASCII/],
      ['bad field width', (j) => (ncal(j).args[2].terms[3].args[2].elems[0].bits = 'wide'), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[3].args[2].elems[0].bits', /expected an unsigned integer/],
      ['unknown field element kind', (j) => (ncal(j).args[2].terms[3].args[2].elems[0].k = 'offset'), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[3].args[2].elems[0].k', /expected a field element/],
      ['pkgLenBytes on an operator without a PkgLength', (j) => (ncal(j).args[2].terms[0].pkgLenBytes = 2), 'terms[0].args[1].terms[0].args[1].terms[1].args[2].terms[0].pkgLenBytes', /has no PkgLength/],
      ['terms not an array', (j) => (j.terms = {}), 'terms', /expected an array/],
    ];
    it.each(cases)('%s', (_n, mutate, path, reason) => {
      const j = fresh();
      mutate(j);
      let err: unknown;
      try {
        amlTableFromJson(j);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NvError);
      expect((err as NvError).path).toBe(path);
      expect((err as NvError).reason).toMatch(reason);
    });

    it('absurd nesting is an NvError, not a stack overflow', () => {
      let t: J = { t: 'int', value: 1 };
      for (let i = 0; i < 5000; i++) t = { t: 'op', op: 'Return', args: [t] };
      expect(() => amlTableFromJson({ header: fresh().header, terms: [t] })).toThrow(/nested deeper than 1024/);
    });

    it('a bad ByteList', () => {
      const j = fresh();
      const bufs = findAll(j.terms, (o) => o.t === 'bytes');
      bufs[0]!.bytes = 'xyz';
      expect(() => amlTableFromJson(j)).toThrow(/\.bytes: expected a hex byte string/);
    });
  });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += typeof s === 'string' ? s : Buffer.from(s).toString()), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += typeof s === 'string' ? s : Buffer.from(s).toString()), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('nvtool encode on AML JSON', () => {
  it('decode --json -o → encode -o gives the guest table back; a bad value is one line with its path, exit 2', async () => {
    const src = join(FIXTURES, 'q35-4dimm', 'SSDT-NVDIMM.aml');
    const json = join(tmp, 'ssdt.json');
    expect((await run(['decode', src, '--json', '-o', json])).code).toBe(0);
    validateCliJson('decode', readFileSync(json, 'utf8'));
    const out = join(tmp, 'ssdt.aml');
    const r = await run(['encode', json, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\(AML\)/);
    expect(sameBytes(new Uint8Array(readFileSync(out)), new Uint8Array(readFileSync(src)))).toBe(true);

    const doc = JSON.parse(readFileSync(json, 'utf8')) as J;
    doc.value.terms[0].args[1].terms[0].args[0].name.segs = ['nvdr'];
    writeFileSync(json, JSON.stringify(doc));
    const bad = await run(['encode', json, '-o', join(tmp, 'never.aml')]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/json\.terms\[0\]\.args\[1\]\.terms\[0\]\.args\[0\]\.name\.segs\[0\]: "nvdr" is not a NameSeg/);
  });
});

/**
 * Random well-formed AML trees (fast-check) and the `aml` fuzz target: trees encode and decode
 * back to the same bytes; mutated and arbitrary bytes give a table or an NvError in bounded time.
 */
import fc from 'fast-check';
import type { FuzzTarget } from '../core/fuzz.js';
import { aml, int } from './builder.js';
import { decodeAmlTable, encodeAmlTable, amlHeader } from './table.js';
import type { AmlTable, FieldElement, NameString, Term } from './model.js';

const seg = fc.tuple(
  fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_'),
  fc.array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789'), { minLength: 3, maxLength: 3 }),
).map(([a, b]) => a + b.join(''));

export const nameStringArb: fc.Arbitrary<NameString> = fc.record({
  root: fc.boolean(),
  parents: fc.integer({ min: 0, max: 2 }),
  segs: fc.array(seg, { minLength: 1, maxLength: 4 }),
}).map((n) => ({ ...n, parents: n.root ? 0 : n.parents }));

const intArb = fc.oneof(fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }), fc.constantFrom(0n, 1n, 0xffn, 0x100n, 0xffffffffn)).map((v) => int(v));
const strArb = fc.string({ maxLength: 12 }).map((s) => s.replace(/[^\x01-\x7f]/g, 'x'));
const local = fc.integer({ min: 0, max: 7 }).map((i) => aml.local(i));
const argObj = fc.integer({ min: 0, max: 6 }).map((i) => aml.arg(i));
const nameRef = nameStringArb.map((name): Term => ({ t: 'name', name }));

/** Operands: literals, locals, args, names that the table never defines as methods. */
const leaf: fc.Arbitrary<Term> = fc.oneof(intArb, strArb.map((s) => aml.str(s)), local, argObj, nameRef);
const superName: fc.Arbitrary<Term> = fc.oneof(local, argObj, nameRef, fc.constant(aml.debug()));

const { expr } = fc.letrec<{ expr: Term }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('expr'), tie('expr'), fc.option(superName, { nil: undefined })).map(([a, b, t]) => aml.add(a, b, t)),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => aml.lequal(a, b)),
    fc.tuple(tie('expr')).map(([a]) => aml.lnot(a)),
    fc.tuple(tie('expr'), superName).map(([a, t]) => aml.store(a, t)),
    fc.uint8Array({ maxLength: 80 }).map((b) => aml.buffer(b)),
    fc.array(tie('expr'), { maxLength: 4 }).map((e) => aml.package(e.filter((x) => x.t !== 'none'))),
    fc.tuple(tie('expr'), tie('expr'), superName, superName).map(([a, b, r, q]) => aml.op('Divide', [a, b, r, q])),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, b, c]) => aml.op('Mid', [a, b, c, { t: 'none' }])),
  ),
}));

const fieldElems: fc.Arbitrary<FieldElement[]> = fc.array(
  fc.oneof(
    fc.tuple(seg, fc.integer({ min: 1, max: 5000 })).map(([n, bits]) => aml.namedField(n, bits)),
    fc.integer({ min: 1, max: 100 }).map((bits) => aml.reservedField(bits)),
    fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 255 })).map(([t, a]) => aml.accessAs(t, a)),
  ),
  { maxLength: 5 },
);

const { stmt } = fc.letrec<{ stmt: Term }>((tie) => ({
  stmt: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    expr,
    fc.tuple(seg, expr).map(([n, v]) => aml.name(n, v)),
    fc.tuple(seg, fc.array(tie('stmt'), { maxLength: 4 })).map(([n, b]) => aml.device(n, b)),
    fc.tuple(nameStringArb, fc.array(tie('stmt'), { maxLength: 3 })).map(([n, b]) => aml.scope(n, b)),
    fc.tuple(expr, fc.array(tie('stmt'), { maxLength: 3 })).map(([p, b]) => aml.if_(p, b)),
    fc.tuple(expr, fc.array(tie('stmt'), { maxLength: 3 })).map(([p, b]) => aml.while_(p, b)),
    fc.tuple(seg, fc.integer({ min: 0, max: 255 }), expr, expr).map(([n, s, o, l]) => aml.operationRegion(n, s, o, l)),
    fc.tuple(seg, fc.integer({ min: 0, max: 5 }), fieldElems).map(([n, a, e]) => aml.field(n, a, 0, 0, e)),
    fc.tuple(seg, fc.integer({ min: 0, max: 15 }), fc.uint8Array({ minLength: 0, maxLength: 70 })).map(([n, s, b]) => aml.mutex(n, s & 15)),
  ),
}));

/** Tables of random statements, plus methods (with bodies calling them) so invocations appear. */
export const amlTableArb: fc.Arbitrary<AmlTable> = fc
  .tuple(fc.array(stmt, { maxLength: 8 }), fc.integer({ min: 0, max: 7 }), fc.array(expr, { maxLength: 7 }), fc.boolean())
  .map(([body, argc, callArgs, callFirst]) => {
    const args = Array.from({ length: argc }, (_, i) => callArgs[i] ?? int(i));
    const call = aml.store(aml.call('\\MTHX', args), aml.local(0));
    const method = aml.method('\\MTHX', argc, false, [aml.return_(int(argc))]);
    const user = aml.method('\\USER', 0, true, [call]);
    // A call before the method's definition exercises the second (forward reference) pass.
    const terms = callFirst ? [user, ...body, method] : [method, ...body, user];
    return { header: amlHeader('SSDT', 'FUZZ'), terms };
  });

export const amlFuzzTarget: FuzzTarget<AmlTable> = {
  name: 'aml',
  values: amlTableArb,
  encode: (t) => encodeAmlTable(t),
  decode: (b) => decodeAmlTable(b).table,
  timeBoundMs: 500,
};

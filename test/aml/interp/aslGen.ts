/**
 * fast-check arbitraries for ASL definition blocks full of methods: expressions over integers,
 * strings, buffers and packages, fields over a SystemMemory region (random access widths and
 * update rules), buffer fields, control flow and calls. Compiled with `iasl -of -ot` (no constant
 * folding, no type checking) so that the run-time semantics are what gets compared.
 */
import fc from 'fast-check';

export interface GenTable {
  source: string;
  /** Methods to evaluate, in order, with their (integer) arguments. */
  evals: { path: string; args: string[] }[];
}

const hex = (v: bigint): string => '0x' + v.toString(16).toUpperCase();

const intLit = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map(String),
  fc.bigInt({ min: 0n, max: 0xffffn }).map(hex),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(hex),
  fc.constantFrom('Zero', 'One', 'Ones', '0x99', '0x1234', '0xFFFFFFFF', '0x100000000', '9999999999999999'),
);
const strLit = fc.oneof(
  fc.constantFrom('""', '"1F"', '"0x1f"', '" 12"', '"123z"', '"ABCDEF0123456789A"', '"zz"', '"9"', '"0"', '"hello"'),
  fc.stringMatching(/^[a-fA-F0-9 xz]{0,12}$/).map((s) => `"${s}"`),
);
const bufLit = fc.uint8Array({ maxLength: 12 }).chain((b) =>
  fc.oneof(
    fc.constant(`Buffer () {${Array.from(b).join(', ')}}`),
    fc.integer({ min: 0, max: 16 }).map((n) => `Buffer (${n}) {${Array.from(b.subarray(0, n)).join(', ')}}`),
  ),
);
const pkgLit = fc.array(fc.oneof(intLit, strLit, bufLit), { maxLength: 5 }).map((e) => `Package () {${e.join(', ')}}`);
/** A package with packages and named objects among its elements (names resolve when the package is built). */
const nestedPkgLit = fc
  .array(fc.oneof(intLit, strLit, pkgLit, fc.constantFrom('INT0', 'STR0', 'BUF0', 'BF00')), { maxLength: 4 })
  .chain((e) => fc.constantFrom(`Package () {${e.join(', ')}}`, `Package (${e.length + 2}) {${e.join(', ')}}`));

const LOCALS = ['Local0', 'Local1', 'Local2', 'Local3'];
const NAMED = ['INT0', 'STR0', 'BUF0', 'PKG0', 'BF00', 'BF01'];
const MUTEXES = ['MTX0', 'MTX1'];
const small = fc.integer({ min: 0, max: 20 }).map(String);

function exprArb(fields: string[]): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: intLit },
    { weight: 2, arbitrary: strLit },
    { weight: 2, arbitrary: bufLit },
    { weight: 4, arbitrary: fc.constantFrom('Arg0', 'Arg1', ...LOCALS) },
    { weight: 2, arbitrary: fc.constantFrom('INT0', 'STR0', 'BUF0', 'BF00', 'BF01', ...fields) },
    { weight: 1, arbitrary: nestedPkgLit },
    // Local6 and Local7 hold references (RefOf, Index): as operands they are resolved, or not, by ACPICA's rules.
    { weight: 1, arbitrary: fc.constantFrom('Local6', 'Local7') },
    { weight: 1, arbitrary: fc.constantFrom('PKG0', 'PKG1') },
  );
  const { e } = fc.letrec<{ e: string }>((tie) => {
    const sub = tie('e');
    const un = (op: string) => sub.map((x) => `${op} (${x})`);
    const bin = (op: string) => fc.tuple(sub, sub).map(([x, y]) => `${op} (${x}, ${y})`);
    return {
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { weight: 6, arbitrary: leaf },
        ...['Add', 'Subtract', 'Multiply', 'And', 'Or', 'XOr', 'NAnd', 'NOr', 'Mod', 'Divide'].map((op) => ({ weight: 1, arbitrary: bin(op) })),
        { weight: 1, arbitrary: fc.tuple(sub, fc.oneof(small, sub)).map(([x, y]) => `ShiftLeft (${x}, ${y})`) },
        { weight: 1, arbitrary: fc.tuple(sub, fc.oneof(small, sub)).map(([x, y]) => `ShiftRight (${x}, ${y})`) },
        ...['Not', 'FindSetLeftBit', 'FindSetRightBit', 'FromBCD', 'ToBCD', 'LNot'].map((op) => ({ weight: 1, arbitrary: un(op) })),
        ...['LEqual', 'LGreater', 'LLess', 'LAnd', 'LOr', 'LNotEqual', 'LGreaterEqual', 'LLessEqual'].map((op) => ({ weight: 1, arbitrary: bin(op) })),
        ...['ToInteger', 'ToBuffer', 'ToHexString', 'ToDecimalString'].map((op) => ({ weight: 1, arbitrary: un(op) })),
        { weight: 1, arbitrary: fc.tuple(sub, fc.oneof(small, fc.constant('Ones'))).map(([x, n]) => `ToString (${x}, ${n})`) },
        { weight: 2, arbitrary: bin('Concatenate') },
        { weight: 1, arbitrary: fc.tuple(sub, small, small).map(([x, i, n]) => `Mid (${x}, ${i}, ${n})`) },
        { weight: 1, arbitrary: fc.constantFrom(...LOCALS, ...NAMED, 'Local6', 'Local7').map((x) => `SizeOf (${x})`) },
        { weight: 1, arbitrary: fc.constantFrom(...LOCALS, ...NAMED, ...fields, 'MTX0', 'OPR0', 'DEV0', 'EVT0', 'HLP0', 'Local6').map((x) => `ObjectType (${x})`) },
        { weight: 1, arbitrary: fc.constantFrom(...NAMED, ...fields, 'PKG1').map((x) => `DerefOf (RefOf (${x}))`) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NAMED, 'PKG1'), sub).map(([x, y]) => `HLP2 (RefOf (${x}), ${y})`) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('PKG1', 'PKG0'), small, small).map(([x, i, j]) => `DerefOf (Index (DerefOf (Index (${x}, ${i})), ${j}))`) },
        { weight: 1, arbitrary: fc.constantFrom('Local6', 'Local7').map((x) => `DerefOf (${x})`) },
        // An Index result as an operand (a Package element is resolved, a Buffer/String byte is not),
        // and a method returning one (HLP4).
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('PKG0', 'PKG1', 'BUF0', 'STR0', 'Local2', 'Local3'), small).map(([x, i]) => `Index (${x}, ${i})`) },
        { weight: 1, arbitrary: small.map((i) => `HLP4 (${i})`) },
        // _OSI answers all ones (64 bits even in a 32-bit table) or zero.
        { weight: 1, arbitrary: fc.constantFrom('"Windows 2015"', '"Module Device"', '"Linux"', '"Extended Address Space Descriptor"').map((s) => `\\_OSI (${s})`) },
        { weight: 1, arbitrary: fc.constantFrom('INT0', 'BF01', 'Local2', 'Local6').map((x) => `CondRefOf (${x})`) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('MTX0', 'MTX1'), fc.constantFrom('0', '0xFFFF')).map(([m, t]) => `Acquire (${m}, ${t})`) },
        { weight: 2, arbitrary: fc.tuple(fc.oneof(sub, fc.constantFrom('BUF0', 'PKG0', 'STR0')), small).map(([x, i]) => `DerefOf (Index (${x}, ${i}))`) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('PKG0', 'PKG1'), fc.constantFrom('MEQ', 'MLE', 'MLT', 'MGE', 'MGT', 'MTR'), sub, fc.constantFrom('MEQ', 'MTR', 'MGE'), sub, fc.integer({ min: 0, max: 5 })).map(([p, o1, x, o2, y, s]) => `Match (${p}, ${o1}, ${x}, ${o2}, ${y}, ${s})`) },
        // Wait with a zero timeout only: acpiexec sleeps a longer one out (forever for 0xFFFF).
        { weight: 1, arbitrary: fc.constant('Wait (EVT0, 0)') },
        // Stores inside expressions: a LocalX operand is read when its operator runs, after them.
        { weight: 1, arbitrary: fc.tuple(sub, fc.constantFrom(...LOCALS)).map(([x, l]) => `Store (${x}, ${l})`) },
        { weight: 1, arbitrary: fc.constantFrom(...LOCALS, 'Local6', 'Local7').map((l) => `Increment (${l})`) },
        // Mid's index + length stay small: ACPICA adds them unchecked, and a sum past 2^64 makes acpiexec crash.
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Add', 'Concatenate', 'Mid'), sub, sub, small, fc.constantFrom(...LOCALS)).map(([op, x, y, n, l]) => (op === 'Mid' ? `Mid (${x}, 1, ${n}, ${l})` : `${op} (${x}, ${y}, ${l})`)) },
        { weight: 2, arbitrary: fc.tuple(sub, sub).map(([x, y]) => `HLP0 (${x}, ${y})`) },
        { weight: 1, arbitrary: sub.map((x) => `HLP1 (${x})`) },
      ),
    };
  });
  return e;
}

function stmtsArb(e: fc.Arbitrary<string>, fields: string[], loops: boolean): fc.Arbitrary<string[]> {
  const target = fc.constantFrom(...LOCALS, 'INT0', 'STR0', 'BUF0', 'PKG0', 'BF00', 'BF01', ...fields, 'Local4', 'Arg0', 'Arg1');
  const simple = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(e, target).map(([x, t]) => `Store (${x}, ${t})`) },
    { weight: 1, arbitrary: fc.tuple(e, fc.constantFrom(...LOCALS)).map(([x, t]) => `CopyObject (${x}, ${t})`) },
    // CopyObject into a name replaces its object (and type) for the methods after it; into a field it writes.
    { weight: 1, arbitrary: fc.tuple(e, fc.constantFrom('INT0', 'STR0', 'BUF0', 'PKG0', 'BF00', ...fields)).map(([x, t]) => `CopyObject (${x}, ${t})`) },
    { weight: 1, arbitrary: fc.constantFrom('Signal (EVT0)', 'Reset (EVT0)') },
    // Through a Local: iasl refuses a constant over 255.
    { weight: 1, arbitrary: e.map((x) => `Local5 = ${x}\n    Stall (Local5)`) },
    { weight: 1, arbitrary: fc.tuple(e, fc.constantFrom('BUF0', 'PKG0', 'STR0', ...LOCALS), small).map(([x, t, i]) => `Store (${x}, Index (${t}, ${i}))`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Increment', 'Decrement'), fc.constantFrom(...LOCALS, 'INT0', 'STR0', 'BUF0', 'BF00', 'Local6', 'Local7', ...fields)).map(([op, t]) => `${op} (${t})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Add', 'Or', 'Concatenate', 'ShiftLeft'), e, e, target).map(([op, x, y, t]) => `${op} (${x}, ${y}, ${t})`) },
    { weight: 1, arbitrary: fc.tuple(e, e).map(([x, y]) => `Divide (${x}, ${y}, Local4, Local5)`) },
    // Index targets of operators: evaluated before the operator runs.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Add', 'Or', 'Concatenate', 'ToBuffer', 'Divide'), e, e, fc.constantFrom('BUF0', 'PKG0', 'STR0', 'Local2', 'Local3'), small).map(([op, x, y, t, i]) =>
      op === 'ToBuffer' ? `ToBuffer (${x}, Index (${t}, ${i}))` : op === 'Divide' ? `Divide (${x}, ${y}, Local4, Index (${t}, ${i}))` : `${op} (${x}, ${y}, Index (${t}, ${i}))`) },
    { weight: 1, arbitrary: fc.tuple(e, small, fc.constantFrom('CreateByteField', 'CreateWordField', 'CreateDWordField', 'CreateBitField')).map(([x, i, op]) => `Local5 = ${x}\n    ${op} (Local5, ${i}, CF00)\n    Local6 = CF00`) },
    { weight: 1, arbitrary: fc.constantFrom(...NAMED, ...fields, 'PKG1', 'MTX0').map((x) => `Local6 = RefOf (${x})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('PKG1', 'PKG0', 'BUF0', 'STR0', 'Local3'), small).map(([x, i]) => `Local7 = Index (${x}, ${i})`) },
    { weight: 1, arbitrary: fc.tuple(e, small, small).map(([x, i, j]) => `Store (${x}, Index (DerefOf (Index (PKG1, ${i})), ${j}))`) },
    { weight: 1, arbitrary: fc.tuple(e, fc.constantFrom('Local6', 'Local7')).map(([x, r]) => `HLP3 (${r}, ${x})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...MUTEXES), fc.constantFrom('0', '0xFFFF')).map(([m, t]) => `Acquire (${m}, ${t})`) },
    { weight: 1, arbitrary: fc.constantFrom(...MUTEXES).map((m) => `Release (${m})`) },
    { weight: 1, arbitrary: e.map((x) => `Fatal (0xA0, 0x1234, ${x})`) },
    // A callee storing into Index (Arg0, 1) changes the caller's Buffer, String or Package.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('BUF0', 'PKG0', 'STR0', 'PKG1', 'Local2', 'Local3'), e).map(([t, x]) => `HLP6 (${t}, ${x})`) },
    // A method returning nothing (HLP5) as an operand: AE_AML_NO_RETURN_VALUE once the operator
    // has evaluated its other operands. Only as an operator's first operand at statement level:
    // deeper, ACPICA pops an unrelated pending result in its place (a result-stack mix-up nvtool
    // does not copy).
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Add', 'Concatenate', 'LEqual', 'Index'), e, e).map(([op, x, y]) => `Local5 = ${op} (HLP5 (${x}), ${y})`) },
  );
  return fc.letrec<{ s: string[] }>((tie) => ({
    s: fc.array(
      fc.oneof(
        { depthSize: 'small' },
        { weight: 6, arbitrary: simple },
        { weight: 1, arbitrary: fc.tuple(e, tie('s'), tie('s')).map(([c, a, b]) => `If (${c}) {\n    ${a.join('\n    ')}\n    } Else {\n    ${b.join('\n    ')}\n    }`) },
        ...(loops
          ? [
              {
                weight: 1,
                arbitrary: fc.tuple(fc.integer({ min: 0, max: 6 }), stmtsArb(e, fields, false), e, fc.constantFrom('Break', 'Continue')).map(
                  ([n, body, c, bc]) => `Local7 = 0\n    While (LLess (Local7, ${n})) {\n    Increment (Local7)\n    If (${c}) { ${bc} }\n    ${body.join('\n    ')}\n    }`,
                ),
              },
            ]
          : []),
      ),
      { maxLength: 4 },
    ),
  })).s;
}

const ACCESS = ['AnyAcc', 'ByteAcc', 'WordAcc', 'DWordAcc', 'QWordAcc'];
const UPDATE = ['Preserve', 'WriteAsOnes', 'WriteAsZeros'];

/**
 * Two Field declarations over OPR0 (0x40 bytes), overlapping, with random widths, access and update
 * rules; an IndexField through IDX0/DAT0 and a BankField selected by BNK0 (registers in OPR1).
 */
const fieldsArb = fc.tuple(
  fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 80 })), { minLength: 1, maxLength: 4 }),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 3 }),
  fc.constantFrom(...ACCESS),
  fc.constantFrom(...ACCESS),
  fc.constantFrom(...UPDATE),
  fc.constantFrom(...UPDATE),
  fc.tuple(fc.constantFrom('AnyAcc', 'ByteAcc', 'WordAcc'), fc.constantFrom(...UPDATE), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 12 })),
  fc.tuple(fc.constantFrom(...ACCESS.slice(0, 4)), fc.constantFrom(...UPDATE), fc.integer({ min: 1, max: 40 })),
).map(([a, b, acc1, acc2, up1, up2, [iacc, iup, ioff, i0, i1], [bacc, bup, b0]]) => {
  const names: string[] = [];
  const decl = (list: [number, number][], prefix: string, acc: string, up: string): string => {
    const elems = list.flatMap(([gap, bits], i) => {
      names.push(`${prefix}${i}`);
      // An unnamed entry (`, 4`) skips bits.
      return [...(gap ? [`, ${gap}`] : []), `${prefix}${i}, ${bits}`];
    });
    return `Field (OPR0, ${acc}, NoLock, ${up}) { Offset (${prefix === 'FA' ? 0 : 3}), ${elems.join(', ')} }`;
  };
  names.push('IF00', 'IF01', 'BK00');
  return {
    decls: [
      decl(a, 'FA', acc1, up1),
      decl(b, 'FB', acc2, up2),
      'Field (OPR1, ByteAcc, NoLock, Preserve) { IDX0, 8, DAT0, 8, BNK0, 8 }',
      `IndexField (IDX0, DAT0, ${iacc}, NoLock, ${iup}) { Offset (${ioff}), IF00, ${i0}, IF01, ${i1} }`,
      `BankField (OPR0, BNK0, 0x01, ${bacc}, NoLock, ${bup}) { Offset (0x30), BK00, ${b0} }`,
    ],
    names,
  };
});

const argArb = fc.oneof(fc.integer({ min: 0, max: 100 }).map(String), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(hex));

export function tableArb(methods: number): fc.Arbitrary<GenTable> {
  return fc
    .tuple(fieldsArb, fc.constantFrom(1, 2), intLit, strLit, bufLit, pkgLit, pkgLit)
    .chain(([fields, revision, i0, s0, b0, p0, p1]) => {
      const e = exprArb(fields.names);
      const flags = fc.oneof(fc.constant('NotSerialized'), fc.constant('Serialized'), fc.integer({ min: 0, max: 15 }).map((n) => `Serialized, ${n}`));
      // Local6 and Local7 start as references (iasl refuses a read of a Local never written).
      const refs = fc.tuple(fc.constantFrom(...NAMED, 'PKG1', ...fields.names), fc.constantFrom('PKG1', 'PKG0', 'BUF0', 'STR0'), fc.integer({ min: 0, max: 3 }));
      const method = fc.tuple(fc.array(e, { minLength: 4, maxLength: 4 }), stmtsArb(e, fields.names, true), e, flags, argArb, argArb, refs);
      return fc.array(method, { minLength: methods, maxLength: methods }).map((ms) => {
        const lines = [
          `DefinitionBlock ("", "DSDT", ${revision}, "NVTOOL", "INTERP", 1) {`,
          '  OperationRegion (OPR0, SystemMemory, 0x00100000, 0x40)',
          '  OperationRegion (OPR1, SystemMemory, 0x00200000, 0x10)',
          ...fields.decls.map((d) => `  ${d}`),
          `  Name (INT0, ${i0})`,
          `  Name (STR0, ${s0})`,
          `  Name (BUF0, ${b0})`,
          '  Name (BUF1, Buffer (16) {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})',
          '  CreateDWordField (BUF1, 2, BF00)',
          '  CreateField (BUF1, 3, 21, BF01)',
          `  Name (PKG0, ${p0})`,
          // DEV0, HLP0 and MTX0 are defined further on: module-level package elements resolve forward.
          `  Name (PKG1, Package () {${p1}, Package () {1, "a", Buffer () {2}}, INT0, DEV0, HLP0, MTX0})`,
          '  Mutex (MTX0, 0)',
          '  Mutex (MTX1, 3)',
          '  Device (DEV0) {}',
          '  Event (EVT0)',
          '  Method (HLP0, 2) { If (LGreater (Arg0, Arg1)) { Return (Subtract (Arg0, Arg1)) } Return (Concatenate (Arg1, Arg0)) }',
          '  Method (HLP1, 1, Serialized) { Local0 = Arg0 Increment (INT0) Return (ToHexString (Local0)) }',
          // An Arg holding a RefOf is stored through; DerefOf reads what it refers to.
          '  Method (HLP2, 2) { Arg0 = Arg1 Return (DerefOf (Arg0)) }',
          '  Method (HLP3, 2) { Store (Arg1, Arg0) Return (ObjectType (Arg0)) }',
          '  Method (HLP4, 1) { Return (Index (PKG1, Arg0)) }',
          '  Method (HLP5, 1) { Local0 = Arg0 }',
          '  Method (HLP6, 2) { Store (Arg1, Index (Arg0, 1)) Return (Arg0) }',
        ];
        const evals: GenTable['evals'] = [];
        ms.forEach(([init, stmts, ret, serialized, a0, a1, [r6, r7, i7]], k) => {
          const name = `M${k.toString().padStart(3, '0')}`;
          lines.push(`  Method (${name}, 2, ${serialized}) {`);
          lines.push('    Local0 = Arg0', '    Local1 = Arg1', '    Local2 = "L2"', '    Local3 = Buffer () {3}', `    Local6 = RefOf (${r6})`, `    Local7 = Index (${r7}, ${i7})`);
          init.forEach((x, i) => lines.push(`    ${LOCALS[i]} = ${x}`));
          for (const s of stmts) lines.push(`    ${s}`);
          lines.push(`    Return (${ret})`, '  }');
          // Any 64-bit argument, in 32-bit tables too: ACPICA keeps a wider one until an operator
          // truncates it (specs/aml.md), and so does nvtool.
          evals.push({ path: `\\${name}`, args: [a0, a1] });
        });
        lines.push('}');
        // Each CreateXField names its own field (iasl refuses a name created twice in one scope).
        let n = 0;
        const source = lines.join('\n').replace(/CF00\)\n(\s*)Local6 = CF00/g, (_m, sp: string) => {
          const id = `C${(n++).toString(16).toUpperCase().padStart(3, '0')}`;
          return `${id})\n${sp}Local6 = ${id}`;
        });
        return { source: source + '\n', evals };
      });
    });
}

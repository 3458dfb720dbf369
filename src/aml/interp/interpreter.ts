/**
 * An AML interpreter over the decoded term model: loads definition blocks into a namespace
 * (module-level code executed as the table loads, as ACPICA does) and evaluates methods.
 * Semantics follow ACPICA 20200925, the version Debian 12's acpiexec is built from: operand
 * conversions (`exresop.c`, `exconvrt.c`), stores (`exstore.c`, `exstorob.c`), operators
 * (`exoparg1.c` ... `exoparg6.c`), control flow (`dscontrol.c`), fields (`exfield.c`, `exfldio.c`)
 * and mutexes (`exmutex.c`). Errors are `AmlError`s with ACPICA's status names.
 */
import { decodeAmlTable } from '../table.js';
import type { Arg, FieldElement, NameString, OpTerm, Term } from '../model.js';
import { AmlError, amlFail } from './errors.js';
import { RtNamespace, pathOf, parsePath, segsOf } from './namespace.js';
import { accessWidth, extractField, insertField, regionDatumIo, type DatumIo, type RegionAccess, type RegionHandler, type RegionView } from './regions.js';
import { execOperator, isSlotTerm } from './operators.js';
import {
  OBJECT_TYPE_CODE,
  buf,
  bytesOfString,
  copyObject,
  int,
  intToBuf,
  toBuffer,
  toInteger,
  toStringValue,
  widthOf,
  type AmlObject,
  type BufferFieldObj,
  type BufferObj,
  type FieldUnitObj,
  type MethodObj,
  type MutexObj,
  type ReferenceObj,
  type RefTarget,
  type Width,
} from './values.js';

export interface InterpreterOptions {
  /** Region handlers by address space id (`SPACE`); a region with none fails `AE_NOT_EXIST`. */
  handlers?: Partial<Record<number, RegionHandler>>;
  /** Called for every region access (`--trace`). */
  trace?: (a: RegionAccess) => void;
  /**
   * Nested method calls allowed in all (default 1024). ACPICA bounds each method to 255 active
   * calls (`AE_AML_METHOD_LIMIT`, followed here too) and the total only by memory (a cycle of 40
   * methods reaches 10,199 levels in acpiexec); nvtool's evaluator recurses on the JS stack.
   */
  maxCallDepth?: number;
  /** A While loop running longer than this fails `AE_AML_LOOP_TIMEOUT` (ACPICA: 30 s, `ACPI_MAX_LOOP_TIMEOUT`). */
  loopTimeoutMs?: number;
  /** A While loop iterating more often than this fails `AE_AML_LOOP_TIMEOUT` (deterministic bound). */
  maxLoopIterations?: number;
  /** A whole evaluation running longer than this fails `AE_TIME`. */
  budgetMs?: number;
  /** Integer width when no DSDT is loaded (acpiexec: 64). */
  defaultIntegerBits?: 32 | 64;
}

export interface Notification {
  path: string;
  value: bigint;
}

/** Method activation: its scope, Locals, Args, the names it created, the mutexes it holds. */
interface Frame {
  method: string;
  scope: string[];
  locals: (AmlObject | undefined)[];
  args: (AmlObject | undefined)[];
  created: string[];
  ret?: AmlObject;
}

const enum Flow {
  Next,
  Break,
  Continue,
  Return,
}

export const ACPICA_REVISION = 0x20200925n;
const OSI_STRINGS = ['Windows 2000', 'Windows 2001', 'Windows 2001 SP1', 'Windows 2001.1', 'Windows 2001 SP2', 'Windows 2001.1 SP1', 'Windows 2006', 'Windows 2006.1', 'Windows 2006 SP1', 'Windows 2006 SP2', 'Windows 2009', 'Windows 2012', 'Windows 2013', 'Windows 2015', 'Windows 2016', 'Windows 2017', 'Windows 2017.2', 'Windows 2018', 'Windows 2018.2', 'Windows 2019', 'Extended Address Space Descriptor'];

export class AmlInterpreter {
  readonly ns = new RtNamespace();
  readonly notifications: Notification[] = [];
  readonly debugLog: AmlObject[] = [];
  /** Fatal (type, code, argument) signalled by the AML, in order; evaluation went on after each. */
  readonly fatals: { type: number; code: number; arg: bigint }[] = [];
  readonly w: Width;
  private readonly o: Required<Omit<InterpreterOptions, 'trace' | 'handlers'>> & Pick<InterpreterOptions, 'trace' | 'handlers'>;
  private depth = 0;
  private syncLevel = 0;
  /** Mutexes held by the running evaluation, released when it ends (ACPICA `AcpiExReleaseAllMutexes`). */
  private held: MutexObj[] = [];
  private deadline = Infinity;
  /** Module-level package elements naming objects not defined yet, resolved when every table is loaded. */
  private pendingElements: { elements: (AmlObject | undefined)[]; index: number; name: NameString; scope: string[] }[] = [];
  private ticks = 0;

  /** Loads the tables in order (DSDT first, as ACPICA), each decoded with the others as references. */
  constructor(tables: readonly Uint8Array[], o: InterpreterOptions = {}) {
    this.o = { maxCallDepth: 1024, loopTimeoutMs: 30_000, maxLoopIterations: 1 << 20, budgetMs: 60_000, defaultIntegerBits: 64, ...o };
    const decoded = tables.map((t, i) => decodeAmlTable(t, { refs: tables.filter((_, j) => j !== i) }));
    const dsdt = decoded.find((d) => d.table.header.signature === 'DSDT');
    // ACPICA takes the integer width from the DSDT alone (`AcpiUtSetIntegerWidth`).
    this.w = widthOf(dsdt ? (dsdt.table.header.revision < 2 ? 32 : 64) : this.o.defaultIntegerBits);
    for (const d of decoded) {
      this.start();
      const f: Frame = { method: '', scope: [], locals: [], args: [], created: [] };
      this.execList(d.table.terms, f);
    }
    for (const e of this.pendingElements) {
      const p = this.ns.resolve(e.name, e.scope);
      if (p) e.elements[e.index] = this.namedElement(p);
    }
    this.pendingElements = [];
  }

  /** Evaluates `path` (a method is called with `args`; any other object gives its value). */
  evaluate(path: string, args: AmlObject[] = []): AmlObject | undefined {
    const p = pathOf(parsePath(path));
    const o = this.ns.get(p);
    if (!o) amlFail('AE_NOT_FOUND', `${p} does not exist`);
    this.start();
    try {
      return this.external(o.type === 'Method' ? this.call(p, o, args, false) : this.readValue(o, p));
    } catch (e) {
      // Terms nested deeper than the JS stack allows (deep expressions inside deep calls) end
      // cleanly; ACPICA keeps its walk states on the heap and would run out of memory instead.
      if (e instanceof RangeError && /call stack/.test(e.message)) amlFail('AE_STACK_OVERFLOW', `${p}: terms and calls nested deeper than the interpreter's stack`);
      throw e;
    } finally {
      for (const m of this.held) m.depth = 0;
      this.held = [];
      this.syncLevel = 0;
    }
  }

  /**
   * The result as a caller outside AML receives it (ACPICA `AcpiEvaluateObject`): a returned Index
   * or RefOf reference is replaced by the object it designates (`AcpiNsResolveReferences`: a
   * field's object, not its value), then only data, Processor/PowerResource and named references
   * in packages can leave the interpreter (`AcpiUtGetSimpleObjectSize`), anything else is AE_TYPE.
   */
  private external(v: AmlObject | undefined): AmlObject | undefined {
    if (v?.type === 'Reference' && !v.name) {
      const r = v.to;
      // acpiexec crashes on a returned Index into a Buffer or String (it reads the byte as an
      // object pointer); nvtool gives the byte.
      if (r.kind === 'index' || r.kind === 'node') v = this.deref(r) ?? v;
    }
    const check = (o: AmlObject | undefined): void => {
      if (!o) return;
      switch (o.type) {
        case 'Integer': case 'String': case 'Buffer': case 'Processor': case 'PowerResource':
          return;
        case 'Package':
          return o.elements.forEach(check);
        case 'Reference':
          if (o.name) return;
          return amlFail('AE_TYPE', 'cannot convert to external object: unsupported reference class');
        default:
          return amlFail('AE_TYPE', `cannot convert to external object: unsupported type [${o.type}]`);
      }
    };
    check(v);
    return v;
  }

  private start(): void {
    this.deadline = performance.now() + this.o.budgetMs;
    this.ticks = 0;
  }

  private tick(): void {
    if ((++this.ticks & 1023) === 0 && performance.now() > this.deadline) amlFail('AE_TIME', `evaluation ran longer than its ${this.o.budgetMs} ms budget`);
  }

  // ---- methods ----

  /** Calls a method; `nested` false for the evaluation's own method (ACPICA: no walk state yet). */
  call(path: string, m: MethodObj, args: AmlObject[], nested = true): AmlObject | undefined {
    if (path === '\\_OSI') {
      const s = args[0];
      if (!s || s.type !== 'String') amlFail('AE_AML_OPERAND_TYPE', '_OSI needs a String');
      // ACPI_UINT64_MAX even in a 32-bit table (`AcpiUtOsiImplementation`): a caller's operator truncates it.
      return int(OSI_STRINGS.includes(s.value) ? (1n << 64n) - 1n : 0n);
    }
    // Per method, as ACPICA's thread count (`AcpiDsBeginMethodExecution`): mutual recursion of n methods goes n x 255 deep.
    if (m.active >= 255) amlFail('AE_AML_METHOD_LIMIT', `${path}: reached the maximum reentrancy limit (255)`);
    if (this.depth >= this.o.maxCallDepth) amlFail('AE_AML_METHOD_LIMIT', `${path}: more than ${this.o.maxCallDepth} nested calls`);
    // The evaluation's thread starts at its method's SyncLevel (ACPICA `AcpiPsParseAml`).
    if (!nested) this.syncLevel = m.syncLevel;
    if (m.serialized) this.enterSerialized(m, nested);
    const f: Frame = { method: path, scope: segsOf(path), locals: new Array(8).fill(undefined), args: new Array(7).fill(undefined), created: [] };
    // Arguments are the caller's objects, not copies (`AcpiDsMethodDataInitArgs` adds a reference):
    // a Buffer, String or Package changed through Index (Arg0, i) or a buffer field is changed for
    // the caller too; a Store into ArgX replaces what the Arg holds.
    for (let i = 0; i < m.argc; i++) f.args[i] = args[i];
    m.active++;
    this.depth++;
    try {
      this.execList(m.body as Term[], f);
      return f.ret;
    } catch (e) {
      if (e instanceof AmlError && !e.method) throw new AmlError(e.status, e.reason.replace(/^[A-Z_]+: /, ''), path);
      throw e;
    } finally {
      m.active--;
      this.depth--;
      for (const p of f.created) this.ns.remove(p);
      if (m.serialized) this.exitSerialized(m);
    }
  }

  /**
   * A Serialized method's implicit mutex (ACPICA `AcpiDsBeginMethodExecution`): a nested call is
   * refused when the current SyncLevel is above the method's, even a recursive one, and the first
   * one raises the SyncLevel to the method's. The evaluation's own method is not checked (no walk
   * state there yet).
   */
  private enterSerialized(m: MethodObj, nested: boolean): void {
    if (nested && this.syncLevel > m.syncLevel) amlFail('AE_AML_MUTEX_ORDER', `cannot acquire the mutex of ${m.path}: current SyncLevel ${this.syncLevel} is above its ${m.syncLevel}`);
    const mx = (m.mutex ??= { type: 'Mutex', syncLevel: m.syncLevel, depth: 0, savedLevel: 0 });
    if (mx.depth === 0) {
      mx.savedLevel = nested ? this.syncLevel : m.syncLevel;
      this.syncLevel = m.syncLevel;
    }
    mx.depth++;
  }

  /** The method's end gives back its mutex and restores the SyncLevel saved (`AcpiDsTerminateControlMethod`), no order check. */
  private exitSerialized(m: MethodObj): void {
    const mx = m.mutex!;
    if (--mx.depth === 0) this.syncLevel = mx.savedLevel;
  }

  /** Acquire (ACPICA `AcpiExAcquireMutex`): the order is checked before a re-acquire by the owner. */
  acquire(m: MutexObj): void {
    if (this.syncLevel > m.syncLevel) amlFail('AE_AML_MUTEX_ORDER', `acquiring a mutex of SyncLevel ${m.syncLevel} while at level ${this.syncLevel}`);
    if (m.depth > 0) {
      m.depth++;
      return;
    }
    m.depth = 1;
    m.savedLevel = this.syncLevel;
    this.syncLevel = m.syncLevel;
    this.held.push(m);
  }

  /**
   * Release (ACPICA `AcpiExReleaseMutex`): the mutex's level must be the current one at every
   * release, nested ones too; the last release restores the level saved by the mutex acquired
   * most recently (the head of the thread's list), not necessarily this one's.
   */
  release(m: MutexObj): void {
    if (m.depth === 0) amlFail('AE_AML_MUTEX_NOT_ACQUIRED', 'releasing a mutex that is not held');
    if (m.syncLevel !== this.syncLevel) amlFail('AE_AML_MUTEX_ORDER', `releasing a mutex of SyncLevel ${m.syncLevel} while at level ${this.syncLevel}`);
    const previous = this.held[this.held.length - 1]!.savedLevel;
    if (--m.depth === 0) {
      this.syncLevel = previous;
      this.held = this.held.filter((x) => x !== m);
    }
  }

  // ---- statements ----

  execList(terms: readonly Term[], f: Frame): Flow {
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      this.tick();
      if (t.t !== 'op') {
        this.eval(t, f);
        continue;
      }
      let flow = Flow.Next;
      switch (t.op) {
        case 'If': {
          const next = terms[i + 1];
          const hasElse = next?.t === 'op' && next.op === 'Else';
          if (this.predicate(t.args[0] as Term, f)) flow = this.execList(listOf(t.args[1]), f);
          else if (hasElse) flow = this.execList(listOf((next as OpTerm).args[0]), f);
          if (hasElse) i++;
          break;
        }
        case 'Else':
          break;
        case 'While':
          flow = this.execWhile(t, f);
          break;
        case 'Break':
          return Flow.Break;
        case 'Continue':
          return Flow.Continue;
        case 'Return':
          f.ret = this.returnValue(t.args[0] as Term, f);
          return Flow.Return;
        case 'Noop':
        case 'BreakPoint':
        case 'External':
          break;
        default:
          if (this.define(t, f)) break;
          this.eval(t, f);
      }
      if (flow !== Flow.Next) return flow;
    }
    return Flow.Next;
  }

  /** Return passes an operator's Index reference on unchanged (`AcpiDsExecEndControlOp`); the caller's operator resolves it. */
  private returnValue(t: Term, f: Frame): AmlObject | undefined {
    let v = this.eval(t, f);
    // A package element's named reference (`DerefOf (Index (P, i))` of a Device) is resolved to the object.
    if (v?.type === 'Reference' && v.name && !isSlotTerm(t)) v = this.resolved(v);
    return v && v.type !== 'Reference' ? copyObject(v) : v;
  }

  private execWhile(t: OpTerm, f: Frame): Flow {
    const until = performance.now() + this.o.loopTimeoutMs;
    for (let n = 0; ; n++) {
      this.tick();
      if (!this.predicate(t.args[0] as Term, f)) return Flow.Next;
      const flow = this.execList(listOf(t.args[1]), f);
      if (flow === Flow.Break) return Flow.Next;
      if (flow === Flow.Return) return flow;
      // ACPICA checks its loop timeout at the end of each iteration (`AcpiDsExecEndControlOp`),
      // so an outer loop whose iterations are slow inner loops stops on time too. After an
      // iteration ended by Continue, the timeout's status is dropped (`AcpiPsCompleteOp` ignores
      // what the While's end returns after AE_CTRL_CONTINUE) and the method goes on after the loop.
      if (n + 1 >= this.o.maxLoopIterations || performance.now() >= until) {
        if (flow === Flow.Continue) return Flow.Next;
        amlFail('AE_AML_LOOP_TIMEOUT', `While loop still running after ${n + 1} iterations`);
      }
    }
  }

  /**
   * If/While predicates are converted by `AcpiExConvertToInteger` directly
   * (`AcpiDsGetPredicateValue`): a value other than an Integer, String or Buffer (a Package, a
   * field object from DerefOf (RefOf (...))) is AE_TYPE, not the AE_AML_OPERAND_TYPE of operators.
   */
  private predicate(t: Term, f: Frame): boolean {
    const v = this.eval(t, f);
    if (v === undefined) amlFail('AE_AML_NO_RETURN_VALUE', 'predicate has no value (method returned nothing)');
    if (v.type !== 'Integer' && v.type !== 'String' && v.type !== 'Buffer') amlFail('AE_TYPE', `predicate must be an Integer, String or Buffer, found [${v.type}]`);
    // An Integer predicate is that object, truncated in place (`AcpiDsGetPredicateValue`).
    return (v.type === 'Integer' ? this.truncated(v).value : toInteger(v, this.w)) !== 0n;
  }

  // ---- named object creation ----

  private place(n: NameString, f: Frame): string {
    const p = this.ns.placeOf(n, f.scope);
    return p;
  }

  private defineAt(p: string, o: AmlObject, f: Frame): void {
    this.ns.define(p, o);
    if (f.method) f.created.push(p);
  }

  /** Named-object and namespace-modifier operators; false when `t` is not one. */
  private define(t: OpTerm, f: Frame): boolean {
    const a = t.args;
    switch (t.op) {
      case 'Scope':
      case 'Device':
      case 'Processor':
      case 'PowerResource':
      case 'ThermalZone': {
        const n = (a[0] as { name: NameString }).name;
        let p: string;
        if (t.op === 'Scope') {
          const r = this.ns.resolve(n, f.scope);
          if (!r) amlFail('AE_NOT_FOUND', `Scope ${formatName(n)} does not exist`);
          p = r;
        } else {
          p = this.place(n, f);
          this.defineAt(p, { type: t.op }, f);
        }
        const body = a[a.length - 1]!;
        this.execList(listOf(body), { ...f, scope: segsOf(p) });
        return true;
      }
      case 'Name': {
        const v = this.operand(a[1] as Term, f);
        // A package is kept as built: its elements naming data objects share them.
        this.defineAt(this.place(nameOf(a[0]), f), v.type === 'Package' ? v : copyObject(v), f);
        return true;
      }
      case 'Alias': {
        const target = this.ns.resolve(nameOf(a[0]), f.scope);
        if (!target) amlFail('AE_NOT_FOUND', `Alias target ${formatName(nameOf(a[0]))} does not exist`);
        const p = this.place(nameOf(a[1]), f);
        this.ns.alias(p, target);
        if (f.method) f.created.push(p);
        return true;
      }
      case 'Method': {
        const flags = (a[1] as { value: number }).value;
        const p = this.place(nameOf(a[0]), f);
        const m: MethodObj = { type: 'Method', path: p, argc: flags & 7, serialized: (flags & 8) !== 0, syncLevel: flags >> 4, body: listOf(a[2]), active: 0 };
        this.defineAt(p, m, f);
        return true;
      }
      case 'Mutex':
        this.defineAt(this.place(nameOf(a[0]), f), { type: 'Mutex', syncLevel: (a[1] as { value: number }).value & 15, depth: 0, savedLevel: 0 }, f);
        return true;
      case 'Event':
        this.defineAt(this.place(nameOf(a[0]), f), { type: 'Event', count: 0 }, f);
        return true;
      case 'OperationRegion': {
        const space = (a[1] as { value: number }).value;
        const offset = toInteger(this.operand(a[2] as Term, f), this.w);
        const length = toInteger(this.operand(a[3] as Term, f), this.w);
        this.defineAt(this.place(nameOf(a[0]), f), { type: 'OperationRegion', space, offset, length }, f);
        return true;
      }
      case 'Field':
      case 'IndexField':
      case 'BankField':
        this.defineFields(t, f);
        return true;
      case 'CreateBitField':
      case 'CreateByteField':
      case 'CreateWordField':
      case 'CreateDWordField':
      case 'CreateQWordField':
      case 'CreateField':
        this.createBufferField(t, f);
        return true;
      case 'DataTableRegion':
        return amlFail('AE_NOT_IMPLEMENTED', 'DataTableRegion');
      default:
        return false;
    }
  }

  private defineFields(t: OpTerm, f: Frame): void {
    const a = t.args;
    const mustResolve = (n: NameString): string => this.ns.resolve(n, f.scope) ?? amlFail('AE_NOT_FOUND', `${formatName(n)} does not exist`);
    let base: Omit<FieldUnitObj, 'bitOffset' | 'bitLength' | 'access' | 'update'>;
    let flags: number;
    let elems: FieldElement[];
    if (t.op === 'Field') {
      base = { type: 'FieldUnit', kind: 'region', region: mustResolve(nameOf(a[0])) };
      flags = (a[1] as { value: number }).value;
      elems = (a[2] as { elems: FieldElement[] }).elems;
    } else if (t.op === 'IndexField') {
      base = { type: 'FieldUnit', kind: 'index', region: '', indexPath: mustResolve(nameOf(a[0])), dataPath: mustResolve(nameOf(a[1])) };
      flags = (a[2] as { value: number }).value;
      elems = (a[3] as { elems: FieldElement[] }).elems;
    } else {
      const bankValue = toInteger(this.operand(a[2] as Term, f), this.w);
      base = { type: 'FieldUnit', kind: 'bank', region: mustResolve(nameOf(a[0])), bankPath: mustResolve(nameOf(a[1])), bankValue };
      flags = (a[3] as { value: number }).value;
      elems = (a[4] as { elems: FieldElement[] }).elems;
    }
    let access = flags & 15;
    const update = (flags >> 5) & 3;
    let bit = 0;
    for (const e of elems) {
      if (e.k === 'named') {
        this.defineAt(this.place({ root: false, parents: 0, segs: [e.name] }, f), { ...base, bitOffset: bit, bitLength: e.bits, access, update }, f);
        bit += e.bits;
      } else if (e.k === 'reserved') bit += e.bits;
      else if (e.k === 'access' || e.k === 'extaccess') access = e.type & 15;
    }
  }

  private createBufferField(t: OpTerm, f: Frame): void {
    const a = t.args;
    // The source operand is a Buffer; an Integer or String is converted to a new one (ARGI_BUFFER).
    // Operands evaluated first, then converted last to first (ACPICA `AcpiExResolveOperands`).
    const [operand, indexObj, lengthObj] = this.operands((t.op === 'CreateField' ? a.slice(0, 3) : a.slice(0, 2)) as Term[], f) as [AmlObject, AmlObject, AmlObject?];
    const length = lengthObj ? Number(toInteger(lengthObj, this.w)) : 0;
    const index = Number(toInteger(indexObj, this.w));
    const src = operand.type === 'Buffer' ? operand : buf(toBuffer(operand, this.w).slice());
    let bitOffset: number;
    let bitLength: number;
    let nameArg: Arg;
    if (t.op === 'CreateField') {
      bitOffset = index;
      bitLength = length;
      nameArg = a[3]!;
      if (bitLength === 0) amlFail('AE_AML_OPERAND_VALUE', 'CreateField with a length of 0 bits');
    } else {
      const bits = { CreateBitField: 1, CreateByteField: 8, CreateWordField: 16, CreateDWordField: 32, CreateQWordField: 64 }[t.op]!;
      bitOffset = t.op === 'CreateBitField' ? index : index * 8;
      bitLength = bits;
      nameArg = a[2]!;
    }
    if (bitOffset + bitLength > src.value.length * 8) amlFail('AE_AML_BUFFER_LIMIT', `field ends at bit ${bitOffset + bitLength}, beyond the ${src.value.length}-byte buffer`);
    const bf: BufferFieldObj = { type: 'BufferField', buffer: src, bitOffset, bitLength, createField: t.op === 'CreateField' };
    this.defineAt(this.place(nameOf(nameArg), f), bf, f);
  }

  // ---- expressions ----

  /** Evaluates a TermArg to an object; names give the named object itself (not a copy). */
  eval(t: Term, f: Frame): AmlObject | undefined {
    switch (t.t) {
      case 'int':
        return int(t.value & this.w.mask);
      case 'str':
        return { type: 'String', value: t.value };
      case 'name': {
        const p = this.ns.resolve(t.name, f.scope);
        if (!p) amlFail('AE_NOT_FOUND', `${formatName(t.name)} does not exist`);
        const o = this.ns.get(p)!;
        if (o.type === 'Method') return this.call(p, o, []);
        return this.readValue(o, p);
      }
      case 'call': {
        const p = this.ns.resolve(t.name, f.scope);
        if (!p) amlFail('AE_NOT_FOUND', `${formatName(t.name)} does not exist`);
        const m = this.ns.get(p)!;
        // Arguments keep Index references (`AcpiDsResolveOperands` under AML_INT_METHODCALL_OP).
        const args = this.operands(t.args, f, true);
        if (m.type !== 'Method') return this.readValue(m, p);
        return this.call(p, m, args);
      }
      case 'none':
        return undefined;
      case 'op':
        return this.evalOp(t, f);
    }
  }

  /**
   * A TermArg that must produce a value (ACPICA: `AE_AML_NO_RETURN_VALUE` when a call returns
   * nothing), resolved once as `AcpiExResolveToValue` does: an Index reference into a Package
   * that an operator, a call or Store produced is replaced by the element (uninitialized:
   * `AE_AML_UNINITIALIZED_ELEMENT`), while a LocalX/ArgX gives what it holds and no more, so an
   * Index or RefOf reference held in a Local stays a reference (and is `AE_AML_OPERAND_TYPE` where
   * data is needed). `keepIndex`: Store's source (`ARGI_DATAREFOBJ`), CopyObject's, a method
   * call's arguments and DerefOf's operand keep the reference (`AcpiExResolveObjectToValue`,
   * `AcpiExResolveOperands`).
   */
  operand(t: Term, f: Frame, keepIndex = false): AmlObject {
    const v = this.evalOperand(t, f) ?? noReturnValue();
    return keepIndex || isSlotTerm(t) ? v : this.resolved(v);
  }

  /**
   * `operand`, except that a call returning nothing gives undefined: ACPICA notices the missing
   * value only when the operator collects its operands (`AcpiDsCreateOperands` popping an empty
   * result stack), after every operand has been evaluated, so a later operand's error wins. Not
   * resolved yet either: that (`resolved`) happens when the operator resolves its operands, after
   * all of them ran, so an Index to an empty element fails after a later operand's error.
   */
  evalOperand(t: Term, f: Frame): AmlObject | undefined {
    const v = this.eval(t, f);
    if (v === undefined) return undefined;
    // A field object itself (from DerefOf of a RefOf) is read when used as an operand (`AcpiExResolveObjectToValue`).
    if (v.type === 'FieldUnit' || v.type === 'BufferField') return this.readValue(v, '');
    return v;
  }

  /**
   * An Index reference into a Package resolved to its element, a package element's named
   * reference (a Device, Method...) to the named object (ACPICA `AcpiExResolveObjectToValue`,
   * `ACPI_REFCLASS_INDEX` and `ACPI_REFCLASS_NAME`).
   */
  resolved(v: AmlObject): AmlObject {
    if (v.type !== 'Reference') return v;
    if (v.name && v.to.kind === 'node') return this.ns.get(v.to.path) ?? v;
    if (v.to.kind !== 'index' || v.to.of.type !== 'Package') return v;
    return v.to.of.elements[v.to.index] ?? amlFail('AE_AML_UNINITIALIZED_ELEMENT', 'attempt to dereference an Index to a NULL package element');
  }

  /**
   * An operator's operands: each evaluated in order, except LocalX/ArgX, which ACPICA pushes as
   * references and resolves only when the operator runs (`AcpiExResolveOperands`), so a Store into
   * a Local by a later operand is what an earlier `LocalX` operand reads; names are read at once.
   */
  operands(terms: readonly Term[], f: Frame, keepIndex = false): AmlObject[] {
    const now = terms.map((t) => (isSlotTerm(t) ? undefined : this.evalOperand(t, f)));
    if (terms.some((t, i) => !isSlotTerm(t) && now[i] === undefined)) noReturnValue();
    // Resolved from the last to the first, as `AcpiExResolveOperands` walks the operand stack.
    const out: AmlObject[] = new Array(terms.length);
    for (let i = terms.length - 1; i >= 0; i--) {
      const v = now[i];
      // A call's arguments keep Index references but not a package element's named reference
      // (`AcpiDsResolveOperands`: only ACPI_REFCLASS_INDEX is spared under AML_INT_METHODCALL_OP).
      out[i] = v === undefined ? this.operand(terms[i]!, f, keepIndex) : keepIndex && !(v.type === 'Reference' && v.name) ? v : this.resolved(v);
    }
    return out;
  }

  /**
   * An Integer truncated to the table's width in place (`AcpiExTruncateFor32bitTable`): an
   * operator's result, a predicate. Store's result is its source object itself, so an Arg
   * holding a wider external Integer is cut by `Local0 = Arg0`.
   */
  private truncated<T extends AmlObject>(v: T): T {
    if (v.type === 'Integer' && v.value > this.w.mask) v.value &= this.w.mask;
    return v;
  }

  /** A named object read as an operand: fields are read, data objects returned as they are. */
  readValue(o: AmlObject, path: string): AmlObject {
    if (o.type === 'FieldUnit') return this.readField(o);
    if (o.type === 'BufferField') return this.readBufferField(o);
    if (o.type === 'Uninitialized') amlFail('AE_AML_UNINITIALIZED_NODE', `${path} is uninitialized`);
    return o;
  }

  /**
   * An operator's Integer result is truncated to the table's width in place (`AcpiDsExecEndOp`),
   * also when it is an existing object: Store's source, DerefOf's element (a LocalX/ArgX read is
   * no operator). Only external arguments and `_OSI`'s answer are ever wider.
   */
  private evalOp(t: OpTerm, f: Frame): AmlObject | undefined {
    const v = this.execOp(t, f);
    return v?.type === 'Integer' && !isSlotTerm(t) ? this.truncated(v) : v;
  }

  private execOp(t: OpTerm, f: Frame): AmlObject | undefined {
    const a = t.args;
    switch (t.op) {
      case 'Local0': case 'Local1': case 'Local2': case 'Local3': case 'Local4': case 'Local5': case 'Local6': case 'Local7': {
        const v = f.locals[Number(t.op[5])];
        if (v === undefined) amlFail('AE_AML_UNINITIALIZED_LOCAL', `${t.op} is uninitialized`);
        return v;
      }
      case 'Arg0': case 'Arg1': case 'Arg2': case 'Arg3': case 'Arg4': case 'Arg5': case 'Arg6': {
        const v = f.args[Number(t.op[3])];
        if (v === undefined) amlFail('AE_AML_UNINITIALIZED_ARG', `${t.op} is uninitialized`);
        return v;
      }
      case 'Debug':
        return { type: 'Debug' };
      case 'Revision':
        return int(ACPICA_REVISION & this.w.mask);
      case 'Timer':
        return int(BigInt(Math.floor(performance.now() * 10_000)) & this.w.mask);
      case 'Buffer': {
        const size = Number(toInteger(this.operand(a[0] as Term, f), this.w));
        const init = (a[1] as { bytes: Uint8Array }).bytes;
        const out = new Uint8Array(Math.max(size, init.length));
        out.set(init);
        return buf(out);
      }
      case 'Package':
      case 'VarPackage': {
        const n = t.op === 'Package' ? (a[0] as { value: number }).value : Number(toInteger(this.operand(a[0] as Term, f), this.w));
        const elems = listOf(a[1]);
        const out: (AmlObject | undefined)[] = new Array(n).fill(undefined);
        for (let i = 0; i < Math.min(n, elems.length); i++) out[i] = this.element(elems[i]!, f, out, i);
        return { type: 'Package', elements: out };
      }
      case 'Notify': {
        const target = this.superName(a[0] as Term, f);
        const value = toInteger(this.operand(a[1] as Term, f), this.w);
        this.notifications.push({ path: target.kind === 'node' ? target.path : '', value });
        return undefined;
      }
      case 'Acquire': {
        const m = this.deref(this.superName(a[0] as Term, f));
        if (m?.type !== 'Mutex') amlFail('AE_AML_OPERAND_TYPE', 'Acquire needs a Mutex');
        this.acquire(m);
        return int(0n);
      }
      case 'Release': {
        const m = this.deref(this.superName(a[0] as Term, f));
        if (m?.type !== 'Mutex') amlFail('AE_AML_OPERAND_TYPE', 'Release needs a Mutex');
        this.release(m);
        return undefined;
      }
      case 'Sleep':
        // ACPICA sleeps (at most 2 s, `AcpiExSystemDoSleep`); nothing here depends on time passing.
        this.operand(a[0] as Term, f);
        return undefined;
      case 'Stall':
        // More than 255 microseconds (of the value's low 32 bits) is refused (`AcpiExSystemDoStall`).
        if ((toInteger(this.operand(a[0] as Term, f), this.w) & 0xffffffffn) > 255n) amlFail('AE_AML_OPERAND_VALUE', 'Stall time parameter is too large (over 255 us)');
        return undefined;
      case 'Signal': case 'Reset': case 'Wait': {
        const ev = this.deref(this.superName(a[0] as Term, f));
        if (ev?.type !== 'Event') return amlFail('AE_AML_OPERAND_TYPE', `${t.op} needs an Event`);
        if (t.op === 'Signal') ev.count++;
        else if (t.op === 'Reset') ev.count = 0;
        else {
          this.operand(a[1] as Term, f);
          // One thread: nothing can signal the event while Wait waits, so an unsignalled event
          // times out at once (True); acpiexec sleeps the timeout first, forever for 0xFFFF.
          if (ev.count === 0) return int(this.w.mask);
          ev.count--;
          return int(0n);
        }
        return undefined;
      }
      case 'Fatal': {
        // The OS is signalled and the method goes on (`AcpiExOpcode_3A_0T_0R`: AcpiOsSignal returns
        // AE_OK in acpiexec and Linux, "might return while OS is shutting down, just continue").
        const arg = toInteger(this.operand(a[2] as Term, f), this.w) & 0xffffffffn;
        this.fatals.push({ type: (a[0] as { value: number }).value, code: (a[1] as { value: number }).value, arg });
        return undefined;
      }
      case 'Load': case 'LoadTable': case 'Unload':
        return amlFail('AE_NOT_IMPLEMENTED', `${t.op} is not supported`);
      case 'Store': {
        const src = a[0] as Term;
        let v = this.operand(src, f, true);
        // The target runs before Store resolves its source (`AcpiDsExecEndOp`); the source must then
        // be data, a field or a reference (`ARGI_DATAREFOBJ`, a package element's named reference
        // resolved to its object), anything but the Debug object taking any.
        const target = this.targetOf(a[1] as Term, f);
        if (!isSlotTerm(src) && v.type === 'Reference' && v.name) v = this.resolved(v);
        if (!STORE_SOURCE.has(v.type) && !('term' in target && target.term.t === 'op' && target.term.op === 'Debug')) amlFail('AE_AML_OPERAND_TYPE', `Store needs an Integer, Buffer, String, Package or reference, found [${v.type}]`);
        // Store's result, the source itself, is truncated after the store (evalOp). A LocalX, ArgX or
        // name source is shared, so the target took a copy of the wider value first; a call's or
        // operator's result is not, and the Local keeps that very object, truncated too
        // (`AcpiDsStoreObjectToLocal` copies only an object with more than one reference).
        if (!isSlotTerm(src) && src.t !== 'name') this.truncated(v);
        this.storeTo(target, v, f);
        return v;
      }
      case 'CopyObject': {
        // CopyObject's result is the copy (`AcpiExOpcode_1A_1T_1R`): the source keeps its value.
        const v = this.truncated(copyObject(this.operand(a[0] as Term, f, true)));
        this.store(a[1] as Term, v, f, true);
        return v;
      }
      case 'RefOf':
        return { type: 'Reference', to: this.superName(a[0] as Term, f) };
      case 'CondRefOf': {
        const target = a[0] as Term;
        if (target.t === 'name' && !this.ns.resolve(target.name, f.scope)) return int(0n);
        const ref: ReferenceObj = { type: 'Reference', to: this.superName(target, f) };
        this.store(a[1] as Term, ref, f, false);
        return int(this.w.mask);
      }
      case 'DerefOf': {
        const slotTerm = a[0] as Term;
        const v = this.operand(slotTerm, f, true);
        // DerefOf (LocalX/ArgX) holding neither a reference nor a String reads the object as a
        // reference and finds no class it knows (ACPICA `AcpiExOpcode_1A_0T_1R`): AE_TYPE.
        if (isSlotTerm(slotTerm) && v.type !== 'Reference' && v.type !== 'String') amlFail('AE_TYPE', `DerefOf: unknown class in reference ([${v.type}])`);
        if (v.type === 'Reference') {
          // DerefOf of a RefOf gives the node's object: a field's object, read only where it is
          // used as an operand; Return passes it on unread. Through a LocalX/ArgX holding the
          // RefOf, the field is read at once (ACPICA `AcpiExOpcode_1A_0T_1R`, "June 2013").
          const o = v.to.kind === 'node' && !isSlotTerm(slotTerm) ? this.ns.get(v.to.path) : undefined;
          if (o?.type === 'FieldUnit' || o?.type === 'BufferField') return o;
          return this.derefValue(v.to);
        }
        if (v.type === 'String') {
          const p = this.ns.resolve(parseNameText(v.value), f.scope);
          if (!p) amlFail('AE_NOT_FOUND', `DerefOf("${v.value}"): no such object`);
          return this.readValue(this.ns.get(p)!, p);
        }
        return amlFail('AE_AML_OPERAND_TYPE', `DerefOf needs a reference, found [${v.type}]`);
      }
      case 'Index': {
        const [src, iObj] = this.operands([a[0] as Term, a[1] as Term], f) as [AmlObject, AmlObject];
        const i = toInteger(iObj, this.w);
        const ref = indexRef(src, i);

        this.store(a[2] as Term, ref, f, false);
        return ref;
      }
      case 'SizeOf': {
        // The object itself, fields not read (ACPICA `AcpiExResolveMultiple`): a field unit is AE_AML_OPERAND_TYPE.
        const { obj: v, code } = this.baseObject(this.objectOf(a[0] as Term, f));
        switch (v?.type) {
          case 'String': return int(BigInt(v.value.length));
          case 'Buffer': return int(BigInt(v.value.length));
          case 'Package': return int(BigInt(v.elements.length));
          case 'Integer': return int(BigInt(this.w.bits / 8));
          default: return amlFail('AE_AML_OPERAND_TYPE', `SizeOf needs a String, Buffer or Package, found type ${code}`);
        }
      }
      case 'ObjectType': {
        const target = a[0] as Term;
        const o = isSlotTerm(target) ? this.slot(target.op, f)[0][this.slot(target.op, f)[1]] : this.objectOf(target, f);
        return int(BigInt(this.baseObject(o).code));
      }
      case 'Increment':
      case 'Decrement': {
        const target = a[0] as Term;
        // The operand is resolved as LNot's (`AcpiExOpcode_1A_0T_1R`): a Local holding a RefOf or
        // Index reference gives the reference, which is no Integer (AE_AML_OPERAND_TYPE).
        const cur = toInteger(this.superValue(target, f), this.w);
        const v = int((t.op === 'Increment' ? cur + 1n : cur - 1n) & this.w.mask);
        this.store(target, v, f, false);
        return v;
      }
      default:
        return execOperator(this, t, f);
    }
  }

  /**
   * A Package element. A name not defined yet is, in a table's module-level code, resolved once
   * every table is loaded (ACPICA defers module-level package elements so that they can refer
   * forward: `AcpiDsBuildInternalPackageObj`, then `AcpiDsInitPackageElement` from
   * `AcpiNsInitializeObjects`); inside a method, or still unknown then, it is an empty element.
   */
  private element(t: Term, f: Frame, out: (AmlObject | undefined)[], i: number): AmlObject | undefined {
    if (t.t === 'name') {
      const p = this.ns.resolve(t.name, f.scope);
      if (p) return this.namedElement(p);
      if (!f.method) this.pendingElements.push({ elements: out, index: i, name: t.name, scope: f.scope });
      return undefined;
    }
    return this.operand(t, f);
  }

  /** The element a name resolved to: the data object itself, a field's value, else a named reference. */
  private namedElement(p: string): AmlObject {
    const o = this.ns.get(p)!;
    // Data objects and fields give their value (ACPICA `AcpiDsResolvePackageElement` resolves the
    // name to its object, `AcpiExResolveNodeToValue` reads fields); anything else stays a reference.
    // The element is the named object itself, not a copy (`AcpiDsResolvePackageElement`), so a
    // later Store into the name shows through the package; a field is read once, now.
    if (o.type === 'Integer' || o.type === 'String' || o.type === 'Buffer' || o.type === 'Package') return o;
    if (o.type === 'FieldUnit' || o.type === 'BufferField') return copyObject(this.readValue(o, p));
    return { type: 'Reference', to: { kind: 'node', path: p }, name: true };
  }

  private slot(op: string, f: Frame): [(AmlObject | undefined)[], number] {
    return op.startsWith('Local') ? [f.locals, Number(op[5])] : [f.args, Number(op[3])];
  }

  /** What a SuperName designates, without reading it. */
  superName(t: Term, f: Frame): RefTarget {
    if (t.t === 'name') {
      const p = this.ns.resolve(t.name, f.scope);
      if (!p) amlFail('AE_NOT_FOUND', `${formatName(t.name)} does not exist`);
      return { kind: 'node', path: p };
    }
    if (t.t === 'op') {
      if (/^Local\d$/.test(t.op)) return { kind: 'local', slots: f.locals, index: Number(t.op[5]) };
      if (/^Arg\d$/.test(t.op)) {
        const v = f.args[Number(t.op[3])];
        // An Arg holding a reference stands for what it refers to (ACPICA `AcpiDsMethodDataGetValue`).
        if (v?.type === 'Reference') return v.to;
        return { kind: 'arg', slots: f.args, index: Number(t.op[3]) };
      }
      const v = this.eval(t, f);
      if (v?.type === 'Reference') return v.to;
      if (t.op === 'Debug') return { kind: 'node', path: '' };
    }
    return amlFail('AE_AML_OPERAND_TYPE', 'not a SuperName');
  }

  /** A SuperName read as an operand. */
  private superValue(t: Term, f: Frame): AmlObject {
    return this.operand(t, f);
  }

  /** The object a SuperName designates, nothing read. */
  private objectOf(t: Term, f: Frame): AmlObject | undefined {
    return isSlotTerm(t) ? this.operand(t, f) : this.deref(this.superName(t, f));
  }

  /**
   * What ObjectType and SizeOf look at (ACPICA `AcpiExResolveMultiple`): references followed to
   * their base object; an Index into a Buffer or String is of type BufferField with no object
   * behind it, an Index into a Package is its element (none: type 0).
   */
  private baseObject(o: AmlObject | undefined): { code: number; obj?: AmlObject } {
    for (let n = 0; o?.type === 'Reference' && n < 64; n++) {
      const r = o.to;
      if (r.kind === 'index' && r.of.type !== 'Package') return { code: OBJECT_TYPE_CODE.BufferField };
      o = this.deref(r);
    }
    return o ? { code: OBJECT_TYPE_CODE[o.type], obj: o } : { code: 0 };
  }

  /** The object a reference designates (fields not read). */
  deref(r: RefTarget): AmlObject | undefined {
    switch (r.kind) {
      case 'node':
        return this.ns.get(r.path);
      case 'local':
      case 'arg':
        return r.slots[r.index];
      case 'index':
        if (r.of.type === 'Package') return r.of.elements[r.index];
        return int(BigInt(r.of.type === 'Buffer' ? r.of.value[r.index]! : r.of.value.charCodeAt(r.index)));
    }
  }

  /** DerefOf: the value a reference designates (fields read, uninitialized elements an error). */
  derefValue(r: RefTarget): AmlObject {
    const o = this.deref(r);
    if (o === undefined) amlFail(r.kind === 'index' ? 'AE_AML_UNINITIALIZED_ELEMENT' : r.kind === 'arg' ? 'AE_AML_UNINITIALIZED_ARG' : 'AE_AML_UNINITIALIZED_LOCAL', 'dereferenced an uninitialized object');
    return r.kind === 'node' ? this.readValue(o, r.path) : o;
  }

  // ---- stores ----

  /** Store (`copy` false) or CopyObject (`copy` true) of `v` into a Target (ACPICA `AcpiExStore`). */
  store(t: Term, v: AmlObject, f: Frame, copy: boolean): void {
    if (t.t === 'none') return;
    if (t.t === 'op' && t.op === 'Debug') {
      this.debugLog.push(copyObject(v));
      return;
    }
    if (t.t === 'op' && /^Local\d$/.test(t.op)) {
      f.locals[Number(t.op[5])] = copyObject(v);
      return;
    }
    if (t.t === 'op' && /^Arg\d$/.test(t.op)) {
      const i = Number(t.op[3]);
      const cur = f.args[i];
      // An Arg holding a RefOf is stored through, by Store and CopyObject alike, with no implicit
      // conversion (ACPICA `AcpiDsStoreObjectToLocal` -> `AcpiExStoreObjectToNode(...,
      // ACPI_NO_IMPLICIT_CONVERSION)`); one holding an Index reference is simply replaced.
      if (cur?.type === 'Reference' && cur.to.kind !== 'index') return this.storeThroughRefOf(cur.to, v, copy);
      f.args[i] = copyObject(v);
      return;
    }
    this.storeRef(this.superName(t, f), v, copy);
  }

  /**
   * A Target evaluated ahead of its store: an Index or DerefOf (or other reference-producing)
   * target gives its reference now; a name, LocalX, ArgX, Debug or none is resolved at the store.
   */
  targetOf(t: Term, f: Frame): StoreTarget {
    return t.t === 'op' && t.op !== 'Debug' && !isSlotTerm(t) ? { ref: this.superName(t, f) } : { term: t };
  }

  /** Store (not CopyObject) into a Target from `targetOf`. */
  storeTo(tg: StoreTarget, v: AmlObject, f: Frame): void {
    if ('ref' in tg) this.storeRef(tg.ref, v, false);
    else this.store(tg.term, v, f, false);
  }

  storeRef(r: RefTarget, v: AmlObject, copy: boolean): void {
    switch (r.kind) {
      case 'local':
      case 'arg':
        r.slots[r.index] = copyObject(v);
        return;
      case 'index':
        return this.storeIndex(r.of, r.index, v);
      case 'node':
        return this.storeNode(r.path, v, copy);
    }
  }

  private storeIndex(of: BufferObj | { type: 'String'; value: string } | { type: 'Package'; elements: (AmlObject | undefined)[] }, i: number, v: AmlObject): void {
    if (of.type === 'Package') {
      of.elements[i] = copyObject(v);
      return;
    }
    let byte: number;
    if (v.type === 'Integer') byte = Number(v.value & 0xffn);
    // ACPICA (`AcpiExStoreObjectToIndex`) reads the source's first byte through its pointer, which
    // is NULL for a zero-length Buffer: acpiexec crashes there; nvtool refuses it cleanly instead.
    else if (v.type === 'Buffer') byte = v.value.length ? v.value[0]! : amlFail('AE_AML_BUFFER_LIMIT', 'a zero-length Buffer has no byte to store into a buffer element');
    else if (v.type === 'String') byte = v.value.charCodeAt(0) & 0xff;
    else return amlFail('AE_AML_OPERAND_TYPE', `cannot store [${v.type}] into a buffer element`);
    if (of.type === 'Buffer') of.value[i] = byte;
    else of.value = of.value.slice(0, i) + String.fromCharCode(byte) + of.value.slice(i + 1);
  }

  private storeThroughRefOf(r: RefTarget, v: AmlObject, copy: boolean): void {
    if (r.kind !== 'node') return this.storeRef(r, v, copy);
    const target = this.ns.get(r.path)!;
    if (target.type === 'FieldUnit' || target.type === 'BufferField' || copy) return this.storeNode(r.path, v, copy);
    // Store keeps its target-type rules (`AcpiExStoreObjectToNode`, `AcpiExResolveObject`), then stores directly.
    if (target.type === 'Package' && v.type !== 'Package') amlFail('AE_AML_TARGET_TYPE', `cannot assign [${v.type}] to [Package]`);
    const simple = (o: AmlObject): boolean => o.type === 'Integer' || o.type === 'String' || o.type === 'Buffer';
    // A reference is resolved first, so an Index to an empty element fails as such (`AcpiExResolveObject`).
    if (simple(target) && v.type === 'Reference') this.resolved(v);
    if (simple(target) && !simple(v)) amlFail('AE_AML_OPERAND_TYPE', `cannot assign [${v.type}] to [${target.type}] (must be type Int/Str/Buf)`);
    this.storeNode(r.path, v, target.type === 'Integer' || target.type === 'String' || target.type === 'Buffer' || target.type === 'Package');
  }

  private storeNode(path: string, v: AmlObject, copy: boolean): void {
    const target = this.ns.get(path)!;
    // Store into an Integer, String, Buffer or field resolves a reference source first
    // (`AcpiExResolveObject`: an Index to an empty element is AE_AML_UNINITIALIZED_ELEMENT), then
    // checks the reference it was given, not what it resolved to: AE_AML_OPERAND_TYPE. CopyObject
    // resolves no Index (`AcpiExResolveObjectToValue` under AML_COPY_OBJECT_OP) and copies it.
    if (!copy && v.type === 'Reference' && RESOLVED_FOR.has(target.type)) {
      this.resolved(v);
      amlFail('AE_AML_OPERAND_TYPE', `cannot assign [Reference] to [${target.type}] (must be type Int/Str/Buf)`);
    }
    if (target.type === 'FieldUnit') return this.writeField(target, v);
    if (target.type === 'BufferField') return this.writeBufferField(target, v);
    if (copy) return this.ns.set(path, copyObject(v));
    switch (target.type) {
      // Integers and Strings are changed in place (`AcpiExStoreObjectToObject`): packages naming them see it.
      case 'Integer':
        target.value = toInteger(v, this.w) & this.w.mask;
        return;
      case 'String':
        if (v.type === 'Package') amlFail('AE_AML_OPERAND_TYPE', 'cannot store [Package] into a String');
        target.value = toStringValue(v, this.w);
        return;
      case 'Buffer': {
        // `AcpiExStoreBufferToBuffer`: a shorter source clears the rest, a longer one is truncated;
        // a zero-length target takes the source's length (a String's with its NUL, `AcpiExConvertToBuffer`).
        const src = toBuffer(v, this.w);
        if (target.value.length === 0) {
          target.value = src.slice();
          return;
        }
        const n = Math.min(src.length, target.value.length);
        if (src.length <= target.value.length) target.value.fill(0);
        target.value.set(src.subarray(0, n));
        return;
      }
      case 'Package':
        if (v.type !== 'Package') amlFail('AE_AML_TARGET_TYPE', `cannot assign [${v.type}] to [Package]`);
        return this.ns.set(path, copyObject(v));
      case 'Device': case 'Event': case 'Mutex': case 'OperationRegion': case 'PowerResource': case 'Processor': case 'ThermalZone':
        return amlFail('AE_AML_TARGET_TYPE', `target must be [Buffer/Integer/String/Reference], found [${target.type}]`);
      default:
        return this.ns.set(path, copyObject(v));
    }
  }

  // ---- fields ----

  private datumIo(fu: FieldUnitObj): { io: DatumIo; startBit: number } {
    if (fu.kind === 'index') {
      const index = this.ns.get(fu.indexPath!) as FieldUnitObj;
      const data = this.ns.get(fu.dataPath!) as FieldUnitObj;
      const width = accessWidth(fu.access);
      const baseByte = Math.floor(fu.bitOffset / 8 / width) * width;
      // IndexField: the index register gets the datum's byte offset, the data register moves it (`exfldio.c`).
      const io: DatumIo = {
        width,
        read: (off) => {
          this.writeField(index, int(BigInt(baseByte + off)));
          return toInteger(this.readField(data), widthOf(64));
        },
        write: (off, value) => {
          this.writeField(index, int(BigInt(baseByte + off)));
          this.writeField(data, int(value));
        },
      };
      return { io, startBit: fu.bitOffset - baseByte * 8 };
    }
    const region = this.ns.get(fu.region);
    if (region?.type !== 'OperationRegion') return amlFail('AE_AML_OPERAND_TYPE', `${fu.region} is not an OperationRegion`);
    if (fu.kind === 'bank') this.writeField(this.ns.get(fu.bankPath!) as FieldUnitObj, int(fu.bankValue!));
    const handler = this.o.handlers?.[region.space];
    if (!handler) amlFail('AE_NOT_EXIST', `no handler for address space ${region.space}`);
    const width = accessWidth(fu.access);
    const baseByte = Math.floor(fu.bitOffset / 8 / width) * width;
    const view: RegionView = { space: region.space, offset: region.offset, length: region.length };
    return { io: regionDatumIo(view, handler, baseByte, width, this.o.trace), startBit: fu.bitOffset - baseByte * 8 };
  }

  readField(fu: FieldUnitObj): AmlObject {
    const { io, startBit } = this.datumIo(fu);
    const bytes = extractField(io, startBit, fu.bitLength);
    return this.fieldValue(bytes, false);
  }

  writeField(fu: FieldUnitObj, v: AmlObject): void {
    const { io, startBit } = this.datumIo(fu);
    insertField(io, startBit, fu.bitLength, this.fieldSource(v), fu.update);
  }

  private readBufferField(bf: BufferFieldObj): AmlObject {
    const b = bf.buffer.value;
    const out = new Uint8Array(Math.ceil(bf.bitLength / 8));
    for (let i = 0; i < bf.bitLength; i++) {
      const at = bf.bitOffset + i;
      if ((b[at >> 3]! >> (at & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
    }
    return this.fieldValue(out, bf.createField);
  }

  private writeBufferField(bf: BufferFieldObj, v: AmlObject): void {
    const src = this.fieldSource(v);
    const b = bf.buffer.value;
    for (let i = 0; i < bf.bitLength; i++) {
      const bit = (src[i >> 3] ?? 0) >> (i & 7) & 1;
      const at = bf.bitOffset + i;
      b[at >> 3] = (b[at >> 3]! & ~(1 << (at & 7))) | (bit << (at & 7));
    }
  }

  /** A field's bits as a value: an Integer when they fit one (`AcpiExReadDataFromField`), else a Buffer. */
  private fieldValue(bytes: Uint8Array, alwaysBuffer: boolean): AmlObject {
    if (!alwaysBuffer && bytes.length <= this.w.bits / 8) {
      let v = 0n;
      for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
      return int(v);
    }
    return buf(bytes);
  }

  /** What a store writes into a field: an Integer's bytes, a Buffer's, a String's characters. */
  private fieldSource(v: AmlObject): Uint8Array {
    if (v.type === 'Integer') return intToBuf(v.value, this.w);
    if (v.type === 'Buffer') return v.value;
    if (v.type === 'String') return bytesOfString(v.value);
    return amlFail('AE_AML_OPERAND_TYPE', `cannot write [${v.type}] to a field`);
  }
}

export function noReturnValue(): never {
  return amlFail('AE_AML_NO_RETURN_VALUE', 'operand has no value (method returned nothing)');
}

/** Targets whose store resolves a reference source first (`AcpiExResolveObject`). */
const RESOLVED_FOR = new Set<AmlObject['type']>(['Integer', 'String', 'Buffer', 'FieldUnit', 'BufferField']);

/** What Store accepts as its source (ACPICA `AcpiExResolveOperands`, `ARGI_DATAREFOBJ`). */
const STORE_SOURCE = new Set<AmlObject['type']>(['Integer', 'String', 'Buffer', 'Package', 'BufferField', 'FieldUnit', 'Reference']);

function indexRef(src: AmlObject, i: bigint): ReferenceObj {
  let len: number;
  let status: 'AE_AML_BUFFER_LIMIT' | 'AE_AML_STRING_LIMIT' | 'AE_AML_PACKAGE_LIMIT';
  switch (src.type) {
    case 'Buffer': len = src.value.length; status = 'AE_AML_BUFFER_LIMIT'; break;
    case 'String': len = src.value.length; status = 'AE_AML_STRING_LIMIT'; break;
    case 'Package': len = src.elements.length; status = 'AE_AML_PACKAGE_LIMIT'; break;
    default: return amlFail('AE_AML_OPERAND_TYPE', `Index needs a Buffer, String or Package, found [${src.type}]`);
  }
  if (i >= BigInt(len)) amlFail(status, `Index (0x${i.toString(16)}) is beyond end of object (length 0x${len.toString(16)})`);
  return { type: 'Reference', to: { kind: 'index', of: src, index: Number(i) } };
}

function listOf(a: Arg | undefined): Term[] {
  return a && a.t === 'list' ? a.terms : [];
}

function nameOf(a: Arg | undefined): NameString {
  if (a && a.t === 'name') return a.name;
  return amlFail('AE_AML_BAD_OPCODE', 'expected a NameString');
}

function formatName(n: NameString): string {
  return (n.root ? '\\' : '^'.repeat(n.parents)) + n.segs.join('.');
}

function parseNameText(s: string): NameString {
  const root = s.startsWith('\\');
  let rest = root ? s.slice(1) : s;
  let parents = 0;
  while (rest.startsWith('^')) {
    parents++;
    rest = rest.slice(1);
  }
  return { root, parents, segs: rest === '' ? [] : rest.split('.').map((x) => x.toUpperCase().padEnd(4, '_')) };
}

export type { Frame };
export type StoreTarget = { term: Term } | { ref: RefTarget };

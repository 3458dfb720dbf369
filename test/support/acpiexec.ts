import { spawnSync } from 'node:child_process';
import type { AmlResultJson } from '../../src/aml/interp/index.js';
import { requireTool } from './tools.js';
import { jsonInteger } from '../../src/core/hex.js';

export interface AcpiexecEval {
  path: string;
  /** `AE_OK`, the status acpiexec reported, or `CRASH` when acpiexec died evaluating it (its signal handler's message). */
  status: string;
  /** The returned object (`{ type: 'Null' }` when none was returned). */
  result?: AmlResultJson;
  /** acpiexec's error lines for this evaluation (`ACPI Error: ...`, `Failed at ...`). */
  messages: string[];
}

/**
 * One acpiexec process evaluating many objects (its debugger's `evaluate PATH ARGS` commands on
 * stdin, one a line: `-b` takes at most 1023 characters), with
 * `-di` (no _INI/_STA at load), `-dr` (no repair of predefined names' results) and `-ds` (no
 * auto-serialization): the interpreter alone, as the ACPI specification describes it.
 */
export function acpiexecEvaluate(tables: readonly string[], evals: readonly { path: string; args?: readonly string[] }[], extra: readonly string[] = []): AcpiexecEval[] {
  const { got, failure } = runAcpiexec(tables, evals, extra);
  if (got.length !== evals.length || got.some((g) => g.status === 'CRASH')) throw new Error(failure);
  return got;
}

function runAcpiexec(tables: readonly string[], evals: readonly { path: string; args?: readonly string[] }[], extra: readonly string[]): { got: AcpiexecEval[]; failure: string } {
  const bin = requireTool('acpiexec', 'acpica-tools');
  const input = evals.map((e) => ['evaluate', e.path, ...(e.args ?? [])].join(' ') + '\n').join('') + 'quit\n';
  const r = spawnSync(bin, ['-di', '-dr', '-ds', ...extra, ...tables], { input, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 });
  const out = `${r.stdout ?? ''}`;
  const got = parseAcpiexecOutput(out);
  return { got, failure: `acpiexec gave ${got.length} results for ${evals.length} evaluations (exit ${r.status}):\n${out.slice(-3000)}${r.stderr ?? ''}` };
}

/**
 * `acpiexecEvaluate` that survives acpiexec crashing: an evaluation during which acpiexec died
 * (a NULL dereference in ACPICA, e.g. `AcpiExStoreObjectToIndex` reading the first byte of a
 * zero-length Buffer, whose pointer ACPICA leaves NULL) is left out and the whole list is run
 * again without it, from a fresh namespace, so the evaluations kept see the state of a run that
 * never had it. Returns the kept evaluations' results, their indexes, and the left-out indexes.
 */
export function acpiexecEvaluateSkippingCrashes(
  tables: readonly string[],
  evals: readonly { path: string; args?: readonly string[] }[],
  extra: readonly string[] = [],
): { results: AcpiexecEval[]; kept: number[]; crashed: number[] } {
  let kept = evals.map((_, i) => i);
  const crashed: number[] = [];
  for (;;) {
    const { got, failure } = runAcpiexec(tables, kept.map((i) => evals[i]!), extra);
    const dead = got.findIndex((g) => g.status === 'CRASH');
    if (dead < 0) {
      if (got.length !== kept.length) throw new Error(failure);
      return { results: got, kept, crashed };
    }
    crashed.push(kept[dead]!);
    kept = kept.filter((_, j) => j !== dead);
  }
}

/** The results of `evaluate` commands in acpiexec's output, in order. */
export function parseAcpiexecOutput(text: string): AcpiexecEval[] {
  const lines = text.split('\n');
  const out: AcpiexecEval[] = [];
  let cur: AcpiexecEval | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if ((m = /^Evaluating (\S+)/.exec(line))) {
      cur = { path: m[1]!, status: 'AE_OK', messages: [] };
      out.push(cur);
    } else if (cur && /^ACPI Exec: (Segmentation Fault|Terminating)/.test(line)) {
      cur.status = 'CRASH';
      cur.messages.push(line);
    } else if (cur && /^(ACPI Error|Firmware Error|Failed at)/.test(line)) {
      cur.messages.push(line);
    } else if (cur && (m = /^Evaluation of \S+ failed with status (AE_\w+)/.exec(line))) {
      cur.status = m[1]!;
    } else if (cur && /^No object was returned from evaluation of/.test(line)) {
      cur.result = { type: 'Null' };
    } else if (cur && /^Evaluation of \S+ returned object/.test(line)) {
      const p = { i: i + 1 };
      cur.result = parseValue(lines, p);
      i = p.i - 1;
    }
  }
  // An evaluation that printed neither a status nor a result did not finish (acpiexec died silently).
  for (const e of out) if (e.status === 'AE_OK' && !e.result) e.status = 'CRASH';
  return out;
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '"': '"', '\\': '\\' };

/** acpiexec's string escapes (ACPICA `AcpiUtPrintString`): C escapes, else `\\x%2.2X` of a signed char. */
function unescape(s: string): string {
  return s.replace(/\\(?:x(?:FFFFFF)?([0-9A-F]{2})|(.))/g, (_m, h: string | undefined, c: string | undefined) => (h ? String.fromCharCode(parseInt(h, 16)) : (ESCAPES[c!] ?? c!)));
}

function parseValue(lines: string[], p: { i: number }): AmlResultJson {
  const line = lines[p.i++]!.trim();
  let m: RegExpExecArray | null;
  if ((m = /^\[Integer\] = ([0-9A-F]+)/.exec(line))) return { type: 'Integer', value: jsonInteger(BigInt('0x' + m[1]!)) };
  // Non-printable characters are printed as `\\x%2.2X` of a signed char (`\\xFFFFFF80` for 0x80).
  if ((m = /^\[String\] Length [0-9A-F]+ = "(.*)"$/.exec(line))) return { type: 'String', value: unescape(m[1]!) };
  if ((m = /^\[Buffer\] Length ([0-9A-F]+) =(.*)$/.exec(line))) {
    const n = parseInt(m[1]!, 16);
    const bytes: string[] = [];
    let rest = m[2]!;
    for (;;) {
      const d = /[0-9A-F]{4}: ((?:[0-9A-F]{2} )*[0-9A-F]{2})/.exec(rest);
      if (d) bytes.push(...d[1]!.split(' '));
      if (bytes.length >= n || p.i >= lines.length) break;
      rest = lines[p.i++]!;
    }
    return { type: 'Buffer', hex: bytes.slice(0, n).join(' ').toLowerCase() };
  }
  if ((m = /^\[Package\] Contains (\d+) Elements:/.exec(line))) {
    const elements: AmlResultJson[] = [];
    for (let k = 0; k < Number(m[1]); k++) elements.push(parseValue(lines, p));
    return { type: 'Package', elements };
  }
  if (/^\[Null Object\]/.test(line)) return { type: 'Null' };
  if ((m = /^\[Object Reference\] = .*Name (\S{4})/.exec(line))) return { type: 'Reference', to: m[1]! };
  return { type: `unparsed: ${line}` };
}

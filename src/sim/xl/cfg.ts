/**
 * xl's configuration file syntax, as libxlu reads it (tools/libxl/libxlu_cfg_l.l, libxlu_cfg_y.y,
 * libxlu_cfg.c; specs/sim.md §7.1): `key = value` settings ended by a newline or `;`, `#` comments
 * to the end of the line, values that are strings ('...' or "..." with libxlu's backslash escapes),
 * numbers (`[0-9][0-9a-fx]*`, kept as text and converted later where a key wants a number) or
 * lists `[ v, v, ]` (newlines allowed inside, trailing comma allowed, lists nest). Keys are
 * `[a-z][._0-9a-z]*`. A key set twice keeps its last value. Errors are reported as xl prints them
 * (`FILE:LINE: config parsing error near `TEXT': MESSAGE`), with the column added; parsing goes on
 * after an error to the next newline (the grammar's `error NEWLINE` rule), so every error is listed.
 */

export type CfgValue = { kind: 'string'; text: string; line: number; col: number } | { kind: 'list'; items: CfgValue[]; line: number; col: number };

export interface CfgSetting {
  name: string;
  value: CfgValue;
  line: number;
}

export interface CfgError {
  line: number;
  col: number;
  /** What xl prints for it. */
  message: string;
}

export interface XlConfig {
  source: string;
  /** Every setting in file order (a key set twice appears twice; `get` returns the last). */
  settings: CfgSetting[];
  errors: CfgError[];
  /** libxlu's `likely_python`: a `+ - . ( ) :` outside a string; xl then warns about Python. */
  likelyPython: boolean;
}

type TokKind = 'IDENT' | 'NUMBER' | 'STRING' | 'NEWLINE' | "'='" | "','" | "'['" | "']'" | "';'" | '$end' | 'LEXERR';
interface Tok { kind: TokKind; text: string; value?: string; line: number; col: number }

export const PYTHON_WARNING = [
  'warning: Config file looks like it contains Python code.',
  'warning:  Arbitrary Python is no longer supported.',
  'warning:  See http://wiki.xen.org/wiki/PythonInXlConfig',
];

/** libxlu's `xlu__cfgl_dequote`: the text between the quotes with its escapes resolved, or the error. */
export function dequote(quoted: string): { text: string } | { error: string } {
  let out = '';
  const end = quoted.length - 1;
  for (let p = 1; p < end;) {
    const c = quoted[p++]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const nc = quoted[p++]!;
    const simple: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (nc in simple) out += simple[nc];
    else if (nc === 'x') {
      // NUMERIC_CHAR(2, 2, 16) after skipping one more character: at most 2 digits are read and
      // more than 2 are required, so libxlu refuses every \x escape.
      return { error: 'invalid digit after backslash hexnumerical character escape in quoted string' };
    } else if (nc >= '0' && nc <= '7') {
      // NUMERIC_CHAR(1, 3, 10) from the character after the digit: strtoul base 10 over at most 3
      // characters must consume 2 or more; the macro stores nothing, so the escape vanishes.
      const used = strtoul(quoted.slice(p, Math.min(p + 3, end)), 10).end;
      if (used <= 1) return { error: 'invalid digit after backslash octalnumerical character escape in quoted string' };
      p += used;
    } else return { error: 'invalid character after backlash in quoted string' };
  }
  return { text: out };
}

function lex(text: string): { toks: Tok[]; python: boolean } {
  const toks: Tok[] = [];
  let python = false;
  let line = 1;
  let col = 1;
  let i = 0;
  const adv = (n: number) => {
    for (let k = 0; k < n; k++, i++) {
      if (text[i] === '\n') { line++; col = 1; } else col++;
    }
  };
  const re = (r: RegExp) => {
    r.lastIndex = i;
    const m = r.exec(text);
    return m && m.index === i ? m[0] : undefined;
  };
  while (i < text.length) {
    const c = text[i]!;
    const at = { line, col };
    let m: string | undefined;
    if (c === ' ' || c === '\t') { adv(1); continue; }
    if ((m = re(/[a-z][._0-9a-z]*/y))) toks.push({ kind: 'IDENT', text: m, ...at });
    else if ((m = re(/[0-9][0-9a-fx]*/y))) toks.push({ kind: 'NUMBER', text: m, ...at });
    else if (c === '\n' || c === '#') {
      m = re(/#[^\n]*\n?|\n/y)!;
      // the comment rule needs its newline: a comment ending the file is a lexical error at `#`
      toks.push({ kind: m.endsWith('\n') ? 'NEWLINE' : 'LEXERR', text: m.endsWith('\n') ? m : m.split(/[ \t]/)[0]!, ...at });
    } else if ((m = re(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/y))) toks.push({ kind: 'STRING', text: m, ...at });
    else if ((m = { ',': "','", '[': "'['", ']': "']'", '=': "'='", ';': "';'" }[c])) { toks.push({ kind: m as TokKind, text: c, ...at }); m = c; }
    else {
      // lexerr: this character and the rest up to a blank or newline; xl says "lexical error"
      if ('+-.():'.includes(c)) python = true;
      m = re(/[^ \t\n]*/y) || c;
      toks.push({ kind: 'LEXERR', text: m, ...at });
    }
    adv(m.length);
  }
  toks.push({ kind: '$end', text: '', line, col });
  return { toks, python };
}

const near = (t: Tok) => {
  const s = t.text.replace(/\n$/, '').replace(/[ \t]+$/, '');
  return s ? `\`${s}'` : t.kind === 'NEWLINE' ? '<newline>' : '';
};

/** Parse xl.cfg text. Never throws: problems are in `errors`. */
export function parseXlConfig(text: string, source = 'xl.cfg'): XlConfig {
  const lexed = lex(text);
  const python = lexed.python;
  // A lexical error is reported by the lexer and its text never reaches the parser; a syntax error
  // on a line at or before the last lexical error is not reported (xlu__cfg_yyerror).
  const lexErrLines = new Set<number>();
  const toks: Tok[] = [];
  const errors: CfgError[] = [];
  for (const t of lexed.toks) {
    if (t.kind !== 'LEXERR') { toks.push(t); continue; }
    lexErrLines.add(t.line);
    errors.push({ line: t.line, col: t.col, message: `${source}:${t.line}: config parsing error near \`${t.text}': lexical error` });
  }
  const settings: CfgSetting[] = [];
  let k = 0;
  const peek = () => toks[k]!;
  const fail = (t: Tok, msg: string): never => {
    throw Object.assign(new Error(msg), { tok: t });
  };
  const expect = (t: Tok, ...kinds: string[]) => `syntax error, unexpected ${t.kind}${kinds.length ? `, expecting ${kinds.join(' or ')}` : ''}`;
  const nlok = () => { while (peek().kind === 'NEWLINE') k++; };
  const value = (): CfgValue => {
    const t = peek();
    if (t.kind === 'STRING' || t.kind === 'NUMBER') {
      k++;
      if (t.kind === 'NUMBER') return { kind: 'string', text: t.text, line: t.line, col: t.col };
      const d = dequote(t.text);
      // dequote does nothing once the context has an error (ctx->err)
      if ('error' in d && !errors.length) fail(t, d.error);
      return { kind: 'string', text: 'text' in d ? d.text : '', line: t.line, col: t.col };
    }
    if (t.kind === "'['") {
      k++;
      nlok();
      const items: CfgValue[] = [];
      while (peek().kind !== "']'") {
        if (!['STRING', 'NUMBER', "'['"].includes(peek().kind)) fail(peek(), expect(peek(), "']'"));
        items.push(value());
        nlok();
        if (peek().kind === "','") { k++; nlok(); continue; }
        if (peek().kind !== "']'") fail(peek(), expect(peek(), "','", "']'"));
      }
      k++;
      return { kind: 'list', items, line: t.line, col: t.col };
    }
    return fail(t, expect(t, 'STRING', 'NUMBER', "'['"));
  };
  while (peek().kind !== '$end') {
    const t = peek();
    try {
      if (t.kind === 'NEWLINE' || t.kind === "';'") { k++; continue; }
      if (t.kind !== 'IDENT') fail(t, expect(t, '$end', 'IDENT', 'NEWLINE', "';'"));
      k++;
      if (peek().kind !== "'='") fail(peek(), expect(peek(), "'='"));
      k++;
      const v = value();
      const end = peek();
      // bison's default reductions leave only $end in the message here (seen with libxlutil 4.17)
      if (end.kind !== 'NEWLINE' && end.kind !== "';'" && end.kind !== '$end') fail(end, expect(end, '$end'));
      settings.push({ name: t.text, value: v, line: t.line });
    } catch (e) {
      const bad = (e as { tok?: Tok }).tok;
      if (!bad) throw e;
      if (!lexErrLines.has(bad.line)) errors.push({ line: bad.line, col: bad.col, message: `${source}:${bad.line}: config parsing error near ${near(bad)}: ${(e as Error).message}` });
      // error NEWLINE: skip to the end of the line
      while (peek().kind !== 'NEWLINE' && peek().kind !== '$end') k++;
    }
  }
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return { source, settings, errors, likelyPython: python && errors.length > 0 };
}

/** The setting in effect for `name` (the last one set). */
export function cfgGet(c: XlConfig, name: string): CfgSetting | undefined {
  for (let i = c.settings.length - 1; i >= 0; i--) if (c.settings[i]!.name === name) return c.settings[i];
  return undefined;
}

/**
 * C `strtoul(s, &end, base)` on a 64-bit unsigned long: leading blanks, a sign (a minus negates
 * modulo 2^64), `0x` for base 16/0, a leading 0 for octal in base 0; stops at the first bad digit.
 * `end` is 0 when no digit was read; overflow gives ULONG_MAX.
 */
export const ULONG_MAX = (1n << 64n) - 1n;
export function strtoul(s: string, base = 0): { value: bigint; end: number } {
  let i = 0;
  while (/[ \t\n\v\f\r]/.test(s[i] ?? '')) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  if ((base === 0 || base === 16) && s[i] === '0' && /[xX]/.test(s[i + 1] ?? '') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) { i += 2; base = 16; }
  else if (base === 0) base = s[i] === '0' ? 8 : 10;
  const start = i;
  let v = 0n;
  let over = false;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    v = v * BigInt(base) + BigInt(d);
    if (v > ULONG_MAX) over = true;
  }
  if (i === start) return { value: 0n, end: 0 };
  if (over) return { value: ULONG_MAX, end: i };
  return { value: neg ? (ULONG_MAX + 1n - v) & ULONG_MAX : v, end: i };
}

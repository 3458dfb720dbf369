/**
 * The strict command-line parser every command goes through: unknown, repeated, valueless and
 * empty options, bad values, missing or extra positionals, options given to an action they do not
 * apply to, and conflicting combinations are all `UsageError`s, raised before `run` is called.
 */
import { camel, type CommandSpec, type OptionSpec } from './spec.js';
import { UsageError } from './values.js';

export interface Parsed {
  args: Record<string, unknown>;
  /** Options the user typed (not defaults). */
  given: Set<string>;
  help: boolean;
}

function closest(word: string, names: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const t = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = t;
      }
    }
    return d[b.length]!;
  };
  let best: string | undefined;
  let bd = Infinity;
  for (const n of names) {
    const x = dist(word, n);
    if (x < bd) [best, bd] = [n, x];
  }
  return bd <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

export function suggest(word: string, names: string[]): string {
  const c = closest(word, names);
  return c ? `; did you mean ${c}?` : '';
}

/** Parse `argv` (the words after the command name) against `spec`. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): Parsed {
  const byName = new Map<string, [string, OptionSpec]>();
  for (const [name, o] of Object.entries(spec.options)) {
    byName.set(`--${name}`, [name, o]);
    if (o.alias) byName.set(`-${o.alias}`, [name, o]);
  }
  const values = new Map<string, unknown>();
  const words: string[] = [];
  let help = false;
  let optionsEnded = false;
  const set = (name: string, o: OptionSpec, shown: string, raw: string | undefined) => {
    if (!o.value) {
      if (raw !== undefined) throw new UsageError(`${shown} is a flag and takes no value`);
      if (values.has(name)) throw new UsageError(`--${name} is given twice`);
      values.set(name, true);
      return;
    }
    if (raw === undefined) throw new UsageError(`--${name} needs a value (${o.value.name})`);
    if (raw === '') throw new UsageError(`--${name}: empty value`);
    const v = o.value.parse(raw, `--${name}`);
    if (o.repeatable) values.set(name, [...((values.get(name) as unknown[]) ?? []), v]);
    else if (values.has(name)) throw new UsageError(`--${name} is given twice`);
    else values.set(name, v);
  };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (optionsEnded || w === '-' || !w.startsWith('-')) {
      words.push(w);
      continue;
    }
    if (w === '--') {
      optionsEnded = true;
      continue;
    }
    if (w === '--help' || w === '-h') {
      help = true;
      continue;
    }
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const key = eq > 0 ? w.slice(0, eq) : w;
    const hit = byName.get(key);
    if (!hit) {
      if (/^-\d/.test(w)) throw new UsageError(`unexpected "${w}" (sizes and counts take no sign)`);
      throw new UsageError(`unknown option ${key}${suggest(key, [...byName.keys()].filter((k) => k.startsWith('--')))}`);
    }
    const [name, o] = hit;
    if (eq > 0) set(name, o, key, w.slice(eq + 1));
    else if (!o.value) set(name, o, key, undefined);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value (${o.value.name})`);
      i++;
      set(name, o, key, next);
    }
  }
  const args: Record<string, unknown> = {};
  const given = new Set(values.keys());
  if (help) return { args, given, help };

  // positionals
  let k = 0;
  for (const p of spec.positionals) {
    if (p.variadic) {
      const rest = words.slice(k);
      if (rest.length === 0) throw new UsageError(`missing ${p.name.toUpperCase()} (${p.describe})`);
      args[p.name] = rest.map((x) => (x === '' ? empty(p.name) : p.value ? p.value.parse(x, p.name.toUpperCase()) : x));
      k = words.length;
      continue;
    }
    const x = words[k++];
    if (x === undefined && p.optional) continue;
    if (x === undefined) throw new UsageError(`missing ${p.name.toUpperCase()} (${p.describe})`);
    if (x === '') empty(p.name);
    if (p.value?.choices && !p.value.choices.includes(x)) {
      throw new UsageError(`${spec.name}: unknown ${p.name} "${x}"${suggest(x, [...p.value.choices])} (one of ${p.value.choices.join(', ')})`);
    }
    args[p.name] = p.value ? p.value.parse(x, p.name.toUpperCase()) : x;
  }
  if (k < words.length) throw new UsageError(`unexpected argument "${words[k]}"`);

  // per-action options, requirements, conflicts
  const action = spec.positionals[0]?.value?.choices ? String(args[spec.positionals[0].name]) : undefined;
  for (const name of given) {
    const o = spec.options[name]!;
    if (o.actions && action !== undefined && !o.actions.includes(action)) {
      throw new UsageError(`--${name} does not apply to ${spec.name} ${action} (only to ${o.actions.join(', ')})`);
    }
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && !given.has(name) && (!o.actions || (action !== undefined && o.actions.includes(action)))) {
      throw new UsageError(`${spec.name}${action ? ` ${action}` : ''} needs --${name}`);
    }
  }
  for (const [a, b] of spec.conflicts ?? []) if (given.has(a) && given.has(b)) throw new UsageError(`--${a} and --${b} cannot be given together`);
  for (const [a, b] of spec.requires ?? []) if (given.has(a) && !given.has(b)) throw new UsageError(`--${a} needs --${b}`);

  for (const [name, o] of Object.entries(spec.options)) {
    const v = values.has(name) ? values.get(name) : o.value ? (o.repeatable ? (o.default ?? []) : o.default) : false;
    if (v === undefined) continue;
    args[name] = v;
    args[camel(name)] = v;
  }
  spec.check?.(args);
  return { args, given, help };
}

function empty(name: string): never {
  throw new UsageError(`${name.toUpperCase()}: empty value`);
}

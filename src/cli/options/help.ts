/** `--help` text, laid out only when asked for. */
import type { CommandSpec } from './spec.js';

function wrap(text: string, indent: number, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join(`\n${' '.repeat(indent)}`);
}

export function renderHelp(spec: CommandSpec, width = 100): string {
  const pos = spec.positionals.map((p) => (p.variadic ? `<${p.name}..>` : p.optional ? `[${p.name}]` : `<${p.name}>`)).join(' ');
  const lines = [`nvtool ${spec.name} ${pos} [options]`, '', wrap(spec.describe, 0, width), ''];
  const rows: [string, string][] = [];
  for (const p of spec.positionals) rows.push([`  ${p.name}`, p.describe + (p.value?.choices ? ` (${p.value.choices.join(', ')})` : '')]);
  const opt: [string, string][] = [];
  for (const [name, o] of Object.entries(spec.options)) {
    const head = `  ${o.alias ? `-${o.alias}, ` : ''}--${name}${o.value ? ` ${o.value.name}` : ''}`;
    const extra = [
      o.actions ? `${o.actions.join('/')} only` : '',
      o.required ? 'required' : '',
      o.default !== undefined && !(Array.isArray(o.default) && o.default.length === 0) ? `default ${String(o.default)}` : '',
      o.repeatable ? 'repeatable' : '',
    ].filter(Boolean);
    opt.push([head, o.describe + (extra.length ? ` [${extra.join('; ')}]` : '')]);
  }
  opt.push(['  -h, --help', 'show this help']);
  const col = Math.min(34, Math.max(...[...rows, ...opt].map(([h]) => h.length)) + 2);
  const fmt = ([h, d]: [string, string]) => (h.length + 2 > col ? `${h}\n${' '.repeat(col)}` : h.padEnd(col)) + wrap(d, col, width);
  if (rows.length) lines.push('Positionals:', ...rows.map(fmt), '');
  lines.push('Options:', ...opt.map(fmt), '', 'Examples:');
  for (const [cmd, what] of spec.examples) lines.push(`  ${cmd.replace(/\$0/g, 'nvtool')}`, `      ${wrap(what, 6, width)}`);
  lines.push('', 'Exit status: 0 success, 1 the input has errors (findings), 2 bad input or usage.');
  return lines.join('\n') + '\n';
}

import type { Finding, Span } from './context.js';

/**
 * The annotated dump, in the spirit of `iasl -d`:
 *   [038h 0056  16]                 Range Guid : 66f0d379-b4f3-4074-ac43-0d3318b78cdb [Persistent Memory]
 * Group rows head each structure; findings are printed right under the field they are about.
 */
export function formatDump(spans: readonly Span[], findings: readonly Finding[] = [], labelWidth = 30): string {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byPath.get(f.path) ?? [];
    list.push(f);
    byPath.set(f.path, list);
  }
  const shown = new Set<Finding>();
  // A dump repeats a few dozen labels thousands of times: pad each once.
  const padded = new Map<string, string>();
  // Lines are joined a few thousand at a time, so each dies young (a dump of a large table is
  // tens of thousands of lines; kept until the end, the collector copies every one of them).
  const chunks: string[] = [];
  let lines: string[] = [];
  for (const s of spans) {
    if (lines.length >= 4096) {
      chunks.push(lines.join('\n'));
      lines = [];
    }
    const at = `[${hex3(s.offset)} ${dec4(s.offset)} ${String(s.size).padStart(3)}] `;
    if (s.group) {
      lines.push('', `${at}${s.label}${s.path ? ` (${s.path})` : ''}`);
    } else {
      let label = padded.get(s.label);
      if (label === undefined) padded.set(s.label, (label = s.label.padStart(labelWidth)));
      const meaning = s.meaning ? ` [${s.meaning}]` : '';
      lines.push(`${at}${label} : ${s.text ?? String(s.value)}${meaning}`);
    }
    if (byPath.size === 0) continue;
    for (const f of byPath.get(s.path) ?? []) {
      if (shown.has(f) || (s.group && f.path !== s.path)) continue;
      shown.add(f);
      lines.push(`${' '.repeat(17)}${f.severity.toUpperCase()}: ${f.message}`);
    }
  }
  const rest = findings.filter((f) => !shown.has(f));
  if (rest.length) {
    lines.push('');
    for (const f of rest) lines.push(formatFinding(f));
  }
  if (lines.length > 0 || chunks.length === 0) chunks.push(lines.join('\n'));
  // No blank line before the first structure's header.
  const text = chunks.join('\n');
  return (text.startsWith('\n') ? text.slice(1) : text) + '\n';
}

export function formatFinding(f: Finding): string {
  const at = f.offset === undefined ? '' : ` at 0x${f.offset.toString(16)}`;
  return `${f.severity.padEnd(7)} ${f.path || '(table)'}${at}: ${f.message}`;
}

const hex3 = (n: number) => (n < 0x100 ? (n < 0x10 ? '00' : '0') : '') + n.toString(16).toUpperCase() + 'h';
const dec4 = (n: number) => (n < 1000 ? (n < 10 ? '000' : n < 100 ? '00' : '0') : '') + n;

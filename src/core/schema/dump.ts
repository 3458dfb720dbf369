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
  const lines: string[] = [];
  for (const s of spans) {
    if (s.group) {
      lines.push('', `[${hex3(s.offset)} ${dec4(s.offset)} ${String(s.size).padStart(3)}] ${s.label}${s.path ? ` (${s.path})` : ''}`);
    } else {
      const meaning = s.meaning ? ` [${s.meaning}]` : '';
      lines.push(`[${hex3(s.offset)} ${dec4(s.offset)} ${String(s.size).padStart(3)}] ${s.label.padStart(labelWidth)} : ${s.text ?? String(s.value)}${meaning}`);
    }
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
  return lines.join('\n').replace(/^\n/, '') + '\n';
}

export function formatFinding(f: Finding): string {
  const at = f.offset === undefined ? '' : ` at 0x${f.offset.toString(16)}`;
  return `${f.severity.padEnd(7)} ${f.path || '(table)'}${at}: ${f.message}`;
}

const hex3 = (n: number) => n.toString(16).toUpperCase().padStart(3, '0') + 'h';
const dec4 = (n: number) => String(n).padStart(4, '0');

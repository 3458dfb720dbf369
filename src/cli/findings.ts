import type { Finding } from '../core/schema/index.js';
import { formatFinding } from '../core/schema/index.js';

/** 1 when any finding is an error, else 0 (the common exit rule for decode/check commands). */
export function exitFor(findings: readonly Finding[]): number {
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

/** `labels check`: 0 clean (information only), 1 warnings, 2 errors. */
export function checkExit(findings: readonly Finding[]): number {
  if (findings.some((f) => f.severity === 'error')) return 2;
  return findings.some((f) => f.severity === 'warning') ? 1 : 0;
}

export function summarize(findings: readonly Finding[]): string {
  const n = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  return `${n('error')} error(s), ${n('warning')} warning(s)`;
}

export function findingLines(findings: readonly Finding[]): string {
  return findings.map((f) => formatFinding(f) + '\n').join('');
}

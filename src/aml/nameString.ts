/**
 * NameString encoding (ACPI 6.5 §20.2.2) and the namespace path arithmetic the decoder and the
 * disassembler share. A NameSeg is 4 characters: a lead of A-Z or `_`, then A-Z, 0-9 or `_`.
 */
import type { NameString } from './model.js';
import { NAME } from './opcodes.js';

export const SEG_RE = /^[A-Z_][A-Z0-9_]{3}$/;

export function isSegByte(b: number, lead: boolean): boolean {
  return (b >= 0x41 && b <= 0x5a) || b === 0x5f || (!lead && b >= 0x30 && b <= 0x39);
}

/** `\_SB.PCI0`, `^^FOO`, `NCAL` (ASL spelling; short segments are padded with `_`). */
export function parseNameString(text: string): NameString {
  let i = 0;
  let root = false;
  let parents = 0;
  if (text[0] === '\\') {
    root = true;
    i = 1;
  } else {
    while (text[i] === '^') {
      parents++;
      i++;
    }
  }
  const rest = text.slice(i);
  const segs = rest === '' ? [] : rest.split('.').map((s) => s.toUpperCase().padEnd(4, '_'));
  for (const s of segs) if (!SEG_RE.test(s)) throw new Error(`bad AML name segment "${s}" in "${text}"`);
  if (parents > 255 || segs.length > 255) throw new Error(`AML name "${text}" too long`);
  return { root, parents, segs };
}

/** Encoded size of a NameString. */
export function nameStringSize(n: NameString): number {
  const prefix = n.root ? 1 : n.parents;
  const k = n.segs.length;
  if (n.multi) return prefix + 2 + 4 * k;
  if (k === 0) return prefix + 1;
  if (k === 1) return prefix + 4;
  if (k === 2) return prefix + 1 + 8;
  return prefix + 2 + 4 * k;
}

/** Writes the NameString at `at`; returns the position after it. */
export function putNameString(out: Uint8Array, at: number, n: NameString): number {
  if (n.root) out[at++] = NAME.root;
  for (let i = 0; i < n.parents; i++) out[at++] = NAME.parent;
  const k = n.segs.length;
  if (n.multi || k > 2) {
    out[at++] = NAME.multi;
    out[at++] = k;
  } else if (k === 0) {
    out[at++] = NAME.nullName;
    return at;
  } else if (k === 2) out[at++] = NAME.dual;
  for (const s of n.segs) for (let j = 0; j < 4; j++) out[at++] = s.charCodeAt(j);
  return at;
}

/** ASL text of a NameString, segments as encoded (`\_SB_.NVDR`); `\` alone for the root. */
export function formatNameString(n: NameString): string {
  return (n.root ? '\\' : '^'.repeat(n.parents)) + n.segs.join('.');
}

/** Absolute path (list of segments from the root) of `n` seen from scope `scope`. */
export function absolutePath(scope: readonly string[], n: NameString): string[] {
  if (n.root) return [...n.segs];
  const base = scope.slice(0, Math.max(0, scope.length - n.parents));
  return [...base, ...n.segs];
}

export function pathKey(path: readonly string[]): string {
  return '\\' + path.join('.');
}

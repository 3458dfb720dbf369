/**
 * Evaluation results as text (in acpiexec's words: `[Integer] = 0000000000001234`) and as JSON
 * (the shape `nvtool aml eval --json` prints and the ACPICA comparison tests read; an Integer is a
 * JSON number, a decimal string past 2^53 like every integer nvtool prints).
 */
import { jsonInteger } from '../../core/hex.js';
import type { AmlObject, RefTarget } from './values.js';

export type AmlResultJson =
  | { type: 'Integer'; value: number | string }
  | { type: 'String'; value: string }
  | { type: 'Buffer'; hex: string }
  | { type: 'Package'; elements: AmlResultJson[] }
  | { type: 'Reference'; to: string }
  | { type: 'Null' }
  | { type: string };

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

function refText(r: RefTarget): string {
  switch (r.kind) {
    case 'node':
      return r.path;
    case 'local':
      return `Local${r.index}`;
    case 'arg':
      return `Arg${r.index}`;
    case 'index':
      return `Index(${r.of.type}, ${r.index})`;
  }
}

export function resultJson(o: AmlObject | undefined): AmlResultJson {
  if (!o) return { type: 'Null' };
  switch (o.type) {
    case 'Integer':
      return { type: 'Integer', value: jsonInteger(o.value) };
    case 'String':
      return { type: 'String', value: o.value };
    case 'Buffer':
      return { type: 'Buffer', hex: hex(o.value) };
    case 'Package':
      return { type: 'Package', elements: o.elements.map((e) => resultJson(e)) };
    case 'Reference':
      return { type: 'Reference', to: refText(o.to) };
    default:
      return { type: o.type };
  }
}

/** acpiexec-style lines: `[Integer] = 0000000000001234`, packages indented by element. */
export function formatResult(o: AmlObject | undefined, indent = ''): string {
  if (!o) return `${indent}[Null Object]\n`;
  switch (o.type) {
    case 'Integer':
      return `${indent}[Integer] = ${o.value.toString(16).toUpperCase().padStart(16, '0')}\n`;
    case 'String':
      return `${indent}[String] Length ${o.value.length.toString(16).toUpperCase().padStart(2, '0')} = "${o.value}"\n`;
    case 'Buffer':
      return `${indent}[Buffer] Length ${o.value.length.toString(16).toUpperCase().padStart(2, '0')} = ${hex(o.value)}\n`;
    case 'Package':
      return `${indent}[Package] Contains ${o.elements.length} Elements:\n` + o.elements.map((e) => formatResult(e, indent + '  ')).join('');
    case 'Reference':
      return `${indent}[Reference] = ${refText(o.to)}\n`;
    default:
      return `${indent}[${o.type}]\n`;
  }
}

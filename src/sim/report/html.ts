/**
 * The few HTML helpers the report needs: every text and attribute value goes through `esc`, links
 * are relative URLs built segment by segment, so a page made from any run directory (names with
 * `<`, `&`, `:` or spaces included) stays well-formed and points only at files beside it.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const esc = (s: string | number | bigint): string => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

type Attr = string | number | bigint | boolean | undefined;

/** `<tag a="v" ...>children</tag>`; children are already HTML; false/undefined attributes are left out. */
export function el(tag: string, attrs: Record<string, Attr> = {}, ...children: (string | undefined | false)[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${esc(v as string | number | bigint)}"`))
    .join('');
  return `<${tag}${a}>${children.filter((c): c is string => typeof c === 'string').join('')}</${tag}>`;
}

/** A relative URL for a path relative to the page's folder (`/`-separated), each segment percent-encoded. */
export function relUrl(path: string): string {
  return path.split('/').map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s))).join('/');
}

/** A link to an artefact; `base` is the run directory as seen from the page's folder ('' when the page is in it). */
export function artefactLink(base: string, rel: string, text: string = rel): string {
  return el('a', { href: relUrl(base ? `${base}/${rel}` : rel), class: 'art' }, esc(text));
}

export function table(head: readonly string[], rows: readonly (readonly string[])[], attrs: Record<string, Attr> = {}, rowAttrs?: (i: number) => Record<string, Attr>): string {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, esc(h))))),
    el('tbody', {}, ...rows.map((r, i) => el('tr', rowAttrs?.(i) ?? {}, ...r.map((c) => el('td', {}, c))))));
}

/** 0x-hex of a bigint. */
export const hx = (v: bigint): string => `0x${v.toString(16)}`;

/** A number for an SVG attribute: at most three decimals, no exponent. */
export const px = (v: number): string => (Math.round(v * 1000) / 1000).toFixed(3).replace(/\.?0+$/, '');

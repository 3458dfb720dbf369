import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CountingReader, inspectReader, walk, type Layer } from '../../src/inspect/index.js';

export const LINUX_FIXTURES = join(import.meta.dirname, '../../fixtures/linux');

export function linuxFixtureNames(): string[] {
  return readdirSync(LINUX_FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export function loadLinuxFixture(name: string): { image: Uint8Array; expected: any; reports: any } {
  const expected = JSON.parse(readFileSync(join(LINUX_FIXTURES, name, 'expected.json'), 'utf8'));
  const image = new Uint8Array(gunzipSync(readFileSync(join(LINUX_FIXTURES, name, expected.image.file))));
  return { image, expected, reports: expected.reboot?.reports ?? expected.create.reports };
}

export function inspectBytes(bytes: Uint8Array, o: { labelSize?: number } = {}) {
  const r = CountingReader.fromBytes(bytes, 'image');
  const res = inspectReader(r, o);
  return { ...res, layers: res.report.layers, stats: r.stats };
}

export function all(layers: readonly Layer[]): Layer[] {
  return [...walk(layers)].map((x) => x.layer);
}

export function ofKind(layers: readonly Layer[], kind: Layer['kind']): Layer[] {
  return all(layers).filter((l) => l.kind === kind);
}

/** `KEY=value` lines of `blkid -o export`. */
export function blkidExport(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

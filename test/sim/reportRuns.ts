/**
 * Runs for the report tests, made through the CLI as a user types them: the two built-in examples
 * with `sim run ... --report DIR/report.html`, and a small v1 run whose guests name Dom0 paths (a
 * fragmented file on the ext4 of the Xen data area, mapped by QEMU's memory_mapping route, and a
 * raw namespace libxl cannot map) rendered by `sim report DIR --out` into another folder.
 * Plus a reader for the page's tags and attributes (the tests' own, not the report's code).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';
import { requireTool } from '../support/tools.js';
import { validateCliJson } from '../support/schemas.js';

export interface ReportRun {
  name: string;
  dir: string;
  page: string;
}

export async function exampleRun(work: string, example: 'xen-v4' | 'xen-v1'): Promise<ReportRun> {
  const dir = join(work, example);
  const page = join(dir, 'report.html');
  const r = await runCli(['sim', 'run', join(REPO, `fixtures/examples/${example}/scenario.json`), '--out', dir, '--report', page, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect((validateCliJson('sim-run', r.stdout) as { report: string }).report).toBe(page);
  return { name: example, dir, page };
}

export async function v1GuestRun(work: string): Promise<ReportRun> {
  requireTool('debugfs', 'e2fsprogs');
  const src = join(work, 'v1-guests-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'vm1.cfg'), 'name = "vm1"\nmemory = 520\nvnvdimm = [ \'/mnt/dax/fr.pmem\' ]\n');
  writeFileSync(join(src, 'vm2.cfg'), 'name = "vm2"\nmemory = 520\nvnvdimm = [ \'file=/dev/pmem0.1\' ]\n');
  writeFileSync(join(src, 's.json'), JSON.stringify({
    design: 'v1', seed: 'report',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    dom0: { nv0: { labelVersion: '1.2', namespaces: [
      { name: 'xenpmem', size: '1G', mode: 'fsdax', xen: { placement: 'a' }, filesystem: { type: 'ext4', mount: '/mnt/dax', files: [{ path: 'fr.pmem', size: '8M', how: 'fragmented' }] } },
      { name: 'whole', size: '512M', mode: 'raw', xen: { placement: 'namespace' } },
    ] } },
    guests: [{ name: 'vm1', config: 'vm1.cfg', mapping: 'memory_mapping' }, { name: 'vm2', config: 'vm2.cfg' }],
  }));
  const dir = join(work, 'v1-guests');
  const r = await runCli(['sim', 'run', join(src, 's.json'), '--out', dir]);
  expect(r.code, r.stderr).toBe(0);
  const pages = join(work, 'pages');
  mkdirSync(pages, { recursive: true });
  const page = join(pages, 'v1-guests.html');
  const w = await runCli(['sim', 'report', dir, '--out', page, '--json']);
  expect(w.code, w.stderr).toBe(0);
  expect((validateCliJson('writes', w.stdout) as { writes: unknown[] }).writes).toEqual([{ file: page, offset: 0, length: readFileSync(page).length, what: 'whole file, replaced atomically' }]);
  return { name: 'v1-guests', dir, page };
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITY[e]!);

export type Tag = Record<string, string> & { $inner?: string };

/** Every `<name ...>` start tag of the page with its attributes (entities decoded). */
export function tags(html: string, name: string): Tag[] {
  return [...html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'g'))].map((m) => {
    const a: Tag = {};
    for (const [, k, v] of m[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)) a[k!] = unescape(v!);
    return a;
  });
}

/** The `<svg class="mapping">` elements, each with its own text. */
export function mappingSvgs(html: string): { attrs: Tag; text: string }[] {
  return [...html.matchAll(/<svg\b([^>]*class="mapping"[^>]*)>([\s\S]*?)<\/svg>/g)].map((m) => ({ attrs: tags(`<svg${m[1]}>`, 'svg')[0]!, text: m[2]! }));
}

/** The text content of the element with id `id` (tags stripped, entities decoded). */
export function textOfId(html: string, tag: string, id: string): string | undefined {
  const m = new RegExp(`<${tag}\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</${tag}>`).exec(html);
  return m ? unescape(m[1]!.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim() : undefined;
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, runTool } from './tools.js';

export interface IaslRow {
  offset: number;
  length: number;
  label: string;
  /** The value text as iasl printed it (continuation lines of buffers joined). */
  value: string;
}

export function requireIasl(): string {
  return requireTool('iasl', 'acpica-tools');
}

/** Runs `fn` in a fresh temporary directory that is removed afterwards. */
export function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-iasl-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `iasl -d` of each table (one process for all of them); returns the .dsl texts in order. */
export function iaslDisassemble(tables: Uint8Array[], flags: string[] = []): string[] {
  requireIasl();
  return inTempDir((dir) => {
    const names = tables.map((t, i) => {
      const f = join(dir, `t${i}.aml`);
      writeFileSync(f, t);
      return `t${i}.aml`;
    });
    runTool('iasl', [...flags, '-d', ...names], { cwd: dir });
    return names.map((n) => readFileSync(join(dir, n.replace(/\.aml$/, '.dsl')), 'utf8'));
  });
}

/** Compile ASL or data-table source with iasl; returns the .aml bytes. */
export function iaslCompile(source: string, flags: string[] = []): Uint8Array {
  requireIasl();
  return inTempDir((dir) => {
    writeFileSync(join(dir, 'src.asl'), source);
    runTool('iasl', [...flags, '-p', join(dir, 'out'), join(dir, 'src.asl')], { cwd: dir });
    return new Uint8Array(readFileSync(join(dir, 'out.aml')));
  });
}

/** `[XXXh DDDD LLL]  Label : Value` rows of an iasl data-table disassembly. */
export function parseIaslDataDump(dsl: string): IaslRow[] {
  const rows: IaslRow[] = [];
  const lines = dsl.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\[([0-9A-F]+)h (\d+)\s+(\d+)\]\s+(.*?)\s+:\s?(.*)$/.exec(lines[i]!);
    if (!m) continue;
    let value = m[5]!.trim();
    while (value.endsWith('\\')) {
      value = value.slice(0, -1).trim();
      const next = lines[++i];
      if (next === undefined) break;
      value += ' ' + next.trim();
    }
    rows.push({ offset: parseInt(m[1]!, 16), length: Number(m[3]), label: m[4]!.trim(), value: value.trim() });
  }
  return rows;
}

/** Header bytes 28-35 (creator id/revision) and the checksum are iasl's own on every compile. */
export function sameBodyIgnoringCreator(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (i === 9 || (i >= 28 && i < 36)) continue;
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/** Async version of inTempDir: the directory lives until the promise settles. */
export async function inTempDirAsync<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nvtool-test-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

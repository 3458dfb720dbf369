import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

/** Run nvtool in-process; returns exit status and what it printed. */
export async function nvtool(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(argv);
}

export function workDir(prefix: string): { dir: string; image(name: string, size: number): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    image(name, size) {
      const f = join(dir, name);
      writeFileSync(f, '');
      truncateSync(f, size);
      return f;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const MiB = 1024 * 1024;

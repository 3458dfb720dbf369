import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './fixtures.js';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `nvtool ARGV` as a real process from the sources (node + tsx), as a shell runs it. `onStderr`
 * sees each stderr line as it arrives and may kill the process (SIGKILL at a chosen moment).
 */
export function spawnNvtool(argv: string[], o: { env?: Record<string, string>; onStderr?: (line: string, kill: () => void) => void } = {}): Promise<ProcessResult> {
  const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', tsx, join(REPO, 'test/support/nvtool-src.ts'), ...argv], { cwd: REPO, env: { ...process.env, ...o.env } });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const kill = () => void p.kill('SIGKILL');
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => {
      stderr += d;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) o.onStderr?.(l, kill);
    });
    p.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    p.stdin.end();
  });
}

import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Real tools are oracles, never optional: a missing one fails the test, naming the Debian
 * package that provides it (the README's test command installs them).
 */
export function requireTool(binary: string, debianPackage: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) throw new Error(`${binary} is not installed: apt-get install ${debianPackage}`);
  return path;
}

/** Run a tool, returning stdout; a non-zero exit throws with its stderr. */
export function runTool(binary: string, args: string[], opts: { cwd?: string; input?: Uint8Array } = {}): string {
  try {
    return execFileSync(binary, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; status?: number };
    throw new Error(`${binary} ${args.join(' ')} exited ${err.status}: ${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

/** Like runTool but returns status and both streams without throwing. */
export function runToolStatus(binary: string, args: string[], opts: { cwd?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(binary, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

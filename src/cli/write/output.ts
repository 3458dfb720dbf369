import { withWrites, writeLines, type WriteOutcome } from './gate.js';

/**
 * A whole new output file (`-`: stdout) through the write gate: locked, replaced atomically, an
 * existing file only with --force; with `dryRun` only listed (on stderr, stdout may be the output).
 */
export function writeOutput(file: string, bytes: Uint8Array | string, force: boolean, dryRun = false): WriteOutcome<void> {
  const w = withWrites({ force, dryRun, lock: [file] }, (g) => g.replace(file, bytes));
  if (dryRun) process.stderr.write(writeLines(w));
  return w;
}

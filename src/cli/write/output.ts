import { withWritesUsing, writeLines, type LayerDetector, type WriteOutcome } from './session.js';

/**
 * A whole-file replacement never consults a file's layers (an existing file needs --force, full
 * stop), so this path does not load inspect's detectors: a gate that asked for them would be a bug.
 */
const noLayers: LayerDetector = (_io, name) => {
  throw new Error(`internal: ${name}: a whole-file write looked for layers`);
};

/**
 * A whole new output file (`-`: stdout) through the write gate: locked, replaced atomically, an
 * existing file only with --force; with `dryRun` only listed (on stderr, stdout may be the output).
 */
export function writeOutput(file: string, bytes: Uint8Array | string, force: boolean, dryRun = false): WriteOutcome<void> {
  const w = withWritesUsing(noLayers, { force, dryRun, lock: [file] }, (g) => g.replace(file, bytes));
  if (dryRun) process.stderr.write(writeLines(w));
  return w;
}

/**
 * vitest globalSetup: every test run gets its own temporary root (TMPDIR for the test workers and
 * every process they start), removed when the run ends. Tests make sparse multi-GiB images and run
 * directories under os.tmpdir(); a file that forgets its afterAll, a run cut short or a SIGKILLed
 * child can then not fill the disk across runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'nvtool-test-run-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}

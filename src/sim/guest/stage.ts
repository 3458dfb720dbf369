/**
 * The `guest` stage (specs/sim.md §7.10): each guest whose mapping succeeded boots its kernel over
 * the tables hvmloader left (kernel.ts) and writes what ndctl shows in it; then the scenario's
 * steps run in order (steps.ts), each on its guest's context. A step the guest's tools refuse is
 * recorded (guests/<name>/steps.json, console.log) and the run goes on, as a shell script would.
 */
import { NvError } from '../../core/errors.js';
import type { SimDir } from '../runDir.js';
import { registerStage } from '../stages.js';
import { GUEST_KERNEL_LOG, GuestKernel } from './kernel.js';
import { appendGuestLog, recordStep } from './dataLog.js';
import { runGuestStep, type GuestContext } from './steps.js';

/** Guests the hvmloader stage gave firmware to (xl created them, their mapping runs). */
function bootable(dir: SimDir, name: string): boolean {
  const f = (rel: string) => `guests/${name}/${rel}`;
  if (!dir.exists(f('xl.json')) || !dir.exists(f('mappings.json')) || !dir.exists(f('hvmloader.json'))) return false;
  return dir.readJson<{ status: string }>(f('xl.json')).status === 'created' && dir.readJson<{ status: string }>(f('mappings.json')).status === 'running';
}

export function runGuestStage(dir: SimDir): void {
  const sc = dir.scenario();
  const contexts = new Map<string, GuestContext & { lines: string[] }>();
  try {
    for (const g of sc.guests) {
      if (!bootable(dir, g.name)) continue;
      const lines: string[] = [];
      const log = (l: string) => lines.push(l);
      const kernel = GuestKernel.boot(dir, g.name, log);
      kernel.writeOutputs();
      contexts.set(g.name, { name: g.name, dir, kernel, log, lines });
    }
    sc.steps.forEach((st, i) => {
      const path = `steps[${i}]`;
      const ctx = contexts.get(st.guest);
      if (!ctx) {
        if (dir.exists(`guests/${st.guest}`)) recordStep(dir, st.guest, { step: path, do: st.do, result: 'refused', reason: `guest "${st.guest}" never ran (its xl, mapping or hvmloader stage failed)` });
        return;
      }
      try {
        runGuestStep(ctx, st, path);
      } catch (e) {
        if (!(e instanceof NvError)) throw e;
        ctx.log(`${path} (${st.do}) refused: ${e.reason}`);
        recordStep(dir, st.guest, { step: path, do: st.do, result: 'refused', reason: e.reason });
        appendGuestLog(dir, st.guest, `${st.do}: ${e.reason}`);
      }
      // ndctl's view changes only with the labels: list and read-labels again after a create.
      if (st.do === 'create-namespace') ctx.kernel?.writeOutputs();
    });
  } finally {
    for (const [name, c] of contexts) {
      c.kernel?.close();
      dir.writeText(`guests/${name}/${GUEST_KERNEL_LOG}`, c.lines.join('\n') + '\n');
    }
  }
}

registerStage({ name: 'guest', describe: "each guest's Linux: its NVDIMMs through the AML, _DSM and Xen, ndctl's view (guests/<name>/ndctl-list.json), then the scenario's steps", run: (dir) => runGuestStage(dir) });

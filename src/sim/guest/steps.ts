/**
 * What guests do in the guest stage (scenario "steps", specs/sim.md §7.10), one handler per `do`.
 * Each runs after every guest's kernel found its vNVDIMMs, in the scenario's order, with the
 * guest's context: its kernel's view, its label devices (_DSM through QEMU and Xen) and its
 * guest-physical access to the vNVDIMMs' data (p2m -> host frames -> host image).
 */
import { NvError } from '../../core/errors.js';
import type { SimDir } from '../runDir.js';
import type { GuestStep } from '../scenario/scenario.js';
import type { GuestKernel } from './kernel.js';

/** The seam a step works through. */
export interface GuestContext {
  /** The guest's folder name (guests/<name>/). */
  readonly name: string;
  readonly dir: SimDir;
  /** The running kernel of the guest; undefined once the guest is destroyed. */
  kernel?: GuestKernel;
  /** Append a dmesg-like line to guests/<name>/guest-kernel.log. */
  log(line: string): void;
}

export type StepHandler<S extends GuestStep = GuestStep> = (ctx: GuestContext, step: S, path: string) => void;

type StepTable = { [K in GuestStep['do']]: StepHandler<Extract<GuestStep, { do: K }>> };

const notHere = (what: string): StepHandler => (_ctx, _step, path) => {
  throw new NvError('scenario', path, undefined, `"do": "${what}" is not implemented in this build of the guest stage`);
};

/** The dispatch table: one handler per `do` (write.ts and destroy.ts plug theirs in here). */
const table: StepTable = {
  'create-namespace': (ctx, step, path) => {
    const k = ctx.kernel;
    if (!k) throw new NvError('scenario', path, undefined, `guest "${ctx.name}" is not running (destroyed by an earlier step)`);
    if (k.crashed) throw new NvError('scenario', path, undefined, `guest "${ctx.name}" crashed: ${k.crashed}`);
    k.createNamespace(step, path);
  },
  write: notHere('write'),
  destroy: notHere('destroy'),
};

/** Run one step on its guest's context. */
export function runGuestStep(ctx: GuestContext, step: GuestStep, path: string): void {
  (table[step.do] as StepHandler)(ctx, step, path);
}

/**
 * What guests do in the guest stage (scenario "steps", specs/sim.md §7.10-7.11), one handler per
 * `do`. Each runs after every guest's kernel found its vNVDIMMs, in the scenario's order, with the
 * guest's context: its kernel (label devices through `_DSM`, QEMU and Xen; the namespaces it
 * found) and the run directory. Each handler records its outcome in guests/<name>/steps.json.
 */
import { NvError } from '../../core/errors.js';
import type { SimDir } from '../runDir.js';
import type { GuestStep } from '../scenario/scenario.js';
import { appendGuestLog, recordStep } from './dataLog.js';
import { destroyGuest } from './destroy.js';
import type { GuestKernel } from './kernel.js';
import { labellessGuestNamespaces, runWriteStep, type GuestNamespaceRef } from './write.js';
import type { GuestPmem } from './dataPath.js';

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

/**
 * The kernel's namespaces as the write step addresses them: namespace N is the Nth of the guest's
 * ndctl-list.json, regions and namespaces in the order `ndctl list -RN` prints them
 * (GuestKernel.namespaceList), which is what the guest's user sees.
 */
function kernelNamespaces(k: GuestKernel | undefined): (pmem: GuestPmem) => GuestNamespaceRef[] {
  return (pmem) => {
    if (!k?.nfit) return labellessGuestNamespaces(pmem);
    return k.namespaceList().map((n) => ({
      vnvdimm: Math.max(0, pmem.vnvdimms.findIndex((v) => v.slot + 1 === k.linux.regions[n.region]!.dimm.handle)),
      ref: n.ref,
      dev: n.dev,
    }));
  };
}

const table: StepTable = {
  'create-namespace': (ctx, step, path) => {
    const k = ctx.kernel;
    if (!k) throw new NvError('scenario', path, undefined, `guest "${ctx.name}" is not running (destroyed by an earlier step)`);
    if (k.crashed) throw new NvError('scenario', path, undefined, `guest "${ctx.name}" crashed: ${k.crashed}`);
    const made = k.createNamespace(step, path);
    recordStep(ctx.dir, ctx.name, { step: path, do: step.do, result: 'ok', ...made });
    appendGuestLog(ctx.dir, ctx.name, `ndctl create-namespace -m ${step.mode} -s ${step.size}: ${made.dev} (${made.uuid}) on ${made.region}`);
  },
  write: (ctx, step, path) => {
    runWriteStep(ctx.dir, { guest: step.guest, do: 'write', namespace: step.namespace, offset: step.offset.toString(), length: step.length.toString(), pattern: step.pattern }, path, kernelNamespaces(ctx.kernel));
  },
  destroy: (ctx, _step, path) => {
    const r = destroyGuest(ctx.dir, ctx.name);
    recordStep(ctx.dir, ctx.name, { step: path, do: 'destroy', result: r.result, ...(r.reason ? { reason: r.reason } : {}), pages: r.pages });
    if (r.result === '0') {
      ctx.kernel?.close();
      delete ctx.kernel;
      ctx.log('reboot: Power down (xl destroy)');
    }
  },
};

/** Run one step on its guest's context. */
export function runGuestStep(ctx: GuestContext, step: GuestStep, path: string): void {
  (table[step.do] as StepHandler)(ctx, step, path);
}

/**
 * The stage registry (specs/sim.md §1). A stage is one actor's step: it reads what the stages
 * before it left in the run directory and writes its own files. Later parts of the simulation
 * register more stages (`xl`, `qemu`, `hvmloader`, `guest`) at their place in `STAGE_ORDER`.
 */
import { NvError } from '../core/errors.js';
import type { Design } from './scenario/scenario.js';
import type { SimDir } from './runDir.js';

export interface Stage {
  name: string;
  describe: string;
  run(dir: SimDir): void | Promise<void>;
}

/**
 * Who acts when, per design. v1: Dom0 sets up and reports its pmem, then Xen handles the reports
 * (xen.md §1A). v3/v4: Xen boots first, reads the NFIT and hides it, and handles the
 * administrator's pmem-setup sysctls; Dom0 then boots and finds no pmem (xen.md §1B).
 */
export const STAGE_ORDER: Readonly<Record<Design, readonly string[]>> = {
  v1: ['host', 'dom0', 'xen', 'xl', 'qemu', 'hvmloader', 'guest'],
  v3: ['host', 'xen', 'dom0', 'xl', 'qemu', 'hvmloader', 'guest'],
  v4: ['host', 'xen', 'dom0', 'xl', 'qemu', 'hvmloader', 'guest'],
};

const registry = new Map<string, Stage>();

export function registerStage(s: Stage): void {
  if (registry.has(s.name)) throw new Error(`stage ${s.name} registered twice`);
  registry.set(s.name, s);
}

export function stage(name: string): Stage | undefined {
  return registry.get(name);
}

/** The registered stages of a design, in order. */
export function stagesFor(design: Design): Stage[] {
  return STAGE_ORDER[design].map((n) => registry.get(n)).filter((s): s is Stage => !!s);
}

/** Every registered stage name, for the CLI. */
export function stageNames(): string[] {
  return [...registry.keys()];
}

/** Run stage `name` on `dir`: it must be the next registered stage of the scenario's design. */
export async function runStage(dir: SimDir, name: string): Promise<void> {
  const st = registry.get(name);
  if (!st) throw new NvError('sim', '', undefined, `unknown stage "${name}" (stages: ${stageNames().join(', ')})`);
  const state = dir.state();
  const order = stagesFor(dir.scenario().design).map((s) => s.name);
  if (!order.includes(name)) throw new NvError('sim', '', undefined, `design ${dir.scenario().design} has no stage "${name}"`);
  if (state.stages.includes(name)) throw new NvError('sim', '', undefined, `stage "${name}" has already run on ${dir.root} (stages done: ${state.stages.join(', ')}); start again with "nvtool sim host"`);
  const next = order.find((n) => !state.stages.includes(n));
  if (next !== name) throw new NvError('sim', '', undefined, `stage "${name}" comes after "${next}" in design ${dir.scenario().design} (${order.join(' -> ')}); run "nvtool sim ${next} ${dir.root}" first`);
  await st.run(dir);
  dir.saveState({ ...state, stages: [...state.stages, name] });
}

/** Run the stages of the design that have not run yet, in order. */
export async function runRemaining(dir: SimDir): Promise<string[]> {
  const done: string[] = [];
  for (const s of stagesFor(dir.scenario().design)) {
    if (dir.state().stages.includes(s.name)) continue;
    await runStage(dir, s.name);
    done.push(s.name);
  }
  return done;
}

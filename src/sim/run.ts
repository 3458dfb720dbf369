/**
 * Starting and continuing a run (specs/sim.md §1): `startRun` checks the scenario, makes the run
 * directory with a copy of it, and runs the host stage; `runAll` then runs every stage left.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NvError } from '../core/errors.js';
import { SimDir } from './runDir.js';
import { parseScenario, ScenarioError, type Scenario } from './scenario/scenario.js';
import type { DesignName } from './permissions/index.js';
import { runRemaining, runStage } from './stages.js';

/** Read and check a scenario file (every problem at once, as ScenarioError). */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new NvError('sim', '', undefined, `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(file, [{ path: '(file)', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return parseScenario(json, dirname(resolve(file)), file);
}

export interface StartOptions {
  /** Empty an existing, non-empty output directory first. */
  force?: boolean;
  /** The simulated Xen's page-permission design (specs/permissions.md). */
  permissions?: DesignName;
  /** The xen stage keeps the v1 code's check order (specs/sim.md §6.1). */
  codeOrder?: boolean;
}

/** Check the scenario, create DIR with scenario.json and run.json, run the host stage. */
export async function startRun(scenarioFile: string, out: string, o: StartOptions = {}): Promise<SimDir> {
  loadScenario(scenarioFile);
  if (existsSync(out) && readdirSync(out).length) {
    if (!o.force) throw new NvError('sim', '', undefined, `${out} exists and is not empty; pass --force to replace it`);
    rmSync(out, { recursive: true });
  }
  mkdirSync(out, { recursive: true });
  const dir = new SimDir(out);
  dir.permissions = o.permissions;
  if (o.codeOrder) dir.codeOrder = true;
  dir.writeText('scenario.json', readFileSync(scenarioFile, 'utf8'));
  dir.saveState({ scenarioDir: dirname(resolve(scenarioFile)), stages: [] });
  await runStage(dir, 'host');
  return dir;
}

/** Every stage of the scenario's design, from the scenario file to the end. */
export async function runAll(scenarioFile: string, out: string, o: StartOptions = {}): Promise<SimDir> {
  const dir = await startRun(scenarioFile, out, o);
  await runRemaining(dir);
  return dir;
}

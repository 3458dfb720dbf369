/**
 * A run directory (specs/sim.md §1): `scenario.json` (the scenario as given), `run.json` (where the
 * scenario came from and which stages have run), and one folder per actor.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NvError } from '../core/errors.js';
import { parseScenario, type Scenario } from './scenario/scenario.js';
import type { DesignName } from './permissions/index.js';
import { SimSeed } from './seed.js';

export interface RunState {
  /** The folder the scenario was read from: its relative paths resolve there. */
  scenarioDir: string;
  /** Stages done, in order. */
  stages: string[];
}

export class SimDir {
  private cached?: Scenario;
  /**
   * How the simulated Xen tracks page permissions for this invocation (`--permissions`,
   * specs/permissions.md). Not saved: it changes nothing but xen/permissions.json.
   */
  permissions?: DesignName;
  /**
   * `--code-order` for this invocation: the xen stage keeps the v1 code's order (specs/sim.md
   * §6.1) whatever the scenario's `xen.checkOrder` says; xen/state.json records the order used.
   */
  codeOrder?: boolean;

  constructor(readonly root: string) {}

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Create the parent folders of `rel` and return its path. */
  file(rel: string): string {
    const p = this.path(rel);
    mkdirSync(dirname(p), { recursive: true });
    return p;
  }

  writeText(rel: string, text: string): void {
    writeFileSync(this.file(rel), text);
  }

  writeBytes(rel: string, bytes: Uint8Array): void {
    writeFileSync(this.file(rel), bytes);
  }

  readBytes(rel: string): Uint8Array {
    const p = this.path(rel);
    if (!existsSync(p)) throw new NvError('sim', rel, undefined, `${p} does not exist (did the stage that writes it run?)`);
    return new Uint8Array(readFileSync(p));
  }

  readJson<T = unknown>(rel: string): T {
    const text = Buffer.from(this.readBytes(rel)).toString('utf8');
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new NvError('sim', rel, undefined, `not valid JSON: ${(e as Error).message}`);
    }
  }

  exists(rel: string): boolean {
    return existsSync(this.path(rel));
  }

  state(): RunState {
    if (!this.exists('run.json')) throw new NvError('sim', 'run.json', undefined, `${this.root} is not a simulation directory (no run.json); start with "nvtool sim host SCENARIO.json --out DIR"`);
    return this.readJson<RunState>('run.json');
  }

  saveState(s: RunState): void {
    this.writeText('run.json', JSON.stringify(s, null, 2) + '\n');
  }

  /** The scenario in `scenario.json`, checked again (the user may have edited it between stages). */
  scenario(): Scenario {
    this.cached ??= parseScenario(this.readJson('scenario.json'), this.state().scenarioDir, this.path('scenario.json'));
    return this.cached;
  }

  seed(): SimSeed {
    return new SimSeed(this.scenario().seed);
  }
}

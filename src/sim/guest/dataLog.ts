/**
 * Where the guest's actions are recorded (specs/sim.md §7.11): `guests/<name>/steps.json`, one
 * entry per step in the order they ran (what was asked, what the guest saw, which host bytes
 * changed), and `guests/<name>/console.log`, one line per action as the guest's shell would show it.
 */
import type { SimDir } from '../runDir.js';

export const STEPS_JSON = 'steps.json';
export const GUEST_CONSOLE = 'console.log';

const rel = (name: string, file: string) => `guests/${name}/${file}`;
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x), 2) + '\n';

export function appendGuestLog(dir: SimDir, name: string, line: string): void {
  const f = rel(name, GUEST_CONSOLE);
  const old = dir.exists(f) ? Buffer.from(dir.readBytes(f)).toString('utf8') : '';
  dir.writeText(f, `${old}${line}\n`);
}

/** Append one step's record (bigints as 0x hex) to steps.json. */
export function recordStep(dir: SimDir, name: string, entry: Record<string, unknown>): void {
  const f = rel(name, STEPS_JSON);
  const old = dir.exists(f) ? dir.readJson<unknown[]>(f) : [];
  dir.writeText(f, json([...old, entry]));
}

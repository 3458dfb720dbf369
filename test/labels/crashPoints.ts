import { expect } from 'vitest';
import { crashPoints } from '../../src/core/mediaWrites.js';
import { applyWrite, logicalView, FUZZ_SET, type MediaWrite } from '../../src/labels/index.js';

/**
 * Cut power after each write of `writes` and inside each write (torn at every 8-byte boundary),
 * as the library's crash-point enumerator walks applyMediaWrites: the area must read back, under
 * Linux's rules, as exactly the old or the new state. Returns the number of crash points checked.
 */
export function expectCrashSafe(area: Uint8Array, writes: readonly MediaWrite[]): number {
  const after = area.slice();
  for (const w of writes) applyWrite(after, w);
  const allowed = new Set([logicalView(area, FUZZ_SET), logicalView(after, FUZZ_SET)]);
  let points = 0;
  let last: Uint8Array | undefined;
  for (const p of crashPoints([area], writes)) {
    const where = p.torn === undefined ? `after ${p.completed} of ${writes.length} writes` : `write ${p.completed} (${writes[p.completed]!.what}) torn at byte ${p.torn}`;
    expect(allowed.has(logicalView(p.devices[0]!, FUZZ_SET)), where).toBe(true);
    points++;
    if (p.torn === undefined) last = p.devices[0];
  }
  expect(Buffer.from(last!).equals(Buffer.from(after))).toBe(true);
  return points;
}

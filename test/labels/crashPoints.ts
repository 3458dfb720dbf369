import { expect } from 'vitest';
import { applyWrite, logicalView, FUZZ_SET, type MediaWrite } from '../../src/labels/index.js';

/** The bytes a write leaves when power fails after its first `cut` bytes (the rest stays old). */
export function tornAt(old: Uint8Array, w: MediaWrite, cut: number): MediaWrite {
  const b = old.slice(w.offset, w.offset + w.bytes.length);
  b.set(w.bytes.subarray(0, cut));
  return { ...w, bytes: b };
}

/**
 * Cut power after each write of `writes` and inside each write (torn at every 8-byte boundary):
 * the area must read back, under Linux's rules, as exactly the old or the new state. Returns the
 * number of crash points checked.
 */
export function expectCrashSafe(area: Uint8Array, writes: readonly MediaWrite[]): number {
  const after = area.slice();
  for (const w of writes) applyWrite(after, w);
  const allowed = new Set([logicalView(area, FUZZ_SET), logicalView(after, FUZZ_SET)]);
  let points = 0;
  const work = area.slice();
  for (let k = 0; k <= writes.length; k++) {
    expect(allowed.has(logicalView(work, FUZZ_SET)), `after ${k} of ${writes.length} writes`).toBe(true);
    points++;
    const w = writes[k];
    if (!w) break;
    for (let cut = 8; cut < w.bytes.length; cut += 8) {
      const torn = work.slice();
      applyWrite(torn, tornAt(work, w, cut));
      expect(allowed.has(logicalView(torn, FUZZ_SET)), `write ${k} (${w.what}) torn at byte ${cut}`).toBe(true);
      points++;
    }
    applyWrite(work, w);
  }
  expect(Buffer.from(work).equals(Buffer.from(after))).toBe(true);
  return points;
}

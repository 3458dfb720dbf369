import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../src/core/fuzz.js';
import { gptFuzzTarget, mbrFuzzTarget } from '../../src/disk/fuzz.js';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { readGpt, verifyGpt } from '../../src/disk/table.js';
import fc from 'fast-check';
import { xenPageInfoFuzzTarget, xenSuperBlockFuzzTarget } from '../../src/xen/fuzz.js';
import { isNvError } from '../../src/core/errors.js';

describe('fast-check: every disk/xen decoder (round trips, mutated and arbitrary bytes → value or NvError in bounded time)', () => {
  for (const t of [mbrFuzzTarget, gptFuzzTarget, xenSuperBlockFuzzTarget, xenPageInfoFuzzTarget]) {
    it(t.name, () => {
      const r = runFuzz(t as never, 150, 42);
      expect(r.failures.map((f) => `${f.property}: ${f.error}`)).toEqual([]);
    });
  }

  it('readGpt + verifyGpt on arbitrary small disks: a value or NvError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 * 512 }), fc.constantFrom(512 as const, 4096 as const), fc.nat(), (bytes, ss, seed) => {
        // plant a GPT signature sometimes so the header paths run
        if (bytes.length >= 1024 && seed % 2) bytes.set(Buffer.from('EFI PART'), 512);
        try {
          verifyGpt(readGpt(new MemoryBlockIO(bytes), ss));
        } catch (e) {
          if (!isNvError(e)) throw e;
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

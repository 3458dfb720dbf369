/** Every info-block decoder: round trips, mutated and arbitrary bytes give a value or NvError in bounded time. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNvError } from '../../src/core/errors.js';
import { runFuzz, type FuzzTarget } from '../../src/core/fuzz.js';
import { MemoryBlockIO } from '../../src/core/blockio.js';
import { Btt } from '../../src/infoblocks/btt.js';
import { bttFlogFuzzTarget, bttFuzzTarget, pfnFuzzTarget } from '../../src/infoblocks/fuzz.js';
import { encodePfnInfo, pfnInfoBlock, validatePfnInfo } from '../../src/infoblocks/pfn.js';
import { openNamespaceView } from '../../src/namespace/view.js';

describe.each([pfnFuzzTarget, bttFuzzTarget, bttFlogFuzzTarget] as FuzzTarget<any>[])('fuzz target $name', (t) => {
  it('round trips, mutated and arbitrary bytes', () => {
    const r = runFuzz(t, 150, 0x5eed);
    expect(r.failures).toEqual([]);
  });
});

describe('validators and the BTT opener on arbitrary input', () => {
  it('validatePfnInfo never throws on any decoded block and any namespace', () => {
    fc.assert(
      fc.property(pfnInfoBlock.arbitrary(), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 34 }), (v, size, start) => {
        const raw = encodePfnInfo(v);
        validatePfnInfo(v, raw, { size, physStart: start, namespaceUuid: v.parentUuid });
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('a damaged BTT gives a view or NvError, never another exception, quickly', () => {
    const size = 16 * 1024 * 1024 + 8192;
    const pristine = new Uint8Array(size);
    const btt = Btt.create(new MemoryBlockIO(pristine), { uuid: '11111111-2222-3333-4444-555555555555', lbasize: 512, version: { major: 1, minor: 1 } });
    const a = btt.arenas[0]!;
    const hot = [a.base, a.base + 48, a.base + 56, a.base + 88, a.base + 4088, a.base + Number(a.info.logoff), a.base + Number(a.info.logoff) + 12, a.base + Number(a.info.mapoff)];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...hot), fc.nat({ max: 63 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const img = pristine.slice();
        for (const [base, d, b] of edits) img[base + d] = b;
        const t0 = performance.now();
        try {
          const v = openNamespaceView(new MemoryBlockIO(img), { offset: 0, size, uuid: '00000000-0000-0000-0000-000000000000', claimClass: 'none' });
          if (v.btt) v.device.read(0);
        } catch (e) {
          if (!isNvError(e)) throw e;
        }
        expect(performance.now() - t0).toBeLessThan(1000);
      }),
      { numRuns: 60, seed: 11 },
    );
  });
});

/**
 * The compiled fast paths (`compileFastDecoder`: values only, and values with the dump's spans)
 * against the full schema walker as reference model (`fullWalk`): for every struct below, on
 * encoded fast-check values, the same bytes with bytes flipped, cut short or extended, both must
 * give the same value (same keys in the same order, same types), findings, spans and size — or
 * throw the same NvError. The structs cover every field kind the fast path reads (integers, u64, ASCII,
 * GUIDs both orders, fixed and sized bytes, reserved bytes, tails, arrays, optional groups, bounded
 * records, checksums, unions and nested structs that fall back).
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as nfit from '../../src/acpi/nfit/table.js';
import { acpiTableHeader } from '../../src/acpi/header.js';
import { decodeStruct, encodeStruct, type Struct } from '../../src/core/schema/index.js';
import { isNvError } from '../../src/core/errors.js';
import { ByteReader } from '../../src/core/bytes/reader.js';
import * as gpt from '../../src/disk/gpt.js';
import * as btt from '../../src/infoblocks/bttInfo.js';
import * as pfn from '../../src/infoblocks/pfn.js';
import * as label from '../../src/labels/label.js';
import * as indexBlock from '../../src/labels/indexBlock.js';
import * as spa from '../../src/acpi/nfit/spaRange.js';
import * as memdev from '../../src/acpi/nfit/memoryMap.js';
import * as dcr from '../../src/acpi/nfit/controlRegion.js';
import * as flush from '../../src/acpi/nfit/flushHint.js';
import * as idt from '../../src/acpi/nfit/interleave.js';
import * as dmop from '../../src/xen/hypercalls/dmop.js';
import * as domctl from '../../src/xen/hypercalls/domctl.js';
import * as sysctl from '../../src/xen/hypercalls/sysctl.js';
import * as platform from '../../src/xen/hypercalls/platform.js';
import * as superblock from '../../src/xen/superblock.js';

const structsOf = (...mods: object[]): [string, Struct<any>][] =>
  mods.flatMap((m) => Object.entries(m).filter((e): e is [string, Struct<any>] => typeof (e[1] as Struct<any>)?.decodeFast === 'function'));
const STRUCTS = [...structsOf(nfit, spa, memdev, dcr, flush, idt, gpt, btt, pfn, label, indexBlock, dmop, domctl, sysctl, platform, superblock), ['acpiTableHeader', acpiTableHeader] as [string, Struct<any>]];

const show = (v: unknown) => inspect(v, { depth: 20, maxArrayLength: 1e6, breakLength: Infinity });
function outcome(s: Struct<any>, bytes: Uint8Array, spans: boolean, fullWalk: boolean): string {
  try {
    const d = decodeStruct(s, bytes, { spans, base: 8, fullWalk });
    return show({ value: d.value, findings: d.findings, spans: d.spans, size: d.size });
  } catch (e) {
    if (!isNvError(e)) throw e;
    return `NvError ${e.message} @${e.path} ${e.offset}`;
  }
}

describe('compiled fast decode (with and without spans) = full walker', () => {
  it('covers structs the fast path takes and ones it leaves to the walker', () => {
    expect(STRUCTS.length).toBeGreaterThan(12);
    expect(STRUCTS.filter(([, s]) => s.fastDecoder() !== null).length).toBeGreaterThan(8);
    expect(STRUCTS.some(([, s]) => s.fastDecoder() === null)).toBe(true);
  });

  it('values are plain objects, strictly equal to the walker\'s (built by constructors, not literals)', () => {
    for (const [, s] of STRUCTS.filter(([, x]) => x.fastDecoder() !== null)) {
      for (const v of fc.sample(s.arbitrary(), { numRuns: 20, seed: 7 })) {
        let bytes: Uint8Array;
        try {
          bytes = encodeStruct(s, v);
        } catch {
          continue;
        }
        const fast = s.decodeFast(new ByteReader(bytes, s.name, 0));
        if (fast === undefined) continue;
        expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
        expect(fast).toStrictEqual(decodeStruct(s, bytes, { fullWalk: true }).value);
        expect({ ...fast }).toStrictEqual(fast);
      }
    }
  });

  for (const [name, s] of STRUCTS) {
    it(`${name}: same value, findings, spans, size or error on encoded, mutated, cut and extended bytes`, () => {
      fc.assert(
        fc.property(s.arbitrary(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }), fc.integer({ min: -8, max: 8 }), (v, flips, cut) => {
          let bytes: Uint8Array;
          try {
            bytes = encodeStruct(s, v);
          } catch {
            return true; // values the encoder refuses are the encoder's business
          }
          const m = bytes.slice();
          for (const [at, x] of flips) if (m.length) m[at % m.length]! ^= x;
          const resized = cut < 0 ? m.subarray(0, Math.max(0, m.length + cut)) : Uint8Array.from([...m, ...new Array<number>(cut).fill(0)]);
          for (const b of [bytes, m, resized]) {
            for (const spans of [false, true]) expect(outcome(s, b, spans, false)).toBe(outcome(s, b, spans, true));
          }
        }),
        { numRuns: 40, seed: 20261207 },
      );
    });
  }
});

/**
 * A record's type selector in JSON reads like every other integer (parseIntegerJson): a number, a
 * decimal or a "0x" string pick the same variant. Reference: the QEMU NFIT (fixtures/qemu), whose
 * own bytes the numeric form encodes back to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNfit, encodeNfit, nfitFromJson, nfitToJson } from '../../src/acpi/nfit/index.js';
import { NvError } from '../../src/core/errors.js';
import { REPO } from '../support/fixtures.js';

describe('record type selector in JSON', () => {
  const bytes = new Uint8Array(readFileSync(join(REPO, 'fixtures/qemu/pc-1dimm/NFIT.aml')));
  const json = nfitToJson(decodeNfit(bytes).table) as { structures: { type: unknown }[] };
  const encodeWith = (f: (t: number) => unknown) => {
    const j = structuredClone(json);
    for (const s of j.structures) s.type = f(s.type as number);
    return encodeNfit(nfitFromJson(j).table);
  };

  it('number, decimal string and "0x" string give the QEMU table back', () => {
    expect(json.structures.length).toBeGreaterThan(1);
    for (const f of [(t: number) => t, (t: number) => String(t), (t: number) => `0x${t.toString(16)}`]) expect(Buffer.from(encodeWith(f)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('a type that is no integer is an NvError naming the field', () => {
    expect(() => encodeWith(() => 'one')).toThrow(NvError);
    expect(() => encodeWith(() => -1)).toThrow(/structures\[0\]\.type/);
  });
});

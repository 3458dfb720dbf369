import { describe, expect, it } from 'vitest';
import { buildNfit, type NfitDescription } from '../../../src/acpi/build/index.js';
import { decodeNfit, encodeNfit } from '../../../src/acpi/nfit/index.js';
import { NvError } from '../../../src/core/errors.js';
import { qemuFixtures, rejectedQemuFixtures } from '../../support/fixtures.js';

const withNfit = qemuFixtures().filter((f) => f.nfit);

describe('build-nfit against real QEMU 7.2 (fixtures/qemu)', () => {
  it('has the fixtures', () => {
    expect(withNfit.length).toBeGreaterThanOrEqual(40);
  });

  it.each(withNfit.map((f) => [f.name, f] as const))('%s: build-nfit output is byte-identical to the guest-visible NFIT', (_name, f) => {
    const built = buildNfit(f.platform as NfitDescription);
    expect(Buffer.from(built.bytes).toString('hex')).toBe(Buffer.from(f.nfit!).toString('hex'));
  });

  it.each(withNfit.map((f) => [f.name, f] as const))('%s: decodes clean and re-encodes byte-identically', (_name, f) => {
    const d = decodeNfit(f.nfit!);
    const unarmed = JSON.stringify(f.platform).includes('"unarmed":true');
    // QEMU's only "unhealthy" state is unarmed=on, which must show as the not-armed health flag.
    expect(d.findings.map((x) => x.code)).toEqual(unarmed ? ['health'] : []);
    expect(Buffer.from(encodeNfit(d.table)).equals(Buffer.from(f.nfit!))).toBe(true);
  });
});

describe('configurations QEMU refuses', () => {
  it.each(rejectedQemuFixtures().map((f) => [f.name, f] as const))('%s: refused with the message QEMU printed', (_name, f) => {
    let err: unknown;
    try {
      buildNfit(f.platform as NfitDescription);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NvError);
    // QEMU prints "qemu-system-x86_64: <option>: <message>"; ours carries the message.
    const qemuMessage = f.stderr.trim().split('\n')[0]!.split(': ').slice(2).join(': ');
    expect((err as NvError).reason).toContain(qemuMessage);
  });
});

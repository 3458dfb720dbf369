/**
 * Every uuid, GUID, time and random choice of a simulation run derives from the scenario's seed
 * and a purpose string ("dom0.nv0.ns0.uuid"), so the same scenario gives byte-identical artefacts.
 */
import { createHash } from 'node:crypto';

export class SimSeed {
  constructor(readonly seed: string) {}

  /** 32 bytes for `purpose`: SHA-256 of the seed and the purpose. */
  bytes(purpose: string): Uint8Array {
    return new Uint8Array(createHash('sha256').update(`nvtool-sim\0${this.seed}\0${purpose}`).digest());
  }

  /** A version-4-shaped uuid (RFC 4122 variant), lower case. */
  uuid(purpose: string): string {
    const b = this.bytes(purpose).slice(0, 16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = Buffer.from(b).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** An integer in [0, n). */
  below(purpose: string, n: number): number {
    return Number(Buffer.from(this.bytes(purpose)).readBigUInt64LE(0) % BigInt(n));
  }

  /**
   * The wall-clock time of the run, seconds since the epoch: a fixed day in 2017 (the v1 series'
   * year) plus a seed-derived offset under one year. Handed to e2fsprogs as E2FSPROGS_FAKE_TIME.
   */
  time(): number {
    return 1_483_228_800 + this.below('time', 365 * 86_400);
  }
}

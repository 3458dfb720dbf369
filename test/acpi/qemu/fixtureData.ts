/** Reads fixtures/qemu (real QEMU 7.2 captures) for the platform-model tests. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const QEMU_FIXTURES = fileURLToPath(new URL('../../../fixtures/qemu/', import.meta.url));

export interface AcceptedFixture {
  name: string;
  platform: unknown;
  nfit: Buffer;
}

export interface RejectedFixture {
  name: string;
  platform: unknown;
  stderr: string;
}

export interface QomOrderEntry {
  machine: string;
  ids: Array<string | null>;
  qomList: string[];
  qomListAnon: string[];
  nfitOrder: string[];
}

function dirs(path: string): string[] {
  if (!existsSync(path)) return [];
  return readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

export function acceptedFixtures(): AcceptedFixture[] {
  return dirs(QEMU_FIXTURES)
    .filter((name) => existsSync(join(QEMU_FIXTURES, name, 'NFIT.aml')))
    .map((name) => ({
      name,
      platform: JSON.parse(readFileSync(join(QEMU_FIXTURES, name, 'platform.json'), 'utf8')) as unknown,
      nfit: readFileSync(join(QEMU_FIXTURES, name, 'NFIT.aml')),
    }));
}

export function rejectedFixtures(): RejectedFixture[] {
  const root = join(QEMU_FIXTURES, 'rejected');
  return dirs(root).map((name) => ({
    name,
    platform: JSON.parse(readFileSync(join(root, name, 'platform.json'), 'utf8')) as unknown,
    stderr: readFileSync(join(root, name, 'stderr.txt'), 'utf8'),
  }));
}

export function qomOrderFixtures(): QomOrderEntry[] {
  const path = join(QEMU_FIXTURES, 'qom-order.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as QomOrderEntry[]) : [];
}

/** The per-dimm fields of a QEMU NFIT, read with plain offsets (ACPI 6.x §5.2.25; QEMU emits SPA, memdev, DCR per dimm). */
export interface NfitDimm {
  spaIndex: number;
  spaFlags: number;
  proximityDomain: number;
  spaBase: bigint;
  spaLength: bigint;
  handle: number;
  memdevSpaIndex: number;
  memdevDcrIndex: number;
  regionSize: bigint;
  memdevFlags: number;
  dcrIndex: number;
  serial: number;
}

const HEADER = 40;
const PER_DIMM = 184;
const SPA = 0;
const MEMDEV = 56;
const DCR = 104;

export function nfitLength(nfit: Buffer): number {
  return nfit.readUInt32LE(4);
}

/** QEMU's NFIT after the header: ndimms × (SPA 56 + memdev 48 + DCR 80), then an optional 16-byte capabilities structure. */
export function nfitDimms(nfit: Buffer): NfitDimm[] {
  const count = Math.floor((nfitLength(nfit) - HEADER) / PER_DIMM);
  return Array.from({ length: count }, (_, i) => {
    const o = HEADER + PER_DIMM * i;
    return {
      spaIndex: nfit.readUInt16LE(o + SPA + 4),
      spaFlags: nfit.readUInt16LE(o + SPA + 6),
      proximityDomain: nfit.readUInt32LE(o + SPA + 12),
      spaBase: nfit.readBigUInt64LE(o + SPA + 32),
      spaLength: nfit.readBigUInt64LE(o + SPA + 40),
      handle: nfit.readUInt32LE(o + MEMDEV + 4),
      memdevSpaIndex: nfit.readUInt16LE(o + MEMDEV + 12),
      memdevDcrIndex: nfit.readUInt16LE(o + MEMDEV + 14),
      regionSize: nfit.readBigUInt64LE(o + MEMDEV + 16),
      memdevFlags: nfit.readUInt16LE(o + MEMDEV + 44),
      dcrIndex: nfit.readUInt16LE(o + DCR + 4),
      serial: nfit.readUInt32LE(o + DCR + 24),
    };
  });
}

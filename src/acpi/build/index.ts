import { parsePlatform, resolvePlatform, type PlatformDescription, type ResolvedPlatform } from '../qemu/index.js';
import { encodeNfit, type Nfit } from '../nfit/index.js';
import { genericNfit } from './genericNfit.js';
import { qemuNfit } from './qemuNfit.js';

export * from './qemuNfit.js';
export * from './qemuOem.js';
export * from './genericNfit.js';
export * from './defaults.js';

export interface BuiltNfit {
  bytes: Uint8Array;
  table: Nfit;
  /** The QEMU model's decisions (slots, addresses, NFIT order), for the `qemu` profile. */
  platform?: ResolvedPlatform;
  profile: 'qemu' | 'generic';
}

/** Any NFIT, structure by structure (`decode --json` field names; see specs/qemu-platform.md). */
export interface GenericNfitDescription {
  profile: 'generic';
  /** ACPI header fields to set (OEM id, revisions...); the rest as QEMU writes them. */
  header?: object;
  structures: readonly object[];
}

/** What `buildNfit` takes: a QEMU platform (PLATFORM.json) or a generic structure list. */
export type NfitDescription = (PlatformDescription & { profile?: 'qemu' }) | GenericNfitDescription;

/**
 * `build-nfit`: a platform description → the NFIT. Profile `qemu` (the default) reproduces QEMU
 * 7.2 byte for byte; profile `generic` (or any description with a `structures` list) builds
 * whatever structures it lists. The shape is checked at run time too (descriptions often come
 * from JSON files): a wrong one is an `NvError` naming the field.
 */
export function buildNfit(description: NfitDescription): BuiltNfit {
  const json: unknown = description;
  const obj = (json && typeof json === 'object' && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  if (obj.profile === 'generic' || (obj.profile === undefined && Array.isArray(obj.structures))) {
    const { table, pins } = genericNfit(obj);
    return { bytes: encodeNfit(table, pins), table, profile: 'generic' };
  }
  const { profile: _ignored, ...rest } = obj;
  const platform = resolvePlatform(parsePlatform(obj.profile === 'qemu' ? rest : json));
  const table = qemuNfit(platform);
  return { bytes: encodeNfit(table), table, platform, profile: 'qemu' };
}

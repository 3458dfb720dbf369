import { parsePlatform, resolvePlatform, type ResolvedPlatform } from '../qemu/index.js';
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

/**
 * `build-nfit`: a platform description → the NFIT. Profile `qemu` (the default) reproduces QEMU
 * 7.2 byte for byte; profile `generic` (or any description with a `structures` list) builds
 * whatever structures it lists.
 */
export function buildNfit(json: unknown): BuiltNfit {
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

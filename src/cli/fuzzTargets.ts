import { nfitFuzzTarget } from '../acpi/nfit/fuzz.js';
import type { FuzzTarget } from '../core/fuzz.js';
import { gptFuzzTarget, mbrFuzzTarget } from '../disk/fuzz.js';
import { hypercallFuzzTargets, xenPageInfoFuzzTarget, xenSuperBlockFuzzTarget } from '../xen/fuzz.js';
import { bttFlogFuzzTarget, bttFuzzTarget, pfnFuzzTarget } from '../infoblocks/fuzz.js';
import { labelsFuzzTarget } from '../labels/fuzz.js';
import { amlFuzzTarget } from '../aml/fuzz.js';
import { ext4FuzzTargets } from '../fs/ext4/fuzz.js';

/** Decoders `nvtool fuzz` can exercise. */
const targets: FuzzTarget<any>[] = [nfitFuzzTarget, pfnFuzzTarget, bttFuzzTarget, bttFlogFuzzTarget, labelsFuzzTarget, gptFuzzTarget, mbrFuzzTarget, xenSuperBlockFuzzTarget, xenPageInfoFuzzTarget, ...hypercallFuzzTargets, amlFuzzTarget, ...ext4FuzzTargets];

export function registerFuzzTarget(t: FuzzTarget<any>): void {
  targets.push(t);
}

export function fuzzTargets(): readonly FuzzTarget<any>[] {
  return targets;
}

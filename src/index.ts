/**
 * nvtool as a library: every codec is typed and documented.
 *
 *   import { nfit, qemu, buildNfit, inspect } from 'nvtool';
 *   const { table, findings } = nfit.decodeNfit(bytes);
 */
export * as core from './core/index.js';
export * as acpi from './acpi/index.js';
export * as nfit from './acpi/nfit/index.js';
export * as qemu from './acpi/qemu/index.js';
export { buildNfit, qemuNfit } from './acpi/build/index.js';
export * as aml from './aml/index.js';
export * as labels from './labels/index.js';
export * as infoblocks from './infoblocks/index.js';
export * as namespace from './namespace/index.js';
export * as disk from './disk/index.js';
export * as xen from './xen/index.js';
export * as codecs from './codecs/index.js';
export * as inspect from './inspect/index.js';
export { NvError } from './core/errors.js';

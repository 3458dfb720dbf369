/**
 * The option sets shared by commands that work on an image: `IMAGE [--namespace UUID]
 * [--label-size N]` (the block device Linux exposes for a namespace inside an NVDIMM image) and
 * `--window-offset/--window-size` (a byte range of IMAGE). Parsed here once; `../target.ts` turns
 * the values into a BlockIO.
 */
import type { OptionSpec } from './spec.js';
import { byteNumber, bytes, uuid } from './values.js';

/** QEMU's smallest label-size= (hw/mem/nvdimm.c MIN_NAMESPACE_LABEL_SIZE) up to what nvtool reads whole. */
export const labelSizeValue = byteNumber({ min: 1, max: 1 << 30 });

export const namespaceOption: OptionSpec = {
  describe: 'work on the block device Linux exposes for this namespace UUID inside IMAGE (raw: the namespace; fsdax/devdax: past the info block; sector: through the BTT)',
  value: uuid(),
};

export const labelSizeOption: OptionSpec = {
  describe: "size of the label storage area at the end of IMAGE (QEMU's label-size=); probed when absent",
  value: labelSizeValue,
};

/**
 * Where IMAGE is mapped: nd_pfn_init()/nd_pfn_validate() align the fsdax/devdax info block to the
 * namespace's system physical address, not to its offset in the file (namespace/labelsGlue
 * namespacePhysStart). Without it, IMAGE's byte 0 is taken to sit at a 2 MiB-aligned SPA.
 */
export const spaOption: OptionSpec = {
  describe: "system physical address of IMAGE's byte 0 (the DIMM's pmem base: its NFIT SPA range address + region offset, a region's resource in Linux's sysfs); fsdax/devdax info blocks are aligned to the namespace's SPA = this + its offset, as Linux does. Default: IMAGE's byte 0 at a 2 MiB-aligned SPA (a lone QEMU NVDIMM)",
  value: byteNumber(),
};

export const windowOptions = {
  'window-offset': { describe: 'work on a window of the file starting at this byte offset', value: bytes() },
  'window-size': { describe: 'size of that window in bytes (default: to the end of the file)', value: bytes({ min: 1n }) },
} satisfies Record<string, OptionSpec>;

/** `--namespace`, `--label-size` and the window options, for commands that take all three. */
export const imageTargetOptions = {
  namespace: namespaceOption,
  'label-size': labelSizeOption,
  ...windowOptions,
} satisfies Record<string, OptionSpec>;

/** A window and a namespace are two ways to address part of an image. */
export const imageTargetConflicts = [
  ['namespace', 'window-offset'],
  ['namespace', 'window-size'],
] as const;

/** What the shared options parse to (camelCase keys, as `run` receives them). */
export interface ImageTargetArgs {
  namespace?: string;
  labelSize?: number;
  windowOffset?: bigint;
  windowSize?: bigint;
}

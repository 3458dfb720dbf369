import { NvError } from '../../core/errors.js';

/**
 * The error for a platform QEMU 7.2 would refuse (or that is not a well-formed description).
 * `path` names the offending field (`nvdimms[1].labelSize`); `reason` carries QEMU's own message
 * text wherever QEMU has one, so a user reads what QEMU would print after its `-device ...:` prefix.
 */
export function reject(path: string, reason: string): NvError {
  return new NvError('platform', path, undefined, reason);
}

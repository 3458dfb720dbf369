/**
 * Xen's errno values (xen/include/public/errno.h, same numbers as Linux on x86), as hypercalls
 * return them: negated. One table for every simulated component; `errnoName(-12)` is "-ENOMEM".
 */
export const XEN_ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
} as const;

export type ErrnoName = keyof typeof XEN_ERRNO;

export const ENXIO = -XEN_ERRNO.ENXIO;
export const ENOMEM = -XEN_ERRNO.ENOMEM;
export const EBUSY = -XEN_ERRNO.EBUSY;
export const EEXIST = -XEN_ERRNO.EEXIST;
export const EINVAL = -XEN_ERRNO.EINVAL;
export const ENOSPC = -XEN_ERRNO.ENOSPC;

const NAMES = new Map<number, string>(Object.entries(XEN_ERRNO).map(([k, v]) => [-v, `-${k}`]));

/** A hypercall result as trace.jsonl writes it: "0", "-EINVAL", or the number if unnamed. */
export function errnoName(rc: number): string {
  return rc === 0 ? '0' : (NAMES.get(rc) ?? String(rc));
}

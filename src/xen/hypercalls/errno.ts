/**
 * Xen's error numbers (xen/include/public/errno.h, the same values in every vNVDIMM branch). A
 * hypercall returns `-errno`; the simulation writes results as strings ("0", "-EINVAL").
 */
export const XEN_ERRNO = {
  EPERM: 1, ENXIO: 6, E2BIG: 7, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, ENODEV: 19, EINVAL: 22, ENOSPC: 28, ENOSYS: 38,
  ERESTART: 85, EOPNOTSUPP: 95,
} as const;

export type XenErrno = keyof typeof XEN_ERRNO;

/** A hypercall's return value: 0 or a negative errno. */
export type XenRc = 0 | { errno: XenErrno };

export const rcText = (rc: XenRc): string => (rc === 0 ? '0' : `-${rc.errno}`);
export const rcValue = (rc: XenRc): number => (rc === 0 ? 0 : -XEN_ERRNO[rc.errno]);
export const fail = (errno: XenErrno): XenRc => ({ errno });

/**
 * The host machine as the host stage leaves it (specs/sim.md §3): `host/nfit.aml` (the firmware's
 * NFIT) and `host/machine.json`, which names each NVDIMM's backing image and its NFIT device
 * handle — what QEMU's `-object memory-backend-file,mem-path=... -device nvdimm,slot=...` says.
 * Which SPA lives where is never stored: it follows from the NFIT (host/spa.ts).
 */
import type { SimDir } from '../runDir.js';

export interface HostDimm {
  id: string;
  /** NFIT device handle (QEMU: slot + 1). */
  handle: number;
  slot: number;
  /** Backing image, relative to the run directory. */
  image: string;
  /** Backend size: the image's size. */
  size: string;
  /** Persistent memory the guest sees: image bytes [0, pmemSize). */
  pmemSize: string;
  /** Label storage area: the image's last labelSize bytes (0: none). */
  labelSize: string;
  node: number;
}

export interface HostMachine {
  nfit: string;
  /** NFIT order. */
  dimms: HostDimm[];
}

export const HOST_MACHINE = 'host/machine.json';
export const HOST_NFIT = 'host/nfit.aml';

export function readHostMachine(dir: SimDir): HostMachine {
  return dir.readJson<HostMachine>(HOST_MACHINE);
}

export const dimmImagePath = (id: string) => `host/${id}.img`;

/**
 * The simulation of the Xen vNVDIMM design (specs/sim.md): actors as stages over a run directory.
 * Importing this module registers every stage.
 */
export * from './seed.js';
export * from './scenario/schema.js';
export * from './scenario/check.js';
export * from './scenario/scenario.js';
export * from './runDir.js';
export * from './stages.js';
export * from './hypercalls.js';
export * from './run.js';
export * from './host/machine.js';
export * from './host/spa.js';
export * from './host/stage.js';
export * from './dom0/kernfs.js';
export * from './dom0/e2fs.js';
export * from './dom0/setup.js';
export * from './dom0/linux.js';
export * from './dom0/ndctl.js';
export * from './dom0/sysfs.js';
export * from './dom0/xenAreas.js';
export * from './dom0/stage.js';
export * from './dom0/report.js';
export * from './xen/index.js';
export * from './xl/cfg.js';
export * from './xl/guest.js';
export * from './xl/argv.js';
export * from './xl/libxl.js';
export * from './xl/stage.js';
export * from './qemu/machine.js';
export * from './qemu/stage.js';
export * from './xenstore.js';
export * as handover from './handover/index.js';
export * as hvmloader from './hvmloader/index.js';
export * from './hvmloader/stage.js';
export * from './guestMappings.js';
export * as guest from './guest/index.js';

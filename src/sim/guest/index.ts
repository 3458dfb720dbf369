export * from './labelDevice.js';
export * from './kernel.js';
export * from './steps.js';
export * from './stage.js';
export * from './dataPath.js';
export * from './dataLog.js';
export * from './destroy.js';
export { guestWrite, guestRead, guestStore, runWriteStep, labellessGuestNamespaces, parsePattern, patternBytes, deviceFile, type GuestNamespaceRef, type WriteRequest, type WriteOutcome } from './write.js';

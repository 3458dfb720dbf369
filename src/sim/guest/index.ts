export * from './guestPhys.js';
export * from './labelDevice.js';
export * from './kernel.js';
export * from './steps.js';
export * from './stage.js';

export * from './memory.js';
export * from './alloc.js';
export * from './base.js';
export * from './dm.js';
export * from './nsdev.js';
export * from './build.js';
export * from './xenAcpi.js';
export * from './cnum.js';

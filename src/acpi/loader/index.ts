export * from './entry.js';
export * from './fwcfg.js';
export * from './files.js';
export * from './exec.js';

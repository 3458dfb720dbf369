export * from './gas.js';
export * from './rsdp.js';
export * from './sdt.js';
export * from './facs.js';
export * from './fadt.js';
export * from './madt.js';
export * from './find.js';

export * from './errors.js';
export * from './values.js';
export * from './regions.js';
export * from './namespace.js';
export * from './interpreter.js';
export * from './format.js';
export * from './memoryHandler.js';

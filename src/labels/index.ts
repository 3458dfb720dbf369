export * from './geometry.js';
export * from './indexBlock.js';
export * from './label.js';
export * from './cookie.js';
export * from './area.js';
export * from './update.js';
export * from './ndctlJson.js';
export * from './fuzz.js';

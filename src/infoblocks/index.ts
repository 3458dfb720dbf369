export * from './btt.js';
export * from './bttInfo.js';
export * from './bttLayout.js';
export * from './bttLog.js';
export * from './fuzz.js';
export * from './pfn.js';

export * from './mbr.js';
export * from './gpt.js';
export * from './gptTypes.js';
export * from './table.js';
export * from './format.js';
export * from './fuzz.js';

export * from './format.js';
export * from './labelsGlue.js';
export * from './view.js';

export * from './sizes.js';
export * from './reject.js';
export * from './platform.js';
export * from './ramLayout.js';
export * from './dimmPlacement.js';
export * from './qomOrder.js';
export * from './identifiers.js';
export * from './resolve.js';

export * from './dmAcpi.js';
export * from './fwCfg.js';
export * from './stage.js';

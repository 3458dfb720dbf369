export * from './dmAcpi.js';
export * from './fwCfg.js';

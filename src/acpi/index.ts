export * from './header.js';
export * from './genericTable.js';
export * as nfit from './nfit/index.js';
export * as qemu from './qemu/index.js';
export * as build from './build/index.js';
export * as tables from './tables/index.js';
export * as loader from './loader/index.js';

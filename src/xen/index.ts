export * from './pageInfo.js';
export * from './superblock.js';
export * from './frameTable.js';
export * from './layout.js';
export * from './fuzz.js';
export { XEN_PMEM_PARTITION_TYPE_GUID } from '../disk/gptTypes.js';
export * as hypercalls from './hypercalls/index.js';

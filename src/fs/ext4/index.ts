export * from './structs.js';
export { Ext4, type Ext4Extent, type Ext4File } from './reader.js';
export { FIEMAP_EXTENT, fiemap, fiemapFlagNames, fiemapOfExtents, type FiemapExtent } from './fiemap.js';
export { ext4FuzzTargets } from './fuzz.js';

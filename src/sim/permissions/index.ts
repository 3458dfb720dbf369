import { BitmapStore } from './bitmap.js';
import { HybridStore } from './hybrid.js';
import { PageOwnerStore } from './pageOwner.js';
import { CAPPED_RANGES, RangesetStore } from './rangesetStore.js';
import type { DesignName, PermissionStore, StoreOptions } from './types.js';

export * from './types.js';
export { Rangeset } from './rangeset.js';
export { RangesetStore, CAPPED_RANGES, RANGE_STRUCT_SIZE, RANGESET_STRUCT_SIZE } from './rangesetStore.js';
export { BitmapStore } from './bitmap.js';
export { HybridStore, DEFAULT_CHUNK_PAGES, HYBRID_NODE_SIZE } from './hybrid.js';
export { PageOwnerStore } from './pageOwner.js';
export { PmemPermissions, type PermissionStats } from './table.js';

/** The store of one design (`nvtool sim run --permissions DESIGN`). */
export function createStore(design: DesignName, o: StoreOptions): PermissionStore {
  switch (design) {
    case 'rangeset':
      return new RangesetStore('rangeset');
    case 'capped':
      return new RangesetStore('capped', o.limit ?? CAPPED_RANGES);
    case 'bitmap':
      return new BitmapStore(o.host);
    case 'hybrid':
      return new HybridStore(o.chunkPages);
    case 'pageowner':
      return new PageOwnerStore(o.host);
  }
}

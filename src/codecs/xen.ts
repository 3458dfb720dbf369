/** nvtool's Xen pmem super block on its own (magic at offset 0). */
import { XEN_SB_MAGIC, xenSuperBlock } from '../xen/superblock.js';
import type { DecodableFormat } from './registry.js';
import { structFormat } from './struct.js';

const base = structFormat('xen-superblock', xenSuperBlock, {
  detect: (b) => b.length >= (xenSuperBlock.size ?? Infinity) && Buffer.from(b.subarray(0, XEN_SB_MAGIC.length)).toString('latin1') === XEN_SB_MAGIC,
  detectJson: (j) => (j as { magic?: unknown })?.magic === XEN_SB_MAGIC,
  decodeAs: 'xen.superblock',
});

export const xenSuperBlockFormat: DecodableFormat = {
  ...base,
  decode(bytes, o) {
    const d = base.decode(bytes, o);
    // the reserved tail is one long zero run: not worth a dump line
    return d.spans ? { ...d, spans: d.spans.filter((s) => s.path !== 'reserved') } : d;
  },
};

/**
 * What `nvtool inspect host/<id>.img` adds inside a run directory of design v3/v4: the frame-table
 * and M2P chunks Xen placed in the mgmt regions. No on-media structure points at them (the design
 * keeps roles in Xen only, xen.md §2), so their places come from xen/state.json; each mgmt region is
 * an `xen-reserved` layer with its chunks as `xen-frame-table` / `xen-m2p` children (specs/sim.md §6.6).
 * Design v1's tables are found through the super blocks and need nothing from here.
 */
import { layer, frameTableRunsLayer, m2pRunsLayer, type InspectContext, type Layer } from '../../inspect/index.js';
import { hostMappings } from '../host/spa.js';
import type { SimDir } from '../runDir.js';
import { PAGE_SHIFT, hex } from './geometry.js';
import { xenStateFromJson } from './state.js';
import { XEN_STATE } from './stage.js';

export function xenStateLayers(dir: SimDir, image: string, ctx: InspectContext): Layer[] {
  if (!dir.exists(XEN_STATE)) return [];
  const st = xenStateFromJson(dir.readJson(XEN_STATE));
  if (st.design === 'v1') return [];
  const maps = hostMappings(dir).filter((m) => m.dimm.image === image);
  const fileOffset = (mfn: bigint): number | undefined => {
    const spa = mfn << PAGE_SHIFT;
    const m = maps.find((x) => spa >= x.spa && spa < x.spa + x.length);
    return m ? Number(m.fileOffset + spa - m.spa) : undefined;
  };
  const out: Layer[] = [];
  for (const g of st.mgmt) {
    const at = fileOffset(g.smfn);
    if (at === undefined) continue;
    const l = layer('xen-reserved', at, Number((g.emfn - g.smfn) << PAGE_SHIFT), `Xen mgmt region MFNs ${hex(g.smfn)}-${hex(g.emfn)}, ${g.used} pages used (from xen/state.json)`);
    l.fields = { smfn: hex(g.smfn), emfn: hex(g.emfn), used: Number(g.used), source: 'xen/state.json' };
    for (const c of st.chunks) {
      if (c.mfn < g.smfn || c.mfn >= g.emfn) continue;
      const off = fileOffset(c.mfn);
      if (off === undefined) continue;
      const what = `frames ${hex(c.firstFrame)}-${hex(c.firstFrame + c.frames)}`;
      const child = c.kind === 'frame-table'
        ? frameTableRunsLayer(ctx, off, Number(c.frames), { base: Number(c.firstFrame), label: `frame table of ${what}` })
        : c.kind === 'm2p' ? m2pRunsLayer(ctx, off, Number(c.frames), { base: Number(c.firstFrame), label: `M2P of ${what}` }) : undefined;
      if (child) l.children.push(child);
    }
    out.push(l);
  }
  return out;
}

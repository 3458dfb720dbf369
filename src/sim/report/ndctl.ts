/**
 * An `ndctl list` document (Dom0's `dom0/ndctl-list.json`, a guest's `guests/<name>/ndctl-list.json`)
 * in one shape. ndctl prints an object with `dimms`/`regions`/`namespaces` when it lists more than
 * one kind, a bare array when only one, and nothing when there is nothing (ndctl 76).
 */
import type { SimDir } from '../runDir.js';

type Obj = Record<string, unknown>;

export interface NdctlView {
  file: string;
  dimms: Obj[];
  regions: (Obj & { namespaces: Obj[] })[];
  /** Namespaces listed outside a region (`ndctl list -N`). */
  namespaces: Obj[];
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const kindOf = (o: Obj) => String(o.dev ?? '').replace(/\d.*$/, '');

export function readNdctl(dir: SimDir, rel: string): NdctlView {
  const text = Buffer.from(dir.readBytes(rel)).toString('utf8').trim();
  const view: NdctlView = { file: rel, dimms: [], regions: [], namespaces: [] };
  if (!text) return view;
  const j = JSON.parse(text) as unknown;
  const add = (list: Obj[]) => {
    for (const o of list) {
      const k = kindOf(o);
      if (k === 'nmem') view.dimms.push(o);
      else if (k === 'region') view.regions.push({ ...o, namespaces: objs(o.namespaces) });
      else view.namespaces.push(o);
    }
  };
  if (Array.isArray(j)) add(objs(j));
  else if (isObj(j)) for (const k of ['dimms', 'regions', 'namespaces']) add(objs(j[k]));
  return view;
}

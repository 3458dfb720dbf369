/** Every file of a run directory, for the report's links (regular files) and listing (symlinks too). */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface Artefact {
  /** Relative to the listed folder, `/`-separated. */
  path: string;
  kind: 'file' | 'symlink';
  /** Apparent size of a file (a sparse image shows its full size). */
  size?: number;
  target?: string;
}

/** Files and symlinks under `root`, depth first in name order; symlinks are listed, never followed. */
export function listArtefacts(root: string, exclude?: string): Artefact[] {
  const out: Artefact[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === exclude) continue;
      const st = lstatSync(join(root, r));
      if (st.isSymbolicLink()) out.push({ path: r, kind: 'symlink', target: readlinkSync(join(root, r)) });
      else if (st.isDirectory()) walk(r);
      else if (st.isFile()) out.push({ path: r, kind: 'file', size: st.size });
    }
  };
  walk('');
  return out;
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimDir, startRun } from '../../src/sim/index.js';
import { runTool } from '../support/tools.js';

/** A host stage run for a scenario (design, nvdimms, extra top-level keys). */
export async function hostRun(design: 'v1' | 'v3' | 'v4', nvdimms: unknown[], extra: Record<string, unknown> = {}): Promise<SimDir> {
  const d = mkdtempSync(join(tmpdir(), 'nvtool-simxen-'));
  const scenario = { design, host: { platform: { machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms } }, guests: [], ...extra };
  writeFileSync(join(d, 'scenario.json'), JSON.stringify(scenario));
  return startRun(join(d, 'scenario.json'), join(d, 'run'));
}

/**
 * SHA-256 over a sparse image: its size, then every data extent (SEEK_DATA/SEEK_HOLE, which Node
 * lacks, so python3 walks them) with its offset. Holes read as zeros, so equal hashes mean equal
 * bytes; a write of zeros into a hole changes the hash too (never a false "unchanged").
 */
export function fileHash(path: string): string {
  const py = `
import hashlib, os, sys
f = os.open(sys.argv[1], os.O_RDONLY); size = os.fstat(f).st_size; h = hashlib.sha256(str(size).encode()); off = 0
while off < size:
    try: d = os.lseek(f, off, os.SEEK_DATA)
    except OSError: break
    e = os.lseek(f, d, os.SEEK_HOLE); h.update(str(d).encode()); p = d
    while p < e:
        b = os.pread(f, min(8 << 20, e - p), p); h.update(b); p += len(b)
    off = e
print(h.hexdigest())`;
  return runTool('python3', ['-c', py, path]).trim();
}

/** The data extents of a sparse file, `[offset, end)` pairs (SEEK_DATA/SEEK_HOLE through python3). */
export function dataExtents(path: string): [number, number][] {
  const py = `
import os, sys
f = os.open(sys.argv[1], os.O_RDONLY); size = os.fstat(f).st_size; off = 0; out = []
while off < size:
    try: d = os.lseek(f, off, os.SEEK_DATA)
    except OSError: break
    e = os.lseek(f, d, os.SEEK_HOLE); out.append(f"{d} {e}"); off = e
print("\\n".join(out))`;
  return runTool('python3', ['-c', py, path]).trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number]);
}

import { readdirSync, readFileSync, readlinkSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../support/tools.js';

export const MiB = 1024 * 1024;

export function workDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeScenario(dir: string, name: string, json: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(json, null, 2));
  return p;
}

/**
 * A host the guest harness can boot as is: 512 MiB of RAM and two NVDIMMs in slots 0 and 1, as the
 * harness's own QEMU places them (the first region at SPA 0x100000000, linux-guest README).
 */
export const GUEST_PLATFORM = { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '4G', labelSize: '128K' }, { id: 'nv1', size: '1G', labelSize: '128K' }] };

/** Every mode and placement on the first DIMM, v1.1 labels (BTT 1.1, raw) on the second; small enough for a TCG boot. */
export const GUEST_SCENARIO = {
  design: 'v1',
  seed: 'guest',
  host: { platform: GUEST_PLATFORM },
  dom0: {
    nv0: {
      labelVersion: '1.2',
      namespaces: [
        {
          name: 'xenpmem', size: '1G', mode: 'fsdax', xen: { placement: 'a' },
          filesystem: { type: 'ext4', mount: '/mnt/dax', files: [
            { path: 'vm1.pmem', size: '64M' }, { path: 'guests/vm2.pmem', size: '16M' }, { path: 'note.bin', size: 10000, content: 'pattern' },
          ] },
        },
        { name: 'whole', size: '512M', mode: 'raw', xen: { placement: 'namespace' } },
        {
          name: 'parts', size: '512M', mode: 'fsdax',
          partitions: [
            { name: 'data', size: '128M', filesystem: { type: 'ext4', mount: '/mnt/data', files: [{ path: 'a.bin', size: 5000, content: 'pattern' }] } },
            { name: 'xen', xen: { placement: 'b' } },
          ],
        },
        { name: 'rawfs', size: '256M', mode: 'raw', filesystem: { type: 'ext4', mount: '/mnt/raw' } },
        { name: 'sec', size: '256M', mode: 'sector', sectorSize: 4096 },
        { name: 'dd', size: '256M', mode: 'devdax' },
      ],
    },
    nv1: {
      labelVersion: '1.1',
      namespaces: [
        { name: 's11', size: '256M', mode: 'sector', sectorSize: 512 },
        { name: 'r11', size: '256M', mode: 'raw' },
      ],
    },
  },
  guests: [],
};

/**
 * The block-device facts of a sysfs tree as sorted lines (`block/pmem0 -> ...`, `pmem0/size N`,
 * `pmem0/device/resource 0x...`, `pmem0/pmem0p1/start N`, `dev/block/259:0 -> ...`). The guest
 * prints the same lines from its /sys with GUEST_SYSFS_SCRIPT.
 */
export function sysfsFacts(sys: string): string[] {
  const out: string[] = [];
  const cat = (p: string) => readFileSync(p, 'utf8').trim();
  const isLink = (p: string) => { try { return lstatSync(p).isSymbolicLink(); } catch { return false; } };
  const exists = (p: string) => { try { lstatSync(p); return true; } catch { return false; } };
  for (const n of readdirSync(join(sys, 'block')).filter((x) => x.startsWith('pmem')).sort()) {
    const b = join(sys, 'block', n);
    out.push(`block/${n} -> ${readlinkSync(b)}`, `${n}/dev ${cat(join(b, 'dev'))}`, `${n}/size ${cat(join(b, 'size'))}`, `${n}/device -> ${readlinkSync(join(b, 'device'))}`);
    if (exists(join(b, 'device', 'resource'))) out.push(`${n}/device/resource ${cat(join(b, 'device', 'resource'))}`);
    out.push(`${n}/device/size ${cat(join(b, 'device', 'size'))}`);
    for (const q of readdirSync(b).filter((x) => x.startsWith('pmem')).sort()) {
      for (const f of ['start', 'size', 'partition', 'dev']) out.push(`${n}/${q}/${f} ${cat(join(b, q, f))}`);
      if (exists(join(b, q, 'device'))) out.push(`${n}/${q}/device EXISTS`);
    }
  }
  const devs = join(sys, 'dev', 'block');
  for (const d of exists(devs) ? readdirSync(devs).filter((x) => x.startsWith('259:')) : []) {
    if (isLink(join(devs, d))) out.push(`dev/block/${d} -> ${readlinkSync(join(devs, d))}`);
  }
  return out.sort();
}

/** The guest-side twin of sysfsFacts (busybox sh). */
export const GUEST_SYSFS_SCRIPT = `
for b in /sys/block/pmem*; do
  [ -e "$b" ] || continue
  n=\${b##*/}
  echo "block/$n -> $(readlink $b)"; echo "$n/dev $(cat $b/dev)"; echo "$n/size $(cat $b/size)"; echo "$n/device -> $(readlink $b/device)"
  [ -f $b/device/resource ] && echo "$n/device/resource $(cat $b/device/resource)"
  echo "$n/device/size $(cat $b/device/size)"
  for p in $b/pmem*; do
    [ -d "$p" ] || continue
    q=\${p##*/}
    for f in start size partition dev; do echo "$n/$q/$f $(cat $p/$f)"; done
    [ -e $p/device ] && echo "$n/$q/device EXISTS"
  done
done
for d in /sys/dev/block/259:*; do [ -e "$d" ] && echo "dev/block/\${d##*/} -> $(readlink $d)"; done
`;

/** `python3 test/support/sparse-digest.py IMAGE [START:LEN...]`: digest of the non-zero 4 KiB blocks outside the ranges. */
export function sparseDigest(image: string, skip: readonly { start: bigint; length: bigint }[] = []): string {
  return runTool('python3', [join(import.meta.dirname, '..', 'support', 'sparse-digest.py'), image, ...skip.map((s) => `${s.start}:${s.length}`)]).trim();
}

/**
 * What a sector-mode device (/dev/pmemNs) holds: the block-device detectors (GPT/MBR, partitions,
 * Xen, file systems) run unchanged over the BTT's logical device (`BttDevice`), then every layer
 * they found is moved into file terms: `offset` becomes the file offset of the byte holding its
 * first byte, `fields.deviceOffset` keeps the offset on the device and `fields.deviceSpace` is
 * "btt"; `length` stays the length on the device (the bytes are scattered through the data area).
 * Finding offsets become file offsets of the bytes they name. The layers hang under the arena
 * (`btt` layer) that serves their first byte.
 */
import { isNvError } from '../core/errors.js';
import type { Btt } from '../infoblocks/btt.js';
import { BttDevice } from './bttDevice.js';
import { detectContainer } from './disk.js';
import { layer, note, type InspectContext, type Layer } from './layer.js';
import { CountingReader } from './reader.js';

export const DEVICE_SPACE_BTT = 'btt';

/** Inspect the logical device of `btt` (a window at file offset `nsAt`); returns the device view. */
export function bttContents(ctx: InspectContext, arenas: Layer[], btt: Btt, nsAt: number, dev: string): BttDevice {
  const d = new BttDevice(btt, nsAt);
  const devReader = CountingReader.fromBlockIO(d, `/dev/${dev}`);
  const sub: InspectContext = {
    size: d.size,
    read: (a, b) => devReader.read(a, b),
    tryRead: (a, b) => {
      try {
        return devReader.tryRead(a, b);
      } catch (e) {
        if (isNvError(e)) return undefined;
        throw e;
      }
    },
    dumps: new WeakMap(),
  };
  const first = arenas[0];
  if (!first) return d;
  // Findings the detectors put on the container itself land here (device offsets), then on arena 0.
  const host = layer('namespace', 0, d.size, `/dev/${dev}`);
  let inner: Layer[] = [];
  try {
    inner = detectContainer(sub, devReader, { at: 0, size: d.size, device: dev, role: 'namespace' }, host);
  } catch (e) {
    if (!isNvError(e)) throw e;
    note(ctx, first, { severity: 'error', code: 'btt-read-error', message: `reading /dev/${dev} through the BTT failed: ${e.reason}`, offset: e.offset ?? first.offset });
  }
  const toFile = (off: number, fallback: number) => d.fileOffset(off) ?? fallback;
  const move = (x: Layer, fallback: number) => {
    const devOff = x.offset;
    x.offset = toFile(devOff, fallback);
    x.fields = { ...x.fields, deviceOffset: devOff, deviceSpace: DEVICE_SPACE_BTT };
    for (const f of x.findings) f.offset = toFile(f.offset, x.offset);
    const dumps = sub.dumps.get(x);
    if (dumps) ctx.dumps.set(x, dumps.map((r) => ({ ...r, title: `${r.title} (offsets on /dev/${dev})`, read: (o: number, n: number) => d.read(o, n), toFile: (o: number) => toFile(o, -1) })));
    for (const c of x.children) move(c, x.offset);
  };
  for (const x of inner) {
    const target = arenas[d.arenaIndex(x.offset)] ?? first;
    move(x, target.offset);
    target.children.push(x);
  }
  for (const f of host.findings) first.findings.push({ ...f, offset: toFile(f.offset, first.offset) });
  return d;
}

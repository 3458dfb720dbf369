/**
 * The one way a sequence of media writes reaches storage. Update protocols (namespace labels,
 * their interleave-set form) are crash safe only if each write is durable before the next one is
 * issued (label.c: the label before the index that references it), so every write is followed by
 * a flush of the device it went to. The crash-point enumerator below walks the same sequence
 * through the same function, with power cut at every write boundary and inside every write.
 */
import { MemoryBlockIO, type BlockIO } from './blockio.js';

export interface MediaWrite {
  /** Offset in the device the write goes to. */
  offset: number;
  bytes: Uint8Array;
  /** In words, e.g. `index[1] seq 2`, `label[5] UPDATING`. */
  what: string;
}

/** Apply `writes` in order: write, flush that device, report; `deviceOf` picks the device of each write. */
export function applyMediaWrites<W extends MediaWrite>(writes: Iterable<W>, deviceOf: (w: W) => BlockIO, onWrite?: (w: W) => void): void {
  for (const w of writes) {
    const io = deviceOf(w);
    io.write(w.offset, w.bytes);
    io.flush();
    onWrite?.(w);
  }
}

/** Apply one write to an in-memory copy (an update engine's work copy of a label area). */
export function applyWrite(bytes: Uint8Array, w: MediaWrite): void {
  bytes.set(w.bytes, w.offset);
}

class PowerCut extends Error {}

/** A device that loses power once `budget` bytes have been written: the rest of that write is lost. */
class CuttingBlockIO implements BlockIO {
  constructor(private readonly inner: BlockIO, private readonly budget: { left: number }) {}
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number): Uint8Array {
    return this.inner.read(offset, length);
  }
  write(offset: number, data: Uint8Array): void {
    const n = Math.min(this.budget.left, data.length);
    if (n > 0) this.inner.write(offset, data.subarray(0, n));
    this.budget.left -= n;
    if (n < data.length) throw new PowerCut();
  }
  flush(): void {
    this.inner.flush();
  }
}

export interface CrashPoint {
  /** Writes completed before power was cut. */
  completed: number;
  /** Bytes of write `completed` that reached the media (undefined: cut between writes). */
  torn?: number;
  /** The devices' contents at the crash point. */
  devices: Uint8Array[];
}

/**
 * Every state power loss can leave while `applyMediaWrites` runs `writes` over `devices`: after
 * each write (0..n), and inside each write after every `tornStep` bytes (the first `cut` bytes new,
 * the rest old). `deviceOf` gives the index of each write's device.
 */
export function* crashPoints<W extends MediaWrite>(devices: readonly Uint8Array[], writes: readonly W[], deviceOf: (w: W) => number = () => 0, tornStep = 8): Generator<CrashPoint> {
  const run = (budget: number): Uint8Array[] => {
    const copies = devices.map((d) => d.slice());
    const left = { left: budget };
    const ios = copies.map((c) => new CuttingBlockIO(new MemoryBlockIO(c), left));
    try {
      applyMediaWrites(writes, (w) => ios[deviceOf(w)]!);
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
    }
    return copies;
  };
  let before = 0;
  for (let k = 0; k <= writes.length; k++) {
    yield { completed: k, devices: run(before) };
    const w = writes[k];
    if (!w) break;
    for (let cut = tornStep; cut < w.bytes.length; cut += tornStep) yield { completed: k, torn: cut, devices: run(before + cut) };
    before += w.bytes.length;
  }
}

/**
 * The byte pattern a guest's write step repeats (specs/sim.md §7.11): a byte value (`0x5a`, `90`)
 * or a hex string (`0xdeadbeef`) repeated from its first byte. Used by the scenario's checker and
 * by the write step.
 */
import { NvError } from '../../core/errors.js';

/** A pattern: a byte value (`0x5a`, `90`) or a hex string repeated (`0xdeadbeef`). */
export function parsePattern(p: string | number | Uint8Array, path = 'pattern'): Uint8Array {
  if (p instanceof Uint8Array) {
    if (!p.length) throw new NvError('sim.guest', path, undefined, 'an empty pattern');
    return p;
  }
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < 0 || p > 255) throw new NvError('sim.guest', path, undefined, `pattern ${p} is not a byte value (0-255)`);
    return Uint8Array.of(p);
  }
  const hexm = /^0x([0-9a-f]+)$/i.exec(p);
  if (hexm) {
    const h = hexm[1]!.length % 2 ? `0${hexm[1]}` : hexm[1]!;
    return Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
  }
  if (/^\d+$/.test(p) && Number(p) <= 255) return Uint8Array.of(Number(p));
  throw new NvError('sim.guest', path, undefined, `pattern "${p}" is neither a byte value (0x5a, 90) nor a hex string (0xdeadbeef)`);
}

/** `length` bytes of `pattern` repeated from its first byte. */
export function patternBytes(pattern: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += pattern.length) out.set(pattern.subarray(0, Math.min(pattern.length, length - i)), i);
  return out;
}


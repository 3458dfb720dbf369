import { existsSync, statSync } from 'node:fs';
import { FileBlockIO, WindowBlockIO, type BlockIO } from '../disk/blockio.js';
import { CliError } from './io.js';

/**
 * The one place `gpt` and `xen` commands turn `TARGET [--offset --size] [--namespace UUID]` into a
 * BlockIO. `--namespace` needs the namespace block-device view (issue 5 item 3); until it exists
 * in `src/namespace/`, a window of a plain file is the way to address a namespace inside an image.
 */
export interface TargetArgs {
  target: string;
  offset?: string;
  size?: string;
  namespace?: string;
  'label-size'?: string;
}

export const targetOptions = {
  offset: { type: 'string', describe: 'work on a window of TARGET starting at this byte offset (K/M/G/T suffixes)' },
  size: { type: 'string', describe: 'size of that window in bytes (default: to the end of TARGET)' },
  namespace: { type: 'string', describe: 'work on the block device Linux exposes for this namespace UUID inside IMAGE' },
  'label-size': { type: 'string', describe: 'label storage area size, as the labels commands take it (with --namespace)' },
} as const;

const UNITS: Record<string, bigint> = { '': 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n };

/** `4096`, `0x1000`, `64M`, `1.5G`-free integer sizes with binary suffixes (KiB/MiB also accepted). */
export function parseBytes(s: string, what: string): bigint {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*([KMGTP]?)(i?B)?\s*$/i.exec(s);
  if (!m) throw new CliError(`${what}: cannot read "${s}" as a size (examples: 4096, 0x1000, 64M, 2G)`);
  return BigInt(m[1]!) * UNITS[(m[2] ?? '').toUpperCase()]!;
}

export function openTarget(a: TargetArgs, writable: boolean): BlockIO & { close(): void; describe: string } {
  if (a.namespace !== undefined) {
    throw new CliError(`${a.target}: --namespace needs the namespace block-device view (src/namespace), which this build does not have yet; address the namespace with --offset/--size instead`);
  }
  if (!existsSync(a.target)) throw new CliError(`${a.target}: no such file`);
  if (statSync(a.target).isDirectory()) throw new CliError(`${a.target}: is a directory`);
  let file: FileBlockIO;
  try {
    file = new FileBlockIO(a.target, writable);
  } catch (e) {
    throw new CliError(`${a.target}: cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (a.offset === undefined && a.size === undefined) return Object.assign(file, { describe: a.target });
  const off = a.offset === undefined ? 0n : parseBytes(a.offset, '--offset');
  const size = a.size === undefined ? BigInt(file.size) - off : parseBytes(a.size, '--size');
  if (off < 0n || size <= 0n || off + size > BigInt(file.size)) {
    file.close();
    throw new CliError(`${a.target}: window ${off}+${size} is outside the ${file.size}-byte file`);
  }
  const w = new WindowBlockIO(file, Number(off), Number(size));
  return Object.assign(w, { close: () => file.close(), describe: `${a.target}[${off}+${size}]` });
}

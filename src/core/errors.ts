/**
 * The one error type nvtool throws for bad input: it names the format, the field path
 * (`NFIT.structures[3].length`) and, where the input is bytes, the absolute byte offset.
 * Decoders throw nothing else; the CLI prints `file: message` from it, never a stack trace.
 */
export class NvError extends Error {
  override readonly name = 'NvError';

  constructor(
    /** The format being read or written: `NFIT`, `AML`, `label-index`, `platform`... */
    readonly format: string,
    /** Dotted field path inside that format, e.g. `structures[3].length`; '' for the whole thing. */
    readonly path: string,
    /** Absolute byte offset the problem was found at, when the input is bytes. */
    readonly offset: number | undefined,
    /** What is wrong, in words. */
    readonly reason: string,
  ) {
    super(NvError.describe(format, path, offset, reason));
  }

  /** `NFIT.structures[3].length at 0x58: ...` */
  static describe(format: string, path: string, offset: number | undefined, reason: string): string {
    const where = path ? `${format}.${path}` : format;
    const at = offset === undefined ? '' : ` at offset ${offset} (0x${offset.toString(16)})`;
    return `${where}${at}: ${reason}`;
  }
}

export function isNvError(e: unknown): e is NvError {
  return e instanceof NvError;
}

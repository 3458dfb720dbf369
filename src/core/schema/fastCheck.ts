/**
 * fast-check, loaded on first use. Only `arbitrary()` needs it, and decoding must not pay for
 * importing it: it is one 387 KB module, most of what `nvtool decode` of a small table spent
 * starting up (specs/cli.md). It is required as fast-check's own ES module file, which Node
 * (>= 20.19) hands back as the very instance `import fc from 'fast-check'` gets, so arbitraries
 * from here mix with a caller's; older Node gets fast-check's CommonJS build.
 */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type * as FastCheck from 'fast-check';

const require = createRequire(import.meta.url);
let loaded: typeof FastCheck | undefined;

function load(): typeof FastCheck {
  try {
    const esm = join(dirname(require.resolve('fast-check/package.json')), 'lib', 'fast-check.js');
    return require(esm) as typeof FastCheck;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw e;
    return require('fast-check') as typeof FastCheck;
  }
}

/** The fast-check API, loaded when a property is first read. */
export const fc: typeof FastCheck = new Proxy({} as typeof FastCheck, {
  get: (_t, key) => (loaded ??= load())[key as keyof typeof FastCheck],
});

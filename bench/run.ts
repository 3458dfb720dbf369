/**
 * `npm run bench`: every bench/*.bench.ts that exports `run()`, one after another in this process.
 * Each reports ratios against a baseline measured in the same run.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.bench.ts')).sort()) {
  if (only && !f.startsWith(only)) continue;
  const mod = (await import(new URL(f, import.meta.url).href)) as { run?: () => string | Promise<string> };
  if (!mod.run) continue;
  process.stdout.write(`\n## ${f}\n`);
  process.stdout.write(await mod.run());
}

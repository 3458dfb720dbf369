/** Writes the schema files generated from the declarations (src/codecs/jsonSchemas.ts, src/inspect/jsonSchema.ts) into schemas/. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedSchemas } from '../src/codecs/jsonSchemas.js';
import { inspectSchema } from '../src/inspect/jsonSchema.js';

for (const [name, schema] of Object.entries({ ...generatedSchemas(), 'inspect.schema.json': inspectSchema() })) {
  writeFileSync(join(import.meta.dirname, '..', 'schemas', name), JSON.stringify(schema, null, 2) + '\n');
  process.stdout.write(`schemas/${name}\n`);
}

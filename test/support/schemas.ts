/**
 * Every CLI JSON a test reads is checked against the schema nvtool ships (schemas/*.schema.json)
 * with ajv, an independent JSON Schema validator.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { REPO } from './fixtures.js';

const SCHEMAS = join(REPO, 'schemas');
let ajv: Ajv | undefined;

function validator(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  for (const f of readdirSync(SCHEMAS).filter((x) => x.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8')), f);
  return ajv;
}

/** Parse `text` (one JSON document) and check it against schemas/<command>.schema.json. */
export function validateCliJson(command: string, text: string): unknown {
  const v = JSON.parse(text) as unknown;
  const check = validator().getSchema(`${command}.schema.json`);
  if (!check) throw new Error(`no schema schemas/${command}.schema.json`);
  const ok = check(v);
  expect(ok, `${command} --json does not match its schema: ${validator().errorsText(check.errors)}`).toBe(true);
  return v;
}

/** Whether schemas/<command>.schema.json accepts `doc` (for tests that a wrong document fails). */
export function acceptsCliJson(command: string, doc: unknown): boolean {
  const check = validator().getSchema(`${command}.schema.json`);
  if (!check) throw new Error(`no schema schemas/${command}.schema.json`);
  return check(doc) as boolean;
}

/** Whether the part of schemas/<command>.schema.json at JSON pointer `pointer` accepts `doc`. */
export function acceptsCliJsonAt(command: string, pointer: string, doc: unknown): boolean {
  const check = validator().getSchema(`${command}.schema.json#${pointer}`);
  if (!check) throw new Error(`no schema schemas/${command}.schema.json#${pointer}`);
  return check(doc) as boolean;
}

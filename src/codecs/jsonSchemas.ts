/**
 * The JSON Schemas of the documents whose shape the declarations define, generated from those
 * declarations and shipped as schemas/structs.schema.json and schemas/decode.schema.json
 * (`npm run schemas` writes them; test/cli/json-schemas.test.ts keeps the shipped files equal to
 * these): each structure's JSON form, and the decode document with, per format, the value's shape
 * (a format that is one declaration: that declaration; label areas and GPT disks: their parts).
 */
import type { JsonSchema, Struct } from '../core/schema/index.js';
import { U64_JSON, hexBytesJsonSchema } from '../core/schema/index.js';
import { gptEntry, gptHeader } from '../disk/gpt.js';
import { mbr } from '../disk/mbr.js';
import { bttInfoBlock } from '../infoblocks/bttInfo.js';
import { pfnInfoBlock } from '../infoblocks/pfn.js';
import { indexBlockStruct } from '../labels/indexBlock.js';
import { cxlNamespaceLabel, cxlOtherLabel, cxlRegionLabel, labelV11, labelV12 } from '../labels/label.js';
import { xenSuperBlock } from '../xen/superblock.js';
import { allFormats } from './index.js';
import { LISTING_FORMAT } from './listing.js';
import { amlJsonSchemaDefinitions } from '../aml/jsonSchema.js';
import { commandSchemas } from './cliSchemas.js';
import { BASE, DRAFT, findings, int, structRef, u64 } from './schemaParts.js';


/** Structures other documents embed (xen check/format, namespace format, decode values), by declaration name. */
const STRUCTS: Struct<any>[] = [xenSuperBlock, bttInfoBlock, pfnInfoBlock, gptHeader, gptEntry, mbr, indexBlockStruct(256), labelV11, labelV12, cxlNamespaceLabel, cxlRegionLabel, cxlOtherLabel];
const LABEL_FORMATS: Record<string, Struct<any>> = { 'v1.1': labelV11, 'v1.2': labelV12, 'cxl-namespace': cxlNamespaceLabel, 'cxl-region': cxlRegionLabel, 'cxl-other': cxlOtherLabel };

export function structsSchema(): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  for (const s of [...STRUCTS, ...allFormats().flatMap((f) => (f.struct ? [f.struct] : []))]) definitions[s.name] = { title: s.label, ...s.jsonSchema() };
  definitions['u64'] = U64_JSON;
  return { $schema: DRAFT, $id: `${BASE}structs.schema.json`, title: "nvtool's on-media structures as JSON (generated from their declarations)", definitions };
}

const labelEntry = (key: string) => ({
  oneOf: Object.entries(LABEL_FORMATS).map(([format, s]) => ({
    type: 'object', required: ['slot', 'format', key], additionalProperties: false,
    properties: { slot: int(), format: { const: format }, [key]: structRef(s) },
  })),
});

/** The value of a label area (src/codecs/labels.ts): the parts encode reads are closed; Linux's view beside them is read-only. */
const labelsValue: JsonSchema = {
  type: 'object',
  required: ['area', 'geometry', 'index', 'labels', 'freeSlots', 'current', 'selection', 'labelFormat', 'readLabels', 'namespaces'],
  additionalProperties: false,
  properties: {
    area: { type: 'object', required: ['offset', 'size', 'how'], additionalProperties: false, properties: { offset: int(), size: int(), how: { type: 'string' } } },
    geometry: {
      anyOf: [
        { type: 'null' },
        { type: 'object', required: ['configSize', 'labelSize', 'indexSize', 'nslot', 'labelOffset'], additionalProperties: false, properties: { configSize: int(), labelSize: { enum: [128, 256] }, indexSize: int(), nslot: int(), labelOffset: int() } },
      ],
    },
    index: { type: 'array', maxItems: 2, items: { anyOf: [{ type: 'null' }, structRef(indexBlockStruct(256))] } },
    labels: { type: 'array', items: labelEntry('label') },
    freeSlots: {
      type: 'array',
      items: { anyOf: [{ ...labelEntry('label') }, { type: 'object', required: ['slot', 'bytes'], additionalProperties: false, properties: { slot: int(), bytes: hexBytesJsonSchema() } }] },
    },
    current: { anyOf: [{ type: 'null' }, { enum: [0, 1] }] },
    selection: { type: 'string' },
    labelFormat: { anyOf: [{ type: 'null' }, { type: 'string' }] },
    readLabels: { anyOf: [{ type: 'null' }, { $ref: 'labels-dump.schema.json' }] },
    namespaces: { $ref: 'labels-list.schema.json' },
  },
};

const gptCopy: JsonSchema = {
  type: 'object', required: ['lba', 'header', 'entries'], additionalProperties: false,
  properties: {
    lba: int(),
    header: structRef(gptHeader),
    entries: { type: 'array', items: { type: 'object', required: ['index', 'entry'], additionalProperties: false, properties: { index: int(), entry: structRef(gptEntry) } } },
  },
};

const gptValue: JsonSchema = {
  type: 'object', required: ['sectorSize', 'mbr', 'primary'], additionalProperties: false,
  properties: { sectorSize: { enum: [512, 4096] }, mbr: structRef(mbr), primary: gptCopy, backup: gptCopy },
};

/** The value's schema for one format name, where the declarations define it. */
function valueSchemas(): [string, JsonSchema][] {
  const out: [string, JsonSchema][] = [['labels', labelsValue], ['gpt', gptValue], ['AML', { $ref: '#/definitions/amlTable' }]];
  for (const f of allFormats()) if (f.struct) out.push([f.name, structRef(f.struct)]);
  return out;
}

export function decodeSchema(): JsonSchema {
  const document: JsonSchema = {
    type: 'object',
    required: ['schemaVersion', 'format', 'title', 'value', 'input', 'findings'],
    additionalProperties: false,
    properties: {
      schemaVersion: { const: 1 },
      format: { enum: allFormats().map((f) => f.name), description: 'the registry name; nvtool encode picks the format by it' },
      title: { type: 'string' },
      value: { description: "the decoded structure, as on disk; its shape is the format's (below, per format: the declarations' schemas, the AML grammar's)" },
      input: {
        type: 'object', required: ['length', 'valueOffset', 'patches'], additionalProperties: false,
        properties: {
          length: int('bytes of the decoded input'),
          valueOffset: int("where the value's bytes start in the input"),
          patches: {
            type: 'array', description: 'input bytes no structure models, applied after the value',
            items: { type: 'object', required: ['offset', 'hex'], additionalProperties: false, properties: { offset: int(), hex: hexBytesJsonSchema() } },
          },
        },
      },
      findings,
      signature: { type: 'string', description: "acpidump listings: the table's signature" },
      address: { ...u64, description: "acpidump listings: the table's physical address" },
    },
    allOf: valueSchemas().map(([name, v]) => ({ if: { properties: { format: { const: name } } }, then: { properties: { value: v } } })),
  };
  return {
    $schema: DRAFT,
    $id: `${BASE}decode.schema.json`,
    title: 'nvtool decode --json (and what nvtool encode reads back; encode also takes "0x…" strings and {"$pin": v})',
    definitions: { document, ...amlJsonSchemaDefinitions((name) => ({ $ref: `#/definitions/${name}` })) },
    oneOf: [
      { $ref: '#/definitions/document' },
      {
        type: 'object', required: ['schemaVersion', 'format', 'tables'], additionalProperties: false,
        description: 'an acpidump listing: encode prints it again as acpidump does',
        properties: { schemaVersion: { const: 1 }, format: { const: LISTING_FORMAT }, tables: { type: 'array', minItems: 1, items: { allOf: [{ $ref: '#/definitions/document' }, { type: 'object', required: ['signature', 'address'] }] } } },
      },
    ],
  };
}

/** The generated schema files, by file name. */
export function generatedSchemas(): Record<string, JsonSchema> {
  return { 'structs.schema.json': structsSchema(), 'decode.schema.json': decodeSchema(), ...commandSchemas() };
}

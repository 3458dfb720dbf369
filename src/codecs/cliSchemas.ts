/**
 * The JSON Schemas of the command documents that carry on-media structures (xen check/format,
 * namespace show/view/format, build-nfit, labels check, the writers' listing), generated here so
 * each embedded structure is its declaration's schema (structs.schema.json) and every part shared
 * by several documents is written once. Each object is closed (additionalProperties: false), a
 * writer's `summary` too (writerSummaries.ts). Shipped in schemas/
 * by `npm run schemas`; test/cli/json-schemas.test.ts keeps the files equal to these.
 */
import type { JsonSchema } from '../core/schema/index.js';
import { nfitTable } from '../acpi/nfit/index.js';
import { bttInfoBlock } from '../infoblocks/bttInfo.js';
import { BTT_LBASIZES } from '../infoblocks/bttLayout.js';
import { pfnInfoBlock } from '../infoblocks/pfn.js';
import { CLAIM_CLASS_GUIDS } from '../labels/label.js';
import { NAMESPACE_MODES } from '../labels/modes.js';
import { PLACEMENT, xenSuperBlock } from '../xen/superblock.js';
import type { Located } from '../xen/layout.js';
import type { NamespaceView } from '../labels/area.js';
import { BASE, closed, DRAFT, findings, int, shapeOf, str, structRef, u64, UUID } from './schemaParts.js';
import { writerSummarySchema } from './writerSummaries.js';

function document(file: string, title: string, description: string, body: JsonSchema): JsonSchema {
  return { $schema: DRAFT, $id: `${BASE}${file}`, title, description, ...body };
}

/** A label's claim class by name (src/labels/label.ts CLAIM_CLASS_GUIDS), or unknown. */
const claimClass = { enum: [...Object.keys(CLAIM_CLASS_GUIDS), 'unknown'] };

/** One write a writer made or (--dry-run) would make, in order, each followed by a flush. */
const write = closed(
  { file: { ...str, description: 'the file written (multi-file commands; always in the write gate\'s own listing)' }, offset: int('byte offset in the file'), length: int(), what: { type: 'string', minLength: 1 } },
  ['offset', 'length', 'what'],
);
const writes = { type: 'array', description: 'in the order they are (or would be) made; each followed by a flush', items: write };

/** Where xen check/format found or put the super block (the compiler checks the keys against src/xen/layout.ts Located). */
const located = shapeOf<Located>()(
  {
    placement: { enum: Object.values(PLACEMENT), description: '1: (a) after the partition table, 2: (b) a partition of its own, 3: (c) a whole namespace' },
    containerOffset: int('container start in the target, in bytes'),
    containerSize: int(),
    superBlockOffset: int('super block offset inside the container'),
    sectorSize: { enum: [512, 4096] },
    partitionNumber: { type: 'integer', minimum: 1 },
  },
  ['sectorSize', 'partitionNumber'],
);

/** How Linux brings a namespace up (src/cli/commands/namespace.ts viewSummary). */
const nsView: Record<string, JsonSchema> = {
  namespace: closed({ offset: int('in the image'), size: int(), uuid: { ...UUID, description: 'nil for a label-less namespace' }, claimClass }),
  mode: { enum: [...NAMESPACE_MODES] },
  size: int('bytes of the block device'),
  sectorSize: { enum: [...new Set([512, ...BTT_LBASIZES])] },
  dataOffset: int('namespace offset of the block device\'s first byte'),
  infoBlock: { ...structRef(pfnInfoBlock), description: 'fsdax/devdax: the PFN/DAX info block, as on disk' },
  btt: closed({
    version: { enum: ['1.1', '2.0'] },
    initialOffset: int(),
    uuid: UUID,
    nlba: int('external LBAs over all arenas'),
    arenas: {
      type: 'array',
      items: closed({ offset: int('arena start in the namespace'), size: int(), externalLbaStart: int(), logIndices: { type: 'array', items: int(), minItems: 2, maxItems: 2 }, info: structRef(bttInfoBlock) }),
    },
  }),
};
const NS_VIEW_REQUIRED = ['namespace', 'mode', 'size', 'sectorSize'];

/** The listing every writer prints, and the keys of the writers that say more. */
function writesSchema(): JsonSchema {
  const base = { schemaVersion: { const: 1 }, dryRun: { type: 'boolean', description: 'true: nothing was written' }, writes };
  const required = ['schemaVersion', 'dryRun', 'writes'];
  const byteRange = closed({ offset: int(), size: int(), what: str });
  return document(
    'writes.schema.json',
    'What a writing command did or (--dry-run) would do',
    'nvtool labels init|create|delete|rename|repair, gpt create|add|delete|repair --dry-run, sim run --dry-run, sim report (summary: dir, report); namespace view --write, xen format and namespace format with their own keys beside the listing.',
    {
      anyOf: [
        { title: 'a writer that prints its listing (and a summary of its own keys)', ...closed({ ...base, summary: writerSummarySchema() }, required) },
        { title: 'namespace view --write', ...closed({ ...base, mode: { enum: [...NAMESPACE_MODES] }, wrote: closed({ first: int('first sector'), count: int('sectors') }) }) },
        {
          title: 'xen format',
          ...closed({ ...base, located, superBlock: structRef(xenSuperBlock), claim: closed({ claimClass: UUID, labelWrites: { type: 'array', items: str } }) }, [...required, 'located', 'superBlock']),
        },
        {
          title: 'namespace format',
          ...closed(
            {
              ...base,
              ...nsView,
              uuid: { ...UUID, description: 'the new pfn/dax/btt device (absent for raw)' },
              written: { type: 'array', description: 'namespace byte ranges written', items: byteRange },
              label: closed({ claimClass, lbasize: int(), writes: { type: 'array', items: byteRange } }, ['claimClass', 'writes']),
              findings,
            },
            [...required, ...NS_VIEW_REQUIRED, 'written', 'findings'],
          ),
        },
      ],
    },
  );
}

/** The NVDIMMs build-nfit placed (QEMU profile). */
const builtDimm = closed(
  { id: str, slot: int(), handle: int('NFIT device handle'), addr: int('SPA of the pmem range'), pmemSize: int(), labelSize: int(), node: int('proximity domain'), unarmed: { type: 'boolean' } },
  ['id', 'slot', 'handle', 'addr', 'pmemSize', 'labelSize'],
);

/** A namespace labels check found on one DIMM (the compiler checks the keys against src/labels/area.ts NamespaceView). */
const checkedNamespace = shapeOf<NamespaceView>()(
  {
    uuid: UUID,
    name: str,
    slots: { type: 'array', items: int() },
    dpa: u64,
    rawsize: u64,
    lbasize: u64,
    isetcookie: u64,
    nlabel: int(),
    position: int(),
    flags: int(),
    claimClass,
    abstractionGuid: UUID,
    status: { enum: ['active', 'ignored'] },
    why: { ...str, description: 'why Linux does not assemble it' },
  },
  ['claimClass', 'abstractionGuid', 'why'],
);

/** The command documents generated here, by file name. */
export function commandSchemas(): Record<string, JsonSchema> {
  return {
    'writes.schema.json': writesSchema(),
    'xen-check.schema.json': document('xen-check.schema.json', 'nvtool xen check|inspect --json', "nvtool's own document: where the super block is and its fields as on disk.", closed({ schemaVersion: { const: 1 }, located, superBlock: structRef(xenSuperBlock), findings })),
    'namespace-show.schema.json': document(
      'namespace-show.schema.json',
      'nvtool namespace show --json: how Linux brings the namespace up',
      "nvtool's own document: the namespace, the block device it gives, its info block or BTT as on disk.",
      closed({ schemaVersion: { const: 1 }, ...nsView, findings }, ['schemaVersion', ...NS_VIEW_REQUIRED, 'findings']),
    ),
    'namespace-view.schema.json': document(
      'namespace-view.schema.json',
      'nvtool namespace view --json (without --read)',
      "nvtool's own document: the block device a namespace gives, as namespace show describes it, without findings.",
      closed({ schemaVersion: { const: 1 }, ...nsView }, ['schemaVersion', ...NS_VIEW_REQUIRED]),
    ),
    'build-nfit.schema.json': document(
      'build-nfit.schema.json',
      'nvtool build-nfit --json',
      "nvtool's own document: the resolved DIMMs (QEMU profile) and the NFIT as decode's value.",
      closed(
        { schemaVersion: { const: 1 }, output: str, bytes: int(), profile: { enum: ['qemu', 'generic'] }, dimms: { type: 'array', items: builtDimm }, table: structRef(nfitTable) },
        ['schemaVersion', 'output', 'bytes', 'profile', 'table'],
      ),
    ),
    'labels-check.schema.json': document(
      'labels-check.schema.json',
      'nvtool labels check --json (one area)',
      "nvtool's own document. `labels dump --json` and `labels list --json` are not: they equal `ndctl read-labels -j` / `ndctl list -N` (labels-dump, labels-list schemas).",
      closed({
        schemaVersion: { const: 1 },
        target: closed(
          { file: str, fileSize: int(), areaOffset: int('label area offset in the file'), areaSize: int(), kind: { enum: ['raw', 'backing'] }, how: { ...str, description: 'how the area was found' } },
        ),
        selection: { ...str, description: 'which index block is current and why' },
        current: { anyOf: [{ enum: [0, 1] }, { type: 'null' }] },
        findings,
        namespaces: { type: 'array', items: checkedNamespace },
        exit: { enum: [0, 1, 2] },
      }),
    ),
  };
}

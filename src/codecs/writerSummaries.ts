/**
 * The `summary` a writer prints beside its write listing (writes.schema.json): one type per
 * writer, which the command builds its summary as, and the closed schema shapeOf checks against it.
 */
import type { JsonSchema } from '../core/schema/index.js';
import type { RepairReport, ScannedLabel, SetRepairReport } from '../labels/index.js';
import { findings, int, ints, shapeOf, str, u64, UUID } from './schemaParts.js';

/** labels init: the geometry written. */
export interface InitSummary { labelSize: number; nslot: number; indexSize: number }
/** labels create (one area): the namespace's label. */
export interface CreateSummary { uuid: string; name: string; dpa: bigint; size: bigint; isetcookie: bigint }
export interface DeleteSummary { uuid: string; freedSlots: number[] }
export interface RenameSummary { uuid: string; name: string }
/** labels create across an interleave set: a label per DIMM, in mapping order. */
export interface SetCreateSummary {
  uuid: string;
  name: string;
  size: bigint;
  dimms: Array<{ dimm: string; file: string; dpa: bigint; rawsize: bigint; position: number; isetcookie: bigint }>;
}
export interface SetDeleteSummary { uuid: string; freedSlots: Array<{ dimm: string; file: string; slots: number[] }> }
export interface SetRenameSummary { uuid: string; name: string; dimms: Array<{ dimm: string; file: string; position: number; dpa: bigint; rawsize: bigint }> }
type SetRepairDimm = SetRepairReport['dimms'][number] & { file: string };
/** labels repair across a set: each DIMM's own repair (with its target file) and the set after it. */
export type SetRepairSummary = Omit<SetRepairReport, 'dimms'> & { dimms: SetRepairDimm[] };
/** sim report: the run directory and the page written. */
export interface SimReportSummary { dir: string; report: string }

type Rebuilt = NonNullable<RepairReport['rebuilt']>;
type Lost = RepairReport['lost'][number];
const scanned = shapeOf<ScannedLabel>()({ slot: int(), uuid: UUID, name: str, flags: int(), dpa: u64, rawsize: u64, claimClass: str, kept: { type: 'boolean' }, why: str }, ['claimClass']);
const rebuilt = shapeOf<Rebuilt>()(
  {
    labels: { type: 'array', description: 'every well-formed label the slot scan found, with the decision taken on it', items: scanned },
    restored: { type: 'array', items: shapeOf<Rebuilt['restored'][number]>()({ uuid: UUID, name: str, slot: int(), certain: { type: 'boolean' } }, []) },
    excluded: { type: 'array', items: shapeOf<Rebuilt['excluded'][number]>()({ uuid: UUID, slots: ints, why: str }, []) },
    labelSize: { enum: [128, 256] },
    nslot: int(),
  },
  [],
);
const repairReport = shapeOf<RepairReport>()(
  {
    actions: { type: 'array', items: str },
    lost: { type: 'array', description: 'intact labels the surviving index does not reference', items: shapeOf<Lost>()({ slot: int(), uuid: UUID, name: str, flags: int() }, []) },
    rebuilt: { ...rebuilt, description: 'both index blocks were invalid: what the slot scan restored and left out' },
    findings,
  },
  ['rebuilt', 'findings'],
);

/** Each writer's summary, titled by the command that prints it. */
export function writerSummarySchema(): JsonSchema {
  const dimm = { ...str, description: "the DIMM's name in the set" };
  const file = { ...str, description: "the DIMM's label-area file" };
  return {
    description: "the command's result",
    anyOf: [
      { title: 'labels init', ...shapeOf<InitSummary>()({ labelSize: { enum: [128, 256] }, nslot: int(), indexSize: int() }, []) },
      { title: 'labels create', ...shapeOf<CreateSummary>()({ uuid: UUID, name: str, dpa: u64, size: u64, isetcookie: u64 }, []) },
      { title: 'labels delete', ...shapeOf<DeleteSummary>()({ uuid: UUID, freedSlots: ints }, []) },
      { title: 'labels rename', ...shapeOf<RenameSummary>()({ uuid: UUID, name: str }, []) },
      { title: 'labels repair', ...repairReport },
      {
        title: 'labels create (interleave set)',
        ...shapeOf<SetCreateSummary>()(
          { uuid: UUID, name: str, size: u64, dimms: { type: 'array', items: shapeOf<SetCreateSummary['dimms'][number]>()({ dimm, file, dpa: u64, rawsize: u64, position: int(), isetcookie: u64 }, []) } },
          [],
        ),
      },
      { title: 'labels delete (interleave set)', ...shapeOf<SetDeleteSummary>()({ uuid: UUID, freedSlots: { type: 'array', items: shapeOf<SetDeleteSummary['freedSlots'][number]>()({ dimm, file, slots: ints }, []) } }, []) },
      {
        title: 'labels rename (interleave set)',
        ...shapeOf<SetRenameSummary>()({ uuid: UUID, name: str, dimms: { type: 'array', items: shapeOf<SetRenameSummary['dimms'][number]>()({ dimm, file, position: int(), dpa: u64, rawsize: u64 }, []) } }, []),
      },
      {
        title: 'labels repair (interleave set)',
        ...shapeOf<SetRepairSummary>()(
          {
            dimms: {
              type: 'array',
              items: shapeOf<SetRepairDimm>()({ dimm: int('index in mapping order'), name: str, file, report: repairReport, error: { ...str, description: 'why this DIMM could not be repaired' } }, ['report', 'error']),
            },
            regionActive: { type: 'boolean', description: 'whether Linux assembles the region after the repair' },
            regionReason: str,
            problems: findings,
          },
          ['regionReason'],
        ),
      },
      { title: 'sim report', ...shapeOf<SimReportSummary>()({ dir: str, report: str }, []) },
    ],
  };
}

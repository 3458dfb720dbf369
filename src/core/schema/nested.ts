import { field, type Field, type FieldOptions } from './field.js';
import type { Struct, ValueOf } from './struct.js';

/** A structure embedded as one field of another. */
export const nested = <N extends string, S extends Struct<any>>(name: N, s: S, o?: FieldOptions<ValueOf<S>>): Field<N, ValueOf<S>, false> =>
  field(name, s as never, { label: s.label, ...o });

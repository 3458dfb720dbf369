/** `--format NAME` of decode/encode: one of the formats the codecs registry knows (any case). */
import { allFormats } from '../../codecs/index.js';
import { UsageError, type ValueType } from './values.js';

export const formatNameValue: ValueType<string> = {
  name: 'FORMAT',
  parse(t, option) {
    const f = allFormats().find((x) => x.name.toLowerCase() === t.toLowerCase());
    if (!f) throw new UsageError(`${option}: unknown format "${t}" (one of ${allFormats().map((x) => x.name).join(', ')})`);
    return f.name;
  },
};

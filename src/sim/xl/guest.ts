/**
 * What xl takes from a guest's xl.cfg for the vNVDIMM simulation (xl_cmdimpl.c of nvdimm-rfc-v1,
 * xl_parse.c of nvdimm-rfc-v4 and nvdimm-label-v1.1-rebase; specs/sim.md §7.1): name, builder,
 * memory, maxmem, vcpus, device_model_version and the vNVDIMMs in the design's form. Unknown keys
 * are kept and listed (xl ignores them silently). Errors carry xl's own wording.
 */
import type { Design } from '../scenario/scenario.js';
import { cfgGet, parseXlConfig, PYTHON_WARNING, strtoul, ULONG_MAX, type CfgSetting, type XlConfig } from './cfg.js';

export const XL_PAGE_SHIFT = 12n;
/** libxl's minimum label area: 32 pages (128 KiB), the size ndctl/Linux accept. */
export const MIN_LABEL_PAGES = 32n;

/** v1/v2: a path to a pmem block device or a file on a DAX file system. */
export interface VnvdimmPath {
  kind: 'path';
  path: string;
  /** The item as written (`'/dev/pmem0'`, or seed 000's `'file=/dev/pmem0'`). */
  written: string;
}
/** v3+: `type=mfn, backend=<base mfn>, nr_pages=<N>[, nr_label_pages=<M>]`. */
export interface VnvdimmMfn {
  kind: 'mfn';
  mfn: bigint;
  nrPages: bigint;
  nrLabelPages: bigint;
  written: string;
}
export type Vnvdimm = VnvdimmPath | VnvdimmMfn;

export interface GuestConfig {
  source: string;
  name: string;
  builder: 'hvm' | 'generic';
  /** MiB, as xl.cfg gives them. */
  memory: bigint;
  maxmem: bigint;
  vcpus: number;
  deviceModelVersion: 'qemu-xen' | 'qemu-xen-traditional';
  vnvdimms: Vnvdimm[];
  unknownKeys: { name: string; line: number }[];
  warnings: string[];
}

export const KNOWN_KEYS = ['name', 'builder', 'type', 'memory', 'maxmem', 'vcpus', 'device_model_version', 'vnvdimms', 'vnvdimm'];

export class XlConfigError extends Error {
  /** `lines`: what xl prints; `at`: where each syntax error is (line and column), for the parse errors. */
  constructor(readonly source: string, readonly lines: string[], readonly at: { line: number; col: number; message: string }[] = []) {
    super(lines.join('\n'));
  }
}

/** `xlu_cfg_get_long`: strtol base 0 over the whole value, or xl's warning. */
function getLong(c: XlConfig, s: CfgSetting, problems: string[]): bigint | undefined {
  if (s.value.kind !== 'string') {
    problems.push(`${c.source}:${s.line}: warning: parameter \`${s.name}' is a list but should be a single value`);
    return undefined;
  }
  const t = s.value.text;
  const neg = /^\s*-/.test(t);
  const r = strtoul(t, 0);
  if (r.end === 0 || r.end !== t.length) {
    problems.push(`${c.source}:${s.line}: warning: parameter \`${s.name}' is not a valid number`);
    return undefined;
  }
  const mag = neg ? (ULONG_MAX + 1n - r.value) & ULONG_MAX : r.value;
  if (r.value === ULONG_MAX || mag > (1n << 63n) - (neg ? 0n : 1n)) {
    problems.push(`${c.source}:${s.line}: warning: parameter \`${s.name}' could not be parsed as a number: Numerical result out of range`);
    return undefined;
  }
  return neg ? -mag : mag;
}

function getString(c: XlConfig, s: CfgSetting, problems: string[]): string | undefined {
  if (s.value.kind === 'string') return s.value.text;
  problems.push(`${c.source}:${s.line}: warning: parameter \`${s.name}' is a list but should be a single value`);
  return undefined;
}

/** One v3+ item: parse_vnvdimms / parse_vnvdimm_config of nvdimm-label-v1.1-rebase. */
export function parseMfnVnvdimm(item: string): VnvdimmMfn | { error: string } {
  let backend: string | undefined;
  let nrPages = 0n;
  let nrLabelPages = 0n;
  // strtok(buf, ","): empty tokens are skipped; leading blanks of each token dropped
  for (let tok of item.split(',').filter((t) => t !== '')) {
    tok = tok.replace(/^ +/, '');
    const opt = (k: string) => (tok.startsWith(`${k}=`) ? tok.slice(k.length + 1) : undefined);
    let v: string | undefined;
    if ((v = opt('backend')) !== undefined) backend = v;
    else if ((v = opt('type')) !== undefined) {
      if (v.toLowerCase() !== 'mfn') return { error: `ERROR: invalid vNVDIMM backend type '${v}'` };
    } else if ((v = opt('nr_pages')) !== undefined) {
      const r = strtoul(v, 0);
      if (r.end === 0 || r.value === ULONG_MAX) return { error: `ERROR: invalid number of vNVDIMM backend pages '${v}'` };
      nrPages = r.value;
    } else if ((v = opt('nr_label_pages')) !== undefined) {
      const r = strtoul(v, 10); // parse_ulong
      if (r.end === 0 || r.value === ULONG_MAX) return { error: `xl: failed to convert "${v}" to number` };
      if (r.value < MIN_LABEL_PAGES) return { error: `ERROR: vNVDIMM label size (${v} pages) smaller than the minimal requirement (32 pages, 128KB)` };
      nrLabelPages = r.value;
    } else return { error: `ERROR: unknown string '${tok}' in vnvdimm spec` };
  }
  if (nrPages <= nrLabelPages) return { error: `ERROR: vNVDIMM size (${nrPages} pages) not larger than its label size (${nrLabelPages} pages)` };
  const r = backend === undefined ? { value: 0n, end: 0 } : strtoul(backend, 0);
  if (r.end === 0 || r.value === ULONG_MAX) return { error: `ERROR: invalid start MFN of host NVDIMM '${backend ?? '(null)'}'` };
  return { kind: 'mfn', mfn: r.value, nrPages, nrLabelPages, written: item };
}

/** One v1/v2 item: the path itself; seed 000's `file=` spelling is taken as the same path. */
export function parsePathVnvdimm(item: string): VnvdimmPath {
  return { kind: 'path', path: item.startsWith('file=') ? item.slice(5) : item, written: item };
}

/** Read a guest's xl.cfg for `design`; throws XlConfigError with every problem xl would print. */
export function parseGuestConfig(text: string, source: string, design: Design): GuestConfig {
  const c = parseXlConfig(text, source);
  const problems: string[] = c.errors.map((e) => e.message);
  if (c.errors.length) {
    if (c.likelyPython) problems.push(...PYTHON_WARNING);
    problems.push(`Failed to parse config: Invalid argument`);
    throw new XlConfigError(source, problems, c.errors);
  }
  const get = (k: string) => cfgGet(c, k);
  const warnings: string[] = [];
  const nameS = get('name');
  const name = nameS ? getString(c, nameS, problems) : undefined;
  if (!name) problems.push(`${source}: Domain name must be specified.`);
  const builderS = get('builder') ?? get('type');
  const builderV = builderS ? getString(c, builderS, problems) : 'hvm';
  let builder: GuestConfig['builder'] = 'hvm';
  if (builderV === 'generic' || builderV === 'pv') builder = 'generic';
  else if (builderV !== 'hvm' && builderV !== undefined) problems.push(`${source}: Invalid domain type ${builderV}.`);
  if (builder !== 'hvm') problems.push(`${source}: vNVDIMMs need an HVM guest (builder="hvm"): QEMU is its device model`);
  const memS = get('memory');
  const memory = memS ? getLong(c, memS, problems) ?? 0n : 128n;
  const maxS = get('maxmem');
  const maxmem = maxS ? getLong(c, maxS, problems) ?? memory : memory;
  if (maxmem < memory) problems.push(`${source}: maxmem (${maxmem} MiB) is below memory (${memory} MiB)`);
  const vcS = get('vcpus');
  const vcpus = vcS ? Number(getLong(c, vcS, problems) ?? 1n) : 1;
  const dmS = get('device_model_version');
  const dm = dmS ? getString(c, dmS, problems) : 'qemu-xen';
  if (dm !== 'qemu-xen' && dm !== 'qemu-xen-traditional' && dm !== undefined) problems.push(`xl: unknown device model version: ${dm}`);
  else if (dm === 'qemu-xen-traditional') problems.push(`${source}: vNVDIMMs need device_model_version="qemu-xen" (qemu-xen-traditional has no nvdimm device)`);
  const vS = get('vnvdimms') ?? get('vnvdimm');
  const vnvdimms: Vnvdimm[] = [];
  if (vS) {
    if (vS.value.kind !== 'list') problems.push(`${source}:${vS.line}: warning: parameter \`${vS.name}' is a single value but should be a list`);
    else {
      for (const it of vS.value.items) {
        if (it.kind !== 'string') {
          problems.push(`${source}:${it.line}: ${vS.name} items are strings; this one is a list`);
          continue;
        }
        if (design === 'v1') vnvdimms.push(parsePathVnvdimm(it.text));
        else {
          const v = parseMfnVnvdimm(it.text);
          if ('error' in v) problems.push(`${source}:${it.line}: ${v.error}`);
          else vnvdimms.push(v);
        }
      }
    }
  }
  if (problems.length) throw new XlConfigError(source, problems);
  const unknownKeys = c.settings.filter((s) => !KNOWN_KEYS.includes(s.name)).map((s) => ({ name: s.name, line: s.line }));
  for (const u of unknownKeys) warnings.push(`${source}:${u.line}: key "${u.name}" is not one the simulation reads (kept, ignored)`);
  return { source, name: name!, builder, memory, maxmem, vcpus, deviceModelVersion: dm as GuestConfig['deviceModelVersion'], vnvdimms, unknownKeys, warnings };
}

/**
 * `xl pmem-setup` as the administrator types it (tools/xl/xl_nvdimm.c `main_pmem_setup`, nvdimm-rfc-v4
 * f185314a66; xen.md §1B): `-m <smfn> <emfn>` or `-d <smfn> <emfn> <mgmt_smfn> <mgmt_emfn>`, each
 * number read by `parse_ulong` = `strtoul(str, &end, 0)` (any base), refused when nothing was
 * converted or the value is ULONG_MAX. libxc then issues XEN_SYSCTL_nvdimm_pmem_setup with
 * `mgmt_{s,e}mfn = {s,e}mfn` for -m.
 */
import { PMEM_REGION_TYPE, type PmemSetup } from '../../xen/hypercalls/index.js';
import { U64 } from './geometry.js';

/** C `strtoul(s, &end, 0)` on a 64-bit long: the value and how many characters it consumed. */
export function strtoul0(s: string): { value: bigint; consumed: number } {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  let base = 10n;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-f]/i.test(s[i + 2] ?? '')) {
    base = 16n;
    i += 2;
  } else if (s[i] === '0') base = 8n;
  const start = i;
  let v = 0n;
  let overflow = false;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    v = v * base + BigInt(d);
    if (v > U64) overflow = true;
  }
  if (i === start) return { value: 0n, consumed: 0 };
  if (overflow) return { value: U64, consumed: i };
  return { value: neg ? (-v) & U64 : v, consumed: i };
}

/** `parse_ulong`, or the message xl prints before it exits. */
export function parseUlong(s: string): bigint | string {
  const r = strtoul0(s);
  if (r.consumed === 0 || r.value === U64) return `xl: failed to convert "${s}" to number`;
  return r.value;
}

export type PmemSetupCommand = { setup: PmemSetup } | { error: string };

/** One scenario `xl` line; undefined when it is not `pmem-setup` (a later stage's command). */
export function parsePmemSetup(line: string): PmemSetupCommand | undefined {
  const argv = line.trim().split(/\s+/);
  if (argv[0] !== 'pmem-setup') return undefined;
  const opt = argv[1];
  const want = opt === '-m' || opt === '--mgmt' ? 2 : opt === '-d' ? 4 : undefined;
  if (want === undefined) return { error: `xl pmem-setup: expected -m <smfn> <emfn> or -d <smfn> <emfn> <mgmt_smfn> <mgmt_emfn>, got "${line}"` };
  if (argv.length - 2 !== want) return { error: `Error: 'xl pmem-setup ${opt}' requires ${want} arguments` };
  const nums = argv.slice(2).map(parseUlong);
  const bad = nums.find((n): n is string => typeof n === 'string');
  if (bad) return { error: bad };
  const [s, e, ms, me] = nums as bigint[];
  const pad = new Uint8Array(7);
  return want === 2
    ? { setup: { smfn: s!, emfn: e!, mgmtSmfn: s!, mgmtEmfn: e!, type: PMEM_REGION_TYPE.MGMT, pad } }
    : { setup: { smfn: s!, emfn: e!, mgmtSmfn: ms!, mgmtEmfn: me!, type: PMEM_REGION_TYPE.DATA, pad } };
}

/**
 * ABI proof: gcc (x86-64) lays out C declarations of the hypercall argument structs — written here
 * from the public headers' shapes in dazhang1opensource/xen (platform.h nvdimm-rfc-v1, sysctl.h
 * nvdimm-rfc-v3/v4, memory.h / domctl.h / hvm/dm_op.h nvdimm-label-v1.1-rebase; xen.md §1, §5) —
 * and its offsetof/sizeof must equal the schema's offsets and sizes for every field.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Struct } from '../../src/core/schema/index.js';
import { hypercalls as H } from '../../src/xen/index.js';
import { runFuzz } from '../../src/core/fuzz.js';
import { decodeStruct, encodeStruct } from '../../src/core/schema/index.js';
import { hypercallFuzzTargets } from '../../src/xen/fuzz.js';
import { pageInfo } from '../../src/xen/pageInfo.js';
import { runCli } from '../support/cli.js';
import { requireTool, runTool } from '../support/tools.js';
import { validateCliJson } from '../support/schemas.js';

const C_DECLS = `
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
typedef uint16_t domid_t;
typedef uint64_t uint64_aligned_t __attribute__((aligned(8)));
typedef union { void *p; uint64_aligned_t q; } guest_handle_64;

struct xenpf_pmem_add { uint64_t spfn, epfn, rsv_spfn, rsv_epfn, data_spfn, data_epfn; };
struct xenpf_settime64 { uint64_t secs; uint32_t nsecs; uint32_t mbz; uint64_t system_time; };
struct xen_platform_op {
  uint32_t cmd; uint32_t interface_version;
  union { struct xenpf_settime64 settime64; struct xenpf_pmem_add pmem_add; uint8_t pad[128]; } u;
};

struct xen_sysctl_nvdimm_pmem_raw_region { uint64_t smfn, emfn; uint32_t pxm; };
struct xen_sysctl_nvdimm_pmem_mgmt_region { uint64_t smfn, emfn, used_mfns; };
struct xen_sysctl_nvdimm_pmem_data_region { uint64_t smfn, emfn, mgmt_smfn, mgmt_emfn; };
struct xen_sysctl_nvdimm_pmem_regions_nr { uint8_t type; uint32_t num_regions; };
struct xen_sysctl_nvdimm_pmem_regions { uint8_t type; uint32_t num_regions; union { guest_handle_64 raw_regions, mgmt_regions, data_regions; } u_buffer; };
struct xen_sysctl_nvdimm_pmem_setup { uint64_t smfn, emfn, mgmt_smfn, mgmt_emfn; uint8_t type; };
union nvdimm_u { struct xen_sysctl_nvdimm_pmem_regions_nr pmem_regions_nr; struct xen_sysctl_nvdimm_pmem_regions pmem_regions; struct xen_sysctl_nvdimm_pmem_setup pmem_setup; };
struct xen_sysctl_nvdimm_op { uint32_t cmd; uint32_t err; union nvdimm_u u; };
struct xen_sysctl_nvdimm_op_v3 { uint32_t cmd; uint32_t pad; union nvdimm_u u; uint32_t err; };
struct xen_sysctl_physinfo_like { uint32_t a; uint64_aligned_t b; };
struct xen_sysctl { uint32_t cmd; uint32_t interface_version; union { struct xen_sysctl_physinfo_like physinfo; struct xen_sysctl_nvdimm_op nvdimm; uint8_t pad[128]; } u; };
struct xen_sysctl_nvdimm_pmem_setup_v2 { uint64_t smfn, emfn, mgmt_smfn, mgmt_emfn; };
struct xen_sysctl_nvdimm_op_v2 { uint32_t cmd; uint32_t pad; union { struct xen_sysctl_nvdimm_pmem_setup_v2 setup; } u; };
struct xen_sysctl_v2 { uint32_t cmd; uint32_t interface_version; union { struct xen_sysctl_physinfo_like physinfo; struct xen_sysctl_nvdimm_op_v2 nvdimm; uint8_t pad[128]; } u; };
struct xen_sysctl_v3 { uint32_t cmd; uint32_t interface_version; union { struct xen_sysctl_physinfo_like physinfo; struct xen_sysctl_nvdimm_op_v3 nvdimm; uint8_t pad[128]; } u; };

struct xen_pmem_map { domid_t domid; unsigned long mfn; unsigned long gfn; unsigned int nr_mfns; unsigned int type; };

struct xen_domctl_iomem_permission { uint64_aligned_t first_mfn; uint64_aligned_t nr_mfns; uint8_t allow_access; };
struct xen_domctl_memory_mapping { uint64_aligned_t first_gfn, first_mfn, nr_mfns; uint32_t add_mapping; uint32_t padding; };
struct xen_domctl { uint32_t cmd; uint32_t interface_version; domid_t domain;
  union { struct xen_domctl_iomem_permission iomem_permission; struct xen_domctl_memory_mapping memory_mapping; uint8_t pad[128]; } u; };

struct xen_dm_op_pmem_rw { uint64_t paddr, length, done; uint8_t is_write; uint8_t pad[7]; };
struct xen_dm_op { uint32_t op; uint32_t pad; union { struct xen_dm_op_pmem_rw pmem_rw; } u; };

/* xen.md §5: struct page_info on x86-64 without BIGMEM (asm-x86/mm.h), unions by their members' sizes. */
typedef uint32_t __pdx_t;
struct page_list_entry { __pdx_t next, prev; };
struct page_info {
  union { struct page_list_entry list; uint64_t pfn_like; } list_u;
  unsigned long count_info;
  union { struct { unsigned long type_info; } inuse; struct { unsigned long a; } free; } u;
  union { struct { __pdx_t _domain; } inuse; struct { unsigned int order; } free; } v;
  union { uint32_t tlbflush_timestamp; struct { uint16_t nr_validated_ptes; int8_t partial_pte; } s; } w;
};
`;

/** schema field path → C member designator, per struct. */
const CASES: { struct: Struct<any>; c: string; fields: [string, string][] }[] = [
  { struct: H.xenpfPmemAdd, c: 'struct xenpf_pmem_add', fields: [['spfn', 'spfn'], ['epfn', 'epfn'], ['rsvSpfn', 'rsv_spfn'], ['rsvEpfn', 'rsv_epfn'], ['dataSpfn', 'data_spfn'], ['dataEpfn', 'data_epfn']] },
  { struct: H.xenPlatformOp, c: 'struct xen_platform_op', fields: [['cmd', 'cmd'], ['interfaceVersion', 'interface_version'], ['u', 'u']] },
  { struct: H.pmemRawRegion, c: 'struct xen_sysctl_nvdimm_pmem_raw_region', fields: [['smfn', 'smfn'], ['emfn', 'emfn'], ['pxm', 'pxm']] },
  { struct: H.pmemMgmtRegion, c: 'struct xen_sysctl_nvdimm_pmem_mgmt_region', fields: [['smfn', 'smfn'], ['emfn', 'emfn'], ['usedMfns', 'used_mfns']] },
  { struct: H.pmemDataRegion, c: 'struct xen_sysctl_nvdimm_pmem_data_region', fields: [['smfn', 'smfn'], ['emfn', 'emfn'], ['mgmtSmfn', 'mgmt_smfn'], ['mgmtEmfn', 'mgmt_emfn']] },
  { struct: H.pmemRegionsNr, c: 'struct xen_sysctl_nvdimm_pmem_regions_nr', fields: [['type', 'type'], ['numRegions', 'num_regions']] },
  { struct: H.pmemRegions, c: 'struct xen_sysctl_nvdimm_pmem_regions', fields: [['type', 'type'], ['numRegions', 'num_regions'], ['buffer', 'u_buffer']] },
  { struct: H.pmemSetup, c: 'struct xen_sysctl_nvdimm_pmem_setup', fields: [['smfn', 'smfn'], ['emfn', 'emfn'], ['mgmtSmfn', 'mgmt_smfn'], ['mgmtEmfn', 'mgmt_emfn'], ['type', 'type']] },
  { struct: H.nvdimmOpV4, c: 'struct xen_sysctl_nvdimm_op', fields: [['cmd', 'cmd'], ['err', 'err'], ['u', 'u']] },
  { struct: H.nvdimmOpV3, c: 'struct xen_sysctl_nvdimm_op_v3', fields: [['cmd', 'cmd'], ['pad', 'pad'], ['u', 'u'], ['err', 'err']] },
  { struct: H.xenSysctlV4, c: 'struct xen_sysctl', fields: [['cmd', 'cmd'], ['interfaceVersion', 'interface_version'], ['u', 'u']] },
  { struct: H.xenSysctlV3, c: 'struct xen_sysctl_v3', fields: [['cmd', 'cmd'], ['interfaceVersion', 'interface_version'], ['u', 'u']] },
  { struct: H.pmemSetupV2, c: 'struct xen_sysctl_nvdimm_pmem_setup_v2', fields: [['smfn', 'smfn'], ['emfn', 'emfn'], ['mgmtSmfn', 'mgmt_smfn'], ['mgmtEmfn', 'mgmt_emfn']] },
  { struct: H.nvdimmOpV2, c: 'struct xen_sysctl_nvdimm_op_v2', fields: [['cmd', 'cmd'], ['pad', 'pad'], ['u', 'u']] },
  { struct: H.xenSysctlV2, c: 'struct xen_sysctl_v2', fields: [['cmd', 'cmd'], ['interfaceVersion', 'interface_version'], ['u', 'u']] },
  { struct: H.xenPmemMap, c: 'struct xen_pmem_map', fields: [['domid', 'domid'], ['mfn', 'mfn'], ['gfn', 'gfn'], ['nrMfns', 'nr_mfns'], ['type', 'type']] },
  { struct: H.domctlIomemPermission, c: 'struct xen_domctl_iomem_permission', fields: [['firstMfn', 'first_mfn'], ['nrMfns', 'nr_mfns'], ['allowAccess', 'allow_access']] },
  { struct: H.domctlMemoryMapping, c: 'struct xen_domctl_memory_mapping', fields: [['firstGfn', 'first_gfn'], ['firstMfn', 'first_mfn'], ['nrMfns', 'nr_mfns'], ['addMapping', 'add_mapping'], ['padding', 'padding']] },
  { struct: H.xenDomctl, c: 'struct xen_domctl', fields: [['cmd', 'cmd'], ['interfaceVersion', 'interface_version'], ['domain', 'domain'], ['u', 'u']] },
  { struct: H.dmOpPmemRw, c: 'struct xen_dm_op_pmem_rw', fields: [['paddr', 'paddr'], ['length', 'length'], ['done', 'done'], ['isWrite', 'is_write'], ['pad', 'pad']] },
  { struct: H.xenDmOp, c: 'struct xen_dm_op', fields: [['op', 'op'], ['pad', 'pad'], ['u', 'u']] },
  { struct: pageInfo, c: 'struct page_info', fields: [['listNext', 'list_u.list.next'], ['listPrev', 'list_u.list.prev'], ['countInfo', 'count_info'], ['typeInfo', 'u.inuse.type_info'], ['owner', 'v.inuse._domain'], ['tlbflushTimestamp', 'w.tlbflush_timestamp']] },
];

/** Member structs as they sit inside their parents' unions: offsetof(parent, u.member.field). */
const NESTED: { parent: Struct<any>; c: string; member: string; struct: Struct<any>; inner?: { member: string; struct: Struct<any> } }[] = [
  { parent: H.xenPlatformOp, c: 'struct xen_platform_op', member: 'pmem_add', struct: H.xenpfPmemAdd },
  { parent: H.xenSysctlV4, c: 'struct xen_sysctl', member: 'nvdimm', struct: H.nvdimmOpV4, inner: { member: 'pmem_setup', struct: H.pmemSetup } },
  { parent: H.xenSysctlV3, c: 'struct xen_sysctl_v3', member: 'nvdimm', struct: H.nvdimmOpV3, inner: { member: 'pmem_setup', struct: H.pmemSetup } },
  { parent: H.xenSysctlV2, c: 'struct xen_sysctl_v2', member: 'nvdimm', struct: H.nvdimmOpV2, inner: { member: 'setup', struct: H.pmemSetupV2 } },
  { parent: H.xenDomctl, c: 'struct xen_domctl', member: 'memory_mapping', struct: H.domctlMemoryMapping },
  { parent: H.xenDomctl, c: 'struct xen_domctl', member: 'iomem_permission', struct: H.domctlIomemPermission },
  { parent: H.xenDmOp, c: 'struct xen_dm_op', member: 'pmem_rw', struct: H.dmOpPmemRw },
];

function cName(s: Struct<any>, field: string): string {
  const c = CASES.find((x) => x.struct === s)!;
  return c.fields.find(([f]) => f === field)![1];
}

describe('hypercall argument structs and page_info: schema layout = gcc x86-64 layout', () => {
  it('every struct, every field, and the members inside the unions', () => {
    requireTool('gcc', 'gcc');
    const lines: string[] = [];
    const expected: Record<string, [number, number]> = {};
    const ask = (key: string, type: string, member: string | undefined, off: number, size: number) => {
      expected[key] = [off, size];
      lines.push(member === undefined
        ? `printf("%s\\t%zu\\t%zu\\n", "${key}", (size_t)0, sizeof(${type}));`
        : `printf("%s\\t%zu\\t%zu\\n", "${key}", offsetof(${type}, ${member}), sizeof(((${type} *)0)->${member}));`);
    };
    for (const c of CASES) {
      ask(c.c, c.c, undefined, 0, c.struct.size!);
      for (const [f, m] of c.fields) ask(`${c.c}.${m}`, c.c, m, c.struct.offsetOf(f), c.struct.field(f).codec.size!);
    }
    for (const n of NESTED) {
      const base = n.parent.offsetOf('u');
      for (const f of n.struct.fields.filter((x: { name: string }) => CASES.find((c) => c.struct === n.struct)!.fields.some(([a]) => a === x.name))) {
        ask(`${n.c}.u.${n.member}.${cName(n.struct, f.name)}`, n.c, `u.${n.member}.${cName(n.struct, f.name)}`, base + n.struct.offsetOf(f.name), f.codec.size!);
      }
      if (n.inner) {
        const ib = base + n.struct.offsetOf('u');
        for (const [f, m] of CASES.find((c) => c.struct === n.inner!.struct)!.fields) {
          ask(`${n.c}.u.${n.member}.u.${n.inner.member}.${m}`, n.c, `u.${n.member}.u.${n.inner.member}.${m}`, ib + n.inner.struct.offsetOf(f), n.inner.struct.field(f).codec.size!);
        }
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'nvtool-abi-'));
    writeFileSync(join(dir, 'abi.c'), `${C_DECLS}\nint main(void) {\n${lines.join('\n')}\nreturn 0;\n}\n`);
    runTool('gcc', ['-m64', '-std=gnu11', '-Wall', '-o', join(dir, 'abi'), join(dir, 'abi.c')]);
    const got: Record<string, [number, number]> = {};
    for (const l of runTool(join(dir, 'abi'), []).trim().split('\n')) {
      const [k, o, s] = l.split('\t');
      got[k!] = [Number(o), Number(s)];
    }
    expect(Object.keys(got).length).toBeGreaterThan(80);
    expect(got).toEqual(expected);
  });

  it('bytes gcc writes from C initializers decode to the same values; nvtool decode recognises them', async () => {
    requireTool('gcc', 'gcc');
    const dir = mkdtempSync(join(tmpdir(), 'nvtool-abi-'));
    const main = `
static void put(const char *name, const void *p, size_t n) { FILE *f = fopen(name, "wb"); fwrite(p, 1, n, f); fclose(f); }
int main(void) {
  struct xen_platform_op a = { .cmd = 64, .interface_version = 0x03000001, .u.pmem_add = { 0x140200, 0x940000, 0x140205, 0x1426f4, 0x142800, 0x940000 } };
  struct xen_sysctl b = { .cmd = 29, .interface_version = 0x11, .u.nvdimm = { .cmd = 2, .err = 0, .u.pmem_setup = { 0x150000, 0x550000, 0x140000, 0x150000, 2 } } };
  struct xen_sysctl_v2 b2 = { .cmd = 28, .interface_version = 0x10, .u.nvdimm = { .cmd = 0, .u.setup = { 0x150000, 0x550000, ~0UL, ~0UL } } };
  struct xen_sysctl_v3 b3 = { .cmd = 29, .interface_version = 0x10, .u.nvdimm = { .cmd = 2, .u.pmem_setup = { 0x140000, 0x150000, 0x140000, 0x150000, 1 }, .err = 22 } };
  struct xen_domctl c = { .cmd = 39, .interface_version = 0x10, .domain = 3, .u.memory_mapping = { 0x240000, 0x150000, 0x40000, 1, 0 } };
  struct xen_dm_op d = { .op = 19, .u.pmem_rw = { 0x54ff00000ULL, 4096, 0, 1 } };
  struct xen_pmem_map e = { .domid = 3, .mfn = 0x54ff00, .gfn = 0x23ff00, .nr_mfns = 32, .type = 1 };
  put("platform.bin", &a, sizeof a); put("sysctl.bin", &b, sizeof b); put("sysctl3.bin", &b3, sizeof b3); put("sysctl2.bin", &b2, sizeof b2);
  put("domctl.bin", &c, sizeof c); put("dmop.bin", &d, sizeof d); put("pmemmap.bin", &e, sizeof e);
  return 0;
}`;
    writeFileSync(join(dir, 'w.c'), `${C_DECLS}\n${main}\n`);
    runTool('gcc', ['-m64', '-std=gnu11', '-o', join(dir, 'w'), join(dir, 'w.c')]);
    runTool(join(dir, 'w'), [], { cwd: dir });
    const file = (n: string) => new Uint8Array(readFileSync(join(dir, n)));
    const a = decodeStruct(H.xenPlatformOp, file('platform.bin')).value;
    expect(a.u.pmem_add).toEqual({ spfn: 0x140200n, epfn: 0x940000n, rsvSpfn: 0x140205n, rsvEpfn: 0x1426f4n, dataSpfn: 0x142800n, dataEpfn: 0x940000n });
    const b = decodeStruct(H.xenSysctlV4, file('sysctl.bin')).value;
    expect(b.u.nvdimm).toMatchObject({ cmd: 2, err: 0, u: { pmem_setup: { smfn: 0x150000n, emfn: 0x550000n, mgmtSmfn: 0x140000n, mgmtEmfn: 0x150000n, type: 2 } } });
    const b3 = decodeStruct(H.xenSysctlV3, file('sysctl3.bin')).value;
    expect(b3.u.nvdimm).toMatchObject({ cmd: 2, err: 22, u: { pmem_setup: { smfn: 0x140000n, type: 1 } } });
    const b2 = decodeStruct(H.xenSysctlV2, file('sysctl2.bin')).value;
    expect(b2.u.nvdimm).toMatchObject({ cmd: 0, u: { setup: { smfn: 0x150000n, emfn: 0x550000n, mgmtSmfn: (1n << 64n) - 1n, mgmtEmfn: (1n << 64n) - 1n } } });
    const c = decodeStruct(H.xenDomctl, file('domctl.bin')).value;
    expect(c).toMatchObject({ cmd: 39, domain: 3, u: { memory_mapping: { firstGfn: 0x240000n, firstMfn: 0x150000n, nrMfns: 0x40000n, addMapping: 1 } } });
    const d = decodeStruct(H.xenDmOp, file('dmop.bin')).value;
    expect(d.u.pmem_rw).toMatchObject({ paddr: 0x54ff00000n, length: 4096n, done: 0n, isWrite: 1 });
    const e = decodeStruct(H.xenPmemMap, file('pmemmap.bin')).value;
    expect(e).toMatchObject({ domid: 3, mfn: 0x54ff00n, gfn: 0x23ff00n, nrMfns: 32, type: 1 });
    for (const [n, s, v] of [['platform.bin', H.xenPlatformOp, a], ['sysctl.bin', H.xenSysctlV4, b], ['domctl.bin', H.xenDomctl, c], ['dmop.bin', H.xenDmOp, d], ['pmemmap.bin', H.xenPmemMap, e]] as const) {
      expect(encodeStruct(s as never, v as never)).toEqual(file(n));
    }
    const formats: Record<string, string> = { 'platform.bin': 'xen_platform_op', 'sysctl.bin': 'xen_sysctl', 'sysctl3.bin': 'xen_sysctl.v3', 'sysctl2.bin': 'xen_sysctl.v2', 'domctl.bin': 'xen_domctl', 'dmop.bin': 'xen_dm_op' };
    for (const [n, f] of Object.entries(formats)) {
      const r = await runCli(['decode', join(dir, n), '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect((validateCliJson('decode', r.stdout) as any).format).toBe(f);
    }
    const r = await runCli(['decode', join(dir, 'pmemmap.bin'), '--format', 'xen_pmem_map']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nr_mfns/);
  });

  it('fast-check: every hypercall decoder round-trips and survives mutated/arbitrary bytes', () => {
    for (const t of hypercallFuzzTargets) expect(runFuzz(t, 150, 20261207).failures, t.name).toEqual([]);
  });
});
